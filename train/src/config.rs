//! A training run's settings: one TOML file, every field defaulted to the
//! TeachMyAgent Stump Tracks benchmark (ALP-GMM teacher, SAC student) at a
//! scale that finishes on a laptop. The resolved config is written into the
//! run dir, so a run can always be resumed and evaluated from its dir alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use trellis_agents::ppo::PpoConfig;
use trellis_agents::sac::SacConfig;
use trellis_agents::text_policy::TextPolicyConfig;

use crate::TrainError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RunConfig {
    /// A world from `trellis_envs::registry::ENVS` (or `text-world`).
    pub env: String,
    /// Walker body; the env's benchmark body when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// Parkour only: CPPN weights (JSON in TeachMyAgent's layout) instead of trellis's own.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cppn_weights: Option<String>,
    pub teacher: String,
    pub student: String,
    /// Total env steps (over all instances).
    pub steps: u64,
    pub seed: u64,
    /// Env instances stepped together (TeachMyAgent: 1).
    pub envs: usize,
    /// CPU threads stepping the env instances and, from the command line, sizing burn's matmul pools.
    pub threads: usize,
    /// Env steps between evaluations on the test set.
    pub eval_every: u64,
    /// Size of the generated test set (ignored with `test_set`).
    pub test_episodes: usize,
    /// A JSON file with a list of task vectors to use as test set instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_set: Option<String>,
    /// Env steps between checkpoints (a resumed run loses at most this many).
    pub checkpoint_every: u64,
    /// Env steps between teacher dumps (teacher.jsonl).
    pub dump_every: u64,
    /// Task-space bounds that differ from the env's, e.g. `stump_height = [0, 9]`.
    pub bounds: BTreeMap<String, [f64; 2]>,
    /// Give the teacher the env's expert knowledge (an easy initial distribution).
    pub expert: bool,
    /// Settings of the teacher that differ from its defaults.
    pub teacher_config: toml::Table,
    pub sac: SacConfig,
    pub ppo: PpoConfig,
    pub text: TextPolicyConfig,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            env: "stump-tracks".into(),
            body: None,
            cppn_weights: None,
            teacher: "alp-gmm".into(),
            student: "sac".into(),
            steps: 1_000_000,
            seed: 0,
            envs: 1,
            threads: 1,
            eval_every: 50_000,
            test_episodes: 100,
            test_set: None,
            checkpoint_every: 50_000,
            dump_every: 50_000,
            bounds: BTreeMap::new(),
            expert: true,
            teacher_config: toml::Table::new(),
            sac: SacConfig::default(),
            ppo: PpoConfig::default(),
            text: TextPolicyConfig::default(),
        }
    }
}

/// Names accepted for `student`.
pub const STUDENTS: [&str; 3] = ["sac", "ppo", "text-ac"];

impl RunConfig {
    pub fn from_toml(text: &str) -> Result<Self, TrainError> {
        let cfg: Self = toml::from_str(text)
            .map_err(|e| TrainError::Config(e.to_string().trim().replace('\n', " ")))?;
        cfg.validate()?;
        Ok(cfg)
    }

    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a RunConfig always serialises")
    }

    /// Checks every field that has a range; names the field and the range.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |field: &str, value: String, allowed: &str| {
            Err(TrainError::Config(format!(
                "`{field}` = {value} is outside its allowed range {allowed}"
            )))
        };
        if self.steps == 0 {
            return bad("steps", "0".into(), "[1, ∞)");
        }
        if self.envs == 0 || self.envs > 4096 {
            return bad("envs", self.envs.to_string(), "[1, 4096]");
        }
        if self.threads == 0 || self.threads > 256 {
            return bad("threads", self.threads.to_string(), "[1, 256]");
        }
        for (field, v) in [
            ("eval_every", self.eval_every),
            ("checkpoint_every", self.checkpoint_every),
            ("dump_every", self.dump_every),
        ] {
            if v == 0 {
                return bad(field, "0".into(), "[1, ∞)");
            }
        }
        if self.test_episodes == 0 {
            return bad("test_episodes", "0".into(), "[1, ∞)");
        }
        if !STUDENTS.contains(&self.student.as_str()) {
            return Err(TrainError::Config(format!(
                "unknown student `{}`; known students: {}",
                self.student,
                STUDENTS.join(", ")
            )));
        }
        if !trellis_teachers::NAMES.contains(&self.teacher.as_str()) {
            return Err(TrainError::Config(format!(
                "unknown teacher `{}`; known teachers: {}",
                self.teacher,
                trellis_teachers::NAMES.join(", ")
            )));
        }
        for (name, [lo, hi]) in &self.bounds {
            if !(lo.is_finite() && hi.is_finite() && lo < hi) {
                return Err(TrainError::Config(format!(
                    "`bounds.{name}` = [{lo}, {hi}] must be finite with low < high"
                )));
            }
        }
        let s = &self.sac;
        for (field, v, lo, hi) in [
            ("sac.gamma", s.gamma as f64, 0.0, 1.0),
            ("sac.polyak", s.polyak as f64, 0.0, 1.0),
            ("sac.alpha", s.alpha as f64, 0.0, 10.0),
            ("sac.lr", s.lr, 1e-8, 1.0),
            ("ppo.gamma", self.ppo.gamma as f64, 0.0, 1.0),
            ("ppo.lambda", self.ppo.lambda as f64, 0.0, 1.0),
            ("ppo.lr", self.ppo.lr, 1e-8, 1.0),
            ("ppo.clip", self.ppo.clip as f64, 0.0, 1.0),
        ] {
            if !(v.is_finite() && v >= lo && v <= hi) {
                return bad(field, v.to_string(), &format!("[{lo}, {hi}]"));
            }
        }
        for (field, v) in [
            ("sac.batch_size", s.batch_size),
            ("sac.train_freq", s.train_freq),
            ("sac.buffer_size", s.buffer_size),
            ("ppo.rollout", self.ppo.rollout),
            ("ppo.minibatch", self.ppo.minibatch),
            ("ppo.epochs", self.ppo.epochs),
        ] {
            if v == 0 {
                return bad(field, "0".into(), "[1, ∞)");
            }
        }
        if s.hidden.is_empty()
            || s.hidden.contains(&0)
            || self.ppo.hidden.is_empty()
            || self.ppo.hidden.contains(&0)
        {
            return Err(TrainError::Config(
                "`sac.hidden` and `ppo.hidden` need at least one layer, each of at least 1 unit"
                    .into(),
            ));
        }
        Ok(())
    }
}
