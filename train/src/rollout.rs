//! One step of the act → step → observe cycle over a vectorised env: the
//! student acts on every instance, the envs step (finished episodes reset
//! with the task `on_episode` returns), and the student is shown every
//! transition. Training and `trellis bench students` both run exactly this.

use trellis_agents::{Student, Transition};
use trellis_envs::{Env, EpisodeStats, TaskError, VecEnv};

/// Advances every instance one step; `obs` holds the current observations
/// and becomes the next ones (a reset's first observation after an episode
/// ended).
pub fn step<E: Env>(
    vec: &mut VecEnv<E>,
    student: &mut dyn Student<E::Obs, E::Act>,
    obs: &mut [E::Obs],
    on_episode: impl FnMut(usize, &EpisodeStats) -> Option<Vec<f64>>,
) -> Result<(), TaskError> {
    let actions = student.act(obs, false);
    let out = vec.step_with(&actions, on_episode)?;
    for (i, (s, a)) in out.iter().zip(&actions).enumerate() {
        student.observe(&Transition {
            env: i,
            obs: &obs[i],
            action: a,
            reward: s.step.reward as f32,
            next_obs: &s.step.obs,
            terminal: s.step.terminated,
            truncated: s.step.truncated && !s.step.terminated,
        });
    }
    for (o, s) in obs.iter_mut().zip(out) {
        *o = s.reset_obs.unwrap_or(s.step.obs);
    }
    Ok(())
}
