"""Teachers written in Python driving trellis's native trainer: the run dir
they leave, determinism, exact resume after a stop, a sweep with one, the
errors a broken teacher gets, and the results as data frames."""

import filecmp
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import trellis

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "examples" / "teachers"))
from lp_bandit import LearningProgressBandit  # noqa: E402

# A few seconds a run: PPO with small networks and rollouts, a short test set.
SMALL = dict(steps=6000, eval_every=3000, checkpoint_every=3000, dump_every=2000, test_episodes=3,
             ppo={"hidden": [32, 32], "rollout": 1000, "minibatch": 250, "epochs": 2})


class Uniform(trellis.BaseTeacher):
    """The smallest teacher: uniform tasks, and it counts what it is told."""

    def __init__(self, context, **settings):
        super().__init__(context)
        self.episodes = 0

    def sample_task(self):
        return self.rng.uniform(self.space.low, self.space.high)

    def update(self, episode):
        assert episode.task.shape == (len(self.space),)
        self.episodes += 1

    def dump(self):
        return {"episodes": self.episodes}


def trellis_bin() -> Path:
    exe = Path(os.environ.get("TRELLIS_BIN", ROOT / "target" / "release" / "trellis"))
    if not exe.exists():
        pytest.fail(f"{exe} not built: `cargo build --release` (or set TRELLIS_BIN)")
    return exe


def test_a_python_teacher_trains_a_native_student_into_the_usual_run_dir(tmp_path):
    out = trellis.train(tmp_path / "py", teacher=Uniform, quiet=True, **SMALL)
    native = trellis.train(tmp_path / "rs", teacher="random", quiet=True, **SMALL)
    assert out["step"] == native["step"] == 6000 and out["episodes"] > 0
    names = lambda d: sorted(p.name for p in d.iterdir())
    assert names(tmp_path / "py") == names(tmp_path / "rs")
    run = trellis.load_run(tmp_path / "py")
    assert run.config["teacher"] == "Uniform" and run.config["teacher_python"].endswith(":Uniform")
    assert len(run.episodes) == out["episodes"]
    assert list(run.evals["step"]) == [3000, 6000]
    # Tasks inside the space, and the teacher's dumps in teacher.jsonl.
    assert run.episodes["stump_height"].between(0, 3).all()
    assert '"episodes"' in (tmp_path / "py" / "teacher.jsonl").read_text()


def test_same_seed_same_episodes(tmp_path):
    for name in ("a", "b"):
        trellis.train(tmp_path / name, teacher=LearningProgressBandit, seed=3, quiet=True, **SMALL)
    assert filecmp.cmp(tmp_path / "a" / "episodes.csv", tmp_path / "b" / "episodes.csv", shallow=False)
    trellis.train(tmp_path / "c", teacher=LearningProgressBandit, seed=4, quiet=True, **SMALL)
    assert not filecmp.cmp(tmp_path / "a" / "episodes.csv", tmp_path / "c" / "episodes.csv", shallow=False)


class StopsOnce(LearningProgressBandit):
    """Asks for a stop (as a signal would) after 7 episodes, once."""

    def update(self, episode):
        super().update(episode)
        self.seen = getattr(self, "seen", 0) + 1
        if self.seen == 7 and not os.environ.get("TRELLIS_TEST_RESUMED"):
            trellis._core.request_stop()


def test_a_stopped_run_resumes_exactly_with_its_python_teacher(tmp_path):
    whole = tmp_path / "whole"
    trellis.train(whole, teacher=LearningProgressBandit, quiet=True, **SMALL)
    cut = tmp_path / "cut"
    with pytest.raises(trellis.Stopped, match="checkpointed"):
        trellis.train(cut, teacher=StopsOnce, quiet=True, **SMALL)
    assert (cut / "checkpoint.bin").exists() and not (cut / "summary.json").exists()
    os.environ["TRELLIS_TEST_RESUMED"] = "1"
    try:
        out = trellis.train(resume=cut, quiet=True)  # the teacher is rebuilt from the run's teacher_python
    finally:
        del os.environ["TRELLIS_TEST_RESUMED"]
    assert out["step"] == 6000
    assert filecmp.cmp(whole / "episodes.csv", cut / "episodes.csv", shallow=False)
    assert trellis.load_run(whole).evals["mastered_pct"].tolist() == trellis.load_run(cut).evals["mastered_pct"].tolist()


def test_the_binary_hands_python_teacher_runs_to_the_package(tmp_path):
    cfg = tmp_path / "run.toml"
    cfg.write_text(f'teacher = "lp-bandit"\nteacher_python = "{ROOT}/examples/teachers/lp_bandit.py:LearningProgressBandit"\n'
                   'steps = 3000\neval_every = 3000\ntest_episodes = 2\n[ppo]\nhidden = [16, 16]\nrollout = 500\nminibatch = 250\n')
    env = dict(os.environ, TRELLIS_PYTHON=sys.executable)
    r = subprocess.run([trellis_bin(), "train", "--config", cfg, "--out", tmp_path / "run", "--quiet"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "3000 steps" in r.stdout
    # Extending it goes through the package too, and continues the teacher.
    r = subprocess.run([trellis_bin(), "train", "--resume", tmp_path / "run", "--steps", "4500", "--quiet"],
                       env=env, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert trellis.load_run(tmp_path / "run").evals["step"].tolist() == [3000, 4500]
    # Without the package, the binary says what is missing.
    r = subprocess.run([trellis_bin(), "train", "--config", cfg, "--out", tmp_path / "other", "--quiet"],
                       env=dict(os.environ, TRELLIS_PYTHON="/nonexistent/python"), capture_output=True, text=True)
    assert r.returncode == 2
    assert "written in Python" in r.stderr and "trellis Python package" in r.stderr
    assert not (tmp_path / "other").exists()


def test_a_sweep_compares_a_python_teacher_and_reports_it(tmp_path):
    exe, env = trellis_bin(), dict(os.environ, TRELLIS_PYTHON=sys.executable)
    teachers = ROOT / "examples" / "teachers" / "teachers.toml"
    run = lambda *a: subprocess.run([exe, *a], env=env, capture_output=True, text=True, cwd=ROOT)
    r = run("sweep", "plan", "--scale", "smoke", "--experiments", "stump-unfeasible", "--teachers", "random,lp-bandit",
            "--expert", "no", "--teachers-file", teachers, "-o", tmp_path / "m.json")
    assert r.returncode == 0, r.stderr
    r = run("sweep", "run", "--manifest", tmp_path / "m.json", "--out", tmp_path / "sweep", "--jobs", "2", "--quiet")
    assert r.returncode == 0, r.stdout + r.stderr
    r = run("report", tmp_path / "sweep")
    assert r.returncode == 0, r.stderr
    assert "lp-bandit" in (tmp_path / "sweep" / "report" / "report.md").read_text()
    sweep = trellis.load_sweep(tmp_path / "sweep")
    assert set(sweep.runs["teacher"]) == {"random", "lp-bandit"}
    assert sweep.runs["final_mastered"].notna().all()
    row = sweep.summary.set_index("teacher").loc["lp-bandit"]
    assert row["finished"] == 1 and row["mean"] == sweep.runs.set_index("teacher").loc["lp-bandit", "final_mastered"]
    assert {"hedges_g", "area", "area_welch_p", "area_hedges_g"} <= set(sweep.summary.columns)
    assert set(sweep.evals["teacher"]) == {"random", "lp-bandit"}


class Raises(Uniform):
    """Fails at the end of the first episode that starts after 1,000 steps: the
    first checkpoint (due at 1,000 steps, taken at an episode end) is written
    by then, whatever the episodes' lengths."""

    def __init__(self, *a, **k):
        super().__init__(*a, **k)
        self.steps, self.armed = 0, False

    def update(self, episode):
        super().update(episode)
        if self.armed:
            raise RuntimeError("the teacher's own bug")
        self.steps += episode.length
        self.armed = self.steps >= 1000


class RaisesAtOnce(Uniform):
    def update(self, episode):
        raise RuntimeError("the teacher's own bug")


def test_a_teacher_that_raises_stops_the_run_with_its_traceback_and_keeps_the_checkpoint(tmp_path):
    settings = dict(SMALL, checkpoint_every=1000)
    with pytest.raises(RuntimeError, match="the teacher's own bug") as e:
        trellis.train(tmp_path / "r", teacher=Raises, quiet=True, **settings)
    assert any(f.name == "update" for f in e.traceback), "the teacher's frame is in the traceback"
    ckpt = tmp_path / "r" / "checkpoint.bin"
    assert ckpt.exists() and not (tmp_path / "r" / "summary.json").exists()
    before = ckpt.read_bytes()
    with pytest.raises(RuntimeError):
        trellis.train(resume=tmp_path / "r", teacher=RaisesAtOnce, quiet=True)
    assert ckpt.read_bytes() == before


class OutOfBounds(Uniform):
    def sample_task(self):
        return [5.0, 1.0]


class WrongLength(Uniform):
    def sample_task(self):
        return [1.0]


class NoUpdate:
    def __init__(self, context):
        pass

    def sample_task(self):
        return [0.0, 0.0]


class BoxTeacher(Uniform):
    """Draws the lower half of the space as its belief."""

    def belief(self):
        high = (self.space.low + self.space.high) / 2
        return {"kind": "box", "low": self.space.low, "high": high}


class BadBelief(Uniform):
    def belief(self):
        return {"kind": "cloud"}


def test_a_python_teachers_belief_reaches_teacher_jsonl_typed(tmp_path):
    import json
    trellis.train(tmp_path / "box", teacher=BoxTeacher, quiet=True, **SMALL)
    lines = [json.loads(l) for l in (tmp_path / "box" / "teacher.jsonl").read_text().splitlines()]
    assert lines[-1]["belief"] == {"kind": "box", "low": [0.0, 0.0], "high": [1.5, 3.0]}
    assert lines[-1]["dump"] == {"episodes": lines[-1]["dump"]["episodes"]}
    trellis.train(tmp_path / "none", teacher=Uniform, quiet=True, **SMALL)
    last = json.loads((tmp_path / "none" / "teacher.jsonl").read_text().splitlines()[-1])
    assert last["belief"] == {"kind": "nothing"}
    # trellis's own teachers give theirs from Python too.
    t = trellis.Teacher("riac", [("h", 0.0, 3.0), ("s", 0.0, 6.0)], seed=1)
    assert t.belief() == {"kind": "regions", "regions": [{"low": [0.0, 0.0], "high": [3.0, 6.0], "score": 0.0}]}
    with pytest.raises(ValueError, match=r"belief\(\) did not give a belief.*\"box\" \(low, high\)"):
        trellis.train(tmp_path / "bad", teacher=BadBelief, quiet=True, **SMALL)


@pytest.mark.parametrize("teacher, error, message", [
    (OutOfBounds, ValueError, r"stump_height` = 5 is outside its allowed range \[0, 3\]"),
    (WrongLength, ValueError, r"task vector has 1 values, the task space has 2 \(stump_height, stump_spacing\)"),
    (NoUpdate, TypeError, r"lacks update\(episode\)"),
])
def test_a_broken_teacher_gets_an_error_naming_what_is_wrong(tmp_path, teacher, error, message):
    with pytest.raises(error, match=message):
        trellis.train(tmp_path / "r", teacher=teacher, quiet=True, **SMALL)


def test_settings_reach_the_constructor_and_bad_ones_are_named(tmp_path):
    with pytest.raises(ValueError, match=r"cells = 99 is outside its allowed range \[1, 32\]"):
        trellis.train(tmp_path / "r", teacher=LearningProgressBandit, teacher_config={"cells": 99}, quiet=True, **SMALL)
    assert not (tmp_path / "r").exists(), "nothing is written for a teacher that cannot be built"
    trellis.train(tmp_path / "ok", teacher=LearningProgressBandit, teacher_config={"cells": 2}, quiet=True, **SMALL)
    dumps = (tmp_path / "ok" / "teacher.jsonl").read_text().splitlines()
    import json
    assert len(json.loads(dumps[-1])["dump"]["progress"]) == 4  # 2 × 2 cells



def test_the_same_teacher_from_python_plays_the_same_episodes_as_in_rust(tmp_path, capfd):
    # The overhead benchmark's teacher: trellis's `random` behind the Python
    # protocol, a pyo3 object made, used, pickled and dropped inside the run.
    sys.path.insert(0, str(ROOT / "bench"))
    from python_teacher import Uniform as RandomFromPython
    trellis.train(tmp_path / "py", teacher=RandomFromPython, quiet=True, **SMALL)
    trellis.train(tmp_path / "rs", teacher="random", quiet=True, **SMALL)
    assert filecmp.cmp(tmp_path / "py" / "episodes.csv", tmp_path / "rs" / "episodes.csv", shallow=False)
    assert "Traceback" not in capfd.readouterr().err


class AsksForScores(Uniform):
    """A teacher that asks for the student's scores (PLR's), and an evaluation hook."""

    wants_scores = True

    def update(self, episode):
        super().update(episode)
        assert isinstance(episode.scores, trellis.Scores)
        assert np.isfinite(episode.scores.positive_value_loss) and episode.scores.value_l1 >= 0
        self.scored = getattr(self, "scored", 0) + 1

    def on_evaluation(self, returns):
        self.evaluations = getattr(self, "evaluations", []) + [len(returns)]

    def dump(self):
        return {"scored": getattr(self, "scored", 0), "evaluations": getattr(self, "evaluations", [])}


def test_a_teacher_gets_scores_when_it_asks_and_every_evaluation(tmp_path):
    import json
    trellis.train(tmp_path / "r", teacher=AsksForScores, quiet=True, **dict(SMALL, dump_every=6000))
    last = json.loads((tmp_path / "r" / "teacher.jsonl").read_text().splitlines()[-1])["dump"]
    assert last["scored"] > 0
    assert last["evaluations"] == [3]  # the dump at 6000 comes before that step's evaluation
