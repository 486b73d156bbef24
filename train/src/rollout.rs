//! One step of the act → step → observe cycle over a vectorised env: the
//! student acts on every instance, the envs step, the student is shown every
//! transition, and finished episodes reset with the task `on_episode`
//! returns (it is called after the student saw the episode's last
//! transition, so it can ask the student to score the episode). Training and
//! `trellis bench students` both run exactly this.

use trellis_agents::{Acting, Student, Transition};
use trellis_envs::{Env, EpisodeStats, TaskError, VecEnv};

/// Advances every instance one step (`learn[i]`: whether the student
/// learns from instance `i`'s current episode); `obs` holds the current observations
/// and becomes the next ones (a reset's first observation after an episode
/// ended).
pub fn step<E: Env>(
    vec: &mut VecEnv<E>,
    student: &mut dyn Student<E::Obs, E::Act>,
    obs: &mut [E::Obs],
    learn: &[bool],
    mut on_episode: impl FnMut(usize, &EpisodeStats, &mut dyn Student<E::Obs, E::Act>) -> Option<Vec<f64>>,
) -> Result<(), TaskError> {
    let actions = student.act(obs, Acting::Explore);
    let steps = vec.step_envs(&actions);
    for (i, (s, a)) in steps.iter().zip(&actions).enumerate() {
        student.observe(&Transition {
            env: i,
            obs: &obs[i],
            action: a,
            reward: s.reward as f32,
            next_obs: &s.obs,
            terminal: s.terminated,
            truncated: s.truncated && !s.terminated,
            learn: learn.get(i).copied().unwrap_or(true),
        });
    }
    let out = vec.autoreset(steps, |i, stats| on_episode(i, stats, &mut *student))?;
    for (o, s) in obs.iter_mut().zip(out) {
        *o = s.reset_obs.unwrap_or(s.step.obs);
    }
    Ok(())
}
