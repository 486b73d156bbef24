"""trellis's worlds as Gymnasium environments."""

import json
from dataclasses import dataclass
from typing import List, Optional, Sequence

import gymnasium
import numpy as np
from gymnasium import spaces

from . import _core


def _camel(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


#: Gymnasium id → (trellis world name, family), e.g. "trellis/StumpTracks-v0".
WORLD_IDS = {f"trellis/{_camel(name)}-v0": (name, family) for name, family, _ in _core.worlds()}


@dataclass(frozen=True)
class TaskSpace:
    """A world's task space: one (name, low, high) per dimension."""

    dims: List[tuple]

    @staticmethod
    def from_json(text: str) -> "TaskSpace":
        return TaskSpace([(d["name"], d["low"], d["high"]) for d in json.loads(text)])

    @property
    def names(self) -> List[str]:
        return [d[0] for d in self.dims]

    @property
    def low(self) -> np.ndarray:
        return np.array([d[1] for d in self.dims])

    @property
    def high(self) -> np.ndarray:
        return np.array([d[2] for d in self.dims])

    def __len__(self) -> int:
        return len(self.dims)


class _Described:
    """What every trellis env says about itself (from the Rust spec)."""

    _core_env = None

    @property
    def spec_dict(self) -> dict:
        """The world's own spec: observation/action entries, reward range, success, step limit."""
        return json.loads(self._core_env.spec_json())

    @property
    def task_space(self) -> TaskSpace:
        return TaskSpace.from_json(self._core_env.task_space_json())

    @property
    def default_task(self) -> List[float]:
        return self._core_env.default_task()

    @property
    def return_range(self) -> tuple:
        """Where episodic returns (nearly always) lie: what teachers normalise by."""
        return tuple(self.spec_dict["reward_range"])

    @property
    def success_return(self) -> Optional[float]:
        s = self.spec_dict["success"]
        return s.get("ReturnAbove") if isinstance(s, dict) else None

    def check_task(self, task: Sequence[float]) -> None:
        """Raises ValueError (trellis's message) unless `task` fits the task space."""
        self._core_env.check_task([float(x) for x in task])


def world_options_json(world_options: Optional[dict], cppn_weights: Optional[str]) -> Optional[str]:
    """The world's options (its section of a run config; ``trellis describe
    --env NAME`` lists the keys) as the JSON the core takes.
    ``cppn_weights`` is shorthand for ``world_options={"cppn_weights": ...}``."""
    options = dict(world_options or {})
    if cppn_weights is not None:
        options["cppn_weights"] = str(cppn_weights)
    return json.dumps(options) if options else None


class WalkerEnv(_Described, gymnasium.Env):
    """A walker world (Stump Tracks, Hexagon Tracks, POET tracks, Parkour).

    The task (the procedural generation's parameter vector) is given with
    ``reset(options={"task": [...]})`` or :meth:`set_task`; it stays until
    changed. ``info`` carries ``task``, ``success`` (the world's criterion so
    far) and ``physics_error`` (the simulation blew up and ended the episode).
    ``world_options`` are the world's own options (Parkour's
    ``cppn_weights``, ...).
    """

    metadata = {"render_modes": []}

    def __init__(self, world: str = "stump-tracks", body: Optional[str] = None,
                 cppn_weights: Optional[str] = None, task: Optional[Sequence[float]] = None,
                 world_options: Optional[dict] = None):
        self._core_env = _core.WalkerEnv(world, body, world_options_json(world_options, cppn_weights))
        lo, hi = self._core_env.obs_bounds()
        self.observation_space = spaces.Box(lo, hi, dtype=np.float32)
        alo, ahi = self._core_env.act_bounds()
        self.action_space = spaces.Box(alo, ahi, dtype=np.float32)
        self._next_task = None if task is None else [float(x) for x in task]
        if self._next_task is not None:
            self.check_task(self._next_task)

    def set_task(self, task: Sequence[float]) -> None:
        """The task of the next episodes (checked now)."""
        task = [float(x) for x in task]
        self.check_task(task)
        self._next_task = task

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        super().reset(seed=seed)
        task = (options or {}).get("task", self._next_task)
        if task is not None:
            task = [float(x) for x in task]
            self._next_task = task
        # trellis seeds each episode from a u64; without a seed the env
        # continues its own stream (Gymnasium's np_random draws it).
        s = None if seed is None else int(seed) % 2**64
        if s is None and self._np_random is not None:
            s = int(self.np_random.integers(0, 2**63))
        obs = self._core_env.reset(s, task)
        return obs, {"task": self._core_env.task()}

    def step(self, action):
        a = np.ascontiguousarray(action, dtype=np.float32).reshape(-1)
        obs, reward, terminated, truncated, success, physics_error = self._core_env.step(a)
        info = {"success": success, "physics_error": physics_error}
        return obs, float(reward), terminated, truncated, info


class TextEnv(_Described, gymnasium.Env):
    """A procedural text adventure. Observations are text (feedback, goal and
    inventory in one string); actions are commands. ``info["admissible"]``
    lists the commands that do something here (TextWorld's admissible
    commands), ``info["feedback"]``/``["goal"]``/``["inventory"]`` the parts."""

    metadata = {"render_modes": []}

    def __init__(self, task: Optional[Sequence[float]] = None, max_length: int = 4096):
        self._core_env = _core.TextEnv()
        self.observation_space = spaces.Text(max_length=max_length, charset=_CHARSET)
        self.action_space = spaces.Text(max_length=256, charset=_CHARSET)
        self._next_task = None if task is None else [float(x) for x in task]
        self._max_length = max_length

    def set_task(self, task: Sequence[float]) -> None:
        task = [float(x) for x in task]
        self.check_task(task)
        self._next_task = task

    def _obs(self, parts):
        feedback, goal, inventory, admissible = parts
        text = f"{feedback}\n{goal}\n{inventory}"[: self._max_length]
        text = "".join(c if c in _CHARSET_SET else " " for c in text)
        return text, {"feedback": feedback, "goal": goal, "inventory": inventory, "admissible": admissible}

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        super().reset(seed=seed)
        task = (options or {}).get("task", self._next_task)
        if task is not None:
            task = [float(x) for x in task]
            self._next_task = task
        s = None if seed is None else int(seed) % 2**64
        if s is None and self._np_random is not None:
            s = int(self.np_random.integers(0, 2**63))
        return self._obs(self._core_env.reset(s, task))

    def step(self, action: str):
        parts, reward, terminated, truncated, won = self._core_env.step(str(action))
        obs, info = self._obs(parts)
        info["won"] = won
        return obs, float(reward), terminated, truncated, info


#: The characters a text observation or command may hold (printable ASCII and newlines).
_CHARSET = "".join(chr(c) for c in range(32, 127)) + "\n"
_CHARSET_SET = set(_CHARSET)
