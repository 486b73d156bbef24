"""trellis's native learners (SAC, PPO) for a Python training loop."""

from typing import Optional

import numpy as np

from . import _core
from .teacher import _toml


class Student:
    """One of trellis's students that read vectors (``"sac"``, ``"ppo"``),
    the very learner ``trellis train`` runs, stepped by your loop.

    ``settings`` maps the student's config section (as in a run config's
    ``[ppo]`` or ``[sac]``); unknown keys or out-of-range values raise
    ValueError naming them. Batched over env instances: ``act`` takes one
    observation row per instance, ``observe`` the transitions that followed.

        student = trellis.Student("ppo", obs_dim=24, act_dim=4, seed=0)
        a = student.act(obs[None])                     # [1, act_dim], in [-1, 1]
        obs2, r, term, trunc, _ = env.step(a[0])
        student.observe(obs[None], a, [r], obs2[None], [term], [trunc])
    """

    def __init__(self, name: str, obs_dim: int, act_dim: int,
                 settings: Optional[dict] = None, seed: int = 0):
        self._s = _core.Student(name, int(obs_dim), int(act_dim), _toml(settings or {}), int(seed))

    def act(self, obs, deterministic: bool = False) -> np.ndarray:
        """Actions ``[n, act_dim]`` for observations ``[n, obs_dim]``;
        ``deterministic`` for evaluation (the policy's mean)."""
        return self._s.act(np.ascontiguousarray(obs, dtype=np.float32), bool(deterministic))

    def act_eval(self, obs, policy: str = "mean") -> np.ndarray:
        """Evaluation actions ``[n, act_dim]``: ``policy`` ``"mean"`` (the
        policy's mean action) or ``"sample"`` (drawn from the policy with
        the evaluation stream :meth:`seed_eval` sets, apart from the
        learner's: TeachMyAgent tests PPO this way). Records nothing."""
        return self._s.act_eval(np.ascontiguousarray(obs, dtype=np.float32), str(policy))

    def seed_eval(self, seed: int, step: int = 0) -> None:
        """Restarts the stream :meth:`act_eval` samples from at the
        evaluation at ``step`` of a run seeded ``seed``: the stream the
        native trainer draws for that evaluation, so evaluations replay."""
        self._s.seed_eval(int(seed), int(step))

    def observe(self, obs, actions, rewards, next_obs, terminated, truncated) -> None:
        """The transitions that followed the last stochastic ``act``, one per
        instance; ``next_obs`` is the true next observation (the final one
        where an episode ended). Learns when its schedule says so."""
        f = lambda x: np.ascontiguousarray(x, dtype=np.float32)
        b = lambda x: np.ascontiguousarray(x, dtype=bool)
        self._s.observe(f(obs), f(actions), f(rewards), f(next_obs), b(terminated), b(truncated))

    @property
    def updates(self) -> int:
        """Gradient steps taken so far."""
        return self._s.updates()

    @property
    def settings(self) -> str:
        """The settings in force, defaults filled in (TOML)."""
        return self._s.settings()

    def save(self) -> bytes:
        """The complete learning state, as a checkpoint holds it."""
        return self._s.save()

    def load(self, state: bytes) -> None:
        """Restores what :meth:`save` wrote (same settings)."""
        self._s.load(bytes(state))
