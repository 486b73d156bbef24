"""Train trellis's PPO on Stump Tracks with the learning-progress bandit
(a teacher written in Python) and plot its curve and where it sent the
student, from the run's data frames. Needs pandas and matplotlib.

    python examples/teachers/train_and_plot.py --steps 1000000 --out runs/lp-bandit
"""

import argparse
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

import trellis  # noqa: E402

sys.path.insert(0, str(Path(__file__).parent))
from lp_bandit import LearningProgressBandit  # noqa: E402


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--steps", type=int, default=1_000_000)
    p.add_argument("--out", default="runs/lp-bandit")
    p.add_argument("--seed", type=int, default=0)
    a = p.parse_args()
    if not Path(a.out, "summary.json").exists():
        if Path(a.out, "config.toml").exists():
            trellis.train(resume=a.out)  # cut short earlier: continue it
        else:
            trellis.train(a.out, teacher=LearningProgressBandit, steps=a.steps, seed=a.seed,
                          bounds={"stump_height": [0.0, 3.0]}, eval_every=max(a.steps // 10, 1))
    run = trellis.load_run(a.out)
    fig, (curve, tasks) = plt.subplots(1, 2, figsize=(10, 4))
    curve.plot(run.evals["step"], run.evals["mastered_pct"], marker="o")
    curve.set(xlabel="env steps", ylabel="% of the test set mastered", title="learning curve")
    late = run.episodes[run.episodes["step"] > run.episodes["step"].max() / 2]
    tasks.scatter(late["stump_height"], late["stump_spacing"], s=4, alpha=0.4)
    tasks.set(xlabel="stump height", ylabel="stump spacing", title="tasks proposed (second half)")
    fig.tight_layout()
    png = Path(a.out, "lp-bandit.png")
    fig.savefig(png, dpi=100)
    print(f"{png}: final {run.evals['mastered_pct'].iloc[-1]:.0f}% mastered")


if __name__ == "__main__":
    main()
