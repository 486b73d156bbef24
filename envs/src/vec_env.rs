//! Many instances of one world stepped together on a pool of CPU threads.
//!
//! Each instance keeps its own state and its own seed stream, so the results
//! are identical whatever the number of threads. Finished episodes are reset
//! inside `step` (Gymnasium's same-step autoreset); between the physics step
//! and the reset, the caller is asked, in instance order, which task the next
//! episode should use: that is where a teacher plugs in.

use std::sync::Mutex;

use rand::RngExt;

use crate::env::{Env, EpisodeStats, Step};
use crate::rng::{ChaCha8Rng, seeded};
use crate::space::TaskError;
use crate::spin_pool::SpinPool;

/// One instance's step. `step.obs` is the true next observation (the final
/// one when the episode ended); `reset_obs` is the first observation of the
/// episode that autoreset started, which the agent acts on next.
#[derive(Clone, Debug)]
pub struct AutoStep<O> {
    /// The step the instance took.
    pub step: Step<O>,
    /// The first observation of the episode autoreset started, if the step ended one.
    pub reset_obs: Option<O>,
}

impl<O: Clone> AutoStep<O> {
    /// The observation to act on next.
    pub fn next_obs(&self) -> &O {
        self.reset_obs.as_ref().unwrap_or(&self.step.obs)
    }
}

/// N instances of one world on a pool of threads.
pub struct VecEnv<E: Env> {
    envs: Vec<E>,
    seeds: Vec<ChaCha8Rng>,
    /// The reset seed of each instance's current episode.
    episode_seeds: Vec<u64>,
    pool: SpinPool,
}

/// Where every instance's seed stream stands and which seed started its
/// current episode: with the tasks, what it takes to restart the instances
/// exactly where they were at an episode boundary.
#[derive(Clone, Debug, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct SeedState {
    /// Each instance's stream of episode seeds.
    pub streams: Vec<ChaCha8Rng>,
    /// The seed each instance's current episode was reset with.
    pub episode_seeds: Vec<u64>,
}

impl<E: Env> VecEnv<E> {
    /// `threads` worker threads (at least 1); episode seeds derive from `seed`.
    pub fn new(envs: Vec<E>, threads: usize, seed: u64) -> Self {
        // More threads than instances would only spin.
        let pool = SpinPool::new(threads.clamp(1, envs.len().max(1)));
        let seeds = (0..envs.len() as u64).map(|i| seeded(seed, i)).collect();
        let episode_seeds = vec![0; envs.len()];
        Self {
            envs,
            seeds,
            episode_seeds,
            pool,
        }
    }

    /// The instances' seed streams and current episodes' seeds.
    pub fn seed_state(&self) -> SeedState {
        SeedState {
            streams: self.seeds.clone(),
            episode_seeds: self.episode_seeds.clone(),
        }
    }

    /// Restarts every instance's current episode from its recorded seed with
    /// `tasks[i]`, and continues the seed streams from `state`: after an
    /// episode boundary this is exactly where a [`seed_state`](Self::seed_state)
    /// was taken.
    pub fn restore(
        &mut self,
        state: &SeedState,
        tasks: &[Vec<f64>],
    ) -> Result<Vec<E::Obs>, TaskError> {
        assert_eq!(
            state.streams.len(),
            self.envs.len(),
            "one stream per instance"
        );
        self.seeds = state.streams.clone();
        self.episode_seeds = state.episode_seeds.clone();
        let inputs: Vec<(u64, &Vec<f64>)> = self.episode_seeds.iter().copied().zip(tasks).collect();
        self.on_owner_threads(&inputs, |e, (seed, task)| {
            e.reset(Some(*seed), Some(task)).map(|(o, _)| o)
        })
        .into_iter()
        .collect()
    }

    /// Number of instances.
    pub fn len(&self) -> usize {
        self.envs.len()
    }

    /// Whether there are no instances.
    pub fn is_empty(&self) -> bool {
        self.envs.is_empty()
    }

    /// The instances.
    pub fn envs(&self) -> &[E] {
        &self.envs
    }

    /// Threads stepping the instances.
    pub fn threads(&self) -> usize {
        self.pool.threads()
    }

    /// Resets every instance, with `tasks[i]` for instance `i` (or its current task).
    pub fn reset(&mut self, tasks: Option<&[Vec<f64>]>) -> Result<Vec<E::Obs>, TaskError> {
        let mut jobs: Vec<(usize, Option<Vec<f64>>)> = (0..self.envs.len())
            .map(|i| (i, tasks.map(|t| t[i].clone())))
            .collect();
        self.reset_some(&mut jobs)
            .map(|v| v.into_iter().map(|(_, o)| o).collect())
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
        next_task: impl FnMut(usize, &EpisodeStats) -> Option<Vec<f64>>,
    ) -> Result<Vec<AutoStep<E::Obs>>, TaskError> {
        let steps = self.step_envs(actions);
        self.autoreset(steps, next_task)
    }

    /// Steps every instance with its action; finished episodes are not reset
    /// yet (call [`autoreset`](Self::autoreset)), so the caller can look at
    /// the transitions (a student scoring the episode) before choosing the
    /// next tasks.
    pub fn step_envs(&mut self, actions: &[E::Act]) -> Vec<Step<E::Obs>> {
        assert_eq!(
            actions.len(),
            self.envs.len(),
            "one action per env instance"
        );
        self.on_owner_threads(actions, |e, a| e.step(a))
    }

    /// Resets the instances whose episode ended in `steps` (on their owner
    /// threads), with the task `next_task(i, stats)` returns or their current one.
    pub fn autoreset(
        &mut self,
        steps: Vec<Step<E::Obs>>,
        mut next_task: impl FnMut(usize, &EpisodeStats) -> Option<Vec<f64>>,
    ) -> Result<Vec<AutoStep<E::Obs>>, TaskError> {
        let mut jobs = Vec::new();
        for (i, s) in steps.iter().enumerate() {
            if s.done() {
                let task = s
                    .info
                    .episode
                    .as_ref()
                    .and_then(|stats| next_task(i, stats));
                jobs.push((i, task));
            }
        }
        let resets = self.reset_some(&mut jobs)?;
        let mut out: Vec<AutoStep<E::Obs>> = steps
            .into_iter()
            .map(|step| AutoStep {
                step,
                reset_obs: None,
            })
            .collect();
        for (i, obs) in resets {
            out[i].reset_obs = Some(obs);
        }
        Ok(out)
    }

    /// Applies `f` to every instance with its input. Instance `i` always runs
    /// on the same pool thread (contiguous blocks, one per thread): an
    /// instance's physics world stays in that core's cache and its memory is
    /// allocated and freed by one thread.
    fn on_owner_threads<I: Sync, R: Send>(
        &mut self,
        inputs: &[I],
        f: impl Fn(&mut E, &I) -> R + Sync,
    ) -> Vec<R> {
        let threads = self.pool.threads();
        if threads == 1 {
            return self
                .envs
                .iter_mut()
                .zip(inputs)
                .map(|(e, x)| f(e, x))
                .collect();
        }
        let block = self.envs.len().div_ceil(threads).max(1);
        let blocks: Vec<Mutex<(&mut [E], &[I])>> = self
            .envs
            .chunks_mut(block)
            .zip(inputs.chunks(block))
            .map(Mutex::new)
            .collect();
        let outputs: Vec<Mutex<Vec<R>>> =
            (0..blocks.len()).map(|_| Mutex::new(Vec::new())).collect();
        self.pool.run(&|k| {
            if let Some(b) = blocks.get(k) {
                let mut guard = b.lock().expect("env block lock");
                let (envs, xs) = &mut *guard;
                let out: Vec<R> = envs
                    .iter_mut()
                    .zip(xs.iter())
                    .map(|(e, x)| f(e, x))
                    .collect();
                *outputs[k].lock().expect("output lock") = out;
            }
        });
        outputs
            .into_iter()
            .flat_map(|o| o.into_inner().expect("output lock"))
            .collect()
    }

    /// Resets the listed instances on their owner threads, each with a fresh
    /// seed from its stream; returns (instance, first observation) in instance order.
    fn reset_some(
        &mut self,
        jobs: &mut [(usize, Option<Vec<f64>>)],
    ) -> Result<Vec<(usize, E::Obs)>, TaskError> {
        if jobs.is_empty() {
            return Ok(Vec::new());
        }
        let mut inputs: Vec<Option<(u64, Option<Vec<f64>>)>> = vec![None; self.envs.len()];
        for (i, task) in jobs.iter_mut() {
            let seed = self.seeds[*i].random();
            self.episode_seeds[*i] = seed;
            inputs[*i] = Some((seed, task.take()));
        }
        let reset = |e: &mut E, job: &Option<(u64, Option<Vec<f64>>)>| {
            job.as_ref()
                .map(|(seed, task)| e.reset(Some(*seed), task.as_deref()).map(|(o, _)| o))
        };
        let results = if jobs.len() == 1 {
            // A lone reset is cheaper here than a round trip through the pool.
            let i = jobs[0].0;
            let mut r: Vec<_> = (0..self.envs.len()).map(|_| None).collect();
            r[i] = reset(&mut self.envs[i], &inputs[i]);
            r
        } else {
            self.on_owner_threads(&inputs, reset)
        };
        results
            .into_iter()
            .enumerate()
            .filter_map(|(i, r)| r.map(|r| r.map(|o| (i, o))))
            .collect()
    }
}
