"""One seed of the SAC reference cell: TeachMyAgent's own PyTorch SAC
(``TeachMyAgent/students/spinup/algos/pytorch/sac_v02``), imported unmodified
from a checkout and run with the settings its benchmark used (400/300, lr 1e-3,
alpha 0.005, batch 1000, one gradient step every 10 env steps, 10,000 random
steps first, buffer 2M, episodes capped at 2000 steps), on either engine,
under the parity protocol of ``run.py``: the Random teacher over the bounds,
and every ``--eval-every`` steps the test set played once per task with the
deterministic policy.

The original is driven through its own interfaces: an env with the old gym
API and ``set_environment``, and a ``Teacher`` object (task sampling, test
tasks, episode records). Two of its modules import TensorFlow 1, which no
longer installs: the ``spinup`` package's ``__init__`` (it imports the TF1
algorithms) and ``utils/logx.py`` (the logger); both are replaced by light
stand-ins before the import.

Resumable at every evaluation, through the original's own hooks: when the
last test episode of an evaluation is recorded, the state the original keeps
in the locals of ``sac()`` (networks, target networks, both Adam optimisers,
the replay buffer, its step) is read from that frame and written to
``OUT/checkpoint/``; a second call passes the saved networks and optimisers
to the original's ``pretrained_model`` restore, refills its replay buffer in
place before the first step, restores the torch and numpy generators, and
runs the remaining epochs (with what is left of the random-action warm-up).
A larger ``--steps`` extends a finished run. What differs from an
uncut run: the episode open at the cut is started afresh, and the original's
step counter restarts at 0 (its schedule of one update every 10 steps keeps
its phase, evaluations falling on multiples of 10).

    python3 bench/parity/sac_tma.py --engine box2d --tma PATH --bounds 0,0,0,6 \
        --test-set tasks.json --steps 300000 --eval-every 50000 --seed 0 --out DIR
"""
import argparse
import csv
import json
import os
import pickle
import shutil
import sys
import types

import numpy as np

import engines

p = argparse.ArgumentParser()
p.add_argument("--engine", required=True, choices=["trellis", "box2d"])
p.add_argument("--tma", required=True, help="TeachMyAgent checkout")
p.add_argument("--bounds", default="0,0,0,6")
p.add_argument("--test-set", required=True)
p.add_argument("--steps", type=int, required=True)
p.add_argument("--eval-every", type=int, default=50_000)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--out", required=True)
args = p.parse_args()
if args.steps % args.eval_every:
    raise SystemExit(f"--steps {args.steps} must be a multiple of --eval-every {args.eval_every} (the original's epochs)")
b = [float(x) for x in args.bounds.split(",")]
lo, hi = np.array([b[0], b[2]]), np.array([b[1], b[3]])
tests = json.load(open(args.test_set))
os.makedirs(args.out, exist_ok=True)
ckpt = os.path.join(args.out, "checkpoint")
if not os.path.isdir(ckpt) and os.path.isdir(ckpt + ".old"):
    os.replace(ckpt + ".old", ckpt)  # cut between the two renames of save_checkpoint
shutil.rmtree(ckpt + ".tmp", ignore_errors=True)
resumed = None
if os.path.isdir(ckpt):
    with open(os.path.join(ckpt, "state.pkl"), "rb") as f:
        resumed = pickle.load(f)
if os.path.exists(os.path.join(args.out, "done")) and (resumed is None or resumed["teacher"]["step"] >= args.steps):
    print(f"{args.out}: finished")
    raise SystemExit(0)
if resumed:
    print(f"{args.out}: resumed at step {resumed['teacher']['step']}", flush=True)

import gym  # noqa: E402  (the original's spaces)
import torch  # noqa: E402

torch.set_num_threads(args.threads)
sys.path.insert(0, os.path.abspath(args.tma))
spinup = os.path.join(os.path.abspath(args.tma), "TeachMyAgent", "students", "spinup")


class QuietLogger:
    """What sac() calls on Spinning Up's EpochLogger, doing nothing."""

    def __init__(self, **kwargs):
        self.output_dir = args.out

    def __getattr__(self, name):
        return lambda *a, **k: None


for name, path in [("TeachMyAgent.students.spinup", spinup),
                   ("TeachMyAgent.students.spinup.utils", os.path.join(spinup, "utils"))]:
    m = types.ModuleType(name)
    m.__path__ = [path]
    sys.modules[name] = m
logx = types.ModuleType("TeachMyAgent.students.spinup.utils.logx")
logx.EpochLogger = logx.Logger = QuietLogger
sys.modules[logx.__name__] = logx
from TeachMyAgent.students.spinup.algos.pytorch.sac_v02.sac import sac  # noqa: E402


class OldApiEnv:
    """An engine behind the old gym API the original expects."""

    def __init__(self, seed_base):
        self.e = engines.make(args.engine, args.tma)
        if resumed and seed_base == resumed["seed_base_start"]:
            seed_base = resumed["seed_base"]  # the training env's episode counter
        self.observation_space = gym.spaces.Box(-np.inf, np.inf, (self.e.obs_dim,), np.float32)
        self.action_space = gym.spaces.Box(-1.0, 1.0, (self.e.act_dim,), np.float32, seed=args.seed)
        self.task, self.next_seed, self.seed_base = [0.0, 0.0], None, seed_base

    def set_environment(self, stump_height, obstacle_spacing, seed=None):
        self.task, self.next_seed = [stump_height, obstacle_spacing], seed

    def reset(self):
        seed = self.next_seed if self.next_seed is not None else self.seed_base
        self.seed_base += 1
        return self.e.reset(self.task, seed)

    def step(self, a):
        o, r, term, _ = self.e.step(np.asarray(a, dtype=np.float32))
        return o, r, term, {}


class ParityTeacher:
    """The original's Teacher interface: Random over the bounds for training,
    the test set in order for evaluation; writes eval.csv and episodes.csv."""

    def __init__(self):
        self.rng = np.random.default_rng(args.seed)
        self.step, self.k, self.rets, self.evals, self.rows = 0, 0, [], [], []
        if resumed:
            t = resumed["teacher"]
            self.rng.bit_generator.state = t["rng"]
            self.step, self.k, self.evals, self.rows = t["step"], t["k"], t["evals"], t["rows"]
        self.restore_pending = resumed is not None

    def record_train_task_initial_state(self, obs):
        # First called by sac() just before its main loop, with its replay
        # buffer built and its generators seeded: the moment to put back what
        # the checkpoint holds that the original's own restore does not.
        if self.restore_pending:
            self.restore_pending = False
            restore_loop_state(sys._getframe(1).f_locals)

    def set_env_params(self, env):
        task = self.rng.uniform(lo, hi)
        env.set_environment(*task)
        return task

    def set_test_env_params(self, env):
        i = self.k % len(tests)
        env.set_environment(*tests[i], seed=10 ** 9 + i)
        self.k += 1

    def record_train_step(self, *a):
        self.step += 1

    def record_train_episode(self, ret, length, success=False):
        self.rows.append([self.step, round(float(ret), 3), length])

    def record_test_episode(self, ret, length):
        self.rets.append(ret)
        if len(self.rets) == len(tests):
            r = np.array(self.rets)
            self.evals.append([self.step, len(self.rows), round(float(r.mean()), 3), 100.0 * float((r > 230).mean())])
            print(f"{args.out}: step {self.step} test return {r.mean():.1f} mastered {self.evals[-1][3]:.0f}%", flush=True)
            self.rets = []
            self.write()
            # Called from test_agent(), itself called from sac()'s loop.
            save_checkpoint(sys._getframe(2).f_locals, self)

    def write(self):
        for name, header, rows in [("eval.csv", ["step", "episodes", "mean_return", "mastered_pct"], self.evals),
                                   ("episodes.csv", ["step", "return", "length"], self.rows)]:
            with open(os.path.join(args.out, name + ".tmp"), "w", newline="") as f:
                w = csv.writer(f)
                w.writerow(header)
                w.writerows(rows)
            os.replace(os.path.join(args.out, name + ".tmp"), os.path.join(args.out, name))

    def __getattr__(self, name):  # set_value_estimator, dump
        return lambda *a, **k: None


BUFFER = ["obs_buf", "obs2_buf", "act_buf", "rew_buf", "done_buf"]


def save_checkpoint(loop, teacher):
    """Writes the state of sac()'s loop (its locals) and of the teacher to
    OUT/checkpoint, replacing the previous one only once complete."""
    rb = loop["replay_buffer"]
    tmp = ckpt + ".tmp"
    os.makedirs(tmp)
    # The keys and format the original's pretrained_model restore reads.
    torch.save({"ac": loop["ac"].state_dict(), "ac_targ": loop["ac_targ"].state_dict(),
                "pi_optimizer": loop["pi_optimizer"].state_dict(),
                "q_optimizer": loop["q_optimizer"].state_dict()}, os.path.join(tmp, "model.pt"))
    np.savez(os.path.join(tmp, "buffer.npz"), **{k: getattr(rb, k)[:rb.size] for k in BUFFER})
    state = {"teacher": {"rng": teacher.rng.bit_generator.state, "step": teacher.step, "k": teacher.k,
                         "evals": teacher.evals, "rows": teacher.rows},
             "buffer": {"ptr": rb.ptr, "size": rb.size},
             "torch_rng": torch.get_rng_state(), "numpy_rng": np.random.get_state(),
             "seed_base_start": seed_bases[0], "seed_base": loop["env"].seed_base}
    with open(os.path.join(tmp, "state.pkl"), "wb") as f:
        pickle.dump(state, f)
    if os.path.isdir(ckpt):
        os.replace(ckpt, ckpt + ".old")
    os.replace(tmp, ckpt)
    shutil.rmtree(ckpt + ".old", ignore_errors=True)


def restore_loop_state(loop):
    rb, b = loop["replay_buffer"], resumed["buffer"]
    with np.load(os.path.join(ckpt, "buffer.npz")) as saved:
        for k in BUFFER:
            getattr(rb, k)[:b["size"]] = saved[k]
    rb.ptr, rb.size = b["ptr"], b["size"]
    print(f"{args.out}: replay buffer refilled with {rb.size} transitions", flush=True)
    torch.set_rng_state(resumed["torch_rng"])
    np.random.set_state(resumed["numpy_rng"])


seed_bases = [args.seed * 10 ** 7, args.seed * 10 ** 7 + 5 * 10 ** 6]  # training env, test env
seeds = iter(seed_bases)
done_steps = resumed["teacher"]["step"] if resumed else 0
epochs = (args.steps - done_steps) // args.eval_every
if epochs > 0:
    # The original's step counter restarts at 0 in a resumed run: what is left
    # of the random warm-up (10,000 steps) and of the wait before the first
    # update (1,000) is counted from where the checkpoint stands.
    warm = dict(start_steps=max(0, 10_000 - done_steps), update_after=max(0, 1_000 - done_steps))
    if resumed:
        warm["pretrained_model"] = os.path.join(ckpt, "model.pt")
    sac(lambda: OldApiEnv(next(seeds)), ac_kwargs=dict(hidden_sizes=[400, 300]), gamma=0.99, seed=args.seed,
        epochs=epochs, steps_per_epoch=args.eval_every, alpha=0.005, max_ep_len=2000,
        replay_size=2_000_000, num_test_episodes=len(tests), lr=1e-3, update_every=10, batch_size=1000,
        Teacher=ParityTeacher(), save_freq=epochs + 1, **warm)
open(os.path.join(args.out, "done"), "w").close()
