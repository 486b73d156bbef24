"""Throughput of trellis's native trainer with a teacher written in Python
against the same teacher in Rust: uniform tasks over Stump Tracks, the
student at TeachMyAgent's settings (PPO or SAC), one env, one thread.

    python bench/python_teacher.py --teacher python --student ppo --steps 100000
    python bench/python_teacher.py --teacher rust   --student ppo --steps 100000

Time the two side by side (the same machine, interleaved) and report the
ratio of their wall times; each also prints the trainer's own steps/s.
"""

import argparse
import tempfile

import trellis


class Uniform(trellis.BaseTeacher):
    """trellis's `random` teacher called from Python: the same tasks as the
    Rust teacher (so both runs play the same episodes, which the script
    checks), each passing through the Python teacher protocol."""

    def __init__(self, context):
        super().__init__(context)
        self.inner = trellis.Teacher("random", context.space, context.reward_range, context.success_return,
                                     seed=context.seed)

    def sample_task(self):
        return self.inner.sample_task()

    def update(self, episode):
        self.inner.update(episode.task, episode.ret, episode.length, episode.success)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--teacher", choices=["python", "rust"], required=True)
    p.add_argument("--student", choices=["ppo", "sac"], default="ppo")
    p.add_argument("--steps", type=int, default=100_000)
    a = p.parse_args()
    with tempfile.TemporaryDirectory() as d:
        out = trellis.train(f"{d}/run", teacher=Uniform if a.teacher == "python" else "random", student=a.student,
                            steps=a.steps, eval_every=10 * a.steps, test_episodes=1, quiet=True)
        episodes = trellis.load_run(f"{d}/run").episodes
    # The same episodes either way: a digest to compare the two runs by.
    digest = hash(tuple(episodes["return"].round(6)))
    print(f"{a.teacher} teacher, {a.student}: {out['step']} steps, {out['episodes']} episodes "
          f"(returns digest {digest:x}), {out['steps_per_second']:.0f} steps/s")


if __name__ == "__main__":
    main()
