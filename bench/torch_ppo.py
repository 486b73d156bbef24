"""Throughput of the reference PyTorch PPO (bench/parity/ppo_torch.py, configured
as TeachMyAgent's ppo2 runs: 20,000-step rollouts, 5 epochs of minibatches of
1,000, a 400-300 trunk) beside trellis's PPO, both driven by the same Python
loop on the same world (trellis's Stump Tracks through its Python package,
random tasks over [0, 3] x [0, 6]), so only the learner differs.

Prints env steps/s over the timed steps (whole rollouts, updates included).
A measuring tool written for trellis, not TeachMyAgent's or CleanRL's code.
Usage: python3 bench/torch_ppo.py --learner torch|trellis [--steps 60000] [--threads 1]
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "parity"))

p = argparse.ArgumentParser()
p.add_argument("--learner", required=True, choices=["torch", "trellis"])
p.add_argument("--steps", type=int, default=60_000, help="timed env steps (rounded up to whole rollouts)")
p.add_argument("--threads", type=int, default=1)
args = p.parse_args()
os.environ.setdefault("RAYON_NUM_THREADS", str(args.threads))

from engines import TrellisEngine  # noqa: E402
from learners import TorchLearner, TrellisLearner  # noqa: E402

ROLLOUT = 20_000
env = TrellisEngine()
if args.learner == "torch":
    import torch
    learner = TorchLearner(env.obs_dim, env.act_dim, 0, args.threads)
    name = f"pytorch {torch.__version__}"
else:
    learner = TrellisLearner("ppo", env.obs_dim, env.act_dim, 0)
    name = "trellis"

rng = np.random.default_rng(0)
episodes = 0


def run(steps):
    global episodes
    obs = None
    for _ in range(steps):
        if obs is None:
            obs = env.reset(rng.uniform([0, 0], [3, 6]), episodes)
        a = learner.act(obs)
        obs2, r, term, trunc = env.step(a)
        learner.observe(obs, a, r, obs2, term, trunc)
        obs = None if term or trunc else obs2
        episodes += term or trunc


# One rollout untimed (the first update happens at the first action after it),
# then whole rollouts, each ending with an update.
run(ROLLOUT)
steps = -(-args.steps // ROLLOUT) * ROLLOUT
t0 = time.perf_counter()
run(steps)
secs = time.perf_counter() - t0
print(f"{name} ppo stump-tracks (python loop) {args.threads} thread{'s' if args.threads > 1 else ''}: "
      f"{steps / secs:.0f} env steps/s over {steps} steps")
