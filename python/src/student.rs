//! `trellis.Student`: trellis's native learners (SAC, PPO) driven from a
//! Python loop. What it is for: playing trellis's learner on a world trellis
//! does not simulate (TeachMyAgent's Box2D originals, in the learning-parity
//! comparison), or beside a teacher under development in a notebook. The
//! learner is the very code `trellis train` runs; only the loop is Python's.
//!
//! The protocol is the Rust trait's, batched over env instances: `act` on a
//! `[n, obs_dim]` array, then `observe` the `n` transitions that followed it.
//! The GIL is released while the learner computes (an update of SAC or PPO
//! takes milliseconds to seconds).

use numpy::{IntoPyArray, PyArray2, PyReadonlyArray1, PyReadonlyArray2, PyUntypedArrayMethods};
use pyo3::prelude::*;
use pyo3::types::PyBytes;
use trellis_agents::registry::Make;
use trellis_agents::{Acting, EvalPolicy, Transition};

use crate::bad;

/// One of trellis's vector-reading students (`trellis_agents::STUDENTS`).
#[pyclass(module = "trellis._core", unsendable)]
pub struct Student {
    student: Box<dyn trellis_agents::Student>,
    obs_dim: usize,
    act_dim: usize,
    /// The settings with every default filled in (TOML), as a run dir's
    /// config would record them.
    resolved: String,
    /// Draws the noise of sampled evaluations (`act_eval(.., "sample")`),
    /// apart from the learner's own stream, so evaluating does not change
    /// what the learner does next; `seed_eval` restarts it.
    eval_rng: trellis_core::rng::ChaCha8Rng,
}

fn rows(a: &PyReadonlyArray2<f32>, width: usize, what: &str) -> PyResult<Vec<Vec<f32>>> {
    let shape = a.shape();
    if shape[1] != width {
        return Err(bad(format!("{what} has {} columns, expected {width}", shape[1])));
    }
    let view = a.as_array();
    Ok(view.outer_iter().map(|r| r.iter().copied().collect()).collect())
}

impl Student {
    /// `n` rows of actions as a `[n, act_dim]` array.
    fn array<'py>(&self, py: Python<'py>, n: usize, actions: Vec<Vec<f32>>) -> PyResult<Bound<'py, PyArray2<f32>>> {
        numpy::ndarray::Array2::from_shape_vec((n, self.act_dim), actions.concat())
            .map(|a| a.into_pyarray(py))
            .map_err(bad)
    }
}

#[pymethods]
impl Student {
    /// `name`: a student that reads vectors ("sac", "ppo"); `settings`: TOML
    /// text of its section (unknown keys and out-of-range values are refused
    /// with the field named), e.g. `"hidden = [64, 64]\nlr = 3e-4"`.
    #[new]
    #[pyo3(signature = (name, obs_dim, act_dim, settings="", seed=0))]
    fn new(name: &str, obs_dim: usize, act_dim: usize, settings: &str, seed: u64) -> PyResult<Self> {
        let d = trellis_agents::descriptor(name).map_err(bad)?;
        let Make::Vectors(make) = d.make else {
            return Err(bad(format!("student `{name}` reads text; trellis.Student takes students of vector worlds")));
        };
        if obs_dim == 0 || act_dim == 0 {
            return Err(bad(format!("obs_dim = {obs_dim} and act_dim = {act_dim} must both be at least 1")));
        }
        let table: toml::Table = settings
            .parse()
            .map_err(|e: toml::de::Error| bad(format!("[{name}] settings: {}", e.message())))?;
        let resolved = (d.resolve)(&table).map_err(bad)?;
        let student = make(&resolved, obs_dim, act_dim, seed).map_err(bad)?;
        let eval_rng = trellis_train::eval::noise(seed, 0);
        Ok(Self { student, obs_dim, act_dim, resolved: resolved.to_string(), eval_rng })
    }

    /// Actions for a batch of observations `[n, obs_dim]`, one row per env
    /// instance, in `[-1, 1]`; `deterministic` for evaluation (the policy's
    /// mean, nothing recorded).
    #[pyo3(signature = (obs, deterministic=false))]
    fn act<'py>(&mut self, py: Python<'py>, obs: PyReadonlyArray2<'py, f32>, deterministic: bool) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let obs = rows(&obs, self.obs_dim, "obs")?;
        let n = obs.len();
        let student = &mut self.student;
        let acting = if deterministic { Acting::Mean } else { Acting::Explore };
        let actions = py.detach(|| student.act(&obs, acting));
        self.array(py, n, actions)
    }

    /// Evaluation actions for observations `[n, obs_dim]`: `policy` is
    /// `"mean"` (the policy's mean action) or `"sample"` (drawn from the
    /// policy with the evaluation stream `seed_eval` sets; TeachMyAgent's
    /// PPO protocol). Nothing is recorded or learnt.
    #[pyo3(signature = (obs, policy="mean"))]
    fn act_eval<'py>(&mut self, py: Python<'py>, obs: PyReadonlyArray2<'py, f32>, policy: &str) -> PyResult<Bound<'py, PyArray2<f32>>> {
        let policy: EvalPolicy = policy.parse().map_err(bad)?;
        let obs = rows(&obs, self.obs_dim, "obs")?;
        let n = obs.len();
        let (student, rng) = (&mut self.student, &mut self.eval_rng);
        let actions = py.detach(|| student.act(&obs, policy.acting(rng)));
        self.array(py, n, actions)
    }

    /// Restarts the evaluation stream of `act_eval(.., "sample")` at the
    /// evaluation at `step` of the run seeded `seed`: the native trainer's
    /// stream for that evaluation, so it replays and never touches the
    /// learner's.
    #[pyo3(signature = (seed, step=0))]
    fn seed_eval(&mut self, seed: u64, step: u64) {
        self.eval_rng = trellis_train::eval::noise(seed, step);
    }

    /// The transitions that followed the last stochastic `act`, one per
    /// instance: observations acted on, actions taken (as `act` returned
    /// them), rewards, true next observations (the final one where an
    /// episode ended), and whether each ended by the MDP (`terminated`: no
    /// bootstrapping) or by a time limit (`truncated`). Learns when its
    /// schedule says so.
    fn observe(
        &mut self,
        py: Python<'_>,
        obs: PyReadonlyArray2<'_, f32>,
        actions: PyReadonlyArray2<'_, f32>,
        rewards: PyReadonlyArray1<'_, f32>,
        next_obs: PyReadonlyArray2<'_, f32>,
        terminated: PyReadonlyArray1<'_, bool>,
        truncated: PyReadonlyArray1<'_, bool>,
    ) -> PyResult<()> {
        let (o, a, o2) = (
            rows(&obs, self.obs_dim, "obs")?,
            rows(&actions, self.act_dim, "actions")?,
            rows(&next_obs, self.obs_dim, "next_obs")?,
        );
        let (r, term, trunc) = (rewards.as_array(), terminated.as_array(), truncated.as_array());
        let n = o.len();
        if [a.len(), o2.len(), r.len(), term.len(), trunc.len()].iter().any(|&k| k != n) {
            return Err(bad(format!(
                "observe takes one row per instance: obs {n}, actions {}, rewards {}, next_obs {}, terminated {}, truncated {}",
                a.len(), r.len(), o2.len(), term.len(), trunc.len()
            )));
        }
        if let Some(i) = r.iter().position(|x| !x.is_finite()) {
            return Err(bad(format!("rewards[{i}] = {} is not a finite number", r[i])));
        }
        let (r, term, trunc): (Vec<f32>, Vec<bool>, Vec<bool>) =
            (r.to_vec(), term.to_vec(), trunc.to_vec());
        let student = &mut self.student;
        py.detach(|| {
            for i in 0..n {
                student.observe(&Transition {
                    env: i,
                    obs: &o[i],
                    action: &a[i],
                    reward: r[i],
                    next_obs: &o2[i],
                    terminal: term[i],
                    truncated: trunc[i] && !term[i],
                    learn: true,
                });
            }
        });
        Ok(())
    }

    /// Gradient steps taken so far.
    fn updates(&self) -> u64 {
        self.student.updates()
    }

    /// The settings in force, every default filled in (TOML).
    fn settings(&self) -> String {
        self.resolved.clone()
    }

    /// The complete learning state (networks, optimisers, RNG, buffers), as
    /// a checkpoint stores it.
    fn save<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyBytes>> {
        Ok(PyBytes::new(py, &self.student.save().map_err(bad)?))
    }

    /// Restores what `save` wrote (the settings must match).
    fn load(&mut self, state: &[u8]) -> PyResult<()> {
        self.student.load(state).map_err(bad)
    }
}
