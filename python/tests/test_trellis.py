"""The Python package: Gymnasium conformance of every world, the vector
env's autoreset, seeding, errors, teachers, and a numpy-only training loop
with a trellis teacher choosing the tasks."""

import gymnasium
import numpy as np
import pytest
from gymnasium.utils.env_checker import check_env

import trellis
from trellis.envs import WORLD_IDS


def walker_ids():
    return [i for i, (_, family) in WORLD_IDS.items() if family == "walker"]


@pytest.mark.parametrize("env_id", sorted(WORLD_IDS))
def test_every_world_passes_gymnasiums_checker(env_id):
    env = gymnasium.make(env_id)
    check_env(env.unwrapped, skip_render_check=True)


@pytest.mark.parametrize("body", trellis.bodies())
def test_every_body_passes_gymnasiums_checker(body):
    env = gymnasium.make("trellis/Parkour-v0", body=body)
    check_env(env.unwrapped, skip_render_check=True)


def rollout(env, seed, task, steps=200):
    obs, _ = env.reset(seed=seed, options={"task": task})
    rng = np.random.default_rng(seed)
    out = [obs]
    for _ in range(steps):
        obs, r, term, trunc, _ = env.step(rng.uniform(-1, 1, env.action_space.shape).astype(np.float32))
        out.append(obs)
        if term or trunc:
            break
    return np.array(out)


def test_same_seed_same_episode_other_seed_other_episode():
    env = gymnasium.make("trellis/StumpTracks-v0").unwrapped
    a, b = rollout(env, 5, [1.0, 3.0]), rollout(env, 5, [1.0, 3.0])
    assert np.array_equal(a, b)
    c = rollout(env, 6, [1.0, 3.0])
    assert not np.array_equal(a, c)


@pytest.mark.parametrize("task, message", [
    ([float("nan"), 3.0], "task dimension `stump_height` is NaN, which is not a finite number"),
    ([1.0], "task vector has 1 values, the task space has 2"),
    ([99.0, 3.0], "task dimension `stump_height` = 99 is outside its allowed range"),
])
def test_bad_task_vectors_raise_value_error_with_trellis_message(task, message):
    env = gymnasium.make("trellis/StumpTracks-v0").unwrapped
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        env.reset(options={"task": task})
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace("[", r"\[")):
        env.set_task(task)


def test_world_options_are_the_worlds_own_and_checked_by_it():
    # Parkour's ceiling_offset lowers the ceiling into the climber's (upward) lidar.
    default = trellis.WalkerEnv("parkour", body="climbing_profile_chimpanzee")
    lowered = trellis.WalkerEnv("parkour", body="climbing_profile_chimpanzee", world_options={"ceiling_offset": 50})
    a, _ = default.reset(seed=0)
    b, _ = lowered.reset(seed=0)
    assert not np.allclose(a, b)
    with pytest.raises(ValueError, match=r"parkour\.ceiling_offset.*\[0, 1000\]"):
        trellis.WalkerEnv("parkour", world_options={"ceiling_offset": -1})
    with pytest.raises(ValueError, match=r"stump-tracks\.cppn_weights.*no options"):
        trellis.WalkerEnv("stump-tracks", world_options={"cppn_weights": "w.json"})


def test_vector_env_resets_in_the_same_step_and_reports_the_final_observation():
    vec = trellis.make_vec("trellis/StumpTracks-v0", num_envs=3, threads=2, seed=1)
    assert vec.metadata["autoreset_mode"] == gymnasium.vector.AutoresetMode.SAME_STEP
    obs, _ = vec.reset(seed=1, options={"tasks": [[0.0, 5.0]] * 3})
    assert obs.shape == (3, vec.single_observation_space.shape[0]) and obs.dtype == np.float32
    vec.set_task(1, [2.0, 1.0])
    finished = 0
    rng = np.random.default_rng(0)
    for _ in range(3000):
        obs, rewards, term, trunc, infos = vec.step(rng.uniform(-1, 1, vec.action_space.shape))
        assert rewards.shape == (3,) and np.isfinite(obs).all()
        if "final_obs" in infos:
            for i in np.flatnonzero(infos["_final_obs"]):
                assert term[i] or trunc[i]
                assert infos["final_obs"][i].shape == obs[i].shape
                assert np.isfinite(infos["final_info"][i]["episode"]["r"])
                finished += 1
                if i == 1 and finished == 1:
                    assert vec.tasks()[1] == [2.0, 1.0], "set_task applies from the next episode"
        if finished >= 3:
            break
    assert finished >= 3
    with pytest.raises(ValueError, match="outside its allowed range"):
        vec.set_task(0, [0.0, 99.0])


def test_vector_env_is_deterministic_whatever_the_thread_count():
    def run(threads):
        vec = trellis.make_vec("stump-tracks", num_envs=4, threads=threads, seed=7)
        obs, _ = vec.reset(seed=7)
        rng = np.random.default_rng(3)
        trace = [obs]
        for _ in range(300):
            obs, *_ = vec.step(rng.uniform(-1, 1, vec.action_space.shape))
            trace.append(obs)
        return np.array(trace)
    assert np.array_equal(run(1), run(2))


def test_text_world_lists_admissible_commands_and_plays_them():
    env = gymnasium.make("trellis/TextWorld-v0").unwrapped
    obs, info = env.reset(seed=0)
    assert isinstance(obs, str) and info["admissible"]
    obs2, reward, term, trunc, info2 = env.step(info["admissible"][0])
    assert isinstance(obs2, str) and np.isfinite(reward)
    with pytest.raises(ValueError, match="task vector has 1 values"):
        env.reset(options={"task": [1.0]})


def test_teacher_round_trips_and_refuses_bad_settings():
    space = gymnasium.make("trellis/StumpTracks-v0").unwrapped.task_space
    t = trellis.Teacher("alp-gmm", space, config={"fit_rate": 20}, seed=3)
    rng = np.random.default_rng(0)
    for _ in range(100):
        task = t.sample_task()
        assert all(lo <= x <= hi for x, (_, lo, hi) in zip(task, space.dims))
        t.update(task, float(rng.uniform(-100, 300)))
    copy = trellis.Teacher.restore(t.state())
    other = trellis.Teacher.for_env("random", gymnasium.make("trellis/Parkour-v0", body="fish"), seed=1)
    assert len(other.sample_task()) == len(gymnasium.make("trellis/Parkour-v0").unwrapped.task_space)
    assert [t.sample_task() for _ in range(5)] == [copy.sample_task() for _ in range(5)]
    assert t.dump()["teacher"] == "alp-gmm"
    with pytest.raises(ValueError, match="fit_rate"):
        trellis.Teacher("alp-gmm", space, config={"fit_rate": -3})
    with pytest.raises(ValueError, match="unknown teacher"):
        trellis.Teacher("oracle", space)
    assert {"plr", "accel", "sfl", "again"} <= set(trellis.teachers())


def test_random_search_with_a_trellis_teacher():
    """A numpy-only student: hill climbing on a linear policy, the tasks
    chosen by ALP-GMM. The policy it keeps does better than where it
    started on the tasks it was judged on, and the teacher fitted a mixture."""
    env = gymnasium.make("trellis/StumpTracks-v0").unwrapped
    teacher = trellis.Teacher("alp-gmm", env.task_space, config={"fit_rate": 10}, seed=0)
    rng = np.random.default_rng(0)
    obs_dim, act_dim = env.observation_space.shape[0], env.action_space.shape[0]

    def episode(w, task, seed):
        obs, _ = env.reset(seed=seed, options={"task": task})
        ret = 0.0
        for _ in range(400):
            obs, r, term, trunc, _ = env.step(np.tanh(w @ obs))
            ret += r
            if term or trunc:
                break
        return ret

    w = np.zeros((act_dim, obs_dim))
    accepted, gains = 0, []
    for it in range(40):
        task = teacher.sample_task()
        cand = w + 0.1 * rng.standard_normal(w.shape)
        base, new = episode(w, task, it), episode(cand, task, it)
        assert np.isfinite(base) and np.isfinite(new)
        teacher.update(task, max(base, new))
        if new > base:
            w, accepted = cand, accepted + 1
            gains.append(new - base)
    assert accepted >= 1 and min(gains) > 0, "hill climbing never moved"
    assert teacher.dump()["gmm"] is not None, "ALP-GMM fitted no mixture in 40 episodes"


def test_student_learns_a_one_step_task_from_a_python_loop():
    """trellis's native PPO, stepped by Python, learns a one-step task (reward
    -|a - 0.5| per dimension): the reward of its own stochastic actions rises
    well above where it started (it cannot without learning)."""
    s = trellis.Student("ppo", obs_dim=3, act_dim=2, seed=0,
                        settings={"hidden": [16], "rollout": 256, "minibatch": 64, "epochs": 4, "lr": 3e-3})
    obs = np.ones((4, 3), np.float32)
    rewards = []
    for _ in range(500):
        a = s.act(obs)
        r = -np.abs(a - 0.5).sum(1)
        s.observe(obs, a, r, obs, np.ones(4, bool), np.zeros(4, bool))
        rewards.append(r.mean())
    assert s.updates > 0
    first, last = np.mean(rewards[:64]), np.mean(rewards[-100:])
    assert last > first + 0.4, (first, last)


def test_student_evaluates_with_its_mean_or_with_seeded_samples():
    """act_eval: "mean" is the deterministic action; "sample" draws from the
    policy with the stream seed_eval sets (replays from the same seed), and
    evaluating leaves the learner's own stream where it was."""
    a, b = (trellis.Student("ppo", 3, 2, settings={"hidden": [8]}, seed=1) for _ in range(2))
    obs = np.full((64, 3), 0.5, np.float32)
    np.testing.assert_array_equal(a.act_eval(obs), a.act(obs, True))
    a.seed_eval(7)
    first = a.act_eval(obs, "sample")
    assert first.std(0).min() > 0.2 and np.abs(first).max() <= 1.0
    a.seed_eval(7)
    np.testing.assert_array_equal(first, a.act_eval(obs, "sample"))
    assert not np.array_equal(first, a.act_eval(obs, "sample"))
    # Each evaluation of a run (its seed and step) has its own noise.
    a.seed_eval(7, 50_000)
    later = a.act_eval(obs, "sample")
    assert not np.array_equal(first, later)
    a.seed_eval(7, 50_000)
    np.testing.assert_array_equal(later, a.act_eval(obs, "sample"))
    np.testing.assert_array_equal(a.act(obs), b.act(obs))
    with pytest.raises(ValueError, match="`mean` or `sample`"):
        a.act_eval(obs, "stochastic")


def test_student_checkpoints_refuses_bad_settings_and_text_students():
    a = trellis.Student("sac", 5, 2, settings={"hidden": [8, 8], "batch_size": 4, "start_steps": 0}, seed=3)
    obs = np.random.default_rng(0).normal(size=(2, 5)).astype(np.float32)
    b = trellis.Student("sac", 5, 2, settings={"hidden": [8, 8], "batch_size": 4, "start_steps": 0}, seed=9)
    assert not np.allclose(a.act(obs, True), b.act(obs, True))
    b.load(a.save())
    np.testing.assert_array_equal(a.act(obs, True), b.act(obs, True))
    with pytest.raises(ValueError, match="lr"):
        trellis.Student("ppo", 5, 2, settings={"lr": 5.0})
    with pytest.raises(ValueError, match="unknown"):
        trellis.Student("ppo", 5, 2, settings={"no_such_field": 1})
    with pytest.raises(ValueError, match="reads text"):
        trellis.Student("text-ac", 5, 2)
    with pytest.raises(ValueError, match="columns"):
        a.act(np.zeros((1, 4), np.float32))
