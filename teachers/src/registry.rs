//! Teachers by name. Each teacher's file declares a [`Descriptor`]; the table
//! [`TEACHERS`](crate::TEACHERS) in `lib.rs` lists them, and everything else
//! (name lists, CLI help, config validation, checkpoint restore, the tests
//! that run every teacher) is derived from that table.
//!
//! Adding a teacher: write `src/<name>.rs` with the teacher and its
//! `pub const DESCRIPTOR`, then add its module name to the `teachers!` line.

use serde::de::DeserializeOwned;

use trellis_core::Expert;

use crate::{Teacher, TeacherContext};

/// Builds a teacher from its settings (only those that differ from its
/// defaults), the world's context and a seed.
pub type MakeFn = fn(&toml::Table, TeacherContext, u64) -> Result<Box<dyn Teacher>, TeacherError>;
/// Rebuilds a teacher from [`Teacher::state`].
pub type RestoreFn = fn(&serde_json::Value) -> Result<Box<dyn Teacher>, TeacherError>;

/// Everything trellis needs to know about a teacher besides its code.
#[derive(Clone, Copy, Debug)]
pub struct Descriptor {
    /// The registry name (`alp-gmm`); also what [`Teacher::name`] returns.
    pub name: &'static str,
    /// One line for `--help`, the README table and reports.
    pub summary: &'static str,
    /// Refuses to run without expert knowledge (an easy initial distribution),
    /// as in TeachMyAgent (ADR, GoalGAN, Setter-Solver).
    pub needs_expert: bool,
    /// The lowest level of expert knowledge at which the teacher is given
    /// the easy initial distribution (ALP-GMM and Covar-GMM: `high`, as in
    /// TeachMyAgent; the others from `low`).
    pub initial_from: Expert,
    /// Settings (TOML) under which the teacher adapts within a few hundred
    /// short episodes: what the tests, the toy bench and the benchmark's smoke
    /// scale use. Empty when the defaults already do.
    pub quick: &'static str,
    /// See [`MakeFn`].
    pub make: MakeFn,
    /// See [`RestoreFn`].
    pub restore: RestoreFn,
}

/// Why a teacher could not be built or restored.
#[derive(Debug, thiserror::Error)]
pub enum TeacherError {
    /// No teacher of that name in the table.
    #[error("unknown teacher `{0}`; known teachers: {known}", known = names().join(", "))]
    Unknown(String),
    /// A setting is missing, mistyped or out of range.
    #[error("bad teacher config: {0}")]
    BadConfig(String),
    /// The teacher needs expert knowledge and the run gives none.
    #[error(
        "teacher `{0}` needs expert knowledge (an initial distribution of easy tasks); set `expert` to low or high"
    )]
    NeedsExpert(&'static str),
    /// A checkpoint does not describe a valid teacher state.
    #[error("bad teacher checkpoint: {0}")]
    BadState(String),
    /// A teacher written outside trellis (Python) raised, or broke its
    /// contract (a task of the wrong length or outside the space).
    #[error("teacher `{name}` failed: {message}")]
    Failed {
        /// The teacher's name in the run config.
        name: String,
        /// What went wrong (the exception with its traceback, or the contract broken).
        message: String,
    },
}

impl From<trellis_nn::NnError> for TeacherError {
    fn from(e: trellis_nn::NnError) -> Self {
        TeacherError::BadState(e.to_string())
    }
}

/// The names of every teacher, in table order.
pub fn names() -> Vec<&'static str> {
    crate::TEACHERS.iter().map(|d| d.name).collect()
}

/// The descriptor of the teacher called `name`.
pub fn descriptor(name: &str) -> Result<&'static Descriptor, TeacherError> {
    crate::TEACHERS
        .iter()
        .copied()
        .find(|d| d.name == name)
        .ok_or_else(|| TeacherError::Unknown(name.into()))
}

impl Descriptor {
    /// Is the teacher given the initial distribution at `level`?
    pub fn gets_initial(&self, level: Expert) -> bool {
        level != Expert::No && level >= self.initial_from
    }

    /// [`Descriptor::quick`] as a table.
    pub fn quick_config(&self) -> Result<toml::Table, TeacherError> {
        self.quick
            .parse()
            .map_err(|e| TeacherError::BadConfig(format!("{} quick settings: {e}", self.name)))
    }
}

/// Parses a teacher's settings into its config type (unknown keys refused,
/// missing ones defaulted by the type's `#[serde(default)]`).
pub fn config<C: DeserializeOwned>(name: &str, cfg: &toml::Table) -> Result<C, TeacherError> {
    toml::Value::Table(cfg.clone())
        .try_into::<C>()
        .map_err(|e| TeacherError::BadConfig(format!("{name}: {}", e.to_string().trim())))
}

/// A [`RestoreFn`] for teachers whose whole state is their serde form.
pub fn restore_serde<T: DeserializeOwned + Teacher + 'static>(
    v: &serde_json::Value,
) -> Result<Box<dyn Teacher>, TeacherError> {
    serde_json::from_value::<T>(v.clone())
        .map(|t| Box::new(t) as Box<dyn Teacher>)
        .map_err(|e| TeacherError::BadState(e.to_string()))
}

/// Builds a teacher; `cfg` holds only the settings that differ from the defaults.
pub fn make(
    name: &str,
    cfg: &toml::Table,
    ctx: TeacherContext,
    seed: u64,
) -> Result<Box<dyn Teacher>, TeacherError> {
    let d = descriptor(name)?;
    if d.needs_expert && ctx.initial.is_none() {
        return Err(TeacherError::NeedsExpert(d.name));
    }
    (d.make)(cfg, ctx, seed)
}

/// A self-describing checkpoint: `{"teacher": name, "state": ...}`.
pub fn checkpoint(t: &dyn Teacher) -> serde_json::Value {
    serde_json::json!({ "teacher": t.name(), "state": t.state() })
}

/// Rebuilds a teacher from [`checkpoint`]; it continues exactly where the original was.
pub fn restore(checkpoint: &serde_json::Value) -> Result<Box<dyn Teacher>, TeacherError> {
    let name = checkpoint["teacher"]
        .as_str()
        .ok_or_else(|| TeacherError::BadState("no `teacher` name".into()))?;
    (descriptor(name)?.restore)(&checkpoint["state"])
}
