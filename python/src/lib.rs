//! `trellis._core`: the Rust side of the Python package. Thin on purpose:
//! worlds, a vector of worlds stepped on trellis's own thread pool, text
//! worlds and teachers, with arrays handed to numpy by move (no copy) and the
//! GIL released while the physics runs. Gymnasium's API (spaces, seeding,
//! autoreset, registration) lives in Python (`python/trellis`), where its
//! users will read it.
//!
//! Errors keep trellis's messages: a refused task vector raises
//! `ValueError` with the text the CLI prints.


mod student;
mod train;

use numpy::{IntoPyArray, PyArray1, PyArray2, PyArrayMethods, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use trellis_core::{Dim, TaskSpace};
use trellis_envs::registry::{WorldRequest, make_walker_with};
use trellis_envs::text::TextWorldEnv;
use trellis_envs::walker::WalkerConfig;
use trellis_envs::{ContinuousEnv, Env, VecEnv as RsVecEnv, WalkerEnv as RsWalker};

fn bad(e: impl std::fmt::Display) -> PyErr {
    PyValueError::new_err(e.to_string())
}

/// A walker world; `options` is the world's options as JSON (an object,
/// the keys `trellis describe --env NAME` lists).
fn walker(world: &str, body: Option<&str>, options: Option<&str>) -> PyResult<RsWalker> {
    let options: toml::Table = match options {
        Some(json) => serde_json::from_str(json).map_err(|e| bad(format!("world options: {e}")))?,
        None => toml::Table::new(),
    };
    let req = WorldRequest {
        body: body.map(Into::into),
        options,
        ..WorldRequest::default()
    };
    make_walker_with(world, &req, WalkerConfig::default()).map_err(bad)
}

fn space_json(space: &TaskSpace) -> String {
    let dims: Vec<_> = space
        .dims
        .iter()
        .map(|d| serde_json::json!({"name": d.name, "low": d.low, "high": d.high}))
        .collect();
    serde_json::Value::Array(dims).to_string()
}

fn check_action(got: usize, want: usize) -> PyResult<()> {
    if got == want {
        Ok(())
    } else {
        Err(bad(format!("action has {got} values, the action space has {want}")))
    }
}

/// A `#[pymethods]` block with what every world object tells Python about
/// itself, then the type's own methods (pyo3 allows one block per type).
macro_rules! world_methods {
    ($t:ty { $($own:tt)* }) => {
        #[pymethods]
        impl $t {
        /// The world's spec (observation/action entries, reward range, success, step limit) as JSON.
        fn spec_json(&self) -> String {
            serde_json::to_string(self.proto().spec()).expect("a spec serialises")
        }
        /// The task space as JSON: `[{name, low, high}, ...]`.
        fn task_space_json(&self) -> String {
            space_json(self.proto().task_space())
        }
        /// The world's easiest task.
        fn default_task(&self) -> Vec<f64> {
            self.proto().default_task()
        }
        /// Checks a task vector; the error is trellis's message.
        fn check_task(&self, task: Vec<f64>) -> PyResult<()> {
            self.proto().task_space().validate(&task).map_err(bad)
        }

        $($own)*
        }
    };
}

/// One walker world (Stump Tracks, Hexagon Tracks, POET tracks, Parkour).
#[pyclass(module = "trellis._core")]
struct WalkerEnv {
    env: RsWalker,
}

impl WalkerEnv {
    fn proto(&self) -> &RsWalker {
        &self.env
    }
}

world_methods! { WalkerEnv {
    #[new]
    #[pyo3(signature = (world, body=None, options=None))]
    fn new(world: &str, body: Option<&str>, options: Option<&str>) -> PyResult<Self> {
        Ok(Self { env: walker(world, body, options)? })
    }

    /// Observation bounds (low, high).
    fn obs_bounds<'py>(&self, py: Python<'py>) -> (Bound<'py, PyArray1<f32>>, Bound<'py, PyArray1<f32>>) {
        let b = self.env.observation_space();
        (b.low.clone().into_pyarray(py), b.high.clone().into_pyarray(py))
    }

    /// Action bounds (low, high).
    fn act_bounds<'py>(&self, py: Python<'py>) -> (Bound<'py, PyArray1<f32>>, Bound<'py, PyArray1<f32>>) {
        let b = self.env.action_space();
        (b.low.clone().into_pyarray(py), b.high.clone().into_pyarray(py))
    }

    /// Starts an episode; `task` None keeps the current one.
    #[pyo3(signature = (seed=None, task=None))]
    fn reset<'py>(&mut self, py: Python<'py>, seed: Option<u64>, task: Option<Vec<f64>>) -> PyResult<Bound<'py, PyArray1<f32>>> {
        let (obs, _) = self.env.reset(seed, task.as_deref()).map_err(bad)?;
        Ok(obs.into_pyarray(py))
    }

    /// One step: (obs, reward, terminated, truncated, success, physics_error).
    #[allow(clippy::type_complexity)]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        action: PyReadonlyArray1<'py, f32>,
    ) -> PyResult<(Bound<'py, PyArray1<f32>>, f64, bool, bool, bool, bool)> {
        let a = action.as_slice().map_err(bad)?.to_vec();
        check_action(a.len(), self.env.action_space().dim())?;
        let s = self.env.step(&a);
        Ok((s.obs.into_pyarray(py), s.reward, s.terminated, s.truncated, s.info.success, s.info.physics_error))
    }

    /// The current episode's task.
    fn task(&self) -> Vec<f64> {
        self.env.task().to_vec()
    }
}}

/// `n` copies of one walker world stepped together on trellis's thread pool,
/// finished episodes reset in the same step (Gymnasium's SAME_STEP autoreset).
#[pyclass(module = "trellis._core")]
struct VecWalkerEnv {
    vec: RsVecEnv<RsWalker>,
    /// Tasks for instances' next episodes, set from Python (a teacher's choice).
    next: Vec<Option<Vec<f64>>>,
    obs_dim: usize,
    act_dim: usize,
}

impl VecWalkerEnv {
    fn proto(&self) -> &RsWalker {
        &self.vec.envs()[0]
    }
}

world_methods! { VecWalkerEnv {
    #[new]
    #[pyo3(signature = (world, n, body=None, options=None, threads=1, seed=0))]
    fn new(world: &str, n: usize, body: Option<&str>, options: Option<&str>, threads: usize, seed: u64) -> PyResult<Self> {
        if n == 0 {
            return Err(bad("num_envs must be at least 1"));
        }
        let envs = (0..n).map(|_| walker(world, body, options)).collect::<PyResult<Vec<_>>>()?;
        let (obs_dim, act_dim) = (envs[0].observation_space().dim(), envs[0].action_space().dim());
        Ok(Self { vec: RsVecEnv::new(envs, threads, seed), next: vec![None; n], obs_dim, act_dim })
    }

    /// Resets every instance (`tasks[i]` for instance i, or its current task); obs as (n, obs_dim).
    #[pyo3(signature = (tasks=None))]
    fn reset<'py>(&mut self, py: Python<'py>, tasks: Option<Vec<Vec<f64>>>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        if let Some(t) = &tasks
            && t.len() != self.vec.len()
        {
            return Err(bad(format!("{} tasks for {} envs", t.len(), self.vec.len())));
        }
        let obs = self.vec.reset(tasks.as_deref()).map_err(bad)?;
        let flat: Vec<f32> = obs.into_iter().flatten().collect();
        flat.into_pyarray(py).reshape([self.vec.len(), self.obs_dim])
    }

    /// The task instance `i` plays from its next episode on.
    fn set_task(&mut self, i: usize, task: Vec<f64>) -> PyResult<()> {
        self.proto().task_space().validate(&task).map_err(bad)?;
        let slot = self.next.get_mut(i).ok_or_else(|| bad(format!("env index {i} out of range")))?;
        *slot = Some(task);
        Ok(())
    }

    /// Steps every instance with its row of `actions` (n, act_dim). Returns
    /// (obs, rewards, terminated, truncated, final), where obs rows of
    /// finished instances are their new episode's first observation and
    /// `final` lists (i, final_obs, return, length, success) for them.
    #[allow(clippy::type_complexity)]
    fn step<'py>(
        &mut self,
        py: Python<'py>,
        actions: PyReadonlyArray2<'py, f32>,
    ) -> PyResult<(
        Bound<'py, PyArray2<f32>>,
        Bound<'py, PyArray1<f64>>,
        Bound<'py, PyArray1<bool>>,
        Bound<'py, PyArray1<bool>>,
        Vec<(usize, Bound<'py, PyArray1<f32>>, f64, u32, bool)>,
    )> {
        let shape = actions.shape();
        if shape[0] != self.vec.len() {
            return Err(bad(format!("{} action rows for {} envs", shape[0], self.vec.len())));
        }
        check_action(shape[1], self.act_dim)?;
        let flat = actions.as_slice().map_err(bad)?;
        let acts: Vec<Vec<f32>> = flat.chunks(self.act_dim).map(<[f32]>::to_vec).collect();
        let (vec, next) = (&mut self.vec, &mut self.next);
        let steps = py
            .detach(|| vec.step_with(&acts, |i, _| next[i].take()))
            .map_err(bad)?;
        let n = steps.len();
        let (mut obs, mut rew, mut term, mut trunc) =
            (Vec::with_capacity(n * self.obs_dim), Vec::with_capacity(n), Vec::with_capacity(n), Vec::with_capacity(n));
        let mut finals = Vec::new();
        for (i, s) in steps.into_iter().enumerate() {
            obs.extend_from_slice(s.next_obs());
            rew.push(s.step.reward);
            term.push(s.step.terminated);
            trunc.push(s.step.truncated);
            if let Some(stats) = &s.step.info.episode {
                finals.push((i, s.step.obs.into_pyarray(py), stats.ret, stats.len, stats.success));
            }
        }
        Ok((
            obs.into_pyarray(py).reshape([n, self.obs_dim])?,
            rew.into_pyarray(py),
            term.into_pyarray(py),
            trunc.into_pyarray(py),
            finals,
        ))
    }

    /// Each instance's current task.
    fn tasks(&self) -> Vec<Vec<f64>> {
        self.vec.envs().iter().map(|e| e.task().to_vec()).collect()
    }

    fn obs_bounds<'py>(&self, py: Python<'py>) -> (Bound<'py, PyArray1<f32>>, Bound<'py, PyArray1<f32>>) {
        let b = self.proto().observation_space();
        (b.low.clone().into_pyarray(py), b.high.clone().into_pyarray(py))
    }

    fn act_bounds<'py>(&self, py: Python<'py>) -> (Bound<'py, PyArray1<f32>>, Bound<'py, PyArray1<f32>>) {
        let b = self.proto().action_space();
        (b.low.clone().into_pyarray(py), b.high.clone().into_pyarray(py))
    }
}}

/// A text observation: (feedback, goal, inventory, admissible commands).
type TextObsTuple = (String, String, String, Vec<String>);

fn text_obs(o: trellis_core::text::TextObs) -> TextObsTuple {
    (o.feedback, o.goal, o.inventory, o.admissible)
}

/// A procedural text adventure.
#[pyclass(module = "trellis._core")]
struct TextEnv {
    env: TextWorldEnv,
}

impl TextEnv {
    fn proto(&self) -> &TextWorldEnv {
        &self.env
    }
}

world_methods! { TextEnv {
    #[new]
    fn new() -> Self {
        Self { env: TextWorldEnv::new() }
    }

    #[pyo3(signature = (seed=None, task=None))]
    fn reset(&mut self, seed: Option<u64>, task: Option<Vec<f64>>) -> PyResult<TextObsTuple> {
        let (obs, _) = self.env.reset(seed, task.as_deref()).map_err(bad)?;
        Ok(text_obs(obs))
    }

    /// One command: (obs, reward, terminated, truncated, won).
    fn step(&mut self, command: String) -> (TextObsTuple, f64, bool, bool, bool) {
        let s = self.env.step(&command);
        (text_obs(s.obs), s.reward, s.terminated, s.truncated, s.info.success)
    }
}}

/// A trellis teacher over any task space.
#[pyclass(module = "trellis._core", unsendable)]
struct Teacher {
    teacher: Box<dyn trellis_teachers::Teacher>,
}

#[pymethods]
impl Teacher {
    /// `dims`: (name, low, high) per dimension; `config`: TOML text of the
    /// teacher's settings (unknown keys and out-of-range values are refused).
    #[new]
    #[pyo3(signature = (name, dims, reward_range, success_return, config="", seed=0))]
    fn new(
        name: &str,
        dims: Vec<(String, f64, f64)>,
        reward_range: (f64, f64),
        success_return: f64,
        config: &str,
        seed: u64,
    ) -> PyResult<Self> {
        let space = TaskSpace::new(dims.into_iter().map(|(n, lo, hi)| Dim::new(n, lo, hi)).collect()).map_err(bad)?;
        let cfg: toml::Table = config.parse().map_err(|e: toml::de::Error| bad(format!("teacher config: {}", e.message())))?;
        let ctx = trellis_teachers::TeacherContext::new(space, reward_range, success_return);
        let teacher = trellis_teachers::make(name, &cfg, ctx, seed).map_err(bad)?;
        Ok(Self { teacher })
    }

    /// Every teacher's name.
    #[staticmethod]
    fn names() -> Vec<&'static str> {
        trellis_teachers::TEACHERS.iter().map(|d| d.name).collect()
    }

    /// The next task.
    fn sample_task(&mut self) -> Vec<f64> {
        self.teacher.sample_task()
    }

    /// The next task and whether the student should learn from its episode
    /// (robust PLR and ACCEL ask for episodes that only score a task).
    fn propose(&mut self) -> (Vec<f64>, bool) {
        let p = self.teacher.propose();
        (p.task, p.learn)
    }

    /// The outcome of an episode played on `task`.
    #[pyo3(signature = (task, ret, length=1, success=false))]
    fn update(&mut self, task: Vec<f64>, ret: f64, length: u32, success: bool) -> PyResult<()> {
        if !ret.is_finite() {
            return Err(bad(format!("return {ret} is not a finite number")));
        }
        self.teacher.update(&trellis_teachers::Episode {
            task: &task,
            ret,
            len: length,
            success,
            value: None,
            scores: None,
        });
        Ok(())
    }

    /// Everything needed to restore the teacher exactly (JSON).
    fn state(&self) -> String {
        trellis_teachers::registry::checkpoint(self.teacher.as_ref()).to_string()
    }

    /// A teacher from [`Teacher::state`]'s JSON.
    #[staticmethod]
    fn restore(state: &str) -> PyResult<Self> {
        let v: serde_json::Value = serde_json::from_str(state).map_err(bad)?;
        Ok(Self { teacher: trellis_teachers::registry::restore(&v).map_err(bad)? })
    }

    /// The teacher's statistics (episodes, losses, counters), as JSON.
    fn dump(&self) -> String {
        self.teacher.dump().to_string()
    }

    /// What the teacher believes about the task space, as JSON with a
    /// `kind` tag: "box", "regions", "mixture", "gaussian", "scored" or
    /// "nothing" (docs/teachers.md).
    fn belief(&self) -> String {
        serde_json::to_string(&self.teacher.belief()).expect("a belief serialises")
    }
}

/// Names of trellis's worlds with their family ("walker" or "text").
#[pyfunction]
fn worlds() -> Vec<(&'static str, &'static str, &'static str)> {
    trellis_envs::registry::worlds()
        .map(|w| {
            let family = (w.make)(&WorldRequest::default()).map_or("unknown", |e| e.family());
            (w.name, family, w.summary)
        })
        .collect()
}

/// Names of the walker bodies.
#[pyfunction]
fn bodies() -> Vec<&'static str> {
    trellis_envs::bodies::BODIES.iter().map(|b| b.name).collect()
}

#[pymodule]
fn _core(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<WalkerEnv>()?;
    m.add_class::<VecWalkerEnv>()?;
    m.add_class::<TextEnv>()?;
    m.add_class::<Teacher>()?;
    m.add_class::<student::Student>()?;
    m.add_function(wrap_pyfunction!(worlds, m)?)?;
    m.add_function(wrap_pyfunction!(bodies, m)?)?;
    m.add_function(wrap_pyfunction!(train::train, m)?)?;
    m.add_function(wrap_pyfunction!(train::request_stop, m)?)?;
    m.add_function(wrap_pyfunction!(train::toml_to_json, m)?)?;
    m.add_function(wrap_pyfunction!(train::json_to_toml, m)?)?;
    m.add_function(wrap_pyfunction!(train::sweep_summary, m)?)?;
    m.add("Stopped", m.py().get_type::<train::Stopped>())?;
    m.add("Busy", m.py().get_type::<train::Busy>())?;
    Ok(())
}
