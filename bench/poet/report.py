#!/usr/bin/env python3
"""POET against direct optimisation: the table and tests of
scripts/poet-reproduction.sh's runs.

For every environment in a POET run's final active population (except the
flat start), the POET agent's score there is paired with the score of the
control run (ES from scratch on that environment alone, same iterations).
A score is the mean of the pair's last three evaluations (each the mean of
its evaluation episodes), to damp the noise of a single one. The paired
differences are tested with a paired t-test and Wilcoxon's signed-rank test
(scipy, when installed), and counted against two bars: the reproduction
threshold the run used (the agent does well enough to have children) and the
world's success bar (230, "solved").

    python3 bench/poet/report.py OUT [--teacher poet]   # writes OUT/<teacher>-vs-direct.md
"""
import argparse
import json
import math
import pathlib
import re
import statistics


def final(scores, last=3):
    tail = [s for s in scores[-last:] if s is not None and math.isfinite(s)]
    return sum(tail) / len(tail) if tail else float("nan")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out", type=pathlib.Path)
    ap.add_argument("--teacher", default="poet")
    ap.add_argument("--solved", type=float, default=230.0)
    a = ap.parse_args()
    rows = []
    threshold = None
    for run in sorted(a.out.glob(f"{a.teacher}-s*")):
        seed = int(re.sub(r".*-s", "", run.name))
        pop_path = run / "population.json"
        if not (run / "summary.json").exists():
            print(f"{run.name}: not finished, skipped")
            continue
        pop = json.loads(pop_path.read_text())
        cfg = (run / "config.toml").read_text()
        m = re.search(r"repro_threshold = (-?[0-9.]+)", cfg)
        threshold = float(m.group(1)) if m else threshold
        for p in pop["active"]:
            if p["id"] == 0:
                continue
            ctl = a.out / f"control-{a.teacher}-s{seed}-p{p['id']}"
            if not (ctl / "summary.json").exists():
                print(f"{ctl.name}: not finished, skipped")
                continue
            cpop = json.loads((ctl / "population.json").read_text())
            rows.append({
                "seed": seed, "pair": p["id"], "env": p["env"], "iterations": pop["iteration"],
                "poet": final(p["scores"]), "direct": final(cpop["active"][0]["scores"]),
                "poet_steps": pop["steps"], "direct_steps": cpop["steps"],
            })
    if not rows:
        raise SystemExit("no finished POET/control pairs yet")
    diffs = [r["poet"] - r["direct"] for r in rows]
    n = len(diffs)
    mean = statistics.fmean(diffs)
    se = statistics.stdev(diffs) / math.sqrt(n) if n > 1 else float("nan")
    tests = "scipy not installed: no p-values"
    try:
        from scipy import stats
        t = stats.ttest_rel([r["poet"] for r in rows], [r["direct"] for r in rows])
        w = stats.wilcoxon(diffs) if n > 1 and any(diffs) else None
        tests = f"paired t-test p = {t.pvalue:.3g}" + (f", Wilcoxon signed-rank p = {w.pvalue:.3g}" if w else "")
    except ImportError:
        pass
    bars = [("reproduction threshold", threshold)] if threshold is not None else []
    bars.append(("solved", a.solved))
    md = [f"# {a.teacher} against direct optimisation ({a.out})", ""]
    md.append(f"{n} environments from {len({r['seed'] for r in rows})} seeds; each POET agent's score in its "
              f"environment against ES from scratch there for the same {rows[0]['iterations']} iterations.")
    md.append("")
    md.append("| seed | pair | encoding | POET | direct | POET − direct |")
    md.append("|---|---|---|---|---|---|")
    for r, d in zip(rows, diffs):
        enc = "[" + ", ".join(f"{x:.2f}" for x in r["env"]) + "]"
        md.append(f"| {r['seed']} | {r['pair']} | {enc} | {r['poet']:.1f} | {r['direct']:.1f} | {d:+.1f} |")
    md.append("")
    md.append(f"Mean difference {mean:+.1f} ± {se:.1f} (SE); POET higher in {sum(d > 0 for d in diffs)} of {n}; {tests}.")
    for label, bar in bars:
        pc = sum(r["poet"] >= bar for r in rows)
        dc = sum(r["direct"] >= bar for r in rows)
        md.append(f"At or above the {label} ({bar:g}): POET {pc} of {n}, direct {dc} of {n}; "
                  f"POET's but not direct's: {sum(r['poet'] >= bar > r['direct'] for r in rows)}.")
    steps = statistics.fmean(r["poet_steps"] for r in rows), statistics.fmean(r["direct_steps"] for r in rows)
    md.append(f"Env steps per run (mean): POET {steps[0]:.3g} (its whole population), direct {steps[1]:.3g}.")
    path = a.out / f"{a.teacher}-vs-direct.md"
    path.write_text("\n".join(md) + "\n")
    print("\n".join(md))
    print(f"\n{path}")


if __name__ == "__main__":
    main()
