"""One learner, two test protocols: how much of a PPO curve is the protocol?

TeachMyAgent tests PPO with actions sampled from the policy and SAC with the
policy's mean. A parity cell run twice with the same seeds, once per
`EVAL_POLICY`, trains identically (evaluation draws from its own stream; the
runs' episodes.csv match byte for byte), so the two curves of a seed are the
same policies seen two ways: a paired comparison. This prints, per seed, the
final % mastered under each protocol and the share of training episodes above
230 in the last 150k steps before each evaluation (the stochastic policy at
work), the paired t-test on the final % and on the area under the curve, and
draws both curves (mean ± standard error over seeds) with the training share.

    python3 bench/parity/protocol.py MEAN_OUT/flat SAMPLE_OUT/flat --cell trellis-trellis --plot fig.png
"""
import argparse
import csv
import os

import numpy as np
from scipy import stats

from report import auc, cells

SUCCESS, WINDOW = 230.0, 150_000


def training_share(run, steps):
    """% of the training episodes that ended in the WINDOW steps before each
    of `steps` with a return above SUCCESS (NaN where none ended)."""
    with open(os.path.join(run, "episodes.csv")) as f:
        eps = [(float(r["step"]), float(r["return"])) for r in csv.DictReader(f)]
    out = []
    for s in steps:
        w = [ret for st, ret in eps if s - WINDOW < st <= s]
        out.append(100.0 * np.mean(np.array(w) > SUCCESS) if w else np.nan)
    return np.array(out)


p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
p.add_argument("mean", help="the stage evaluated on the mean action (OUT/STAGE)")
p.add_argument("sample", help="the same stage evaluated on sampled actions")
p.add_argument("--cell", default="trellis-trellis")
p.add_argument("--plot", help="write the figure here")
args = p.parse_args()

m, s = cells(args.mean).get(args.cell, {}), cells(args.sample).get(args.cell, {})
seeds = sorted(set(m) & set(s), key=lambda k: int(k[1:]))
seeds = [k for k in seeds if len(m[k]) == len(s[k]) and m[k][-1, 0] == s[k][-1, 0]]
if len(seeds) < 2:
    raise SystemExit(f"{args.cell}: fewer than two seeds finished under both protocols")
steps = m[seeds[0]][:, 0]
share = {k: training_share(os.path.join(args.sample, args.cell, k), steps) for k in seeds}
print(f"{args.cell}, {len(seeds)} seeds, {steps[-1]:,.0f} steps; % mastered (mean action / sampled / training share):")
for k in seeds:
    print(f"  {k}: " + "  ".join(f"{a:.0f}/{b:.0f}/{c:.0f}" for a, b, c in zip(m[k][:, 2], s[k][:, 2], share[k])))
for name, f in [("final %", lambda c: c[-1, 2]), ("area under the % curve", lambda c: auc(c, 2))]:
    a, b = np.array([f(m[k]) for k in seeds]), np.array([f(s[k]) for k in seeds])
    t = stats.ttest_rel(b, a)
    d = (b - a).mean() / (b - a).std(ddof=1) if (b - a).std(ddof=1) > 0 else float("nan")
    print(f"{name}: mean action {a.mean():.1f} ± {a.std(ddof=1):.1f}, sampled {b.mean():.1f} ± {b.std(ddof=1):.1f}; "
          f"paired t-test p = {t.pvalue:.3g}, d_z = {d:+.2f} (positive: sampled ahead)")

if args.plot:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(6.4, 4))
    x = steps / 1e6
    for label, ys in [("mean action", [m[k][:, 2] for k in seeds]), ("sampled actions", [s[k][:, 2] for k in seeds]),
                      ("training episodes > 230", [share[k] for k in seeds])]:
        y = np.array(ys)
        mu, se = np.nanmean(y, 0), np.nanstd(y, 0, ddof=1) / np.sqrt(len(ys))
        line, = ax.plot(x, mu, marker="o", label=label, linestyle="--" if label.startswith("training") else "-")
        ax.fill_between(x, mu - se, mu + se, alpha=0.2, color=line.get_color())
    ax.set_xlabel("env steps (millions)")
    ax.set_ylabel("% (mean ± SE over seeds)")
    ax.set_title(f"{args.cell}: the same runs under two test protocols ({len(seeds)} seeds)")
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.plot, dpi=110)
    print(f"figure: {args.plot}")
