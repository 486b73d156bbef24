"""The two engines of the learning-parity comparison, behind one small API.

- ``trellis``: trellis's Stump Tracks through its Python package (rapier2d).
- ``box2d``: TeachMyAgent's own Box2D Stump Tracks, imported unmodified from a
  checkout (``--tma PATH``).

Both take a task (stump height, spacing) per episode, a seed, and the old
2000-step cap of TeachMyAgent's training loop; ``step`` returns
(obs, reward, terminated, truncated) with the raw, unnormalised reward.
"""
import os
import sys

import numpy as np

MAX_STEPS = 2000  # TeachMyAgent's max_ep_len


class TrellisEngine:
    def __init__(self, body="old_classic_bipedal"):
        import trellis  # noqa: F401  (registers the envs)
        from trellis.envs import WalkerEnv
        self.env = WalkerEnv("stump-tracks", body=body)
        self.obs_dim = self.env.observation_space.shape[0]
        self.act_dim = self.env.action_space.shape[0]
        self.t = 0

    def reset(self, task, seed):
        self.t = 0
        obs, _ = self.env.reset(seed=int(seed), options={"task": [float(x) for x in task]})
        return np.asarray(obs, dtype=np.float32)

    def step(self, action):
        obs, r, term, trunc, _ = self.env.step(np.clip(action, -1.0, 1.0).astype(np.float32))
        self.t += 1
        return np.asarray(obs, dtype=np.float32), float(r), bool(term), bool(trunc or self.t >= MAX_STEPS)


class Box2DEngine:
    def __init__(self, tma, body="old_classic_bipedal"):
        if not tma or not os.path.isdir(os.path.join(tma, "TeachMyAgent")):
            raise SystemExit(f"--tma {tma!r} is not a TeachMyAgent checkout (it needs a TeachMyAgent/ folder)")
        sys.path.insert(0, os.path.abspath(tma))
        from TeachMyAgent.environments.envs.parametric_continuous_stump_tracks import (
            ParametricContinuousStumpTracks)
        self.env = ParametricContinuousStumpTracks(walker_type=body)
        self.obs_dim = self.env.observation_space.shape[0]
        self.act_dim = self.env.action_space.shape[0]
        self.t = 0

    def reset(self, task, seed):
        self.t = 0
        self.env.set_environment(stump_height=float(task[0]), obstacle_spacing=float(task[1]))
        # Written for gym 0.17, whose seeding gave a numpy RandomState (gym
        # 0.26 gives a Generator, which has no randint).
        self.env.np_random = np.random.RandomState(int(seed) % (2 ** 32))
        return np.asarray(self.env.reset(), dtype=np.float32)

    def step(self, action):
        obs, r, done, _ = self.env.step(np.clip(action, -1.0, 1.0))
        self.t += 1
        return np.asarray(obs, dtype=np.float32), float(r), bool(done), self.t >= MAX_STEPS and not done


def make(engine, tma=None):
    if engine == "trellis":
        return TrellisEngine()
    if engine == "box2d":
        return Box2DEngine(tma)
    raise SystemExit(f"--engine {engine!r}: expected trellis or box2d")


GAIT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "envs", "tests", "data", "box2d_gait.json")


def gait_replay(description):
    """The command line shared by the scripts that replay the recorded gait
    (envs/tests/data/box2d_gait.json) on the original: its --tma, --gait and
    --seed. Returns the arguments and the loaded fixture."""
    import argparse
    import json

    p = argparse.ArgumentParser(description=description)
    p.add_argument("--tma", required=True, help="path of a TeachMyAgent checkout")
    p.add_argument("--gait", default=GAIT)
    p.add_argument("--seed", type=int, default=7, help="the seed the gait was recorded with")
    args = p.parse_args()
    with open(args.gait) as f:
        return args, json.load(f)
