//! What the loop needs to know about a world besides its `Env`: the task
//! space after the run's bound overrides, the return scale and success bar
//! the teacher uses, and the expert knowledge some teachers start from.

use std::sync::Arc;

use trellis_core::TaskMap;
use trellis_envs::registry::{WorldOptions, make_walker_with};
use trellis_envs::walker::{WalkerConfig, WalkerEnv};
use trellis_envs::{ContinuousEnv, Env};
use trellis_teachers::{Gaussian, TeacherContext};

use crate::{RunConfig, TrainError};

/// The walker env a run asks for, with its task-space overrides applied.
pub fn walker(cfg: &RunConfig) -> Result<WalkerEnv, TrainError> {
    let opts = WorldOptions {
        cppn_weights: cfg.cppn_weights.as_ref().map(Into::into),
        ..WorldOptions::default()
    };
    let env = make_walker_with(
        &cfg.env,
        cfg.body.as_deref(),
        WalkerConfig::default(),
        &opts,
    )
    .map_err(|e| TrainError::Config(e.to_string()))?;
    if cfg.bounds.is_empty() {
        return Ok(env);
    }
    let mut space = env.task_space().clone();
    let limits = env.task_limits();
    for (name, [lo, hi]) in &cfg.bounds {
        space = space
            .with_bounds(name, *lo, *hi)
            .map_err(|e| TrainError::Config(format!("`bounds.{name}`: {e}")))?;
        let limit = &limits.dims[space.index_of(name)?];
        if *lo < limit.low || *hi > limit.high {
            return Err(TrainError::Config(format!(
                "`bounds.{name}` = [{lo}, {hi}] leaves what the world can generate, [{}, {}]",
                limit.low, limit.high
            )));
        }
    }
    Ok(WalkerEnv::new(
        env.terrain().with_space(space),
        Arc::new(env.body().clone()),
        env.config().clone(),
    ))
}

/// The teacher's view of a world: the free dimensions of the run's task
/// space (through `map`), the return range and success bar, all from the
/// world's own spec. With `expert`, the initial distribution is a narrow
/// Gaussian (σ = 10% of each range) on the world's easiest task, in the
/// teacher's coordinates.
pub fn context<E: Env>(env: &E, map: &TaskMap, expert: bool) -> TeacherContext {
    let spec = env.spec();
    let space = map.teacher_space().clone();
    let bar = spec.success.return_bar().unwrap_or(f64::MAX);
    let ctx = TeacherContext::new(space.clone(), spec.reward_range, bar);
    if !expert {
        return ctx;
    }
    let std: Vec<f64> = space.dims.iter().map(|d| 0.1 * d.width()).collect();
    ctx.with_initial(Gaussian::diagonal(
        map.to_teacher(&env.default_task()),
        &std,
    ))
}

/// Observation and action sizes of a continuous env.
pub fn dims(env: &WalkerEnv) -> (usize, usize) {
    (env.observation_space().dim(), env.action_space().dim())
}
