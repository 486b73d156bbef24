"""``python -m trellis train``: a run whose teacher is written in Python.

The ``trellis`` binary hands such runs here (a sweep's runs too), with the
config it resolved; exit codes are the binary's: 0 done, 1 failure (the
teacher raised: its traceback is printed), 2 bad input, 3 run dir busy,
4 I/O, 75 stopped on request after checkpointing (``--resume`` continues).
"""

import argparse
import sys
import traceback

from .training import Busy, Stopped, train

EXIT_BAD_INPUT, EXIT_BUSY, EXIT_IO, EXIT_STOPPED = 2, 3, 4, 75


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m trellis")
    sub = p.add_subparsers(dest="command", required=True)
    t = sub.add_parser("train", help="train with a teacher written in Python")
    src = t.add_mutually_exclusive_group(required=True)
    src.add_argument("--config", help="a run config file (TOML) with teacher_python set")
    src.add_argument("--config-toml", help="the run config as TOML text (what `trellis train` passes)")
    src.add_argument("--resume", help="continue the run in this dir")
    t.add_argument("--out", help="the run dir to create (new runs)")
    t.add_argument("--steps", type=int, help="a new step budget (with --resume)")
    t.add_argument("--quiet", action="store_true", help="no progress bar")
    a = p.parse_args(argv)
    try:
        if a.resume:
            outcome = train(resume=a.resume, steps=a.steps, quiet=a.quiet)
        else:
            if not a.out:
                p.error("--out is required for a new run")
            config = a.config if a.config else a.config_toml
            outcome = train(a.out, config=config, steps=a.steps, quiet=a.quiet)
    except Stopped as e:
        print(e, file=sys.stderr)
        return EXIT_STOPPED
    except Busy as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BUSY
    except (ValueError, TypeError, FileNotFoundError, ImportError) as e:
        traceback.print_exc()
        print(f"error: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as e:
        print(f"error: {e}", file=sys.stderr)
        return EXIT_IO
    except Exception:  # the teacher raised: its traceback is the message
        traceback.print_exc()
        return 1
    if outcome.get("already_finished"):
        print(f"the run had already finished at step {outcome['step']}", file=sys.stderr)
    if outcome.get("mastered_pct") is not None:
        print(f"{outcome['step']} steps, {outcome['episodes']} episodes, {outcome['steps_per_second']:.0f} steps/s · "
              f"test set: mean return {outcome['mean_return']:.1f}, mastered {outcome['mastered_pct']:.1f}%")
    return 0


if __name__ == "__main__":
    sys.exit(main())
