//! Evaluation on the fixed test set: every test task played once with the
//! run's evaluation policy (the mean action, or actions sampled from the
//! policy as TeachMyAgent tests PPO: [`EvalPolicy`]). All test episodes
//! advance in lockstep so the student acts on one batch per step instead of
//! one observation at a time.

use serde::{Deserialize, Serialize};
use trellis_agents::{EvalPolicy, Student};
use trellis_envs::rng::{ChaCha8Rng, seeded};
use trellis_envs::Env;

use crate::TrainError;

/// Test episode `i` always uses this reset seed, so evaluations differ only by the policy.
pub const EVAL_SEED_BASE: u64 = 1 << 40;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
/// One evaluation on the test set.
pub struct EvalResult {
    /// Each test task's return, in test-set order.
    pub returns: Vec<f64>,
    /// Their mean.
    pub mean_return: f64,
    /// Share of test tasks whose episode was a success by the world's
    /// criterion (walkers: return > 230), in percent.
    pub mastered_pct: f64,
}

/// The generator of a sampled evaluation at `step` of the run seeded
/// `seed`: a function of the two alone, so `trellis eval` on a checkpoint
/// replays what training's evaluation at that step played, and evaluating
/// never draws from the learner's stream (the run's course does not depend
/// on the evaluation policy). The Python package's `Student.seed_eval`
/// draws from the same streams, so a loop written in Python evaluates as
/// the native trainer does.
pub fn noise(seed: u64, step: u64) -> ChaCha8Rng {
    seeded(seed ^ step.wrapping_mul(0x9e37_79b9_7f4a_7c15), EVAL_STREAM)
}

/// The ChaCha stream of evaluation noise (the learners draw from stream 0).
const EVAL_STREAM: u64 = 0xe7a1;

/// Plays every task of `tasks` once with `policy`: the evaluation at `step`
/// of the run seeded `seed` (which fixes any sampled actions' noise).
pub fn evaluate<E: Env + Clone>(
    proto: &E,
    student: &mut dyn Student<E::Obs, E::Act>,
    tasks: &[Vec<f64>],
    policy: EvalPolicy,
    (seed, step): (u64, u64),
) -> Result<EvalResult, TrainError> {
    let mut noise = noise(seed, step);
    let mut envs: Vec<E> = tasks.iter().map(|_| proto.clone()).collect();
    let mut obs = Vec::with_capacity(tasks.len());
    for (i, (env, task)) in envs.iter_mut().zip(tasks).enumerate() {
        obs.push(env.reset(Some(EVAL_SEED_BASE + i as u64), Some(task))?.0);
    }
    let mut returns = vec![0.0; tasks.len()];
    let mut succeeded = vec![false; tasks.len()];
    let mut active: Vec<usize> = (0..tasks.len()).collect();
    while !active.is_empty() {
        let batch: Vec<E::Obs> = active.iter().map(|&i| obs[i].clone()).collect();
        let actions = student.act(&batch, policy.acting(&mut noise));
        let mut still = Vec::with_capacity(active.len());
        for (&i, a) in active.iter().zip(&actions) {
            let s = envs[i].step(a);
            returns[i] += s.reward;
            if let Some(stats) = &s.info.episode {
                // The world's own verdict on the finished episode (its spec's criterion).
                succeeded[i] = stats.success;
            }
            if !s.done() {
                obs[i] = s.obs;
                still.push(i);
            }
        }
        active = still;
    }
    let n = returns.len().max(1) as f64;
    let mean_return = returns.iter().sum::<f64>() / n;
    let mastered = succeeded.iter().filter(|&&won| won).count();
    let mastered_pct = 100.0 * mastered as f64 / n;
    Ok(EvalResult {
        returns,
        mean_return,
        mastered_pct,
    })
}
