"""trellis's native trainer from Python, with a teacher written in Python."""

import json
import signal
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Optional, Union

from . import _core
from .custom_teacher import Context, _Bridge, class_spec, load_class

#: Raised when a signal (Ctrl-C, SIGTERM, SIGUSR1) stopped the run after it
#: checkpointed: ``trellis.train(resume=DIR)`` continues it.
Stopped = _core.Stopped
#: Raised when another process holds the run dir.
Busy = _core.Busy


def train(out: Optional[Union[str, Path]] = None, *, teacher: Any = None, config: Any = None,
          resume: Optional[Union[str, Path]] = None, steps: Optional[int] = None,
          quiet: bool = False, **fields: Any) -> dict:
    """Runs trellis's trainer (native SAC/PPO student, evaluation, run dir,
    checkpoints) and returns the outcome (steps, episodes, steps/s, the last
    evaluation's mean return and % mastered).

    ``teacher`` is a class (built as ``Class(context, **teacher_config)``),
    an instance (used as it is), a ``"module:Class"`` spec, or a name of
    trellis's own teachers (``"alp-gmm"``). ``config`` is a run config: a TOML
    file, TOML text or a dict; ``fields`` override it (``env="stump-tracks"``,
    ``student="sac"``, ``bounds={"stump_height": [0, 3]}``, ``steps=...``).

    ``resume=DIR`` continues a run from its last checkpoint (a Python
    teacher's ``restore`` gets what its ``state`` saved); pass the same
    ``teacher`` class or instance, or none to rebuild it from the run's
    ``teacher_python``. A teacher that raises stops the run with its
    exception; the last checkpoint stays intact. A signal (Ctrl-C) stops the
    run at its next consistent point after checkpointing and raises
    :data:`Stopped`.
    """
    if resume is not None:
        if out is not None or config is not None or fields:
            raise ValueError("resume continues a run as it was configured: pass only teacher, steps and quiet")
        cfg = _read_toml(Path(resume) / "config.toml")
        factory = _factory(teacher, cfg)
        with _stop_on_signals():
            return json.loads(_core.train(factory, resume=str(resume), steps=steps, show_progress=not quiet))
    if out is None:
        raise ValueError("out: the run dir to create is required")
    cfg = _config(config)
    cfg.update(fields)
    if steps is not None:
        cfg["steps"] = int(steps)
    if teacher is not None:
        if isinstance(teacher, str) and ":" not in teacher:
            cfg["teacher"] = teacher
            cfg.pop("teacher_python", None)
        else:
            cls = teacher if isinstance(teacher, type) else (load_class(teacher) if isinstance(teacher, str) else type(teacher))
            cfg["teacher_python"] = teacher if isinstance(teacher, str) else class_spec(cls)
            cfg["teacher"] = getattr(cls, "name", None) or cls.__name__
    factory = _factory(teacher, cfg)
    with _stop_on_signals():
        return json.loads(_core.train(factory, config=_to_toml(cfg), out=str(out), show_progress=not quiet))


def _factory(teacher: Any, cfg: dict):
    """What the native side calls to build the run's teacher:
    ``factory(context_json, seed) -> bridge``. None where the teacher is
    one of trellis's own (the native side then never calls it)."""
    name = cfg.get("teacher", "")
    spec = cfg.get("teacher_python")
    if spec is None:
        return None
    instance = None
    if teacher is None or isinstance(teacher, str):
        cls = load_class(spec)
    elif isinstance(teacher, type):
        cls = teacher
    else:
        instance = teacher

    def make(context_json: str, seed: int) -> _Bridge:
        context, settings = Context._from_json(context_json, seed)
        return _Bridge(instance if instance is not None else cls(context, **settings), name)

    return make


def _config(config: Any) -> dict:
    if config is None:
        return {}
    if isinstance(config, dict):
        return dict(config)
    if isinstance(config, Path) or (isinstance(config, str) and "\n" not in config and config.endswith(".toml")):
        return _read_toml(Path(config))
    return _parse_toml(str(config))


def _read_toml(path: Path) -> dict:
    return _parse_toml(path.read_text())


def _parse_toml(text: str) -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python < 3.11
        return json.loads(_core.toml_to_json(text))
    return tomllib.loads(text)


def _to_toml(cfg: dict) -> str:
    return _core.json_to_toml(json.dumps(cfg))


@contextmanager
def _stop_on_signals():
    """SIGINT (Ctrl-C), SIGTERM and SIGUSR1 ask the trainer to checkpoint at
    its next consistent point (an episode's end with one env) and stop, as
    the ``trellis`` binary does; :data:`Stopped` is raised then. The native
    side lets Python run these handlers every 50 ms while it trains."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    signals = [signal.SIGINT, signal.SIGTERM] + ([signal.SIGUSR1] if hasattr(signal, "SIGUSR1") else [])
    previous = {s: signal.signal(s, lambda signum, frame: _core.request_stop()) for s in signals}
    try:
        yield
    finally:
        for s, h in previous.items():
            signal.signal(s, h)
