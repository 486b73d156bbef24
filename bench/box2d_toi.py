"""Where do the original's knees bend past their limits? Replays the learned
gait of envs/tests/data/box2d_gait.json one step at a time on TeachMyAgent's
Box2D Stump Tracks, putting the walker in each recorded state and applying
the recorded action (as envs/tests/box2d_gait.rs does with trellis's walker),
once as the original runs (continuous physics on, Box2D's default) and once
with continuous physics off.

With it on, the replay reproduces the recording exactly (gap 0), and the back
knee goes from its limit to 0.26-0.36 rad past it in one step where the shin
lands hard (six times in the episode). With it off, one such step is left,
and it starts from a recorded state already bent past: the bending comes from
Box2D's time-of-impact pass, which stops a part where it first touches a
static shape without solving its joints.
trellis emulates that pass (envs/src/physics/continuous.rs, off by default).

It also counts the pass's events (a contact solved again after the step's
solve: Box2D calls PreSolve for it after a PostSolve), per step along the
gait and over 10,000 random-action steps on the flat track, the figures
envs/tests/box2d_gait.rs compares trellis's pass with.

    python3 bench/box2d_toi.py --tma PATH
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "parity"))
import engines  # noqa: E402

args, gait = engines.gait_replay(__doc__)
recorded = np.array([s["obs"][:14] for s in gait["steps"]])
# Joint angle entries (hips, knees) and the knees' limits; knees read angle + 1.
ANGLES, SPEEDS, CONTACTS = [4, 6, 9, 11], [5, 7, 10, 12], [8, 13]
KNEES, KNEE_UPPER = [6, 11], -0.1


class Events:
    """Time-of-impact events of the current world step, by the order of
    Box2D's callbacks: a PreSolve after a PostSolve within one step opens one."""
    count = 0
    last = None


def count_events():
    """Patches the original's contact listener (the class it instantiates at
    each reset) to also count time-of-impact events; the game logic is its own."""
    from TeachMyAgent.environments.envs import parametric_continuous_stump_tracks as original

    class Counting(original.ContactDetector):
        def PreSolve(self, contact, old_manifold):
            if Events.last == "post":
                Events.count += 1
            Events.last = "pre"

        def PostSolve(self, contact, impulse):
            Events.last = "post"

    original.ContactDetector = Counting


def step_events(eng, action):
    Events.count, Events.last = 0, None
    out = eng.step(action)
    return out, Events.count


def replay(continuous):
    eng = engines.make("box2d", args.tma)
    eng.reset(gait["task"], args.seed)
    eng.env.world.continuousPhysics = continuous
    parts = eng.env.walker_body.body_parts  # hull, back thigh, back shin, front thigh, front shin
    out = []
    for step in gait["steps"]:
        for body, (x, y, a, vx, vy, w) in zip(parts, step["state"]):
            body.position, body.angle = (x, y), a
            body.linearVelocity, body.angularVelocity = (vx, vy), w
        (obs, _, _, _), n = step_events(eng, np.array(step["action"]))
        out.append(obs[:14])
        events.append(n)
    return np.array(out)


def random_rate(steps=10_000):
    """Events per step under uniform random actions on the flat track."""
    eng = engines.make("box2d", args.tma)
    rng = np.random.default_rng(0)
    total = done = episode = 0
    while done < steps:
        eng.reset((0.0, 3.0), 1000 + episode)
        episode += 1
        while done < steps:
            (_, _, term, trunc), n = step_events(eng, rng.uniform(-1, 1, eng.act_dim))
            total, done = total + n, done + 1
            if term or trunc:
                break
    return total, done, episode


engines.make("box2d", args.tma)  # puts the checkout on the import path
count_events()
for continuous in (True, False):
    events = []
    obs = replay(continuous)
    gap = np.abs(obs - recorded)
    past = obs[:, KNEES] - 1.0 - KNEE_UPPER
    jumps = [(t, k) for k in range(2) for t in range(1, len(obs)) if past[t - 1, k] < 0.05 and past[t, k] > 0.25]
    print(f"continuous physics {'on' if continuous else 'off'}: gap to the recording: angles "
          f"{gap[:, ANGLES].mean():.4f}, speeds {gap[:, SPEEDS].mean():.4f}, contacts {gap[:, CONTACTS].mean():.4f}; "
          f"knee from its limit to > 0.25 rad past it in one step: {len(jumps)} times "
          f"{[(int(t), ['back', 'front'][k], round(float(past[t, k]), 3)) for t, k in jumps]}; "
          f"time-of-impact events: {sum(events)} in {len(events)} steps, at steps {[t for t, n in enumerate(events) if n]}")
total, steps, episodes = random_rate()
print(f"random actions, flat track: {total} time-of-impact events in {steps} steps ({episodes} episodes)")
