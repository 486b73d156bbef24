"""One cell-seed of the learning-parity comparison: a learner (trellis's
native student through ``trellis.Student``, or the PyTorch reference) trained
on an engine (trellis or TeachMyAgent's Box2D) under the Random teacher
(uniform over the bounds), evaluated every ``--eval-every`` steps on a fixed
test set with trellis's protocol (one episode per task, mastered when the
return exceeds 230), acting with the policy's mean (``--eval-policy mean``) or
with actions sampled from it (``sample``: TeachMyAgent's PPO protocol).

Resumable: it checkpoints at every evaluation (learner, teacher RNG, counters,
curves) and a second call continues from there (the interrupted episode is
started afresh). Writes OUT/eval.csv (step, episodes, mean test return,
% mastered, wall seconds), OUT/episodes.csv and OUT/done when finished; a larger
``--steps`` extends a finished run.

    python3 bench/parity/run.py --learner torch --engine box2d --tma PATH \
        --bounds 0,0,0,6 --test-set tasks.json --steps 1500000 --eval-every 250000 --seed 0 --out DIR
"""
import argparse
import csv
import json
import os
import pickle
import time

import numpy as np

import engines
from learners import TorchLearner, TrellisLearner

SUCCESS = 230.0

p = argparse.ArgumentParser()
p.add_argument("--learner", required=True, choices=["trellis", "torch"])
p.add_argument("--engine", required=True, choices=["trellis", "box2d"])
p.add_argument("--family", default="ppo", choices=["ppo", "sac"], help="the trellis learner (the PyTorch one is PPO; TeachMyAgent's SAC runs through sac_tma.py)")
p.add_argument("--tma", help="TeachMyAgent checkout (the box2d engine)")
p.add_argument("--bounds", default="0,0,0,6", help="height_lo,height_hi,spacing_lo,spacing_hi")
p.add_argument("--test-set", required=True, help="JSON list of task vectors")
p.add_argument("--steps", type=int, required=True)
p.add_argument("--eval-every", type=int, default=250_000)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--eval-policy", default="mean", choices=["mean", "sample"],
               help="test episodes act with the policy's mean or with samples from it (TeachMyAgent's PPO protocol)")
p.add_argument("--threads", type=int, default=1)
p.add_argument("--out", required=True)
args = p.parse_args()

b = [float(x) for x in args.bounds.split(",")]
if len(b) != 4 or b[0] > b[1] or b[2] > b[3]:
    raise SystemExit(f"--bounds {args.bounds!r}: expected height_lo,height_hi,spacing_lo,spacing_hi with lo <= hi")
if args.learner == "torch" and args.family != "ppo":
    raise SystemExit("--learner torch is the reference PPO; the SAC reference is bench/parity/sac_tma.py")
if args.family == "ppo" and args.eval_every % 20_000:
    raise SystemExit(f"--eval-every {args.eval_every}: must be a multiple of PPO's 20,000-step rollout "
                     "(evaluations and checkpoints fall on rollout boundaries)")
lo, hi = np.array([b[0], b[2]]), np.array([b[1], b[3]])
tests = json.load(open(args.test_set))
os.makedirs(args.out, exist_ok=True)
ckpt_path = os.path.join(args.out, "checkpoint.pkl")
c = None
if os.path.exists(ckpt_path):
    with open(ckpt_path, "rb") as f:
        c = pickle.load(f)
# Finished (a run from before checkpoints were kept has only `done`), unless
# --steps extends it: decided before any engine or learner is built.
if os.path.exists(os.path.join(args.out, "done")) and (c is None or c["step"] >= args.steps):
    print(f"{args.out}: finished")
    raise SystemExit(0)

env = engines.make(args.engine, args.tma)


learner = (TrellisLearner(args.family, env.obs_dim, env.act_dim, args.seed) if args.learner == "trellis"
           else TorchLearner(env.obs_dim, env.act_dim, args.seed, args.threads))
rng = np.random.default_rng(args.seed)
step, episodes, evals, wall = 0, 0, [], 0.0
if c is not None:
    learner.load(c["learner"])
    rng.bit_generator.state = c["rng"]
    step, episodes, evals, wall = c["step"], c["episodes"], c["evals"], c["wall"]
    if c.get("eval_policy", "mean") != args.eval_policy:
        raise SystemExit(f"{args.out} was evaluated with --eval-policy {c.get('eval_policy', 'mean')}; "
                         f"resume it with that (or start a new OUT for {args.eval_policy})")
    print(f"{args.out}: resumed at step {step}")
# Cut episodes.csv back to what the checkpoint saw (a crash may have left more).
ep_path = os.path.join(args.out, "episodes.csv")
rows = []
if os.path.exists(ep_path):
    with open(ep_path) as f:
        rows = [r for r in csv.reader(f)][1:]
rows = [r for r in rows if int(r[0]) <= step]


def evaluate():
    # The noise of a sampled evaluation is a function of (seed, step) alone.
    learner.seed_eval(args.seed, step)
    rets = []
    for i, task in enumerate(tests):
        obs, ret, done = env.reset(task, 10 ** 9 + i), 0.0, False
        while not done:
            obs, r, term, trunc = env.step(learner.act_eval(obs, args.eval_policy))
            ret += r
            done = term or trunc
        rets.append(ret)
    return float(np.mean(rets)), 100.0 * float(np.mean(np.array(rets) > SUCCESS))


def save():
    with open(ep_path + ".tmp", "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "return", "length", "stump_height", "stump_spacing"])
        w.writerows(rows)
    os.replace(ep_path + ".tmp", ep_path)
    with open(os.path.join(args.out, "eval.csv.tmp"), "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["step", "episodes", "mean_return", "mastered_pct", "wall_s"])
        w.writerows(evals)
    os.replace(os.path.join(args.out, "eval.csv.tmp"), os.path.join(args.out, "eval.csv"))
    with open(ckpt_path + ".tmp", "wb") as f:
        pickle.dump({"learner": learner.state(), "rng": rng.bit_generator.state, "step": step,
                     "episodes": episodes, "evals": evals, "wall": wall, "eval_policy": args.eval_policy}, f)
    os.replace(ckpt_path + ".tmp", ckpt_path)


t0 = time.time() - wall
if step == 0 and not evals:
    evals.append([0, 0, *evaluate(), 0.0])
obs = None
while step < args.steps:
    if obs is None:
        task = rng.uniform(lo, hi)
        obs, ep_ret, ep_len = env.reset(task, args.seed * 10 ** 7 + episodes), 0.0, 0
    a = learner.act(obs)
    obs2, r, term, trunc = env.step(a)
    learner.observe(obs, a, r, obs2, term, trunc)
    step, ep_ret, ep_len = step + 1, ep_ret + r, ep_len + 1
    obs = obs2
    if term or trunc:
        episodes += 1
        rows.append([step, round(ep_ret, 3), ep_len, round(task[0], 4), round(task[1], 4)])
        obs = None
    if step % args.eval_every == 0 or step == args.steps:
        m, pct = evaluate()
        wall = time.time() - t0
        evals.append([step, episodes, round(m, 3), pct, round(wall, 1)])
        print(f"{args.out}: step {step} test return {m:.1f} mastered {pct:.0f}% ({step / wall:.0f} steps/s)", flush=True)
        save()
        # Evaluations fall on rollout boundaries, where PPO bootstraps the open
        # episode from its value; a resumed run starts a fresh episode here too.
        obs = None
open(os.path.join(args.out, "done"), "w").close()
