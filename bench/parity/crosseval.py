"""Where does a world gap come from? Play a policy trained on one engine on
both engines, on the same test set, and compare how it moves.

A learning-parity run leaves its learner in RUN/checkpoint.pkl. If a gait
learned on TeachMyAgent's Box2D walks as far on trellis's world (and the other
way round), the two worlds agree on the dynamics that gait uses; if it falls
or stalls on one of them, the per-episode figures below say which: the
distance covered, how long the walker stayed up, how the episode ended, and
the reward's parts (forward progress, hull-angle penalty, torque cost are
recovered from the distance and the return).

    python3 bench/parity/crosseval.py --tma PATH --test-set tasks.json RUN [RUN ...]

RUN is a run dir of bench/parity/run.py (a torch or trellis learner, any
engine; its learner is inferred from the checkpoint's contents) or of a native
`trellis train` PPO or SAC run. `--eval-policy sample` plays actions sampled
from the policy (TeachMyAgent's PPO protocol) instead of its mean;
`--streams N` repeats it with N noise streams, to see how far one sampled
evaluation of the test set moves with its noise alone.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import engines  # noqa: E402
from learners import eval_policy, learner_from_run  # noqa: E402

SUCCESS = 230.0

p = argparse.ArgumentParser()
p.add_argument("runs", nargs="+")
p.add_argument("--tma", required=True)
p.add_argument("--test-set", required=True)
p.add_argument("--family", default="ppo", choices=["ppo", "sac"])
p.add_argument("--engines", default="trellis,box2d")
p.add_argument("--eval-policy", default="mean", choices=["mean", "sample"],
               help="play the policy's mean action, or actions sampled from it (seeded, the same stream on each engine)")
p.add_argument("--streams", type=int, default=1,
               help="with --eval-policy sample: play the test set with this many noise streams (seeds 0..N-1) "
                    "and report the spread of % mastered between them (how far one sampled evaluation moves)")
p.add_argument("--episodes", help="also write every episode (run, engine, task, return, length, distance, "
                                  "terminated) to this CSV, to see which tasks a world gap is in")
args = p.parse_args()
if args.streams < 1 or (args.streams > 1 and args.eval_policy != "sample"):
    raise SystemExit(f"--streams {args.streams}: at least 1, and above 1 only with --eval-policy sample")
tests = json.load(open(args.test_set))


def play(env, policy):
    """The policy on every test task: the summary, and one row per episode
    (return, length, distance, terminated, tilt, effort)."""
    rows = []
    for i, task in enumerate(tests):
        obs = env.reset(task, 10 ** 9 + i)
        ret, n, dist, tilt, torque, done, term = 0.0, 0, 0.0, 0.0, 0.0, False, False
        while not done:
            a = np.clip(policy(obs), -1, 1)
            obs, r, term, trunc = env.step(a)
            # obs[0] is the hull angle, obs[2] the scaled forward speed on both
            # engines (the BipedalWalker layout): their sums are the tilt and
            # the distance in observation units.
            ret, n, dist, tilt, torque = ret + r, n + 1, dist + obs[2], tilt + abs(obs[0]), torque + np.abs(a).sum()
            done = term or trunc
        rows.append((ret, n, dist, term, tilt / n, torque / n))
    a = np.array(rows, dtype=float)
    return a, {"return": a[:, 0].mean(), "mastered": 100 * (a[:, 0] > SUCCESS).mean(), "length": a[:, 1].mean(),
            "distance": a[:, 2].mean(), "terminated": 100 * a[:, 3].mean(), "tilt": a[:, 4].mean(),
            "effort": a[:, 5].mean()}


episode_rows = []
envs = {name: engines.make(name, args.tma) for name in args.engines.split(",")}
print(f"{'run':40s} {'engine':8s} {'return':>8s} {'mastered':>9s} {'length':>7s} {'distance':>9s} {'ended':>6s} {'tilt':>6s} {'effort':>6s}")
first = next(iter(envs.values()))  # both engines observe and act alike
spread = []
for run in args.runs:
    learner = learner_from_run(run, args.family, first.obs_dim, first.act_dim)  # loaded once, re-seeded per stream
    for name, env in envs.items():
        mastered = []
        for k in range(args.streams):
            policy = eval_policy(learner, args.eval_policy, seed=k)
            episodes, m = play(env, policy)
            mastered.append(m["mastered"])
            label = name if args.streams == 1 else f"{name}#{k}"
            print(f"{run[-40:]:40s} {label:8s} {m['return']:8.1f} {m['mastered']:8.0f}% {m['length']:7.0f} "
                  f"{m['distance']:9.1f} {m['terminated']:5.0f}% {m['tilt']:6.3f} {m['effort']:6.2f}", flush=True)
            episode_rows += [[run, label, *tests[i], *episodes[i, :4]] for i in range(len(tests))]
        spread.append((run, name, mastered))
if args.streams > 1:
    print(f"\n% mastered over {args.streams} noise streams (mean, std, range):")
    for run, name, m in spread:
        print(f"{run[-40:]:40s} {name:8s} {np.mean(m):6.1f} {np.std(m, ddof=1):5.1f}  {min(m):.0f}-{max(m):.0f}")
if args.episodes:
    import csv
    with open(args.episodes, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["run", "engine", "stump_height", "stump_spacing", "return", "length", "distance", "terminated"])
        w.writerows(episode_rows)
