//! What the loop needs to know about a world besides its `Env`: the task
//! space after the run's bound overrides, the return scale and success bar
//! the teacher uses, and the expert knowledge some teachers start from.

use std::sync::Arc;

use trellis_envs::registry::{WorldOptions, make_walker_with};
use trellis_envs::walker::{SUCCESS_RETURN, WalkerConfig, WalkerEnv};
use trellis_envs::{ContinuousEnv, Env};
use trellis_teachers::{Gaussian, TeacherContext};

use crate::{RunConfig, TrainError};

/// TeachMyAgent's return bounds for walker teachers (Stump Tracks: [-150, 350]).
pub const WALKER_REWARD_RANGE: (f64, f64) = (-150.0, 350.0);
/// Parkour's (a longer track): [-150, 360].
pub const PARKOUR_REWARD_RANGE: (f64, f64) = (-150.0, 360.0);

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
    for (name, [lo, hi]) in &cfg.bounds {
        space = space
            .with_bounds(name, *lo, *hi)
            .map_err(|e| TrainError::Config(format!("`bounds.{name}`: {e}")))?;
    }
    Ok(WalkerEnv::new(
        env.terrain().with_space(space),
        Arc::new(env.body().clone()),
        env.config().clone(),
    ))
}

/// The teacher's view of a walker world. Expert knowledge is a narrow
/// Gaussian (σ = 10% of each range) on the terrain's default (easiest) task.
pub fn walker_context(env: &WalkerEnv, expert: bool) -> TeacherContext {
    let space = env.task_space().clone();
    let range = if env.terrain().is_parkour() {
        PARKOUR_REWARD_RANGE
    } else {
        WALKER_REWARD_RANGE
    };
    let ctx = TeacherContext::new(space.clone(), range, SUCCESS_RETURN);
    if !expert {
        return ctx;
    }
    let std: Vec<f64> = space.dims.iter().map(|d| 0.1 * d.width()).collect();
    ctx.with_initial(Gaussian::diagonal(env.terrain().default_task(), &std))
}

/// Observation and action sizes of a continuous env.
pub fn dims(env: &WalkerEnv) -> (usize, usize) {
    (env.observation_space().dim(), env.action_space().dim())
}

/// The teacher's view of the text worlds: returns run from 0 to 16 (+1 per
/// sub-goal and the quest length on winning, quests of up to 8); success is
/// winning, which the env reports itself, so no return bar applies.
pub fn text_context(env: &trellis_envs::text::TextWorldEnv) -> TeacherContext {
    TeacherContext::new(env.task_space().clone(), (0.0, 16.0), f64::MAX)
}
