"""The learning-parity table and figure: for each cell (learner × engine),
the curves of its seeds, then Welch's t-test of every cell against the
reference cell (the PyTorch learner on TeachMyAgent's Box2D) on the final
evaluation and on the area under the curve, with the effect size (Hedges' g).

    python3 bench/parity/report.py OUT/STAGE   # reads OUT/STAGE/<cell>/s<seed>/eval.csv
    python3 bench/parity/report.py OUT/STAGE --budget 3000000

`--budget` compares the cells at that step (each curve cut after it), so a
cell run for longer (trellis's 20M-step seeds, linked into STAGE) meets a
reference that is slower to run at the step both reached.

Writes STAGE/parity.md (the table) and STAGE/parity.png (mean ± standard error
of % mastered and of the mean test return, one line per cell). For SAC the
figure has a third panel, the share of training episodes that run to the
2,000-step cap between evaluations (from the episodes each seed kept, see
stand.py): a short SAC run masters no test task, and learning to stand is the
learning it shows. A trellis run
dir (native `trellis train`) is read the same way: its eval.csv has the same
step and the columns `mean_return`/`test_return` and `mastered_pct`/`mastered`.
"""
import csv
import glob
import os

import numpy as np
from scipy import stats

from stand import episodes, windows

REFERENCE = "torch-box2d"
LABELS = {
    "trellis-trellis": "trellis learner, trellis engine",
    "torch-trellis": "reference learner, trellis engine",
    "trellis-box2d": "trellis learner, Box2D engine",
    "torch-box2d": "reference learner, Box2D engine",
    "ppo2-trellis": "trellis learner as ppo2 (tanh, orthogonal), trellis engine",
}

# The comparisons that isolate one factor.
PAIRS = [
    ("learner, on trellis's engine", "trellis-trellis", "torch-trellis"),
    ("learner, on Box2D", "trellis-box2d", "torch-box2d"),
    ("engine, for trellis's learner", "trellis-trellis", "trellis-box2d"),
    ("engine, for the reference learner", "torch-trellis", "torch-box2d"),
    ("implementation (same network choices)", "ppo2-trellis", "torch-trellis"),
    ("network choices (trellis's PPO)", "trellis-trellis", "ppo2-trellis"),
]


def read_curve(path):
    with open(path) as f:
        rows = list(csv.DictReader(f))
    pick = lambda r, *names: float(next(r[n] for n in names if n in r))
    return np.array([[pick(r, "step"), pick(r, "mean_return", "test_return"),
                      pick(r, "mastered_pct", "mastered")] for r in rows
                     # Step 0 (before any learning) only where every cell has it: not at all.
                     if float(r["step"]) > 0])


def cells(stage):
    out = {}
    for cell in sorted(os.listdir(stage)):
        curves = {}
        for d in sorted(glob.glob(os.path.join(stage, cell, "s*"))):
            path = os.path.join(d, "eval.csv")
            if os.path.exists(path):
                curves[os.path.basename(d)] = read_curve(path)
        if curves:
            out[cell] = curves
    return out


def complete(curves, budget):
    """Seeds whose last evaluation reached the budget, on the common step grid."""
    return {s: c for s, c in curves.items() if len(c) and c[-1, 0] >= budget}


def auc(c, col):
    """Mean of the curve over the run (trapezoids over steps / steps)."""
    x, y = c[:, 0], c[:, col]
    if len(x) < 2:  # one evaluation so far: the curve is that point
        return float(y[0])
    return float(np.sum((y[1:] + y[:-1]) / 2 * np.diff(x)) / (x[-1] - x[0]))


def hedges_g(a, b):
    a, b = np.asarray(a), np.asarray(b)
    n1, n2 = len(a), len(b)
    if n1 < 2 or n2 < 2:
        return float("nan")
    sp = np.sqrt(((n1 - 1) * a.var(ddof=1) + (n2 - 1) * b.var(ddof=1)) / (n1 + n2 - 2))
    if sp == 0:
        return 0.0
    return float((a.mean() - b.mean()) / sp * (1 - 3 / (4 * (n1 + n2) - 9)))


def welch(a, b):
    """Welch's p as the table prints it; where the test is undefined, why."""
    if len(a) < 2 or len(b) < 2:
        return "–"
    if np.var(a) == 0 and np.var(b) == 0:
        # Every seed the same (e.g. no cell mastered a task): nothing to test.
        return "equal" if np.mean(a) == np.mean(b) else "no spread"
    return f"{stats.ttest_ind(a, b, equal_var=False).pvalue:.3g}"


def compare(a, b):
    """The two table cells of one comparison: Welch's p and Hedges' g."""
    g = hedges_g(a, b)
    return [welch(a, b), "–" if np.isnan(g) else f"{g:+.2f}"]


# The measures compared, each with Welch's p and Hedges' g. The final test
# return matters where no seed masters a task yet (SAC at a short budget).
TESTED = ("final %", "final return", "AUC %", "AUC return")


def main(stage, budget=None, family="ppo"):
    data = cells(stage)
    if budget is not None:
        data = {k: {s: c[c[:, 0] <= budget] for s, c in v.items()} for k, v in data.items()}
    if not data:
        raise SystemExit(f"{stage}: no cell with an eval.csv yet")
    reached = max(c[-1, 0] for curves in data.values() for c in curves.values() if len(c))
    budget = reached if budget is None else budget
    done = {k: complete(v, budget) for k, v in data.items()}
    metrics = {k: {"final %": [c[-1, 2] for c in v.values()], "final return": [c[-1, 1] for c in v.values()],
                   "AUC %": [auc(c, 2) for c in v.values()], "AUC return": [auc(c, 1) for c in v.values()]}
               for k, v in done.items() if v}
    # learning-parity.sh leaves the evaluation protocol beside the cells
    # (a stage from before the setting played the mean action).
    marker = os.path.join(stage, "eval_policy")
    policy = open(marker).read().strip() if os.path.exists(marker) else "mean"
    acting = {"mean": "the policy's mean action", "sample": "actions sampled from the policy"}.get(policy, policy)
    lines = [f"# Learning parity: {os.path.basename(os.path.abspath(stage))}", "",
             f"Test episodes act with {acting}. "
             f"Budget {budget:,.0f} steps; seeds that reached it per cell; mean ± std; Welch's t-test of each cell "
             f"against `{REFERENCE}` ({LABELS[REFERENCE]}): p and Hedges' g (positive: the cell is ahead).", "",
             "| cell | seeds | final % mastered | final test return | AUC % mastered | AUC return | "
             + " | ".join(f"p ({k}) | g" for k in TESTED) + " |",
             "|---|---|---|---|---|---|" + "---|---|" * len(TESTED)]
    ref = metrics.get(REFERENCE)
    for k in sorted(metrics, key=lambda k: list(LABELS).index(k) if k in LABELS else 99):
        m = metrics[k]
        ms = lambda v: f"{np.mean(v):.1f} ± {np.std(v, ddof=1) if len(v) > 1 else 0:.1f}"
        row = [f"{k}", str(len(m["final %"])), ms(m["final %"]), ms(m["final return"]), ms(m["AUC %"]), ms(m["AUC return"])]
        for key in TESTED:
            if ref is None or k == REFERENCE:
                row += ["–", "–"]
            else:
                row += compare(m[key], ref[key])
        lines.append("| " + " | ".join(row) + " |")
    lines += ["", "Each factor on its own (Welch's t-test of the first cell against the second; g > 0: the first is ahead):", "",
              "| question | cells | " + " | ".join(f"p ({k}) | g" for k in TESTED) + " |",
              "|---|---|" + "---|---|" * len(TESTED)]
    for question, a, b in PAIRS:
        if a in metrics and b in metrics:
            row = [question, f"{a} vs {b}"]
            for key in TESTED:
                row += compare(metrics[a][key], metrics[b][key])
            lines.append("| " + " | ".join(row) + " |")
    running = {k: len(v) - len(done[k]) for k, v in data.items() if len(v) > len(done[k])}
    if running:
        lines += ["", "Still short of the budget (not in the table): " +
                  ", ".join(f"{k} {n} seed(s)" for k, n in running.items())]
    text = "\n".join(lines) + "\n"
    open(os.path.join(stage, "parity.md"), "w").write(text)
    print(text)
    plot(stage, done, family)


def standing(stage, cell, seeds, grid):
    """Per seed that kept its training episodes, the % of those ending in each
    interval between evaluations (the step grid `grid`) that ran to the cap."""
    every = grid[1] - grid[0] if len(grid) > 1 else grid[0]
    rows = []
    for s in seeds:
        eps = episodes(os.path.join(stage, cell, s))
        if eps:
            capped, ended = windows([e for e in eps if e[0] <= grid[-1]], int(every))
            rows.append([100 * c / e if e else np.nan for c, e in zip(capped, ended)][:len(grid)])
    return np.array([r for r in rows if len(r) == len(grid)])


def band(ax, x, arr, label):
    """Mean ± standard error over the rows of arr (seeds)."""
    mean = np.nanmean(arr, 0)
    se = np.nanstd(arr, 0, ddof=1) / np.sqrt(len(arr)) if len(arr) > 1 else 0 * mean
    ax.plot(x, mean, label=label)
    ax.fill_between(x, mean - se, mean + se, alpha=0.2)


def plot(stage, done, family):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    sac = family == "sac"
    fig, axes = plt.subplots(1, 3 if sac else 2, figsize=(16 if sac else 11, 4))
    for k, curves in done.items():
        if not curves:
            continue
        n = min(len(c) for c in curves.values())
        arr = np.stack([c[:n] for c in curves.values()])
        x = arr[0, :, 0] / 1e6
        for ax, col in zip(axes, (2, 1)):
            band(ax, x, arr[:, :, col], f"{LABELS.get(k, k)} (n={len(arr)})")
        if sac:
            stood = standing(stage, k, curves, arr[0, :, 0])
            if len(stood):
                band(axes[2], x, stood, f"n={len(stood)}")
            else:
                axes[2].plot([], [])  # keeps each cell's colour across the panels
    axes[0].set_ylabel("% test tasks mastered")
    axes[1].set_ylabel("mean test return")
    if sac:
        axes[2].set_ylabel("% training episodes run to the cap (standing)")
        axes[2].legend(fontsize=8, title="seeds with episodes", title_fontsize=8)
    for ax in axes:
        ax.set_xlabel("env steps (M)")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    fig.suptitle(f"{family.upper()} learning parity: {os.path.basename(os.path.abspath(stage))} (mean ± SE over seeds)")
    fig.tight_layout()
    fig.savefig(os.path.join(stage, "parity.png"), dpi=110)


if __name__ == "__main__":
    import argparse
    p = argparse.ArgumentParser(description="learning-parity table and figure of OUT/STAGE")
    p.add_argument("stage", help="OUT/STAGE: one directory per cell, one s<seed>/eval.csv per seed")
    p.add_argument("--budget", type=float, help="compare at this step (curves cut after it; default: the furthest any seed got)")
    p.add_argument("--family", default=os.environ.get("FAMILY", "ppo"), choices=["ppo", "sac"],
                   help="the learners compared, for the figure's title (default: $FAMILY, else ppo)")
    a = p.parse_args()
    main(a.stage, a.budget, a.family)
