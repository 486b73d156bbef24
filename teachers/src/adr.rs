//! ADR, Automatic Domain Randomization (OpenAI et al., 2019): tasks are
//! drawn uniformly from a box that starts as a single easy task. With
//! probability `boundary_sampling_p` one dimension is pinned to a boundary of
//! the box; after `queue_len` episodes at a boundary, it moves outwards by
//! `step_size` if their mean return reached `max_reward_thr`, inwards if it
//! fell to `min_reward_thr`.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::util::{check_range, uniform_in, uniform_task};
use crate::{Episode, Teacher, TeacherContext, TeacherError};
use trellis_core::Expert;

use crate::registry::{Descriptor, config, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "adr",
    summary: "box grown/shrunk at its boundaries from an easy start task",
    needs_expert: true,
    initial_from: Expert::Low,
    quick: "",
    make: |cfg, ctx, seed| Ok(Box::new(Adr::new(ctx, config(DESCRIPTOR.name, cfg)?, seed)?)),
    restore: restore_serde::<Adr>,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// ADR's settings (defaults: TeachMyAgent's benchmark runs).
pub struct AdrConfig {
    /// Probability that a task is drawn on a boundary of the box (then one
    /// dimension is pinned there) rather than inside it.
    pub boundary_sampling_p: f64,
    /// Boundary move, in task units.
    pub step_size: f64,
    /// Shrink a boundary when the mean return of its queue is at or below this (task-return units).
    pub min_reward_thr: f64,
    /// Expand a boundary when the mean return of its queue is at or above this (task-return units).
    pub max_reward_thr: f64,
    /// Returns of boundary tasks averaged before a boundary moves.
    pub queue_len: usize,
}

impl Default for AdrConfig {
    fn default() -> Self {
        Self {
            boundary_sampling_p: 0.7,
            step_size: 0.1,
            min_reward_thr: 0.0,
            max_reward_thr: 180.0,
            queue_len: 10,
        }
    }
}

impl AdrConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("boundary_sampling_p", self.boundary_sampling_p, 0.0, 1.0)?;
        check_range("step_size", self.step_size, 1e-12, 1e12)?;
        check_range("queue_len", self.queue_len as f64, 1.0, 1e6)?;
        check_range(
            "max_reward_thr",
            self.max_reward_thr,
            self.min_reward_thr,
            f64::MAX,
        )
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The ADR teacher (see the module docs).
pub struct Adr {
    cfg: AdrConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    /// Lower corner of the current box (task units).
    pub low: Vec<f64>,
    /// Upper corner of the current box (task units).
    pub high: Vec<f64>,
    low_queues: Vec<Vec<f64>>,
    high_queues: Vec<Vec<f64>>,
    episodes: u64,
}

impl Adr {
    /// Starts from the context's initial distribution mean (expert knowledge),
    /// or from a random task when there is none.
    pub fn new(ctx: TeacherContext, cfg: AdrConfig, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        let mut rng = trellis_core::rng::seeded(seed, 0);
        let mut start = match &ctx.initial {
            Some(g) => g.mean.clone(),
            None => uniform_task(&ctx.space, &mut rng),
        };
        ctx.space.clamp(&mut start);
        let d = ctx.space.len();
        Ok(Self {
            cfg,
            rng,
            low: start.clone(),
            high: start,
            low_queues: vec![Vec::new(); d],
            high_queues: vec![Vec::new(); d],
            ctx,
            episodes: 0,
        })
    }
}

impl Teacher for Adr {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        let mut task = uniform_in(&self.low, &self.high, &mut self.rng);
        if self.rng.random::<f64>() < self.cfg.boundary_sampling_p {
            let i = self.rng.random_range(0..task.len());
            let d = &self.ctx.space.dims[i];
            let (low_capped, high_capped) = (self.low[i] <= d.low, self.high[i] >= d.high);
            task[i] = match (low_capped, high_capped) {
                (false, false) => {
                    if self.rng.random::<f64>() < 0.5 {
                        self.low[i]
                    } else {
                        self.high[i]
                    }
                }
                (false, true) => self.low[i],
                (true, false) => self.high[i],
                (true, true) => task[i],
            };
        }
        task
    }

    fn update(&mut self, ep: &Episode) {
        self.episodes += 1;
        let (thr_lo, thr_hi, step, n) = (
            self.cfg.min_reward_thr,
            self.cfg.max_reward_thr,
            self.cfg.step_size,
            self.cfg.queue_len,
        );
        for i in 0..self.low.len() {
            let d = &self.ctx.space.dims[i];
            if ep.task[i] == self.low[i] {
                self.low_queues[i].push(ep.ret);
                if self.low_queues[i].len() >= n {
                    let mean = self.low_queues[i].iter().sum::<f64>() / n as f64;
                    if mean >= thr_hi {
                        self.low[i] = (self.low[i] - step).max(d.low);
                    } else if mean <= thr_lo {
                        self.low[i] = (self.low[i] + step).min(self.high[i]);
                    }
                    self.low_queues[i].clear();
                }
            }
            if ep.task[i] == self.high[i] {
                self.high_queues[i].push(ep.ret);
                if self.high_queues[i].len() >= n {
                    let mean = self.high_queues[i].iter().sum::<f64>() / n as f64;
                    if mean >= thr_hi {
                        self.high[i] = (self.high[i] + step).min(d.high);
                    } else if mean <= thr_lo {
                        self.high[i] = (self.high[i] - step).max(self.low[i]);
                    }
                    self.high_queues[i].clear();
                }
            }
        }
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        crate::belief::Belief::Box { low: self.low.clone(), high: self.high.clone() }
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::json!({ "teacher": "adr", "episodes": self.episodes, "low": self.low, "high": self.high })
    }
}
