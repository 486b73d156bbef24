//! What the loop needs to know about a world besides its `Env`: the task
//! space after the run's bound overrides, the return scale and success bar
//! the teacher uses, and the expert knowledge some teachers start from.

use trellis_core::TaskMap;
use trellis_envs::{AnyEnv, Env, WorldRequest};
use trellis_teachers::{Gaussian, TeacherContext};

use crate::{RunConfig, TrainError};

/// The world a run asks for: its env with the run's body, bound overrides
/// and the world's own options section (`[parkour]`), each refused with a
/// message naming the field before anything touches the disk.
pub fn make(cfg: &RunConfig) -> Result<AnyEnv, TrainError> {
    let req = WorldRequest {
        body: cfg.body.clone(),
        bounds: cfg.bounds.clone(),
        options: cfg.world_options()?,
    };
    trellis_envs::registry::make(&cfg.env, &req).map_err(|e| TrainError::Config(e.to_string()))
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
