"""Records a learned gait on TeachMyAgent's Box2D Stump Tracks, state by
state, as the fixture of trellis's gait-response test
(envs/tests/data/box2d_gait.json, read by envs/tests/box2d_gait.rs).

A policy trained on the original (a parity run dir: bench/parity/run.py's
RUN/checkpoint.pkl) walks one episode of one task. Before every step the
script saves where each of the walker's five parts is and how it moves
(position, angle, linear and angular velocity, in Box2D's body frame:
position of the body origin, velocity of the centre of mass), then the action
the policy takes and the first 14 observation entries the original answers
with (hull, per leg the hip and knee angles and speeds and the ground
contact). It also saves the stumps of that episode, so trellis can rebuild the
same track. trellis's test puts its walker in each saved state, applies the
saved action, and compares what it observes: a one-step gap along a real
gait, foot strikes and stump contacts included, which the short held-action
sequences of box2d_response.py never reach.

    python3 bench/box2d_gait.py --tma PATH --run RUN [--task 0.3,4] [--steps 600]

Needs the parity venv (numpy, Box2D, gym 0.26, torch or trellis for the
policy). The environment is imported unmodified from the checkout given.
"""
import argparse
import json
import os
import sys

import numpy as np

here = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(here, "parity"))
import engines  # noqa: E402
from learners import eval_policy, learner_from_run  # noqa: E402

p = argparse.ArgumentParser()
p.add_argument("--tma", required=True, help="path of a TeachMyAgent checkout")
p.add_argument("--run", required=True, help="a parity run dir whose policy was trained on Box2D")
p.add_argument("--family", default="ppo", choices=["ppo", "sac"])
p.add_argument("--task", default="0.3,4", help="stump height, spacing")
p.add_argument("--seed", type=int, default=7)
p.add_argument("--steps", type=int, default=600)
p.add_argument("--out", default=os.path.join(here, "..", "envs", "tests", "data", "box2d_gait.json"))
args = p.parse_args()
task = [float(x) for x in args.task.split(",")]

eng = engines.make("box2d", args.tma)
policy = eval_policy(learner_from_run(args.run, args.family, eng.obs_dim, eng.act_dim))
obs = eng.reset(task, args.seed)
env = eng.env
parts = env.walker_body.body_parts  # hull, back thigh, back shin, front thigh, front shin
r = lambda v: round(float(v), 6)


def stumps():
    """Every polygon of the terrain (the stumps; the ground is edges)."""
    out = []
    for body in env.terrain:
        for f in body.fixtures:
            if f.shape.type == 2:  # b2Shape::e_polygon
                out.append([[r(x), r(y)] for x, y in f.shape.vertices])
    return sorted(out)


steps = []
for _ in range(args.steps):
    state = [[r(b.position[0]), r(b.position[1]), r(b.angle), r(b.linearVelocity[0]), r(b.linearVelocity[1]),
              r(b.angularVelocity)] for b in parts]
    a = np.clip(policy(obs), -1.0, 1.0)
    obs, _, term, trunc = eng.step(a)
    steps.append({"state": state, "action": [r(x) for x in a], "obs": [r(x) for x in obs[:14]]})
    if term or trunc:
        break
ground_y = float(env.terrain_y[0])
polygons = stumps()
json.dump({"task": task, "ground_y": r(ground_y), "stumps": polygons, "steps": steps},
          open(args.out, "w"), separators=(",", ":"))
print(f"{args.out}: {len(steps)} steps, {len(polygons)} stumps, hull reached x = {parts[0].position[0]:.1f}")
