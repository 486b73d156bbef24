"""The two learners of the parity work behind one small API, so every loop
that drives them (``run.py``'s training, ``bench/torch_ppo.py``'s timing)
drives the same code: ``act(obs, deterministic)``, ``observe(obs, action,
reward, next_obs, terminated, truncated)``, ``state()`` / ``load(state)``, and
for evaluations ``seed_eval(seed)`` then ``act_eval(obs, policy)`` (policy
``"mean"`` or ``"sample"``, drawn from a stream apart from training's).

- ``TrellisLearner``: trellis's native student through ``trellis.Student``.
- ``TorchLearner``: the reference PyTorch PPO (``ppo_torch.py``).

``policy_from_run`` gives the deterministic policy a parity run left in
RUN/checkpoint.pkl, whichever learner made it.
"""
import os
import pickle


class TrellisLearner:
    def __init__(self, family, obs_dim, act_dim, seed):
        import trellis
        self.s = trellis.Student(family, obs_dim, act_dim, seed=seed)

    def act(self, obs, deterministic=False):
        return self.s.act(obs[None], deterministic)[0]

    def act_eval(self, obs, policy):
        return self.s.act_eval(obs[None], policy)[0]

    def seed_eval(self, seed):
        self.s.seed_eval(seed)

    def observe(self, obs, a, r, obs2, term, trunc):
        self.s.observe(obs[None], a[None], [r], obs2[None], [term], [trunc])

    def state(self):
        return self.s.save()

    def load(self, s):
        self.s.load(s)


class TorchLearner:
    def __init__(self, obs_dim, act_dim, seed, threads=1):
        import torch
        torch.set_num_threads(threads)
        from ppo_torch import TorchPpo
        self.s = TorchPpo(obs_dim, act_dim, seed)

    def act(self, obs, deterministic=False):
        return self.s.act(obs, deterministic)[0]

    def act_eval(self, obs, policy):
        return self.s.act_eval(obs, policy)[0]

    def seed_eval(self, seed):
        self.s.seed_eval(seed)

    def observe(self, obs, a, r, obs2, term, trunc):
        self.s.observe(r, obs2, term, trunc)

    def state(self):
        return self.s.state()

    def load(self, s):
        self.s.load(s)


def policy_from_run(run, family, obs_dim, act_dim):
    """obs -> action of the deterministic policy in RUN/checkpoint.pkl (a
    ``run.py`` run dir; the learner is told apart by the state's contents)."""
    with open(os.path.join(run, "checkpoint.pkl"), "rb") as f:
        state = pickle.load(f)["learner"]
    if isinstance(state, dict) and "net" in state:
        learner = TorchLearner(obs_dim, act_dim, 0)
        learner.load(state)
    else:
        learner = TrellisLearner(family, obs_dim, act_dim, 0)
        learner.load(state)
    return lambda obs: learner.act(obs, deterministic=True)
