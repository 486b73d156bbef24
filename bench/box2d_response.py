"""Records how TeachMyAgent's Box2D Stump Tracks answers short, fixed action
sequences, as the fixture of trellis's physics-response test
(envs/tests/data/box2d_response.json, read by envs/tests/box2d_response.rs).

Each sequence starts from the crouched start (the original's reset step plus
one step of zero torque: the pose trellis's `old_classic_bipedal` spawns in)
and holds one action for STEPS steps; half the actions are bang-bang (every
motor at full torque, either way), half uniform in [-1, 1]. The fixture keeps
the first 14 observations of each step (hull angle and speeds, per leg: hip
and knee angle and speed, ground contact): the lidar is left out, it reads the
terrain more than the body.

    python3 bench/box2d_response.py --tma /path/to/TeachMyAgent [--out envs/tests/data/box2d_response.json]

Needs numpy, Box2D and gym 0.26 (as bench/box2d_compare.py). The environment
is imported unmodified from the checkout given.
"""
import argparse
import json
import os
import sys

import numpy as np

SEQUENCES = 24
STEPS = 8
TASK = (0.0, 6.0)  # flat track: stump height 0, spacing 6

p = argparse.ArgumentParser()
p.add_argument("--tma", required=True, help="path of a TeachMyAgent checkout")
p.add_argument("--out", default=os.path.join(os.path.dirname(__file__), "..", "envs", "tests", "data", "box2d_response.json"))
args = p.parse_args()
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "parity"))
import engines  # noqa: E402

env = engines.make("box2d", args.tma)
rng = np.random.default_rng(0)
sequences = []
for k in range(SEQUENCES):
    a = np.sign(rng.uniform(-1, 1, 4)) if k % 2 == 0 else rng.uniform(-1, 1, 4)
    env.reset(TASK, k)
    env.step(np.zeros(4))
    obs = [[round(float(x), 5) for x in env.step(a)[0][:14]] for _ in range(STEPS)]
    sequences.append({"action": [round(float(x), 5) for x in a], "obs": obs})
json.dump({"task": TASK, "sequences": sequences}, open(args.out, "w"), indent=None, separators=(",", ":"))
print(f"{args.out}: {SEQUENCES} sequences of {STEPS} steps")
