"""trellis's teachers for a Python training loop."""

import json
from typing import Optional, Sequence, Union

from . import _core
from .envs import TaskSpace


class Teacher:
    """A curriculum teacher (``trellis.teachers()`` lists them).

    ``space`` is a :class:`TaskSpace` (``env.unwrapped.task_space``) or a list
    of (name, low, high); ``reward_range`` normalises returns (trellis's
    walkers: the reference's (-150, 350)) and ``success_return`` is the
    mastery bar. ``config`` maps the teacher's settings (as in a run
    config's ``[teacher_config]``); unknown keys or out-of-range values
    raise ValueError naming them.

        teacher = trellis.Teacher("alp-gmm", env.unwrapped.task_space, seed=0)
        task = teacher.sample_task()
        ... play an episode on task ...
        teacher.update(task, episode_return)
    """

    def __init__(self, name: str, space: Union[TaskSpace, Sequence[tuple]],
                 reward_range=(-150.0, 350.0), success_return: float = 230.0,
                 config: Optional[dict] = None, seed: int = 0, _core_teacher=None):
        if _core_teacher is not None:
            self._t = _core_teacher
            return
        dims = space.dims if isinstance(space, TaskSpace) else list(space)
        dims = [(str(n), float(lo), float(hi)) for n, lo, hi in dims]
        self._t = _core.Teacher(name, dims, (float(reward_range[0]), float(reward_range[1])),
                                float(success_return), _toml(config or {}), int(seed))

    @staticmethod
    def for_env(name: str, env, config: Optional[dict] = None, seed: int = 0) -> "Teacher":
        """A teacher over ``env``'s task space, with its return range and success bar."""
        env = getattr(env, "unwrapped", env)
        bar = env.success_return
        return Teacher(name, env.task_space, env.return_range, 230.0 if bar is None else bar, config, seed)

    def sample_task(self):
        """The next task vector."""
        return self._t.sample_task()

    def propose(self):
        """(task, learn): replay teachers ask for episodes that only score a task (learn False)."""
        return self._t.propose()

    def update(self, task: Sequence[float], ret: float, length: int = 1, success: bool = False) -> None:
        """The outcome of an episode played on ``task``."""
        self._t.update([float(x) for x in task], float(ret), int(length), bool(success))

    def state(self) -> str:
        """JSON from which :meth:`restore` rebuilds the teacher exactly."""
        return self._t.state()

    @staticmethod
    def restore(state: str) -> "Teacher":
        return Teacher("", [], _core_teacher=_core.Teacher.restore(state))

    def __getstate__(self) -> dict:
        """Pickles as its exact state, so a Python teacher that holds one
        checkpoints with ``BaseTeacher``'s default ``state()``."""
        return {"state": self.state()}

    def __setstate__(self, pickled: dict) -> None:
        self._t = _core.Teacher.restore(pickled["state"])

    def dump(self) -> dict:
        """The teacher's statistics (episodes, losses, counters)."""
        return json.loads(self._t.dump())

    def belief(self) -> dict:
        """What the teacher believes about the task space, with a ``kind``:
        ``box``, ``regions``, ``mixture``, ``gaussian``, ``scored`` or
        ``nothing`` (the viewer draws it)."""
        return json.loads(self._t.belief())


def _toml(config: dict) -> str:
    """A flat or nested dict as TOML text (the teacher's config format)."""
    def value(v):
        if isinstance(v, bool):
            return "true" if v else "false"
        if isinstance(v, (int, float)):
            return repr(v)
        if isinstance(v, str):
            return json.dumps(v)
        if isinstance(v, (list, tuple)):
            return "[" + ", ".join(value(x) for x in v) + "]"
        if isinstance(v, dict):
            return "{ " + ", ".join(f"{k} = {value(x)}" for k, x in v.items()) + " }"
        raise ValueError(f"teacher config: unsupported value {v!r}")
    return "\n".join(f"{k} = {value(v)}" for k, v in config.items())
