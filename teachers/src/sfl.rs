//! Sampling For Learnability (Rutherford et al., 2024, "No Regrets:
//! Investigating and Improving Regret Approximations for Curriculum
//! Discovery"): every so often, estimate the success rate p of a batch of
//! random candidate tasks from a few rollouts of the current student, keep
//! the tasks with the highest learnability p·(1 − p) (solved sometimes, not
//! always), and train on a mix of those and fresh random tasks.
//!
//! Here the rollouts are episodes the teacher proposes with learning off,
//! so they are part of the run's env-step budget (in the paper they run
//! beside training). With several env instances the probes of one refresh
//! are in flight together, like the paper's batched rollouts. The success
//! signal is the world's own criterion (Stump Tracks: return > 230).
//! Defaults are sized for trellis's serial episodes rather than the paper's
//! JAX batches (5,000 candidates, 100 kept): 100 candidates, 2 rollouts
//! each, 20 kept, refreshed every 500 training episodes, half of the tasks
//! from the buffer (the paper's sampling ratio ρ = 0.5).

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::util::{InFlight, check_range, uniform_task};
use crate::{Episode, Proposal, Teacher, TeacherContext, TeacherError};
use trellis_core::Expert;

use crate::registry::{Descriptor, config, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "sfl",
    summary: "Sampling For Learnability: replay tasks with the highest p(1-p) from probe rollouts",
    needs_expert: false,
    initial_from: Expert::High,
    quick: "candidates = 20\nrollouts = 2\nbuffer_size = 5\nperiod = 60",
    make: |cfg, ctx, seed| Ok(Box::new(Sfl::new(ctx, config(DESCRIPTOR.name, cfg)?, seed)?)),
    restore: restore_serde::<Sfl>,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// SFL's settings (defaults: the official code's, see the module docs).
pub struct SflConfig {
    /// Random candidate tasks scored at each refresh (paper: 5,000).
    pub candidates: usize,
    /// Probe episodes per candidate: p is the share of them that succeed.
    pub rollouts: usize,
    /// Candidates kept, highest learnability first (paper: 100).
    pub buffer_size: usize,
    /// Training episodes between refreshes (the first refresh after one period of random tasks).
    pub period: usize,
    /// Share of training tasks drawn from the buffer (paper: ρ = 0.5); the rest are uniform.
    pub replay_prob: f64,
}

impl Default for SflConfig {
    fn default() -> Self {
        Self {
            candidates: 100,
            rollouts: 2,
            buffer_size: 20,
            period: 500,
            replay_prob: 0.5,
        }
    }
}

impl SflConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("candidates", self.candidates as f64, 1.0, 1e6)?;
        check_range("rollouts", self.rollouts as f64, 1.0, 1e4)?;
        check_range("buffer_size", self.buffer_size as f64, 1.0, self.candidates as f64)?;
        check_range("period", self.period as f64, 1.0, 1e9)?;
        check_range("replay_prob", self.replay_prob, 0.0, 1.0)
    }
}

/// What a proposal was for.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
enum Use {
    /// A rollout of candidate `i` of the current refresh.
    Probe(usize),
    Train,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The SFL teacher (see the module docs).
pub struct Sfl {
    cfg: SflConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    /// The refresh in progress: candidates, their (successes, rollouts back),
    /// and the probe proposals still to make.
    candidates: Vec<Vec<f64>>,
    results: Vec<(u32, u32)>,
    to_probe: Vec<usize>,
    /// The learnable tasks being trained on, with their learnability.
    buffer: Vec<(Vec<f64>, f64)>,
    /// Training episodes back since the last refresh.
    trained: usize,
    pending: InFlight<Use>,
    refreshes: u64,
}

impl Sfl {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, cfg: SflConfig, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        Ok(Self {
            cfg,
            ctx,
            rng: trellis_core::rng::seeded(seed, 0),
            candidates: Vec::new(),
            results: Vec::new(),
            to_probe: Vec::new(),
            buffer: Vec::new(),
            trained: 0,
            pending: InFlight::default(),
            refreshes: 0,
        })
    }

    /// Draws a new batch of candidates to probe.
    fn start_refresh(&mut self) {
        self.candidates = (0..self.cfg.candidates)
            .map(|_| uniform_task(&self.ctx.space, &mut self.rng))
            .collect();
        self.results = vec![(0, 0); self.cfg.candidates];
        // Candidate-major, reversed so that `pop` probes candidate 0 first.
        self.to_probe = (0..self.cfg.candidates)
            .flat_map(|i| std::iter::repeat_n(i, self.cfg.rollouts))
            .rev()
            .collect();
        self.trained = 0;
    }

    /// Once every probe is back: keep the most learnable candidates.
    fn finish_refresh(&mut self) {
        let mut scored: Vec<(Vec<f64>, f64)> = self
            .candidates
            .drain(..)
            .zip(&self.results)
            .map(|(t, &(s, n))| {
                let p = s as f64 / n.max(1) as f64;
                (t, p * (1.0 - p))
            })
            .collect();
        scored.sort_by(|a, b| b.1.total_cmp(&a.1));
        scored.retain(|(_, l)| *l > 0.0);
        scored.truncate(self.cfg.buffer_size);
        self.buffer = scored;
        self.results.clear();
        self.refreshes += 1;
    }
}

impl Teacher for Sfl {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        self.propose().task
    }

    fn propose(&mut self) -> Proposal {
        if let Some(i) = self.to_probe.pop() {
            let task = self.candidates[i].clone();
            self.pending.push(task.clone(), Use::Probe(i));
            return Proposal::evaluate(task);
        }
        let task = if !self.buffer.is_empty() && self.rng.random::<f64>() < self.cfg.replay_prob {
            let k = self.rng.random_range(0..self.buffer.len());
            self.buffer[k].0.clone()
        } else {
            uniform_task(&self.ctx.space, &mut self.rng)
        };
        self.pending.push(task.clone(), Use::Train);
        Proposal::learn(task)
    }

    fn update(&mut self, ep: &Episode) {
        match self.pending.take(ep.task) {
            Some(Use::Probe(i)) if i < self.results.len() => {
                self.results[i].0 += ep.success as u32;
                self.results[i].1 += 1;
                let back: u32 = self.results.iter().map(|r| r.1).sum();
                if back as usize == self.cfg.candidates * self.cfg.rollouts {
                    self.finish_refresh();
                }
            }
            Some(Use::Train) => {
                self.trained += 1;
                if self.trained >= self.cfg.period && self.results.is_empty() {
                    self.start_refresh();
                }
            }
            _ => {}
        }
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        let tasks = self
            .buffer
            .iter()
            .map(|(t, l)| crate::belief::ScoredTask { task: t.clone(), score: *l })
            .collect();
        crate::belief::Belief::Scored { tasks }
    }

    fn dump(&self) -> serde_json::Value {
        let buffer: Vec<serde_json::Value> = self
            .buffer
            .iter()
            .map(|(t, l)| serde_json::json!({ "task": t, "learnability": l }))
            .collect();
        serde_json::json!({
            "teacher": DESCRIPTOR.name,
            "refreshes": self.refreshes,
            "probing": !self.results.is_empty(),
            "buffer": buffer,
        })
    }
}
