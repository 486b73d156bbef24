"""Teachers written in Python, for trellis's native trainer and the benchmark.

A teacher is any object with ``propose()`` (or ``sample_task()``) and
``update(episode)``; :class:`BaseTeacher` gives every other method a
default. :func:`trellis.train` runs trellis's own trainer (native SAC/PPO,
threads, evaluation, run dir, checkpoints) with it; a run config or a
benchmark teachers file points at one with ``teacher_python =
"package.module:Class"`` (or ``"path/to/file.py:Class"``).

    class Uniform(trellis.BaseTeacher):
        def sample_task(self):
            return self.rng.uniform(self.space.low, self.space.high)

    trellis.train(out="runs/uniform", teacher=Uniform, steps=200_000)

The trainer calls, in this order: the constructor ``Class(context,
**settings)`` (``settings`` are the run's ``teacher_config``), then per
episode ``propose()`` and, when it ends, ``update(episode)``; per evaluation
``on_evaluation(returns)``; per checkpoint ``state()``; per teacher dump
``dump()``; on resume ``restore(state)`` on a freshly built teacher.
"""

import base64
import dataclasses
import importlib
import importlib.util
import json
import pickle
import sys
from pathlib import Path
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

from .envs import TaskSpace


@dataclasses.dataclass(frozen=True)
class Context:
    """What a teacher knows of the world besides episodes."""

    #: The space tasks are proposed in (the world's, or the run's ``bounds``).
    space: TaskSpace
    #: Returns are expected in this range (Stump Tracks: (-150, 350)), for normalising.
    reward_range: Tuple[float, float]
    #: An episode with a return above this counts as mastered.
    success_return: float
    #: Expert knowledge (the run's ``expert`` is low or high): a Gaussian of
    #: easy tasks, ``{"mean": [...], "cov": [... row-major ...]}``; else None.
    initial: Optional[dict]
    #: Who is taught, e.g. ``"stump-tracks-ppo-default"``.
    learner: str
    #: The run's seed: seed your RNG from it so that runs repeat exactly.
    seed: int

    @staticmethod
    def _from_json(text: str, seed: int) -> Tuple["Context", dict]:
        c = json.loads(text)
        ctx = Context(TaskSpace([tuple(d) for d in c["space"]]), tuple(c["reward_range"]),
                      c["success_return"], c["initial"], c["learner"], int(seed))
        return ctx, c["settings"]


@dataclasses.dataclass(frozen=True)
class Scores:
    """The student's learning-potential scores of an episode (PLR's)."""

    #: Mean over steps of max(GAE, 0): where the student did better than it expected.
    positive_value_loss: float
    #: Mean |GAE|: how wrong its value estimates were either way.
    value_l1: float


@dataclasses.dataclass(frozen=True)
class Episode:
    """A finished training episode, as the teacher learns from it."""

    #: The task played (teacher coordinates).
    task: np.ndarray
    #: Episodic return.
    ret: float
    #: Env steps it took.
    length: int
    #: The world's own success criterion (e.g. return > 230).
    success: bool
    #: Present only for a teacher whose ``wants_scores`` is True.
    scores: Optional[Scores] = None


class BaseTeacher:
    """Defaults for every method of the teacher protocol but ``sample_task``.

    Subclasses override :meth:`sample_task` (or :meth:`propose`) and usually
    :meth:`update`. ``self.rng`` is a numpy Generator seeded from the run's
    seed; the default :meth:`state`/:meth:`restore` pickle the instance's
    attributes (RNG included), so resuming a run continues exactly as long as
    those attributes pickle.
    """

    #: Ask for the student's :class:`Scores` with each episode (costs a value pass).
    wants_scores: bool = False

    def __init__(self, context: Context, **settings: Any):
        if settings:
            raise TypeError(f"{type(self).__name__} takes no settings; got {sorted(settings)}")
        self.context = context
        self.space = context.space
        self.rng = np.random.default_rng(context.seed)

    def sample_task(self) -> Sequence[float]:
        """The next task, inside ``self.space``."""
        raise NotImplementedError(f"{type(self).__name__} must define sample_task() or propose()")

    def propose(self) -> Tuple[Sequence[float], bool]:
        """The next episode: its task and whether the student learns from it
        (False: the episode only measures the task, as robust PLR's do)."""
        return self.sample_task(), True

    def update(self, episode: Episode) -> None:
        """Learns from a finished episode."""

    def on_evaluation(self, returns: np.ndarray) -> None:
        """The returns of a periodic evaluation on the run's test set, in its order."""

    def state(self) -> Any:
        """Everything needed to continue exactly, as JSON-able data."""
        return {"pickle": base64.b64encode(pickle.dumps(self.__dict__)).decode()}

    def restore(self, state: Any) -> None:
        """Continues from what :meth:`state` returned (on a freshly built teacher)."""
        self.__dict__.update(pickle.loads(base64.b64decode(state["pickle"])))

    def dump(self) -> dict:
        """The teacher's statistics now (teacher.jsonl); JSON-able."""
        return {}

    def belief(self):
        """What the teacher believes about the task space, for the viewer:
        None, or a dict with a ``kind``: ``{"kind": "box", "low": [...],
        "high": [...]}``, ``"regions"`` (``regions``: ``low``, ``high``,
        ``score``), ``"mixture"`` (``components``: ``weight``, ``mean``,
        ``cov`` row-major), ``"gaussian"`` (``weight``, ``mean``, ``cov``) or
        ``"scored"`` (``tasks``: ``task``, ``score``)."""
        return None


def load_class(spec: str):
    """The class a ``teacher_python`` spec names: ``package.module:Class``
    or ``path/to/file.py:Class``."""
    where, _, name = spec.rpartition(":")
    if not where or not name:
        raise ValueError(f"teacher_python = {spec!r} must be `package.module:Class` or `path/to/file.py:Class`")
    if where.endswith(".py"):
        path = Path(where)
        if not path.is_file():
            raise FileNotFoundError(f"teacher_python = {spec!r}: no file {path}")
        module_name = f"_trellis_teacher_{abs(hash(str(path.resolve())))}"
        module = sys.modules.get(module_name)
        if module is None:
            loader = importlib.util.spec_from_file_location(module_name, path)
            module = importlib.util.module_from_spec(loader)
            sys.modules[module_name] = module
            loader.loader.exec_module(module)
    else:
        module = importlib.import_module(where)
    try:
        return getattr(module, name)
    except AttributeError:
        raise ValueError(f"teacher_python = {spec!r}: {where} has no `{name}`") from None


def class_spec(cls) -> str:
    """A ``teacher_python`` spec that loads ``cls`` again in another process
    (a resumed run, a sweep's run): ``module:Class`` for a class from an
    installed package, else the absolute path of its file, which does not
    depend on the working directory or ``sys.path`` of whoever resumes."""
    module = sys.modules.get(cls.__module__)
    path = getattr(module, "__file__", None)
    if path is None:
        # A notebook's class: this process can run it, another cannot.
        return f"{cls.__module__}:{cls.__qualname__}"
    installed = any(part in ("site-packages", "dist-packages") for part in Path(path).parts)
    if installed and cls.__module__ != "__main__":
        return f"{cls.__module__}:{cls.__qualname__}"
    return f"{Path(path).resolve()}:{cls.__qualname__}"


class _Bridge:
    """What the native trainer calls: the user's teacher behind plain types
    (lists, floats, JSON text), with its omissions named."""

    def __init__(self, teacher, name: str):
        missing = []
        if not (callable(getattr(teacher, "propose", None)) or callable(getattr(teacher, "sample_task", None))):
            missing.append("propose() or sample_task()")
        if not callable(getattr(teacher, "update", None)):
            missing.append("update(episode)")
        if missing:
            raise TypeError(f"teacher `{name}` ({type(teacher).__name__}) lacks {' and '.join(missing)}; "
                            "see trellis.BaseTeacher for the protocol")
        self.teacher = teacher
        self.name = name
        self.wants_scores = bool(getattr(teacher, "wants_scores", False))

    def propose(self) -> Tuple[List[float], bool]:
        t = self.teacher
        if callable(getattr(t, "propose", None)):
            got = t.propose()
            if not (isinstance(got, tuple) and len(got) == 2):
                raise TypeError(f"teacher `{self.name}`: propose() must return (task, learn), got {got!r}")
            task, learn = got
        else:
            task, learn = t.sample_task(), True
        return np.asarray(task, dtype=float).ravel().tolist(), bool(learn)

    def update(self, task, ret, length, success, scores) -> None:
        s = None if scores is None else Scores(*scores)
        self.teacher.update(Episode(np.asarray(task, dtype=float), float(ret), int(length), bool(success), s))

    def on_evaluation(self, returns) -> None:
        f = getattr(self.teacher, "on_evaluation", None)
        if callable(f):
            f(np.asarray(returns, dtype=float))

    def state(self) -> str:
        f = getattr(self.teacher, "state", None)
        state = f() if callable(f) else BaseTeacher.state(self.teacher)
        return json.dumps(state, default=_jsonable)

    def restore(self, text: str) -> None:
        f = getattr(self.teacher, "restore", None)
        state = json.loads(text)
        if callable(f):
            f(state)
        else:
            BaseTeacher.restore(self.teacher, state)

    def dump(self) -> str:
        f = getattr(self.teacher, "dump", None)
        return json.dumps(f() if callable(f) else {}, default=_jsonable)

    def belief(self) -> str:
        f = getattr(self.teacher, "belief", None)
        return json.dumps(f() if callable(f) else None, default=_jsonable)


def _jsonable(x):
    """numpy scalars and arrays in a teacher's state or dump, as JSON."""
    if isinstance(x, np.ndarray):
        return x.tolist()
    if isinstance(x, np.generic):
        return x.item()
    raise TypeError(f"{type(x).__name__} is not JSON-serialisable (return lists, numbers, strings, dicts)")
