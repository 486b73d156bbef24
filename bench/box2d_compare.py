"""trellis's physics against TeachMyAgent's Box2D original, on the same
action sequences, in Stump Tracks or in Parkour (any body).

Three policies as fixed action sequences (so both engines get identical
inputs): uniform random torques, zero torque (passive: joint limits and how
the body settles), and an open-loop scripted gait (hips in antiphase, knees a
quarter cycle behind); and one closed-loop policy, trellis's walking
controller (`envs/src/gait.rs`, mirrored here line for line), which reads each
engine's own observations. Each episode is played on Stump Tracks with the same
task in both engines (each draws its own stumps from its own RNG) for at most
2000 steps, TeachMyAgent's training-loop limit. The table compares return,
episode length, how often and when the body falls, and how far its head got.

    python3 bench/box2d_compare.py --tma /path/to/TeachMyAgent [--episodes 20] [--task 0,6]
    python3 bench/box2d_compare.py --tma PATH --env parkour --body fish \
        --task=-0.15,0.8,0.1,0.81,0.25,2,1,10

Parkour's task is trellis's 8-D vector (CPPN input ×3, water level, creepers'
width, height and spacing, CPPN scale). The original's CPPN is TensorFlow 1,
which no longer installs; its generator is four matrix products, so this
script evaluates it in numpy from the weights in `assets/cppn/` (the
original's, exported) and gives trellis the same file (`--cppn-weights`).
The walking controller plays only on Stump Tracks with the bipedal walker.

Needs numpy, Box2D (pip: box2d or gymnasium[box2d]) and gym 0.26 (the
original imports gym.spaces and gym.utils), and a built `trellis`
(target/release/trellis, or --trellis). A measuring tool written for trellis;
it imports TeachMyAgent's environment from the checkout given, unmodified.
"""
import argparse, json, math, os, subprocess, sys, tempfile
import numpy as np

p = argparse.ArgumentParser()
p.add_argument("--tma", required=True, help="path of a TeachMyAgent checkout")
p.add_argument("--trellis", default=os.path.join(os.path.dirname(__file__), "..", "target", "release", "trellis"))
p.add_argument("--episodes", type=int, default=20)
p.add_argument("--steps", type=int, default=2000)
p.add_argument("--env", default="stump-tracks", choices=["stump-tracks", "parkour"])
p.add_argument("--task", default="0,6", help="the task vector in trellis's order (Stump Tracks: stump_height,stump_spacing)")
p.add_argument("--cppn", default=os.path.join(os.path.dirname(__file__), "..", "assets", "cppn", "same_ground_ceiling_cppn.json"),
               help="Parkour: the CPPN weights both engines use")
p.add_argument("--body", default="old_classic_bipedal")
p.add_argument("--seed", type=int, default=0)
args = p.parse_args()
task = [float(v) for v in args.task.split(",")]
parkour = args.env == "parkour"
walk_episodes = 0 if parkour or "bipedal" not in args.body else args.episodes


def original_env():
    """TeachMyAgent's environment for --env and --body, task set."""
    sys.path.insert(0, os.path.abspath(args.tma))
    if not parkour:
        from TeachMyAgent.environments.envs.parametric_continuous_stump_tracks import ParametricContinuousStumpTracks
        env = ParametricContinuousStumpTracks(walker_type=args.body)
        env.set_environment(stump_height=task[0], obstacle_spacing=task[1])
        return env
    import types
    weights = json.load(open(args.cppn))

    class NumpyCppn:
        """The original's TanHSoftplusMixCPPN generator (x scaled to [0, 1]
        beside the input vector; tanh, softplus, tanh, softplus, linear;
        no biases), in numpy."""
        def __init__(self, x_dim, input_dim, weights_path=None, output_dim=1):
            self.x_dim, self.input_dim = x_dim, input_dim

        def generate(self, input_vector):
            x = (np.arange(self.x_dim) / (self.x_dim - 1))[:, None]
            h = np.hstack([x, np.ones((self.x_dim, self.input_dim)) * np.asarray(input_vector)])
            softplus = lambda v: np.logaddexp(0.0, v)
            for name, f in [("h1", np.tanh), ("h2", softplus), ("h3", np.tanh), ("h4", softplus)]:
                h = f(h @ np.asarray(weights[name], dtype=np.float64))
            return (h @ np.asarray(weights["output"], dtype=np.float64)).astype(np.float32)

    name = "TeachMyAgent.environments.envs.PCGAgents.CPPN.TanHSoftplusMixCPPN"
    sys.modules[name] = types.SimpleNamespace(TanHSoftplusMixCPPN=NumpyCppn)
    from TeachMyAgent.environments.envs.parametric_continuous_parkour import ParametricContinuousParkour
    env = ParametricContinuousParkour(agent_body_type=args.body)
    env.set_environment(input_vector=np.array(task[:3]), water_level=task[3], creepers_width=task[4],
                        creepers_height=task[5], creepers_spacing=task[6], terrain_cppn_scale=task[7])
    return env


ORIGINAL = original_env()
ACT = ORIGINAL.action_space.shape[0]


def sequences():
    rng = np.random.default_rng(args.seed)
    t = np.arange(args.steps)[:, None]
    phase = 2 * np.pi * t / 40.0
    # Motor j: hips (even j) in antiphase between legs (j // 2), knees
    # (odd j) a quarter cycle behind their hip; any number of motors.
    gait = np.hstack([(-1) ** (j // 2) * np.sin(phase - (j % 2) * np.pi / 2) for j in range(ACT)])
    return {
        "random": [rng.uniform(-1, 1, (args.steps, ACT)) for _ in range(args.episodes)],
        "zero": [np.zeros((args.steps, ACT)) for _ in range(args.episodes)],
        "gait": [0.9 * gait for _ in range(args.episodes)],
    }


class Walk:
    """trellis_envs::gait::Walk with its default parameters (keep in step)."""
    (SWING_ANGLE, SPEED_GAIN, SWING_KNEE, STANCE_KNEE, SWING_STEPS, LEAN,
     HIP_KP, HIP_KD, KNEE_KP, KNEE_KD, TORSO_KP, TORSO_KD) = (
        0.023, 0.281, -0.309, 0.148, 9.49, -0.111, 1.20, 0.192, 4.49, 0.367, 8.09, -3.74)

    def __init__(self):
        self.stance, self.reach, self.t = 0, False, 0

    def act(self, o):
        leg = lambda i: o[4 + 5 * i: 9 + 5 * i]
        self.t += 1
        if not self.reach and self.t >= self.SWING_STEPS:
            self.reach, self.t = True, 0
        elif self.reach and self.t > 2 and leg(1 - self.stance)[4] > 0.5:
            self.stance, self.reach, self.t = 1 - self.stance, False, 0
        st, sw = leg(self.stance), leg(1 - self.stance)
        pitch, spin, speed = o[0], o[1], o[2]
        pd = lambda kp, kd, target, x, i: kp * (target - x[i]) - kd * x[i + 1]
        swing_target = self.SWING_ANGLE + self.SPEED_GAIN * speed - pitch
        swing_knee = self.STANCE_KNEE if self.reach else self.SWING_KNEE
        swing_hip = np.clip(pd(self.HIP_KP, self.HIP_KD, swing_target, sw, 0), -1, 1)
        torso = self.TORSO_KP * (pitch - self.LEAN) + self.TORSO_KD * spin
        a = np.zeros(4)
        i, j = 2 * self.stance, 2 * (1 - self.stance)
        a[i] = np.clip(torso - swing_hip, -1, 1)
        a[i + 1] = np.clip(pd(self.KNEE_KP, self.KNEE_KD, self.STANCE_KNEE, st, 2), -1, 1)
        a[j] = swing_hip
        a[j + 1] = np.clip(pd(self.KNEE_KP, self.KNEE_KD, swing_knee, sw, 2), -1, 1)
        return a


def box2d(policies):
    env = ORIGINAL
    body = lambda: env.agent_body if parkour else env.walker_body
    head = lambda: body().reference_head_object.position[0]
    rows = []
    closed_loop = {"walk": [None] * walk_episodes}
    for name, episodes in {**policies, **closed_loop}.items():
        for k, actions in enumerate(episodes):
            # The original was written for gym 0.17, whose seeding gave a
            # numpy RandomState (gym 0.26 gives a Generator without randint).
            env.np_random = np.random.RandomState(args.seed + k)
            obs = env.reset()
            x0 = head()
            ret, length, fell = 0.0, 0, False
            walk = Walk()
            for t in range(args.steps):
                a = walk.act(obs) if actions is None else actions[t]
                obs, r, done, _ = env.step(np.asarray(a, dtype=np.float32))
                ret += r
                length += 1
                if done:
                    fell = r <= -100
                    break
            x = head()
            rows.append({"policy": name, "episode": k, "return": ret, "length": length, "fell": fell, "distance": x - x0})
    return rows


def trellis(policies):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump({n: [e.tolist() for e in eps] for n, eps in policies.items()}, f)
        path = f.name
    try:
        extra = ["--cppn-weights", args.cppn] if parkour else []
        out = subprocess.run([args.trellis, "bench", "replay", "--env", args.env, "--body", args.body,
                              f"--task={args.task}", "--actions", path, "--seed", str(args.seed),
                              "--walk", str(walk_episodes), "--steps", str(args.steps), *extra],
                             check=True, capture_output=True, text=True).stdout
    finally:
        os.unlink(path)
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


def summary(rows, name):
    r = [x for x in rows if x["policy"] == name]
    ret = np.array([x["return"] for x in r])
    length = np.array([x["length"] for x in r])
    falls = [x for x in r if x["fell"]]
    fall_step = np.mean([x["length"] for x in falls]) if falls else float("nan")
    dist = np.array([x["distance"] for x in r])
    return (f"{ret.mean():8.1f} ± {ret.std():5.1f} | {length.mean():6.0f} | {100 * len(falls) / len(r):5.0f}% | "
            f"{fall_step:6.0f} | {dist.mean():6.2f} ± {dist.std():5.2f}")


policies = sequences()
engines = {"Box2D (TeachMyAgent)": box2d(policies), "rapier (trellis)": trellis(policies)}
print(f"{args.env}, task {args.task}, body {args.body}, "
      f"{args.episodes} episodes per policy, at most {args.steps} steps\n")
print("| policy | engine | return (mean ± std) | length | falls | mean fall step | head distance (m) |")
print("|---|---|---|---|---|---|---|")
for name in [*policies, *(["walk"] if walk_episodes else [])]:
    for engine, rows in engines.items():
        print(f"| {name} | {engine} | {summary(rows, name)} |")
