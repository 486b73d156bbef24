"""When does each learner first stand? What a short run's test curve hides.

In the first few hundred thousand steps on Stump Tracks no learner walks far
enough to pass a test task, yet each goes through a phase the test return
barely shows: it learns to stay up, and its training episodes stop ending in a
fall and run to the time cap instead. This reads the training episodes a
parity run kept (RUN/episodes.csv, or episodes.csv.gz in a RECORD dir) and
prints, per window of steps, how many episodes ended and how many reached the
cap; "stands from" is the first window where at least half did. report.py
draws the same share per window as the SAC figure's third panel.

    python3 bench/parity/stand.py STAGE_OR_RECORD [--window 50000] [--cap 2000]
"""
import argparse
import csv
import glob
import gzip
import os

CAP = 2000  # Stump Tracks' episode length cap, in steps


def episodes(seed_dir):
    """(end step, length) of every training episode the run kept, or None."""
    for name, opener in (("episodes.csv", open), ("episodes.csv.gz", gzip.open)):
        path = os.path.join(seed_dir, name)
        if os.path.exists(path):
            with opener(path, "rt") as f:
                return [(float(r["step"]), float(r["length"])) for r in csv.DictReader(f)]
    return None


def windows(eps, window, cap=CAP):
    """(capped, ended) per window, in one pass: window k holds the episodes
    that ended in (k * window, (k + 1) * window]."""
    ended = [0] * -(-int(max(s for s, _ in eps)) // window)
    capped = [0] * len(ended)
    for s, n in eps:
        k = int(s - 1) // window
        ended[k] += 1
        capped[k] += n >= cap
    return capped, ended


def main():
    p = argparse.ArgumentParser()
    p.add_argument("stage", help="OUT/STAGE of learning-parity.sh, or its RECORD dir (<cell>/s<seed>/episodes.csv[.gz])")
    p.add_argument("--window", type=int, default=50000, help="steps per window (default 50000)")
    p.add_argument("--cap", type=int, default=CAP, help=f"the episode length cap, in steps (Stump Tracks: {CAP})")
    args = p.parse_args()
    if args.window <= 0 or args.cap <= 0:
        raise SystemExit(f"--window {args.window} and --cap {args.cap}: both must be positive")
    print(f"{'cell':16s} {'seed':4s} {'stands from':>11s}  per {args.window // 1000}k window: capped/ended")
    for seed_dir in sorted(glob.glob(os.path.join(args.stage, "*", "s[0-9]*"))):
        eps = episodes(seed_dir)
        if not eps:
            continue
        cell, seed = seed_dir.split(os.sep)[-2:]
        capped, ended = windows(eps, args.window, args.cap)
        first = next((k * args.window for k, (c, e) in enumerate(zip(capped, ended)) if e and 2 * c >= e), None)
        stands = "-" if first is None else f"{first // 1000}k"
        print(f"{cell:16s} {seed:4s} {stands:>11s}  {' '.join(f'{c}/{e}' for c, e in zip(capped, ended))}")


if __name__ == "__main__":
    main()
