"""Stable-Baselines3 (PyTorch) learning Stump Tracks with a trellis teacher
choosing every episode's task.

    pip install ./python stable-baselines3      # torch comes with SB3
    python examples/sb3_teacher.py --algo sac --teacher alp-gmm --steps 200000

The teacher sits in a Gymnasium wrapper: each reset asks it for a task, each
episode's end tells it the return. Every `--eval-every` steps the policy
plays trellis's Stump Tracks test set (the reference's 100 tasks, or a grid)
and the script prints the mean return and the % of tasks mastered (return
above 230), as `trellis train` does.
"""

import argparse
import json
import time
from pathlib import Path

import gymnasium
import numpy as np

import trellis


class TeacherWrapper(gymnasium.Wrapper):
    """Asks the teacher for each episode's task and reports its return."""

    def __init__(self, env, teacher):
        super().__init__(env)
        self.teacher = teacher
        self.task, self.ret, self.len = None, 0.0, 0

    def reset(self, *, seed=None, options=None):
        self.task = self.teacher.sample_task()
        self.ret, self.len = 0.0, 0
        return self.env.reset(seed=seed, options={"task": self.task})

    def step(self, action):
        obs, r, term, trunc, info = self.env.step(action)
        self.ret += r
        self.len += 1
        if term or trunc:
            self.teacher.update(self.task, self.ret, self.len, self.ret > 230)
        return obs, r, term, trunc, info


def test_tasks(space, path):
    if path and Path(path).exists():
        return json.loads(Path(path).read_text())[:100]
    lo, hi = space.low, space.high
    g = np.linspace(0, 1, 10)
    return [list(lo + (hi - lo) * np.array([a, b])) for a in g for b in g]


def evaluate(model, tasks):
    env = gymnasium.make("trellis/StumpTracks-v0").unwrapped
    returns = []
    for i, task in enumerate(tasks):
        obs, _ = env.reset(seed=10_000 + i, options={"task": task})
        ret, done = 0.0, False
        while not done:
            action, _ = model.predict(obs, deterministic=True)
            obs, r, term, trunc, _ = env.step(action)
            ret += r
            done = term or trunc
        returns.append(ret)
    returns = np.array(returns)
    return returns.mean(), 100.0 * (returns > 230).mean()


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--algo", choices=["sac", "ppo"], default="sac")
    p.add_argument("--teacher", default="alp-gmm")
    p.add_argument("--steps", type=int, default=200_000)
    p.add_argument("--eval-every", type=int, default=50_000)
    p.add_argument("--test-tasks", type=int, default=20, help="test tasks played at each evaluation")
    p.add_argument("--test-set", default=str(Path(__file__).parent.parent / "assets/test_sets/parametric_stumps_test_set.json"))
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()

    from stable_baselines3 import PPO, SAC
    from stable_baselines3.common.callbacks import BaseCallback

    env = gymnasium.make("trellis/StumpTracks-v0")
    teacher = trellis.Teacher(a.teacher, env.unwrapped.task_space, seed=a.seed)
    env = TeacherWrapper(env, teacher)
    if a.algo == "sac":
        # TeachMyAgent's SAC: 400/300 networks, lr 1e-3, batch 1000, an update every 10 steps.
        model = SAC("MlpPolicy", env, learning_rate=1e-3, batch_size=1000, train_freq=10, gradient_steps=10,
                    learning_starts=10_000, policy_kwargs={"net_arch": [400, 300]}, seed=a.seed, verbose=0)
    else:
        model = PPO("MlpPolicy", env, seed=a.seed, verbose=0)
    tasks = test_tasks(env.unwrapped.task_space, a.test_set)[: a.test_tasks]
    t0 = time.time()

    class Eval(BaseCallback):
        def _on_step(self):
            if self.num_timesteps % a.eval_every == 0:
                mean, mastered = evaluate(self.model, tasks)
                print(f"step {self.num_timesteps:>9} · {time.time() - t0:7.0f} s · test return {mean:7.1f} · "
                      f"mastered {mastered:5.1f}% of {len(tasks)}", flush=True)
            return True

    model.learn(total_timesteps=a.steps, callback=Eval())
    print("teacher:", json.dumps(teacher.dump())[:200], "...")


if __name__ == "__main__":
    main()
