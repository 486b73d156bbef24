"""A run's or a sweep's results as pandas DataFrames (``pip install pandas``).

    run = trellis.load_run("runs/mine")
    run.evals.plot(x="step", y="mastered_pct")

    sweep = trellis.load_sweep("sweeps/smoke")
    sweep.summary          # the report's table: mean, std, sem, Welch's t and p, Hedges' g, the same for the area
"""

import json
from pathlib import Path
from typing import NamedTuple, Union

from . import _core
from .training import _read_toml


def _pandas():
    try:
        import pandas
    except ModuleNotFoundError:
        raise ModuleNotFoundError("trellis.load_run and load_sweep return pandas DataFrames: pip install pandas") from None
    return pandas


class Run(NamedTuple):
    """One run dir's logs."""

    #: The resolved run config (config.toml).
    config: dict
    #: One row per training episode: step, instance, return, length, success, then one column per task dimension.
    episodes: "pandas.DataFrame"
    #: One row per test-set evaluation: step, episodes, updates, mean_return, mastered_pct, seconds, steps_per_second.
    evals: "pandas.DataFrame"


class Sweep(NamedTuple):
    """A sweep dir's runs and the report's statistics."""

    #: One row per planned run: id, experiment, variant, expert, teacher, seed, dir, final_mastered (NaN unless finished).
    runs: "pandas.DataFrame"
    #: Every evaluation of every run, with the run's id, cell and teacher.
    evals: "pandas.DataFrame"
    #: Per cell and teacher, as ``trellis report`` computes it: planned,
    #: finished, mean, std, sem of the final % mastered, Welch's t and p
    #: against Random in the same cell, not_applicable.
    summary: "pandas.DataFrame"


def _read_csv(pd, path: Path, columns=None):
    if path.exists() and path.stat().st_size > 0:
        return pd.read_csv(path)
    return pd.DataFrame(columns=columns or [])


def load_run(path: Union[str, Path]) -> Run:
    """The logs of the run dir ``path``."""
    pd = _pandas()
    d = Path(path)
    if not (d / "config.toml").exists():
        raise FileNotFoundError(f"{d} is not a run dir (it has no config.toml)")
    return Run(_read_toml(d / "config.toml"), _read_csv(pd, d / "episodes.csv"), _read_csv(pd, d / "eval.csv"))


def load_sweep(path: Union[str, Path]) -> Sweep:
    """The runs of the sweep dir ``path`` (what ``trellis sweep run --out`` wrote)."""
    pd = _pandas()
    d = Path(path)
    if not (d / "manifest.json").exists():
        raise FileNotFoundError(f"{d} is not a sweep dir (it has no manifest.json)")
    manifest = json.loads((d / "manifest.json").read_text())
    summary = pd.DataFrame(json.loads(_core.sweep_summary(str(d))))
    runs, evals = [], []
    for r in manifest["runs"]:
        cell = r["cell"]
        run_dir = d / "runs" / r["id"]
        row = {"id": r["id"], "experiment": cell["experiment"], "variant": cell["variant"], "expert": cell["expert"],
               "teacher": r["teacher"], "seed": r["seed"], "dir": str(run_dir)}
        curve = _read_csv(pd, run_dir / "eval.csv")
        finished = (run_dir / "summary.json").exists() and len(curve) > 0
        row["final_mastered"] = float(curve["mastered_pct"].iloc[-1]) if finished else float("nan")
        runs.append(row)
        if len(curve):
            evals.append(curve.assign(**{k: row[k] for k in ("id", "experiment", "variant", "expert", "teacher", "seed")}))
    evals = pd.concat(evals, ignore_index=True) if evals else pd.DataFrame()
    return Sweep(pd.DataFrame(runs), evals, summary)
