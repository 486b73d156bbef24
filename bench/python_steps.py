"""Env steps/s from Python: trellis's Stump Tracks (one env; the vector env
on trellis's threads) next to Gymnasium's BipedalWalker-v3 (Box2D; one env
and SyncVectorEnv), random actions, in one run on this machine.

    python bench/python_steps.py [--seconds 5] [--envs 8] [--threads 2]

Needs the trellis wheel and gymnasium[box2d].
"""

import argparse
import time

import gymnasium
import numpy as np

import trellis  # noqa: F401  (registers trellis/…)


def single(env, seconds):
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        _, _, term, trunc, _ = env.step(rng.uniform(-1, 1, env.action_space.shape).astype(np.float32))
        n += 1
        if term or trunc:
            env.reset()
    return n / (time.perf_counter() - t0)


def vector(env, seconds):
    rng = np.random.default_rng(0)
    env.reset(seed=0)
    n, t0 = 0, time.perf_counter()
    while time.perf_counter() - t0 < seconds:
        env.step(rng.uniform(-1, 1, env.action_space.shape).astype(np.float32))
        n += env.num_envs
    return n / (time.perf_counter() - t0)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--seconds", type=float, default=5.0)
    p.add_argument("--envs", type=int, default=8)
    p.add_argument("--threads", type=int, default=2)
    a = p.parse_args()
    rows = []
    box2d = gymnasium.make("BipedalWalker-v3")
    ref = single(box2d, a.seconds)
    rows.append(("gymnasium BipedalWalker-v3, 1 env", ref))
    rows.append(("trellis/StumpTracks-v0, 1 env", single(gymnasium.make("trellis/StumpTracks-v0"), a.seconds)))
    sync = gymnasium.make_vec("BipedalWalker-v3", num_envs=a.envs, vectorization_mode="sync")
    rows.append((f"gymnasium BipedalWalker-v3, SyncVectorEnv × {a.envs}", vector(sync, a.seconds)))
    for t in sorted({1, a.threads}):
        vec = trellis.make_vec("stump-tracks", num_envs=a.envs, threads=t)
        rows.append((f"trellis.make_vec stump-tracks × {a.envs}, {t} thread(s)", vector(vec, a.seconds)))
    print(f"{'setup':<58} {'steps/s':>10} {'× Box2D 1 env':>14}")
    for name, sps in rows:
        print(f"{name:<58} {sps:>10.0f} {sps / ref:>14.2f}")


if __name__ == "__main__":
    main()
