//! `trellis.train`: trellis's native trainer (SAC/PPO students, `VecEnv`
//! threads, evaluation, run dir, checkpoints) with a teacher written in
//! Python.
//!
//! The trainer runs with the GIL released; the GIL is taken only around the
//! teacher's calls (one `propose` and one `update` per episode, one
//! `on_evaluation` per evaluation, `state` per checkpoint, `dump` per
//! teacher dump). The Python object is reached through the package's bridge
//! (`trellis.custom_teacher._Bridge`), which turns the user's types into
//! plain lists, floats and JSON text, so this side only checks the one
//! thing the trainer relies on: every task is inside the task space.
//!
//! An exception raised by the teacher becomes the trait's
//! [`failure`](trellis_teachers::Teacher::failure): the trainer stops before
//! writing anything that depends on the call (the last checkpoint stays
//! whole), and `train` raises the original exception, traceback and all.

use std::path::Path;
use std::sync::{Arc, Mutex};

use pyo3::create_exception;
use pyo3::exceptions::{PyException, PyOSError, PyValueError};
use pyo3::prelude::*;
use trellis_core::{Expert, TaskSpace};
use trellis_teachers::{Episode, Proposal, Teacher, TeacherContext, TeacherError};
use trellis_train::{RunConfig, TeacherSource, TrainError};

create_exception!(_core, Stopped, PyException, "The run was stopped on request (a signal) after checkpointing: `trellis.train(resume=DIR)` continues it.");
create_exception!(_core, Busy, PyException, "Another process holds the run dir.");

/// The first exception a Python teacher raised in this run, kept whole so
/// that `train` raises it rather than a summary.
type Raised = Arc<Mutex<Option<PyErr>>>;

/// Builds the run's teacher by calling the Python factory
/// `factory(context_json, seed) -> bridge`.
struct PySource {
    factory: Py<PyAny>,
    raised: Raised,
}

impl PySource {
    fn build(&self, cfg: &RunConfig, ctx: TeacherContext) -> Result<PyTeacher, TrainError> {
        let name: &'static str = Box::leak(cfg.teacher.clone().into_boxed_str());
        let context = serde_json::json!({
            "space": ctx.space.dims.iter().map(|d| serde_json::json!([d.name, d.low, d.high])).collect::<Vec<_>>(),
            "reward_range": [ctx.reward_range.0, ctx.reward_range.1],
            "success_return": ctx.success_return,
            "initial": ctx.initial.as_ref().map(|g| serde_json::json!({"mean": g.mean, "cov": g.cov})),
            "learner": ctx.learner,
            "settings": serde_json::to_value(&cfg.teacher_config).expect("TOML tables are JSON"),
        })
        .to_string();
        let raised = self.raised.clone();
        Python::attach(|py| {
            let made = self
                .factory
                .call1(py, (context, cfg.seed))
                .and_then(|bridge| {
                    let wants: bool = bridge.getattr(py, "wants_scores")?.extract(py)?;
                    Ok((bridge, wants))
                });
            match made {
                Ok((bridge, wants_scores)) => Ok(PyTeacher {
                    bridge,
                    name,
                    space: ctx.space.clone(),
                    wants_scores,
                    failure: Mutex::new(None),
                    raised,
                }),
                Err(e) => Err(keep(py, &self.raised, name, e).into()),
            }
        })
    }
}

impl TeacherSource for PySource {
    fn gets_initial(&self, cfg: &RunConfig) -> Result<bool, TrainError> {
        // A Python teacher is told the easy tasks whenever the run gives
        // expert knowledge; using them is up to it.
        Ok(cfg.expert != Expert::No)
    }

    fn make(&self, cfg: &RunConfig, ctx: TeacherContext) -> Result<Box<dyn Teacher>, TrainError> {
        Ok(Box::new(self.build(cfg, ctx)?))
    }

    fn restore(
        &self,
        cfg: &RunConfig,
        ctx: TeacherContext,
        checkpoint: &serde_json::Value,
    ) -> Result<Box<dyn Teacher>, TrainError> {
        let mut t = self.build(cfg, ctx)?;
        let state = checkpoint["state"].to_string();
        t.call(|py, b| b.call_method1(py, "restore", (state,)).map(drop));
        match t.failure() {
            Some(e) => Err(e.into()),
            None => Ok(Box::new(t)),
        }
    }
}

/// Records `e` (the first one wins) and returns the trait's error for it,
/// with the traceback as text for whoever reads it outside Python.
fn keep(py: Python<'_>, raised: &Raised, name: &str, e: PyErr) -> TeacherError {
    let message = format_exception(py, &e);
    raised.lock().expect("not poisoned").get_or_insert(e);
    TeacherError::Failed {
        name: name.into(),
        message,
    }
}

fn format_exception(py: Python<'_>, e: &PyErr) -> String {
    py.import("traceback")
        .and_then(|tb| tb.call_method1("format_exception", (e.value(py),)))
        .and_then(|lines| lines.extract::<Vec<String>>())
        .map(|lines| lines.concat().trim_end().to_string())
        .unwrap_or_else(|_| e.to_string())
}

/// The trainer's view of a Python teacher.
struct PyTeacher {
    bridge: Py<PyAny>,
    name: &'static str,
    space: TaskSpace,
    wants_scores: bool,
    /// The failure of a call, until the trainer asks (`state` and `dump`
    /// take `&self`, hence the lock).
    failure: Mutex<Option<TeacherError>>,
    raised: Raised,
}

impl PyTeacher {
    /// Calls into Python; an exception becomes the pending failure and the
    /// result `None`.
    fn call<T>(&self, f: impl FnOnce(Python<'_>, &Py<PyAny>) -> PyResult<T>) -> Option<T> {
        Python::attach(|py| f(py, &self.bridge).map_err(|e| self.fail(py, e)).ok())
    }

    /// Makes `e` the pending failure (the first one wins).
    fn fail(&self, py: Python<'_>, e: PyErr) {
        let err = keep(py, &self.raised, self.name, e);
        self.failure.lock().expect("not poisoned").get_or_insert(err);
    }

    /// A contract broken without an exception (a task of the wrong length
    /// or outside the space): raised in Python as ValueError.
    fn broken(&self, message: String) {
        let e = PyValueError::new_err(format!("teacher `{}`: {message}", self.name));
        Python::attach(|py| self.fail(py, e));
    }

    /// Where a failed proposal points: never played, since the trainer stops.
    fn placeholder(&self) -> Proposal {
        Proposal::learn(self.space.dims.iter().map(|d| d.low).collect())
    }

    fn json(&self, method: &str) -> serde_json::Value {
        let text = self.call(|py, b| b.call_method0(py, method)?.extract::<String>(py));
        match text.map(|t| serde_json::from_str(&t)) {
            Some(Ok(v)) => v,
            Some(Err(e)) => {
                self.broken(format!("{method}() did not give JSON: {e}"));
                serde_json::Value::Null
            }
            None => serde_json::Value::Null,
        }
    }
}

impl Teacher for PyTeacher {
    fn name(&self) -> &'static str {
        self.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        self.propose().task
    }

    fn propose(&mut self) -> Proposal {
        let Some((task, learn)) = self.call(|py, b| b.call_method0(py, "propose")?.extract::<(Vec<f64>, bool)>(py))
        else {
            return self.placeholder();
        };
        match self.space.validate(&task) {
            Ok(()) => Proposal { task, learn },
            Err(e) => {
                self.broken(format!("propose() returned {task:?}: {e}"));
                self.placeholder()
            }
        }
    }

    fn update(&mut self, ep: &Episode) {
        let scores = ep.scores.map(|s| (s.positive_value_loss, s.value_l1));
        let args = (ep.task.to_vec(), ep.ret, ep.len, ep.success, scores);
        self.call(|py, b| b.call_method1(py, "update", args).map(drop));
    }

    fn wants_scores(&self) -> bool {
        self.wants_scores
    }

    fn on_evaluation(&mut self, returns: &[f64]) {
        let returns = returns.to_vec();
        self.call(|py, b| b.call_method1(py, "on_evaluation", (returns,)).map(drop));
    }

    fn state(&self) -> serde_json::Value {
        self.json("state")
    }

    fn dump(&self) -> serde_json::Value {
        self.json("dump")
    }

    /// The Python teacher's `belief()` (a dict with a `kind`, or None); one
    /// that is not a belief breaks the run with a message naming the kinds.
    fn belief(&self) -> trellis_teachers::belief::Belief {
        match self.json("belief") {
            serde_json::Value::Null => trellis_teachers::belief::Belief::Nothing,
            v => serde_json::from_value(v).unwrap_or_else(|e| {
                self.broken(format!(
                    "belief() did not give a belief ({e}): expected None or a dict with kind \"box\" (low, high), \"regions\" (regions: low, high, score), \"mixture\" (components: weight, mean, cov), \"gaussian\" (weight, mean, cov), \"scored\" (tasks: task, score) or \"nothing\""
                ));
                trellis_teachers::belief::Belief::Nothing
            }),
        }
    }

    fn failure(&mut self) -> Option<TeacherError> {
        self.failure.lock().expect("not poisoned").take()
    }
}

/// Runs a new run (`resume` None) or continues one, with the teacher built by
/// `factory` (None: one of trellis's own, named by the config); returns the
/// outcome as JSON text.
///
/// The trainer runs on this thread with the GIL released, so a teacher's
/// objects are made, used and dropped on the thread that calls `train`
/// (pyo3's unsendable classes, such as `trellis.Teacher`, require it).
/// Every 50 ms the trainer lets Python run its signal handlers (the
/// package's ask for a graceful stop), which Python would otherwise run only
/// when Python code runs: never, with a native teacher.
#[pyfunction]
#[pyo3(signature = (factory, config=None, out=None, resume=None, steps=None, show_progress=true))]
pub fn train(
    py: Python<'_>,
    factory: Option<Py<PyAny>>,
    config: Option<&str>,
    out: Option<&str>,
    resume: Option<&str>,
    steps: Option<u64>,
    show_progress: bool,
) -> PyResult<String> {
    let raised: Raised = Arc::new(Mutex::new(None));
    let python_source = factory.map(|factory| PySource {
        factory,
        raised: raised.clone(),
    });
    let source: &(dyn TeacherSource + Sync) = match &python_source {
        Some(s) => s,
        None => &trellis_train::Registry,
    };
    let job = match (config, out, resume) {
        (Some(text), Some(out), None) => {
            let cfg = RunConfig::from_toml(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
            Job::Start(Box::new(cfg), out.into())
        }
        (None, None, Some(dir)) => Job::Resume(dir.into()),
        _ => return Err(PyValueError::new_err("give config and out for a new run, or resume for an existing one")),
    };
    trellis_train::stop::clear();
    // A handler that raises (the user's own, or Python's default
    // KeyboardInterrupt): the run stops at its next consistent point, then
    // the exception is raised.
    let interrupt: Raised = Arc::new(Mutex::new(None));
    let slot = interrupt.clone();
    trellis_train::stop::set_poller(Some(Box::new(move || {
        Python::attach(|py| {
            if let Err(e) = py.check_signals() {
                trellis_train::stop::request();
                slot.lock().expect("not poisoned").get_or_insert(e);
            }
        })
    })));
    let result = py.detach(|| match job {
        Job::Start(cfg, out) => trellis_train::start_with(source, *cfg, &out, show_progress),
        Job::Resume(dir) => trellis_train::resume_with(source, &dir, steps, show_progress),
    });
    trellis_train::stop::set_poller(None);
    if let Some(e) = raised.lock().expect("not poisoned").take() {
        return Err(e);
    }
    if let Some(e) = interrupt.lock().expect("not poisoned").take() {
        return Err(e);
    }
    match result {
        Ok(o) => Ok(serde_json::json!({
            "step": o.progress.step,
            "episodes": o.progress.episodes,
            "steps_per_second": o.steps_per_second,
            "already_finished": o.already_finished,
            "mean_return": o.last_eval.as_ref().map(|e| e.mean_return),
            "mastered_pct": o.last_eval.as_ref().map(|e| e.mastered_pct),
        })
        .to_string()),
        Err(TrainError::Stopped(m)) => Err(Stopped::new_err(m)),
        Err(TrainError::Busy(m)) => Err(Busy::new_err(m)),
        Err(TrainError::Io(m)) => Err(PyOSError::new_err(m)),
        Err(e) => Err(PyValueError::new_err(e.to_string())),
    }
}

enum Job {
    Start(Box<RunConfig>, std::path::PathBuf),
    Resume(std::path::PathBuf),
}

/// Asks the running trainer to checkpoint at its next consistent point and
/// stop (the package's signal handlers call it).
#[pyfunction]
pub fn request_stop() {
    trellis_train::stop::request();
}

/// TOML text as JSON text (Python before 3.11 has no TOML reader).
#[pyfunction]
pub fn toml_to_json(text: &str) -> PyResult<String> {
    let t: toml::Table = text.parse().map_err(|e: toml::de::Error| PyValueError::new_err(e.message().to_string()))?;
    Ok(serde_json::to_string(&t).expect("TOML is JSON"))
}

/// JSON text of a run config as TOML text.
#[pyfunction]
pub fn json_to_toml(text: &str) -> PyResult<String> {
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| PyValueError::new_err(e.to_string()))?;
    toml::to_string(&v).map_err(|e| PyValueError::new_err(format!("the config does not fit TOML: {e}")))
}

/// The report's table of a sweep dir as JSON rows (`trellis_sweep::report::summary`):
/// the same numbers `trellis report` prints.
#[pyfunction]
pub fn sweep_summary(dir: &str) -> PyResult<String> {
    let rows = trellis_sweep::report::summary(Path::new(dir)).map_err(|e| PyValueError::new_err(format!("{e:#}")))?;
    Ok(serde_json::to_string(&rows).expect("rows serialise"))
}
