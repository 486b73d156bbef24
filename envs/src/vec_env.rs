//! Many instances of one world stepped together on a pool of CPU threads.
//!
//! Each instance keeps its own state and its own seed stream, so the results
//! are identical whatever the number of threads. Finished episodes are reset
//! inside `step` (Gymnasium's same-step autoreset); between the physics step
//! and the reset, the caller is asked, in instance order, which task the next
//! episode should use: that is where a teacher plugs in.

use std::sync::Arc;

use rand::RngExt;
use rayon::prelude::*;

use crate::env::{Env, EpisodeStats, Step};
use crate::rng::{ChaCha8Rng, seeded};
use crate::space::TaskError;

/// One instance's step. `step.obs` is the true next observation (the final
/// one when the episode ended); `reset_obs` is the first observation of the
/// episode that autoreset started, which the agent acts on next.
#[derive(Clone, Debug)]
pub struct AutoStep<O> {
    pub step: Step<O>,
    pub reset_obs: Option<O>,
}

impl<O: Clone> AutoStep<O> {
    /// The observation to act on next.
    pub fn next_obs(&self) -> &O {
        self.reset_obs.as_ref().unwrap_or(&self.step.obs)
    }
}

pub struct VecEnv<E: Env> {
    envs: Vec<E>,
    seeds: Vec<ChaCha8Rng>,
    pool: Arc<rayon::ThreadPool>,
}

impl<E: Env> VecEnv<E> {
    /// `threads` worker threads (at least 1); episode seeds derive from `seed`.
    pub fn new(envs: Vec<E>, threads: usize, seed: u64) -> Self {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .thread_name(|i| format!("trellis-env-{i}"))
            .build()
            .expect("building the env thread pool");
        let pool = Arc::new(pool);
        let seeds = (0..envs.len() as u64).map(|i| seeded(seed, i)).collect();
        Self { envs, seeds, pool }
    }

    pub fn len(&self) -> usize {
        self.envs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.envs.is_empty()
    }

    pub fn envs(&self) -> &[E] {
        &self.envs
    }

    /// The worker pool. Running the whole rollout loop inside
    /// `pool.install(..)` makes the caller one of the workers, so each `step`
    /// hands work to threads that are still spinning instead of waking
    /// sleeping ones: several times less overhead per step for small batches.
    pub fn pool(&self) -> Arc<rayon::ThreadPool> {
        self.pool.clone()
    }

    pub fn threads(&self) -> usize {
        self.pool.current_num_threads()
    }

    /// Resets every instance, with `tasks[i]` for instance `i` (or its current task).
    pub fn reset(&mut self, tasks: Option<&[Vec<f64>]>) -> Result<Vec<E::Obs>, TaskError> {
        let mut jobs: Vec<(usize, Option<Vec<f64>>)> =
            (0..self.envs.len()).map(|i| (i, tasks.map(|t| t[i].clone()))).collect();
        self.reset_some(&mut jobs).map(|v| v.into_iter().map(|(_, o)| o).collect())
    }

    /// Steps every instance with its action and autoresets finished ones with
    /// their current task.
    pub fn step(&mut self, actions: &[E::Act]) -> Result<Vec<AutoStep<E::Obs>>, TaskError> {
        self.step_with(actions, |_, _| None)
    }

    /// Like [`step`](Self::step), but for each finished episode (in instance
    /// order) `next_task(i, stats)` may return the task of instance `i`'s next episode.
    pub fn step_with(
        &mut self,
        actions: &[E::Act],
        mut next_task: impl FnMut(usize, &EpisodeStats) -> Option<Vec<f64>>,
    ) -> Result<Vec<AutoStep<E::Obs>>, TaskError> {
        assert_eq!(actions.len(), self.envs.len(), "one action per env instance");
        let envs = &mut self.envs;
        let steps: Vec<Step<E::Obs>> = if self.pool.current_num_threads() == 1 {
            envs.iter_mut().zip(actions).map(|(e, a)| e.step(a)).collect()
        } else {
            // One contiguous block of instances per thread: fewer hand-offs than
            // rayon's adaptive splitting, and each thread keeps its worlds in cache.
            let block = envs.len().div_ceil(self.pool.current_num_threads());
            self.pool.install(|| {
                envs.par_chunks_mut(block)
                    .zip(actions.par_chunks(block))
                    .flat_map_iter(|(es, acts)| es.iter_mut().zip(acts).map(|(e, a)| e.step(a)).collect::<Vec<_>>())
                    .collect()
            })
        };
        let mut jobs = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            if s.done() {
                let task = s.info.episode.as_ref().and_then(|stats| next_task(i, stats));
                jobs.push((i, task));
            }
        }
        let resets = self.reset_some(&mut jobs)?;
        let mut out: Vec<AutoStep<E::Obs>> = steps.into_iter().map(|step| AutoStep { step, reset_obs: None }).collect();
        for (i, obs) in resets {
            out[i].reset_obs = Some(obs);
        }
        Ok(out)
    }

    /// Resets the listed instances in parallel, each with a fresh seed from its stream.
    fn reset_some(&mut self, jobs: &mut [(usize, Option<Vec<f64>>)]) -> Result<Vec<(usize, E::Obs)>, TaskError> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let seeds: Vec<u64> = jobs.iter().map(|(i, _)| self.seeds[*i].random()).collect();
        // Hand each job a disjoint &mut to its env.
        let mut slots: Vec<Option<&mut E>> = self.envs.iter_mut().map(Some).collect();
        let mut work: Vec<(usize, &mut E, u64, Option<Vec<f64>>)> = jobs
            .iter_mut()
            .zip(seeds)
            .map(|((i, t), s)| (*i, slots[*i].take().expect("each env reset once per call"), s, t.take()))
            .collect();
        let reset = |(i, env, seed, task): &mut (usize, &mut E, u64, Option<Vec<f64>>)| {
            env.reset(Some(*seed), task.as_deref()).map(|(o, _)| (*i, o))
        };
        // A pool of one would only add a cross-thread hand-off per call.
        if work.len() == 1 || self.pool.current_num_threads() == 1 {
            work.iter_mut().map(reset).collect()
        } else {
            self.pool.install(|| work.par_iter_mut().map(reset).collect())
        }
    }
}
