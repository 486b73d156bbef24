//! Open-ended teachers: POET (Wang, Lehman, Clune & Stanley, 2019) and
//! Enhanced POET (Wang et al., 2020). Unlike the curricula in
//! [`TEACHERS`](crate::TEACHERS), which steer one student through a task
//! space, they keep a *population* of (environment, agent) pairs: every
//! agent is optimised in its own environment, environments reproduce by
//! mutation when their agent is good enough, children are admitted if the
//! existing agents find them neither too easy nor too hard (the minimal
//! criterion) and in order of novelty, and agents transfer between
//! environments when one does better in another's.
//!
//! The algorithm ([`poet`]) never touches a world or a network: it asks an
//! [`Arena`](poet::Arena) to optimise and score agents on task vectors, so
//! its decisions are tested with a toy arena and trellis-train supplies the
//! real one (evolution strategies on a walker world). The encoding of an
//! environment is the run's task vector: the `poet` world's five obstacle
//! magnitudes for POET, Parkour's CPPN input with water and creepers for
//! an Enhanced POET over the terrain trellis already generates.

pub mod mutation;
pub mod novelty;
pub mod poet;

use serde::{Deserialize, Serialize};

pub use poet::{Arena, Event, Pair, Poet};

/// Which algorithm.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Variant {
    /// POET: novelty is the Euclidean distance between encodings; an agent
    /// is replaced when a transfer beats its latest score.
    Poet,
    /// Enhanced POET: novelty from PATA-EC (how the population's agents
    /// rank in the environment), and a transfer must beat the best of the
    /// incumbent's recent scores.
    Enhanced,
}

/// An open-ended teacher in the registry.
#[derive(Clone, Copy, Debug)]
pub struct Descriptor {
    /// Its name as `--teacher` takes it.
    pub name: &'static str,
    /// One line for `--help` and `trellis describe`.
    pub summary: &'static str,
    /// The algorithm.
    pub variant: Variant,
    /// Settings under which a population grows within seconds (tests, smoke runs).
    pub quick: &'static str,
}

const QUICK: &str = "reproduce_every = 4\ntransfer_every = 2\nrepro_threshold = -100.0\nmc_low = -150.0\nmc_high = 400.0\nmax_active = 4";

/// Every open-ended teacher.
pub const OPEN_ENDED: &[Descriptor] = &[
    Descriptor {
        name: "poet",
        summary: "POET: a population of (environment, agent) pairs; mutation, minimal criterion, novelty, transfers",
        variant: Variant::Poet,
        quick: QUICK,
    },
    Descriptor {
        name: "enhanced-poet",
        summary: "Enhanced POET: POET with PATA-EC novelty and a stricter transfer test",
        variant: Variant::Enhanced,
        quick: QUICK,
    },
];

/// The open-ended teacher called `name`, if it is one.
pub fn descriptor(name: &str) -> Option<&'static Descriptor> {
    OPEN_ENDED.iter().find(|d| d.name == name)
}

/// The settings of both algorithms; defaults from the authors' launch
/// scripts (POET's and Enhanced POET's differ where noted), every range
/// checked by [`PoetConfig::validate`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PoetConfig {
    /// Iterations between reproduction rounds (POET 75 = 3 × 25, Enhanced 150 = 6 × 25).
    pub reproduce_every: u64,
    /// Iterations between transfer rounds (25).
    pub transfer_every: u64,
    /// A pair may reproduce once its agent scores at least this (200).
    pub repro_threshold: f64,
    /// Minimal criterion: a child is admitted only if the agent brought to
    /// it scores at least this (25: not too hard)...
    pub mc_low: f64,
    /// ...and at most this (340: not already solved).
    pub mc_high: f64,
    /// Active pairs at most; the oldest retire to the archive (POET 20 here,
    /// its scripts 25–40; Enhanced 20).
    pub max_active: usize,
    /// Mutations tried per reproduction round (8).
    pub max_children: usize,
    /// Children admitted per reproduction round at most (1).
    pub max_admitted: usize,
    /// Neighbours averaged for novelty (5).
    pub novelty_k: usize,
    /// A mutation moves each encoding dimension by a uniform draw in
    /// ±this fraction of its range (POET's roughness: ±0.6 of [0, 10]).
    pub mutation_step: f64,
    /// Enhanced POET: a transfer must beat the best of the incumbent's
    /// last this-many scores (5); POET compares with the latest only (1).
    pub recent_scores: usize,
    /// The first environment's encoding (default: the world's easiest
    /// task, as POET starts on flat ground). With reproduction pushed past
    /// the budget, a run is the paper's control: the optimiser alone on one
    /// environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<Vec<f64>>,
    /// Stop after this many iterations (POET's `n_iterations`), whatever
    /// remains of the run's step budget; absent: the step budget alone.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub iterations: Option<u64>,
}

impl PoetConfig {
    /// The defaults of `variant`.
    pub fn defaults(variant: Variant) -> Self {
        let enhanced = variant == Variant::Enhanced;
        Self {
            reproduce_every: if enhanced { 150 } else { 75 },
            transfer_every: 25,
            repro_threshold: 200.0,
            mc_low: 25.0,
            mc_high: 340.0,
            max_active: 20,
            max_children: 8,
            max_admitted: 1,
            novelty_k: 5,
            mutation_step: 0.06,
            recent_scores: if enhanced { 5 } else { 1 },
            start: None,
            iterations: None,
        }
    }

    /// `variant`'s defaults overridden by `given` (a run's
    /// `teacher_config`); unknown keys and out-of-range values refused by
    /// name.
    pub fn from_table(variant: Variant, given: &toml::Table) -> Result<Self, String> {
        let mut t = toml::Table::try_from(Self::defaults(variant)).expect("settings serialise");
        for (k, v) in given {
            t.insert(k.clone(), v.clone());
        }
        let cfg: Self = toml::Value::Table(t)
            .try_into()
            .map_err(|e: toml::de::Error| format!("teacher_config: {}", e.message().trim()))?;
        cfg.validate()?;
        Ok(cfg)
    }

    /// Every field with a range; the message names the field and the range.
    pub fn validate(&self) -> Result<(), String> {
        let bad = |f: &str, v: String, r: &str| Err(format!("`teacher_config.{f}` = {v} is outside its allowed range {r}"));
        for (f, v) in [
            ("reproduce_every", self.reproduce_every as usize),
            ("transfer_every", self.transfer_every as usize),
            ("max_active", self.max_active),
            ("max_children", self.max_children),
            ("max_admitted", self.max_admitted),
            ("novelty_k", self.novelty_k),
            ("recent_scores", self.recent_scores),
        ] {
            if v == 0 {
                return bad(f, "0".into(), "[1, ∞)");
            }
        }
        if !(self.mutation_step.is_finite() && self.mutation_step > 0.0 && self.mutation_step <= 1.0) {
            return bad("mutation_step", self.mutation_step.to_string(), "(0, 1] (a fraction of each dimension's range)");
        }
        for (f, v) in [("mc_low", self.mc_low), ("mc_high", self.mc_high), ("repro_threshold", self.repro_threshold)] {
            if !v.is_finite() {
                return bad(f, v.to_string(), "(-∞, ∞), finite");
            }
        }
        if self.iterations == Some(0) {
            return bad("iterations", "0".into(), "[1, ∞)");
        }
        if self.mc_low > self.mc_high {
            return bad("mc_low", self.mc_low.to_string(), &format!("(-∞, mc_high = {}]", self.mc_high));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn settings_overlay_the_variants_defaults_and_refuse_by_name() {
        let t: toml::Table = "max_active = 3".parse().unwrap();
        let c = PoetConfig::from_table(Variant::Enhanced, &t).unwrap();
        assert_eq!((c.max_active, c.reproduce_every, c.recent_scores), (3, 150, 5));
        let e = PoetConfig::from_table(Variant::Poet, &"mc_low = 400.0".parse().unwrap()).unwrap_err();
        assert!(e.contains("teacher_config.mc_low") && e.contains("340"), "{e}");
        let e = PoetConfig::from_table(Variant::Poet, &"novelty = 1".parse().unwrap()).unwrap_err();
        assert!(e.contains("novelty"), "{e}");
        let e = PoetConfig::from_table(Variant::Poet, &"mutation_step = 0.0".parse().unwrap()).unwrap_err();
        assert!(e.contains("mutation_step") && e.contains("(0, 1]"), "{e}");
    }
}
