"""A Gymnasium vector env over trellis's own multi-threaded VecEnv.

Sub-environments are stepped on trellis's thread pool (the GIL is released
meanwhile) and reset in the step their episode ends: Gymnasium's
``AutoresetMode.SAME_STEP``. The observation of a finished sub-env is then
the first one of its new episode; the last one of the ended episode is in
``infos["final_obs"][i]`` (with ``infos["_final_obs"][i]`` True), and
``infos["final_info"][i]`` holds its ``episode`` (return ``r``, length ``l``),
``success`` and ``task``. :meth:`VecWalkerEnv.set_task` chooses the task of a
sub-env's next episode: that is where a teacher plugs in.
"""

from typing import Optional, Sequence

import numpy as np
from gymnasium import spaces
from gymnasium.vector import AutoresetMode, VectorEnv
from gymnasium.vector.utils import batch_space

from . import _core
from .envs import TaskSpace, WORLD_IDS, world_options_json


class VecWalkerEnv(VectorEnv):
    metadata = {"autoreset_mode": AutoresetMode.SAME_STEP, "render_modes": []}

    def __init__(self, world: str = "stump-tracks", num_envs: int = 1, body: Optional[str] = None,
                 cppn_weights: Optional[str] = None, threads: int = 1, seed: int = 0,
                 world_options: Optional[dict] = None, **_ignored):
        world = WORLD_IDS.get(world, (world, None))[0]
        self._args = (world, num_envs, body, world_options_json(world_options, cppn_weights), threads)
        self._core_env = _core.VecWalkerEnv(*self._args, seed)
        self.num_envs = num_envs
        lo, hi = self._core_env.obs_bounds()
        self.single_observation_space = spaces.Box(lo, hi, dtype=np.float32)
        alo, ahi = self._core_env.act_bounds()
        self.single_action_space = spaces.Box(alo, ahi, dtype=np.float32)
        self.observation_space = batch_space(self.single_observation_space, num_envs)
        self.action_space = batch_space(self.single_action_space, num_envs)

    @property
    def task_space(self) -> TaskSpace:
        return TaskSpace.from_json(self._core_env.task_space_json())

    def set_task(self, i: int, task: Sequence[float]) -> None:
        """The task of sub-env ``i``'s next episode (checked now; ValueError if it does not fit)."""
        self._core_env.set_task(int(i), [float(x) for x in task])

    def tasks(self):
        """Each sub-env's current task."""
        return self._core_env.tasks()

    def reset(self, *, seed: Optional[int] = None, options: Optional[dict] = None):
        """Resets every sub-env. ``seed`` restarts trellis's per-env seed
        streams; ``options={"tasks": [...]}`` gives one task per sub-env."""
        if seed is not None:
            self._core_env = _core.VecWalkerEnv(*self._args, int(seed) % 2**64)
        tasks = (options or {}).get("tasks")
        if tasks is not None:
            tasks = [[float(x) for x in t] for t in tasks]
        obs = self._core_env.reset(tasks)
        return obs, {}

    def step(self, actions):
        a = np.ascontiguousarray(actions, dtype=np.float32).reshape(self.num_envs, -1)
        obs, rewards, terminated, truncated, finals = self._core_env.step(a)
        infos = {}
        if finals:
            final_obs = np.full(self.num_envs, None, dtype=object)
            final_info = np.full(self.num_envs, None, dtype=object)
            mask = np.zeros(self.num_envs, dtype=bool)
            for i, last_obs, ret, length, success in finals:
                final_obs[i] = last_obs
                final_info[i] = {"episode": {"r": ret, "l": length}, "success": success}
                mask[i] = True
            infos = {"final_obs": final_obs, "_final_obs": mask, "final_info": final_info, "_final_info": mask}
        return obs, rewards, terminated, truncated, infos


def make_vec(world: str = "stump-tracks", num_envs: int = 4, **kwargs) -> VecWalkerEnv:
    """A vector env of ``num_envs`` copies of a walker world (name or Gymnasium id)."""
    return VecWalkerEnv(world, num_envs, **kwargs)
