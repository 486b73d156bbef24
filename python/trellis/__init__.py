"""trellis from Python: procedurally generated worlds and curriculum teachers
at native speed, behind Gymnasium's API.

    import gymnasium, trellis
    env = gymnasium.make("trellis/StumpTracks-v0")
    obs, info = env.reset(seed=0, options={"task": [1.0, 3.0]})

    teacher = trellis.Teacher("alp-gmm", env.unwrapped.task_space, seed=0)
    task = teacher.sample_task(); ...; teacher.update(task, episode_return)

A teacher written in Python trains trellis's native students:
``trellis.train(out="runs/mine", teacher=MyTeacher)`` (see
:class:`BaseTeacher`).

Every world is registered as ``trellis/<Name>-v0`` (``body=`` picks a walker
body); :func:`make_vec` builds a vector env stepped on trellis's own threads.
"""

from . import _core
from .envs import WalkerEnv, TextEnv, TaskSpace, WORLD_IDS
from .vector import VecWalkerEnv, make_vec
from .teacher import Teacher
from .student import Student
from .custom_teacher import BaseTeacher, Context, Episode, Scores
from .training import train, Stopped, Busy
from .results import load_run, load_sweep

__all__ = ["WalkerEnv", "TextEnv", "TaskSpace", "VecWalkerEnv", "make_vec", "Teacher", "Student", "WORLD_IDS",
           "BaseTeacher", "Context", "Episode", "Scores", "train", "Stopped", "Busy", "load_run", "load_sweep",
           "worlds", "bodies", "teachers"]


def worlds():
    """(name, family, summary) of every world."""
    return _core.worlds()


def bodies():
    """Every walker body's name."""
    return _core.bodies()


def teachers():
    """Every teacher's name."""
    return _core.Teacher.names()


def _register():
    import gymnasium
    for env_id, (world, family) in WORLD_IDS.items():
        if env_id in gymnasium.registry:
            continue
        entry = "trellis.envs:TextEnv" if family == "text" else "trellis.envs:WalkerEnv"
        kwargs = {} if family == "text" else {"world": world}
        gymnasium.register(id=env_id, entry_point=entry, kwargs=kwargs,
                           vector_entry_point=None if family == "text" else "trellis.vector:VecWalkerEnv")


_register()
