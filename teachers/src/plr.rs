//! Prioritized Level Replay (Jiang, Grefenstette & Rocktäschel, 2021): keep
//! a buffer of tasks scored by how much the student still has to learn on
//! them (its value loss there) and replay the high scorers; new tasks come
//! from the uniform generator, and each one enters the buffer if it scores
//! well enough.
//!
//! The replay decision follows the official code's "proportionate" schedule:
//! once the buffer is filled to ρ, replay with probability
//! min(filled share, `replay_prob`). Settings are the dcd repository's for
//! the bipedal walker (positive value loss, rank, temperature 0.1, staleness
//! 0.5, replay 0.5, ρ 0.5, buffer 1000).
//!
//! The same file serves robust PLR (Jiang et al., 2021b, "Replay-Guided
//! Adversarial Environment Design"): there the student learns only from
//! replayed tasks; new tasks are played just to score them.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::level_buffer::LevelBuffer;
use crate::util::{InFlight, check_range, uniform_task};
use crate::{Episode, Proposal, ScoreKind, Teacher, TeacherContext, TeacherError};
use trellis_core::Expert;

use crate::registry::{Descriptor, config, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "plr",
    summary: "Prioritized Level Replay: replay high value-loss tasks (rank, staleness)",
    needs_expert: false,
    initial_from: Expert::High,
    quick: QUICK,
    make: |cfg, ctx, seed| Ok(Box::new(Plr::new(ctx, config(DESCRIPTOR.name, cfg)?, false, seed)?)),
    restore: restore_serde::<Plr>,
};

/// Settings for a few hundred short episodes: a buffer the tests can fill.
pub(crate) const QUICK: &str = "buffer_size = 50";

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// PLR's settings (defaults: the official code's, see the module docs).
pub struct PlrConfig {
    /// Tasks kept (dcd bipedal: 1000).
    pub buffer_size: usize,
    /// The student's score ranking tasks (dcd bipedal: positive value loss).
    pub score: ScoreKind,
    /// Rank temperature T: weights (1/rank)^(1/T); small T concentrates on the top.
    pub temperature: f64,
    /// Mix of the staleness distribution into the replay distribution.
    pub staleness_coef: f64,
    /// Highest replay probability.
    pub replay_prob: f64,
    /// Share of the buffer that must be filled before any replay (ρ).
    pub rho: f64,
}

impl Default for PlrConfig {
    fn default() -> Self {
        Self {
            buffer_size: 1000,
            score: ScoreKind::PositiveValueLoss,
            temperature: 0.1,
            staleness_coef: 0.5,
            replay_prob: 0.5,
            rho: 0.5,
        }
    }
}

impl PlrConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("buffer_size", self.buffer_size as f64, 1.0, 1e7)?;
        check_range("temperature", self.temperature, 1e-3, 1e3)?;
        check_range("staleness_coef", self.staleness_coef, 0.0, 1.0)?;
        check_range("replay_prob", self.replay_prob, 0.0, 1.0)?;
        check_range("rho", self.rho, 0.0, 1.0)
    }
}

/// Where a proposed task came from.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum Origin {
    /// Drawn from the buffer.
    Replay,
    /// New (from the generator, or an ACCEL edit), proposed at this clock.
    New(u64),
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The PLR (or robust PLR) teacher (see the module docs).
pub struct Plr {
    pub(crate) cfg: PlrConfig,
    pub(crate) ctx: TeacherContext,
    pub(crate) rng: ChaCha8Rng,
    /// Robust PLR: learn only from replayed tasks.
    robust: bool,
    pub(crate) buffer: LevelBuffer,
    pub(crate) pending: InFlight<Origin>,
    /// Counts for dumps: replayed and new proposals, new tasks admitted.
    replays: u64,
    news: u64,
    admitted: u64,
}

impl Plr {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, cfg: PlrConfig, robust: bool, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        Ok(Self {
            buffer: LevelBuffer::new(cfg.buffer_size),
            cfg,
            ctx,
            rng: trellis_core::rng::seeded(seed, 0),
            robust,
            pending: InFlight::default(),
            replays: 0,
            news: 0,
            admitted: 0,
        })
    }

    /// Replay now? (the proportionate schedule)
    pub(crate) fn replay_due(&mut self) -> bool {
        let filled = self.buffer.filled();
        filled >= self.cfg.rho
            && self.buffer.len() > 0
            && self.rng.random::<f64>() < filled.min(self.cfg.replay_prob)
    }

    /// A proposal: a replay when due, else `new_task` (a new task for the
    /// generator); robust PLR learns from replays only.
    pub(crate) fn propose_with(&mut self, new_task: impl FnOnce(&mut Self) -> Vec<f64>) -> Proposal {
        self.buffer.clock += 1;
        if self.replay_due() {
            self.replays += 1;
            let (t, c) = (self.cfg.temperature, self.cfg.staleness_coef);
            let task = self.buffer.replay(t, c, &mut self.rng);
            self.pending.push(task.clone(), Origin::Replay);
            return Proposal::learn(task);
        }
        self.news += 1;
        let task = new_task(self);
        self.pending.push(task.clone(), Origin::New(self.buffer.clock));
        Proposal { task, learn: !self.robust }
    }

    /// Scores the episode's task; returns its origin. Students without a
    /// value function give no scores: every task then scores 0 and replay
    /// follows staleness alone.
    pub(crate) fn record(&mut self, ep: &Episode) -> Option<Origin> {
        let score = ep.scores.map_or(0.0, |s| s.get(self.cfg.score));
        let origin = self.pending.take(ep.task)?;
        match origin {
            Origin::Replay => {
                if let Some(i) = self.buffer.find(ep.task) {
                    self.buffer.rescore(i, score);
                }
            }
            Origin::New(at) => {
                let (t, c) = (self.cfg.temperature, self.cfg.staleness_coef);
                if self.buffer.offer(ep.task.to_vec(), score, at, t, c) {
                    self.admitted += 1;
                }
            }
        }
        Some(origin)
    }

    /// The buffer's slots, most likely to be replayed first, with every
    /// slot's replay weight.
    fn replay_order(&self) -> (Vec<usize>, Vec<f64>) {
        let w = self.buffer.weights(self.cfg.temperature, self.cfg.staleness_coef);
        let mut idx: Vec<usize> = (0..self.buffer.len()).collect();
        idx.sort_by(|&a, &b| w[b].total_cmp(&w[a]));
        (idx, w)
    }

    /// The buffer's tasks with their scores, most likely to be replayed first.
    pub(crate) fn buffer_belief(&self) -> crate::belief::Belief {
        let tasks = self
            .replay_order()
            .0
            .into_iter()
            .map(|i| crate::belief::ScoredTask { task: self.buffer.task(i).to_vec(), score: self.buffer.scores()[i] })
            .collect();
        crate::belief::Belief::Scored { tasks }
    }

    /// What the buffer holds, for dumps.
    pub(crate) fn dump_buffer(&self) -> serde_json::Value {
        let (idx, w) = self.replay_order();
        let top: Vec<serde_json::Value> = idx
            .iter()
            .take(50)
            .map(|&i| serde_json::json!({ "task": self.buffer.task(i), "score": self.buffer.scores()[i], "p": w[i] }))
            .collect();
        serde_json::json!({
            "size": self.buffer.len(),
            "filled": self.buffer.filled(),
            "replays": self.replays,
            "new": self.news,
            "admitted": self.admitted,
            "top": top,
        })
    }
}

/// The registry name of PLR with its `robust` switch on (robust_plr.rs's
/// entry takes it from here, so the name has one source).
pub const ROBUST_NAME: &str = "robust-plr";

impl Teacher for Plr {
    fn name(&self) -> &'static str {
        if self.robust {
            ROBUST_NAME
        } else {
            DESCRIPTOR.name
        }
    }

    fn sample_task(&mut self) -> Vec<f64> {
        self.propose().task
    }

    fn propose(&mut self) -> Proposal {
        self.propose_with(|p| uniform_task(&p.ctx.space, &mut p.rng))
    }

    fn update(&mut self, ep: &Episode) {
        self.record(ep);
    }

    fn wants_scores(&self) -> bool {
        true
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        self.buffer_belief()
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::json!({ "teacher": self.name(), "buffer": self.dump_buffer() })
    }
}
