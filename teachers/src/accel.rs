//! ACCEL (Parker-Holder, Jiang et al., 2022, "Evolving Curricula with
//! Regret-Based Environment Design"): robust PLR whose replayed tasks are
//! also edited. After each replayed episode, the task is copied and changed
//! by a few small random edits; the child is played without learning to
//! score it and enters the buffer if it scores high, so the buffer's
//! frontier of hard-but-learnable tasks grows by small steps.
//!
//! Edits follow dcd's bipedal editor: each edit picks one dimension at
//! random and moves it by −1, 0 or +1 step, clipped to the bounds; the step
//! is `edit_step` of the dimension's width (dcd moves a stump height by 0.2
//! of a 0–5 range, i.e. 4%). Settings: dcd's bipedal ACCEL (replay 0.9,
//! 3 edits, editor probability 1, the rest as PLR). New tasks come from the
//! expert's easy distribution when the run gives one (dcd starts ACCEL from
//! easy levels), else uniformly.

use rand::RngExt;
use serde::{Deserialize, Serialize};

use crate::plr::{Origin, Plr, PlrConfig};
use crate::util::{check_range, uniform_task};
use crate::{Episode, Proposal, Teacher, TeacherContext, TeacherError};
use trellis_core::Expert;

use crate::registry::{Descriptor, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "accel",
    summary: "robust PLR plus small edits of replayed tasks (scored, kept if high)",
    needs_expert: false,
    initial_from: Expert::Low,
    quick: crate::plr::QUICK,
    make: |cfg, ctx, seed| Ok(Box::new(Accel::new(ctx, accel_config(cfg)?, seed)?)),
    restore: restore_serde::<Accel>,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
/// ACCEL's settings (defaults: the official code's, see the module docs).
pub struct AccelConfig {
    /// The buffer and replay settings (same keys as PLR's; replay 0.9 here).
    #[serde(flatten)]
    pub plr: PlrConfig,
    /// Edits per child (dcd bipedal: 3).
    pub num_edits: usize,
    /// One edit's step as a share of the dimension's width.
    pub edit_step: f64,
    /// Probability that a replayed task is edited after its episode.
    pub editor_prob: f64,
}

impl Default for AccelConfig {
    fn default() -> Self {
        Self {
            plr: PlrConfig {
                replay_prob: 0.9,
                ..PlrConfig::default()
            },
            num_edits: 3,
            edit_step: 0.04,
            editor_prob: 1.0,
        }
    }
}

/// ACCEL's settings: the given keys over the defaults; unknown keys refused
/// (serde's `deny_unknown_fields` does not combine with the flattened PLR part).
fn accel_config(cfg: &toml::Table) -> Result<AccelConfig, TeacherError> {
    let mut table = toml::Table::try_from(AccelConfig::default()).expect("defaults serialise");
    for (k, v) in cfg {
        if !table.contains_key(k) {
            let known: Vec<&str> = table.keys().map(String::as_str).collect();
            return Err(TeacherError::BadConfig(format!(
                "accel: unknown field `{k}`, expected one of {}",
                known.join(", ")
            )));
        }
        table.insert(k.clone(), v.clone());
    }
    toml::Value::Table(table)
        .try_into()
        .map_err(|e| TeacherError::BadConfig(format!("accel: {}", e.to_string().trim())))
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The ACCEL teacher (see the module docs).
pub struct Accel {
    plr: Plr,
    num_edits: usize,
    edit_step: f64,
    editor_prob: f64,
    /// Replayed tasks waiting to be edited.
    parents: Vec<Vec<f64>>,
    children: u64,
}

impl Accel {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, cfg: AccelConfig, seed: u64) -> Result<Self, TeacherError> {
        check_range("num_edits", cfg.num_edits as f64, 1.0, 1000.0)?;
        check_range("edit_step", cfg.edit_step, 0.0, 1.0)?;
        check_range("editor_prob", cfg.editor_prob, 0.0, 1.0)?;
        Ok(Self {
            plr: Plr::new(ctx, cfg.plr, true, seed)?,
            num_edits: cfg.num_edits,
            edit_step: cfg.edit_step,
            editor_prob: cfg.editor_prob,
            parents: Vec::new(),
            children: 0,
        })
    }

    /// `parent` after `num_edits` edits, inside the bounds.
    pub fn mutate(&mut self, parent: &[f64]) -> Vec<f64> {
        let mut child = parent.to_vec();
        let dims = &self.plr.ctx.space.dims;
        for _ in 0..self.num_edits {
            let k = self.plr.rng.random_range(0..dims.len());
            let dir = self.plr.rng.random_range(-1i32..=1) as f64;
            child[k] += dir * self.edit_step * dims[k].width();
        }
        self.plr.ctx.space.clamp(&mut child);
        child
    }
}

impl Teacher for Accel {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        self.propose().task
    }

    fn propose(&mut self) -> Proposal {
        if let Some(parent) = self.parents.pop() {
            let child = self.mutate(&parent);
            self.children += 1;
            self.plr.buffer.clock += 1;
            let at = self.plr.buffer.clock;
            self.plr.pending.push(child.clone(), Origin::New(at));
            return Proposal::evaluate(child);
        }
        self.plr.propose_with(|p| match &p.ctx.initial {
            Some(g) => {
                let mut t = g.sample(&mut p.rng);
                p.ctx.space.clamp(&mut t);
                t
            }
            None => uniform_task(&p.ctx.space, &mut p.rng),
        })
    }

    fn update(&mut self, ep: &Episode) {
        if self.plr.record(ep) == Some(Origin::Replay) && self.plr.rng.random::<f64>() < self.editor_prob {
            self.parents.push(ep.task.to_vec());
        }
    }

    fn wants_scores(&self) -> bool {
        true
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        self.plr.buffer_belief()
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::json!({ "teacher": DESCRIPTOR.name, "children": self.children, "buffer": self.plr.dump_buffer() })
    }
}
