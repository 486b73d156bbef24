"""The two learners of the parity work behind one small API, so every loop
that drives them (``run.py``'s training, ``bench/torch_ppo.py``'s timing)
drives the same code: ``act(obs, deterministic)``, ``observe(obs, action,
reward, next_obs, terminated, truncated)``, ``state()`` / ``load(state)``, and
for evaluations ``seed_eval(seed, step)`` then ``act_eval(obs, policy)`` (policy
``"mean"`` or ``"sample"``, drawn from a stream apart from training's).

- ``TrellisLearner``: trellis's native student through ``trellis.Student``.
- ``TorchLearner``: the reference PyTorch PPO (``ppo_torch.py``).

``learner_from_run`` loads the learner a parity run left, whichever learner
made it, native runs included; ``eval_policy`` makes it act as evaluations do
(mean or sampled, from a seeded stream).
"""
import os
import pickle
import struct


class TrellisLearner:
    def __init__(self, family, obs_dim, act_dim, seed):
        import trellis
        self.s = trellis.Student(family, obs_dim, act_dim, seed=seed)

    def act(self, obs, deterministic=False):
        return self.s.act(obs[None], deterministic)[0]

    def act_eval(self, obs, policy):
        return self.s.act_eval(obs[None], policy)[0]

    def seed_eval(self, seed, step=0):
        self.s.seed_eval(seed, step)

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

    def seed_eval(self, seed, step=0):
        self.s.seed_eval(seed, step)

    def observe(self, obs, a, r, obs2, term, trunc):
        self.s.observe(r, obs2, term, trunc)

    def state(self):
        return self.s.state()

    def load(self, s):
        self.s.load(s)


def checkpoint_sections(data):
    """The named sections of a trellis checkpoint (``checkpoint.bin``:
    ``TRLSBLB2``, then per section a u32 name length, the name, a u64 length
    and the bytes; a 20-byte trailer), as ``{name: bytes}``."""
    if data[:8] != b"TRLSBLB2":
        raise ValueError("not a trellis checkpoint (no TRLSBLB2 header)")
    body, i, out = data[:-20], 8, {}
    while i < len(body):
        (n,) = struct.unpack_from("<I", body, i)
        name = body[i + 4:i + 4 + n].decode()
        (m,) = struct.unpack_from("<Q", body, i + 4 + n)
        start = i + 12 + n
        out[name], i = body[start:start + m], start + m
    return out


def learner_from_run(run, family, obs_dim, act_dim):
    """The learner a run left: RUN/checkpoint.pkl of a ``run.py`` run (the
    learner told apart by the state's contents) or RUN/checkpoint.bin of a
    native ``trellis train`` run."""
    native = os.path.join(run, "checkpoint.bin")
    if os.path.exists(native):
        learner = TrellisLearner(family, obs_dim, act_dim, 0)
        with open(native, "rb") as f:
            learner.load(checkpoint_sections(f.read())["student"])
    else:
        with open(os.path.join(run, "checkpoint.pkl"), "rb") as f:
            state = pickle.load(f)["learner"]
        learner = (TorchLearner(obs_dim, act_dim, 0) if isinstance(state, dict) and "net" in state
                   else TrellisLearner(family, obs_dim, act_dim, 0))
        learner.load(state)
    return learner


def eval_policy(learner, policy="mean", seed=0):
    """obs -> the learner's evaluation action (``policy`` "mean", or "sample"
    drawn from a stream seeded ``seed``, started afresh here)."""
    learner.seed_eval(seed)
    return lambda obs: learner.act_eval(obs, policy)
