//! Where a run's teacher comes from. trellis's own teachers are built from
//! the registry; a teacher written in Python is built by the Python package,
//! which hands the trainer a [`TeacherSource`] of its own. The trainer only
//! ever sees a `Box<dyn Teacher>`, so the loop, the run dir and the
//! checkpoints are the same for both.

use trellis_teachers::{Teacher, TeacherContext};

use crate::{RunConfig, TrainError};

/// Builds the run's teacher, new or from a checkpoint.
pub trait TeacherSource {
    /// Whether the teacher is told the world's easy tasks (the context's
    /// `initial`) at the run's expert level.
    fn gets_initial(&self, cfg: &RunConfig) -> Result<bool, TrainError>;
    /// A new teacher for the run.
    fn make(&self, cfg: &RunConfig, ctx: TeacherContext) -> Result<Box<dyn Teacher>, TrainError>;
    /// The teacher a checkpoint saved (`checkpoint` is what
    /// `trellis_teachers::registry::checkpoint` wrote), continuing exactly.
    fn restore(
        &self,
        cfg: &RunConfig,
        ctx: TeacherContext,
        checkpoint: &serde_json::Value,
    ) -> Result<Box<dyn Teacher>, TrainError>;
}

/// trellis's own teachers (`trellis_teachers::TEACHERS`).
pub struct Registry;

impl TeacherSource for Registry {
    fn gets_initial(&self, cfg: &RunConfig) -> Result<bool, TrainError> {
        native(cfg)?;
        Ok(trellis_teachers::descriptor(&cfg.teacher)?.gets_initial(cfg.expert))
    }

    fn make(&self, cfg: &RunConfig, ctx: TeacherContext) -> Result<Box<dyn Teacher>, TrainError> {
        native(cfg)?;
        Ok(trellis_teachers::make(&cfg.teacher, &cfg.teacher_config, ctx, cfg.seed)?)
    }

    fn restore(
        &self,
        cfg: &RunConfig,
        _ctx: TeacherContext,
        checkpoint: &serde_json::Value,
    ) -> Result<Box<dyn Teacher>, TrainError> {
        native(cfg)?;
        Ok(trellis_teachers::restore(checkpoint)?)
    }
}

/// Refuses a run whose teacher is written in Python: only the Python
/// package can build it.
fn native(cfg: &RunConfig) -> Result<(), TrainError> {
    match &cfg.teacher_python {
        None => Ok(()),
        Some(spec) => Err(TrainError::NeedsPython(format!(
            "teacher `{}` is written in Python (`teacher_python` = {spec:?}): the run goes through the \
             Python package, `python -m trellis train ...` (`pip install` the wheel `python/ci.sh` builds)",
            cfg.teacher
        ))),
    }
}
