"""The reference PPO: a single-file PyTorch PPO in the manner of CleanRL's
``ppo_continuous_action``, configured as TeachMyAgent's PPO runs configure
OpenAI Baselines' ppo2 (its ``student_args_handler.py`` and the benchmark
script's ``--lr 0.0003``):

- one env, rollouts of 20,000 steps, 5 epochs of 20 minibatches of 1,000;
- one MLP trunk 400-300 with tanh (Baselines' ``custom_mlp``), shared by the
  policy mean and value heads (``value_network='shared'``); orthogonal
  initialisation, gain sqrt(2) in the trunk, 0.01 for the mean head, 1 for the
  value head, zero biases; a state-independent log-std starting at 0;
- Adam, lr 3e-4, eps 1e-5; global gradient-norm clipping at 0.5;
- clipped surrogate (0.2), clipped value loss (0.5 weight), no entropy bonus;
  advantages standardised per minibatch; GAE(0.99, 0.95);
- VecNormalize: observations standardised by running statistics and clipped
  to ±10; rewards divided by the running std of the discounted return,
  clipped to ±10; a time-limit end is treated as terminal (ppo2 does not
  bootstrap it);
- the env sees the sampled action clipped to [-1, 1]; the update uses the
  raw sample.

A measuring tool written for trellis: not TeachMyAgent's or CleanRL's code.
"""
import numpy as np
import torch
import torch.nn as nn

ROLLOUT, EPOCHS, MINIBATCH = 20_000, 5, 1_000
LR, ADAM_EPS, MAX_GRAD_NORM = 3e-4, 1e-5, 0.5
CLIP, VF_COEF, ENT_COEF = 0.2, 0.5, 0.0
GAMMA, LAMBDA = 0.99, 0.95
HIDDEN = (400, 300)
NORM_CLIP, NORM_EPS = 10.0, 1e-8


class RunningMeanStd:
    """Baselines' running mean/variance (parallel algorithm)."""

    def __init__(self, shape=()):
        self.mean, self.var, self.count = np.zeros(shape), np.ones(shape), 1e-4

    def update(self, x):
        x = np.asarray(x, dtype=np.float64).reshape((-1,) + self.mean.shape)
        bm, bv, bc = x.mean(0), x.var(0), x.shape[0]
        delta, tot = bm - self.mean, self.count + bc
        self.mean = self.mean + delta * bc / tot
        m2 = self.var * self.count + bv * bc + delta ** 2 * self.count * bc / tot
        self.var, self.count = m2 / tot, tot

    def state(self):
        return {"mean": self.mean, "var": self.var, "count": self.count}

    def load(self, s):
        self.mean, self.var, self.count = s["mean"], s["var"], s["count"]


def layer(i, o, gain):
    lin = nn.Linear(i, o)
    nn.init.orthogonal_(lin.weight, gain)
    nn.init.zeros_(lin.bias)
    return lin


class ActorCritic(nn.Module):
    def __init__(self, obs_dim, act_dim):
        super().__init__()
        sizes = (obs_dim,) + HIDDEN
        trunk = []
        for i, o in zip(sizes, sizes[1:]):
            trunk += [layer(i, o, np.sqrt(2)), nn.Tanh()]
        self.trunk = nn.Sequential(*trunk)
        self.mean = layer(HIDDEN[-1], act_dim, 0.01)
        self.value = layer(HIDDEN[-1], 1, 1.0)
        self.log_std = nn.Parameter(torch.zeros(act_dim))

    def forward(self, x):
        h = self.trunk(x)
        return self.mean(h), self.log_std.expand(x.shape[0], -1), self.value(h).squeeze(-1)


def log_prob(mean, log_std, a):
    return (-0.5 * ((a - mean) / log_std.exp()) ** 2 - log_std - 0.5 * np.log(2 * np.pi)).sum(-1)


class TorchPpo:
    """act / observe, like trellis.Student, for one env instance."""

    def __init__(self, obs_dim, act_dim, seed):
        torch.manual_seed(seed)
        self.rng = np.random.default_rng(seed)
        self.net = ActorCritic(obs_dim, act_dim)
        self.opt = torch.optim.Adam(self.net.parameters(), lr=LR, eps=ADAM_EPS)
        self.obs_rms, self.ret_rms = RunningMeanStd((obs_dim,)), RunningMeanStd(())
        self.ret = 0.0
        self.buf = []  # (normalised obs, raw action, logp, value, scaled reward, done)
        self.pending = None
        self.last_next = None  # the raw observation after the last stored step
        self.updates = 0
        self.seed_eval(seed)

    def _norm(self, obs):
        return np.clip((obs - self.obs_rms.mean) / np.sqrt(self.obs_rms.var + NORM_EPS),
                       -NORM_CLIP, NORM_CLIP).astype(np.float32)

    def act(self, obs, deterministic=False):
        obs = np.asarray(obs, dtype=np.float32).reshape(1, -1)
        if not deterministic:
            # Learn at the first act after a full rollout, as trellis's PPO
            # does: an evaluation at a rollout boundary sees both learners
            # after the same number of updates.
            if len(self.buf) >= ROLLOUT:
                self.update()
            self.obs_rms.update(obs)
        with torch.no_grad():
            return self._sample(obs, deterministic)

    def act_eval(self, obs, policy):
        """An evaluation action: the mean, or (policy "sample", as ppo2's
        test_agent acts) one drawn with the evaluation generator, which
        seed_eval restarts; nothing recorded, the training stream untouched."""
        x = torch.as_tensor(self._norm(np.asarray(obs, dtype=np.float32).reshape(1, -1)))
        with torch.no_grad():
            mean, log_std, _ = self.net(x)
            if policy == "mean":
                return mean.clamp(-1, 1).numpy()
            noise = torch.randn(mean.shape, generator=self.eval_gen)
            return (mean + log_std.exp() * noise).clamp(-1, 1).numpy()

    def seed_eval(self, seed, step=0):
        # One generator per (seed, step): the evaluation at a step replays.
        self.eval_gen = torch.Generator().manual_seed(seed * 10 ** 9 + step)

    def _sample(self, obs, deterministic):
        x = torch.as_tensor(self._norm(obs))
        mean, log_std, v = self.net(x)
        if deterministic:
            return mean.clamp(-1, 1).numpy()
        a = mean + log_std.exp() * torch.randn_like(mean)
        self.pending = (x[0].numpy(), a[0].numpy(), float(log_prob(mean, log_std, a)[0]), float(v[0]))
        return a.clamp(-1, 1).numpy()

    def observe(self, reward, next_obs, terminated, truncated):
        done = terminated or truncated
        self.ret = self.ret * GAMMA + reward
        self.ret_rms.update(np.array([self.ret]))
        r = float(np.clip(reward / np.sqrt(self.ret_rms.var + NORM_EPS), -NORM_CLIP, NORM_CLIP))
        if done:
            self.ret = 0.0
        o, a, lp, v = self.pending
        self.buf.append((o, a, lp, v, r, done))
        self.last_next = next_obs

    def update(self):
        o, a, lp, v, r, d = (np.array(x) for x in zip(*self.buf))
        with torch.no_grad():
            # (No last observation: a checkpoint from before it was saved.)
            last_v = 0.0 if d[-1] or self.last_next is None else float(self.net(torch.as_tensor(self._norm(self.last_next.reshape(1, -1))))[2][0])
        n = len(r)
        adv = np.zeros(n, np.float32)
        gae, next_v = 0.0, last_v
        for t in reversed(range(n)):
            nonterminal = 0.0 if d[t] else 1.0
            delta = r[t] + GAMMA * next_v * nonterminal - v[t]
            gae = delta + GAMMA * LAMBDA * nonterminal * gae
            adv[t] = gae
            next_v = v[t]
        ret = adv + v
        T = lambda x: torch.as_tensor(np.asarray(x, dtype=np.float32))
        o, a, lp, v, adv, ret = T(o), T(a), T(lp), T(v), T(adv), T(ret)
        for _ in range(EPOCHS):
            order = self.rng.permutation(n)
            for s in range(0, n, MINIBATCH):
                i = torch.as_tensor(order[s:s + MINIBATCH])
                mb_adv = adv[i]
                mb_adv = (mb_adv - mb_adv.mean()) / (mb_adv.std(unbiased=False) + 1e-8)
                mean, log_std, value = self.net(o[i])
                ratio = (log_prob(mean, log_std, a[i]) - lp[i]).exp()
                pg = -torch.min(mb_adv * ratio, mb_adv * ratio.clamp(1 - CLIP, 1 + CLIP)).mean()
                v_clipped = v[i] + (value - v[i]).clamp(-CLIP, CLIP)
                vf = 0.5 * torch.max((value - ret[i]) ** 2, (v_clipped - ret[i]) ** 2).mean()
                entropy = log_std.sum(-1).mean()
                loss = pg + VF_COEF * vf - ENT_COEF * entropy
                self.opt.zero_grad()
                loss.backward()
                nn.utils.clip_grad_norm_(self.net.parameters(), MAX_GRAD_NORM)
                self.opt.step()
                self.updates += 1
        self.buf = []

    def state(self):
        return {"net": self.net.state_dict(), "opt": self.opt.state_dict(), "obs_rms": self.obs_rms.state(),
                "ret_rms": self.ret_rms.state(), "ret": self.ret, "buf": self.buf, "updates": self.updates,
                "last_next": self.last_next,
                "rng": self.rng.bit_generator.state, "torch_rng": torch.get_rng_state()}

    def load(self, s):
        self.net.load_state_dict(s["net"])
        self.opt.load_state_dict(s["opt"])
        self.obs_rms.load(s["obs_rms"])
        self.ret_rms.load(s["ret_rms"])
        self.ret, self.buf, self.updates = s["ret"], s["buf"], s["updates"]
        self.last_next = s.get("last_next")
        self.rng.bit_generator.state = s["rng"]
        torch.set_rng_state(s["torch_rng"])
