//! A training run's settings: one TOML file. The defaults are the README's
//! first run: Stump Tracks with the ALP-GMM teacher and PPO (TeachMyAgent's
//! settings), 2M steps, which takes minutes and shows the student learning
//! (return rising from a fall's −100 towards standing and walking) from the
//! first evaluations. The reference run (SAC, 20M steps, evaluation every
//! 500k) is `--config assets/benchmarks/stump-tracks-reference.toml`; every
//! student setting defaults to TeachMyAgent's. The resolved config is written into the
//! run dir, so a run can always be resumed and evaluated from its dir alone.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use trellis_agents::EvalPolicy;
use trellis_core::{Expert, Shuffle};

use crate::TrainError;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
/// Unknown keys are refused by [`RunConfig::from_toml`]: the only sections
/// besides the fields below are the students' (`[sac]`, `[ppo]`, ...) and
/// the worlds' (`[parkour]`), each named after its owner.
#[serde(default)]
pub struct RunConfig {
    /// A world from `trellis_envs::registry::worlds()`; its options are the
    /// section named after it (`[parkour] cppn_weights = "..."`).
    pub env: String,
    /// Walker body; the env's benchmark body when absent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    /// A teacher from `trellis_teachers::TEACHERS`, an open-ended one from
    /// `trellis_teachers::open_ended::OPEN_ENDED` (`poet`, `enhanced-poet`:
    /// `teacher_config` holds its settings, the student must be `es`), or
    /// the name of the Python teacher `teacher_python` points at.
    pub teacher: String,
    /// A teacher written in Python: `package.module:Class` (importable by
    /// the Python that runs it) or `path/to/file.py:Class`. `teacher_config`
    /// is then the keyword arguments of its constructor, and the run goes
    /// through the Python package (`python -m trellis train`), which the
    /// `trellis` binary hands it to. Absent: `teacher` is one of trellis's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub teacher_python: Option<String>,
    /// A student from `trellis_agents::STUDENTS` that can read the world.
    pub student: String,
    /// Total env steps (over all instances).
    pub steps: u64,
    /// Seeds the student, the teacher and the env streams.
    pub seed: u64,
    /// Env instances stepped together (TeachMyAgent: 1).
    pub envs: usize,
    /// CPU threads stepping the env instances and, from the command line, sizing burn's matmul pools.
    pub threads: usize,
    /// Env steps between evaluations on the test set.
    pub eval_every: u64,
    /// Test tasks per evaluation: the size of the generated test set, or how
    /// many of the `test_set` file's tasks are played (its first ones).
    pub test_episodes: usize,
    /// A JSON file with a list of task vectors to use as test set instead.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub test_set: Option<String>,
    /// How test episodes act: `mean` (the policy's mean action,
    /// TeachMyAgent's SAC protocol) or `sample` (actions drawn from the
    /// policy, TeachMyAgent's PPO protocol: its `ppo2` tests with
    /// `model.step`). Absent: the student's reference protocol
    /// (`Descriptor::eval_policy`), which a new run dir's config records. A
    /// PPO mean can walk worse than the samples it was trained through
    /// (docs/learning.md measures it), so the protocol is part of a result.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub eval_policy: Option<EvalPolicy>,
    /// Env steps between checkpoints (a resumed run loses at most this many).
    pub checkpoint_every: u64,
    /// Minutes of wall time between checkpoints besides `checkpoint_every`
    /// (0: steps only), so a preemption loses at most this much work however
    /// fast the student is (SAC's 500k steps are ~40 min here, PPO's ~1 min).
    /// Taken at the same consistent points as step checkpoints, so results
    /// do not depend on it.
    pub checkpoint_minutes: f64,
    /// Env steps between teacher dumps (teacher.jsonl).
    pub dump_every: u64,
    /// Task-space bounds that differ from the env's, e.g. `stump_height = [0, 9]`.
    pub bounds: BTreeMap<String, [f64; 2]>,
    /// Expert knowledge given to the teacher: `no`, `low` or `high` (an easy
    /// initial distribution for the teachers that use it at that level).
    pub expert: Expert,
    /// Re-initialise the student (networks, optimisers, replay buffer) every
    /// this many env steps; 0 never does (TeachMyAgent's "forgetting
    /// student" experiment: every 7M steps).
    pub reset_student_every: u64,
    /// Cut each task dimension into cells and shuffle them for the teacher
    /// (TeachMyAgent's "rugged difficulty" experiment: 4 cells, seed 21);
    /// the world still gets real tasks.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shuffle: Option<Shuffle>,
    /// Settings of the teacher that differ from its defaults.
    pub teacher_config: toml::Table,
    /// Each student's settings that differ from its defaults, in a section
    /// named after it (`[sac]`, `[ppo]`, `[text-ac]`; see
    /// `trellis_agents::STUDENTS`), and each world's options, in a section
    /// named after it (`[parkour]`; `trellis describe` lists them). The run
    /// dir's copy has the run's student resolved in full.
    #[serde(flatten)]
    pub sections: BTreeMap<String, toml::Value>,
}

impl Default for RunConfig {
    fn default() -> Self {
        Self {
            env: trellis_envs::registry::default_world().name.into(),
            body: None,
            teacher: "alp-gmm".into(),
            teacher_python: None,
            student: "ppo".into(),
            steps: 2_000_000,
            seed: 0,
            envs: 1,
            threads: 1,
            eval_every: 250_000,
            test_episodes: 100,
            test_set: None,
            eval_policy: None,
            checkpoint_every: 250_000,
            checkpoint_minutes: 20.0,
            dump_every: 50_000,
            bounds: BTreeMap::new(),
            expert: Expert::High,
            reset_student_every: 0,
            shuffle: None,
            teacher_config: toml::Table::new(),
            sections: BTreeMap::new(),
        }
    }
}

impl RunConfig {
    /// Parses a config file: types, and every key a field or a known
    /// section. Values are checked once, by [`RunConfig::resolved`], when a
    /// run starts (or by [`RunConfig::validate`] for tools that plan runs).
    pub fn from_toml(text: &str) -> Result<Self, TrainError> {
        let mut table: toml::Table =
            toml::from_str(text).map_err(|e| TrainError::Config(toml_error(text, &e)))?;
        migrate(&mut table);
        let cfg: Self = table
            .try_into()
            .map_err(|e: toml::de::Error| TrainError::Config(e.message().trim().to_string()))?;
        cfg.check_sections()?;
        Ok(cfg)
    }

    /// The config as TOML (what the run dir's `config.toml` holds).
    pub fn to_toml(&self) -> String {
        toml::to_string(self).expect("a RunConfig always serialises")
    }

    /// Sets one field from the command line: `key` is a dotted path
    /// (`steps`, `sac.lr`, `bounds.stump_height`, `teacher_config.fit_rate`)
    /// and `value` TOML (`1e-4`, `[0, 9]`, `true`) or a bare string
    /// (`riac`). Parsed like a config file (the edit goes through the
    /// config's TOML form, so any field and any section take the same path
    /// and the same type checks); values are checked when the run starts.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), TrainError> {
        let bad = |msg: String| TrainError::Config(format!("--set {key}={value}: {msg}"));
        let value = parse_value(value);
        let mut table = toml::Table::try_from(&*self).expect("a RunConfig always serialises");
        let mut path: Vec<&str> = key.split('.').collect();
        let last = path
            .pop()
            .filter(|k| !k.is_empty())
            .ok_or_else(|| bad("empty key".into()))?;
        let mut node = &mut table;
        for part in path {
            node = node
                .entry(part.to_string())
                .or_insert_with(|| toml::Value::Table(toml::Table::new()))
                .as_table_mut()
                .ok_or_else(|| bad(format!("`{part}` is not a section")))?;
        }
        node.insert(last.to_string(), value);
        // The line of a generated table means nothing to the user: the
        // message alone, after the flag.
        let cfg: Self = table.try_into().map_err(|e: toml::de::Error| bad(e.message().trim().to_string()))?;
        cfg.check_sections().map_err(|e| match e {
            TrainError::Config(m) => bad(m),
            other => bad(other.to_string()),
        })?;
        *self = cfg;
        Ok(())
    }

    /// The run's student settings, parsed, checked and filled in.
    pub fn student_settings(&self) -> Result<toml::Table, TrainError> {
        let d = trellis_agents::descriptor(&self.student).map_err(TrainError::Config)?;
        let given = match self.sections.get(d.name) {
            Some(toml::Value::Table(t)) => t.clone(),
            Some(_) => {
                return Err(TrainError::Config(format!(
                    "`{}` must be a section",
                    d.name
                )));
            }
            None => toml::Table::new(),
        };
        (d.resolve)(&given).map_err(TrainError::Config)
    }

    /// The run's world options: the section named after its world (empty
    /// when absent), checked by the world when it is built.
    pub fn world_options(&self) -> Result<toml::Table, TrainError> {
        match self.sections.get(&self.env) {
            Some(toml::Value::Table(t)) => Ok(t.clone()),
            Some(_) => Err(TrainError::Config(format!(
                "`{}` must be a section of the world's options",
                self.env
            ))),
            None => Ok(toml::Table::new()),
        }
    }

    /// The config checked ([`RunConfig::validate`]) and with the run's
    /// student settings written out in full, as the run dir keeps it: the
    /// one place a run's values are checked.
    pub fn resolved(mut self) -> Result<Self, TrainError> {
        self.validate()?;
        let full = self.student_settings()?;
        self.sections
            .insert(self.student.clone(), toml::Value::Table(full));
        let reference = trellis_agents::descriptor(&self.student).map_err(TrainError::Config)?.eval_policy;
        self.eval_policy.get_or_insert(reference);
        Ok(self)
    }

    /// The evaluation protocol in force. A run dir written before the
    /// setting existed has none and was evaluated on the mean: it goes on
    /// that way (resolved configs always name one).
    pub fn eval_policy(&self) -> EvalPolicy {
        self.eval_policy.unwrap_or(EvalPolicy::Mean)
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
        if !(self.checkpoint_minutes.is_finite() && (0.0..=1e6).contains(&self.checkpoint_minutes)) {
            return bad("checkpoint_minutes", self.checkpoint_minutes.to_string(), "[0, 1000000] (0: by steps only)");
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
        trellis_agents::descriptor(&self.student).map_err(TrainError::Config)?;
        match &self.teacher_python {
            None if trellis_teachers::open_ended::descriptor(&self.teacher).is_some() => {
                crate::open_ended::validate(self)?;
            }
            None => {
                let teacher = trellis_teachers::descriptor(&self.teacher)?;
                if teacher.needs_expert && self.expert == Expert::No {
                    return Err(trellis_teachers::TeacherError::NeedsExpert(teacher.name).into());
                }
            }
            Some(spec) => {
                python_class(spec)?;
                if self.teacher.trim().is_empty() {
                    return Err(TrainError::Config(
                        "`teacher` must name the Python teacher (its name in logs and reports)".into(),
                    ));
                }
            }
        }
        if let Some(s) = self.shuffle
            && !(2..=64).contains(&s.cells)
        {
            return bad("shuffle.cells", s.cells.to_string(), "[2, 64]");
        }
        for (name, [lo, hi]) in &self.bounds {
            // low == high fixes a dimension for training (teachers do not see it).
            if !(lo.is_finite() && hi.is_finite() && lo <= hi) {
                return Err(TrainError::Config(format!(
                    "`bounds.{name}` = [{lo}, {hi}] must be finite with low <= high (equal fixes the dimension)"
                )));
            }
        }
        self.check_sections()?;
        for (key, v) in &self.sections {
            if let (Ok(d), toml::Value::Table(t)) = (trellis_agents::descriptor(key), v) {
                (d.resolve)(t).map_err(TrainError::Config)?;
            }
        }
        Ok(())
    }

    /// Every key besides the fields is a section named after a student or
    /// a world: a typo is refused by name when the config is parsed.
    fn check_sections(&self) -> Result<(), TrainError> {
        for (key, v) in &self.sections {
            let student = trellis_agents::descriptor(key).is_ok();
            let world = trellis_envs::registry::world(key).is_ok();
            if !student && !world {
                return Err(TrainError::Config(format!(
                    "unknown field `{key}`; the fields are {}, the student sections {} and the world sections {}",
                    FIELDS.join(", "),
                    trellis_agents::names().join(", "),
                    trellis_envs::registry::names().join(", ")
                )));
            }
            if !v.is_table() {
                return Err(TrainError::Config(format!(
                    "`{key}` must be a section of {key}'s settings"
                )));
            }
        }
        Ok(())
    }
}

/// The fixed fields of a run config (the student sections come on top).
pub const FIELDS: [&str; 21] = [
    "env",
    "body",
    "teacher",
    "teacher_python",
    "student",
    "steps",
    "seed",
    "envs",
    "threads",
    "eval_every",
    "test_episodes",
    "test_set",
    "eval_policy",
    "checkpoint_every",
    "checkpoint_minutes",
    "dump_every",
    "bounds",
    "expert",
    "reset_student_every",
    "shuffle",
    "teacher_config",
];

/// Splits a `teacher_python` spec into where the class lives (a module
/// path or a `.py` file) and the class name.
pub fn python_class(spec: &str) -> Result<(&str, &str), TrainError> {
    match spec.rsplit_once(':') {
        Some((module, class)) if !module.is_empty() && !class.is_empty() && class.chars().all(|c| c.is_alphanumeric() || c == '_') => {
            Ok((module, class))
        }
        _ => Err(TrainError::Config(format!(
            "`teacher_python` = {spec:?} must be `package.module:Class` or `path/to/file.py:Class`"
        ))),
    }
}

/// Configs written before worlds owned their options kept Parkour's CPPN
/// weights at the top level: moved into the run's world's section (dropped
/// for a world that has no such option, which ignored them), so their run
/// dirs still resume.
fn migrate(table: &mut toml::Table) {
    let Some(weights) = table.remove("cppn_weights") else {
        return;
    };
    let name = match table.get("env").and_then(|v| v.as_str()) {
        Some(n) => n.to_string(),
        None => trellis_envs::registry::default_world().name.to_string(),
    };
    match trellis_envs::registry::world(&name) {
        Ok(w) if w.options.iter().any(|o| o.key == "cppn_weights") => {}
        _ => return,
    }
    if let Some(section) = table
        .entry(name)
        .or_insert_with(|| toml::Value::Table(toml::Table::new()))
        .as_table_mut()
    {
        section.entry("cppn_weights").or_insert(weights);
    }
}

/// World options given on a command line as `KEY=VALUE` flags (values as
/// for `--set`), as the table a `WorldRequest` takes; the error names the
/// flag.
pub fn option_flags(flags: &[String]) -> Result<toml::Table, String> {
    let mut options = toml::Table::new();
    for kv in flags {
        let (k, v) = kv
            .split_once('=')
            .ok_or_else(|| format!("--option {kv}: expected KEY=VALUE"))?;
        options.insert(k.trim().into(), parse_value(v.trim()));
    }
    Ok(options)
}

/// A `--set` value: TOML if it parses as a value, else a bare string.
pub fn parse_value(text: &str) -> toml::Value {
    format!("v = {text}")
        .parse::<toml::Table>()
        .ok()
        .and_then(|mut t| t.remove("v"))
        .unwrap_or_else(|| toml::Value::String(text.to_string()))
}

/// A TOML error as one line: where (line, column) and what.
fn toml_error(text: &str, e: &toml::de::Error) -> String {
    let at = e.span().map(|s| {
        let before = &text[..s.start.min(text.len())];
        let line = before.matches('\n').count() + 1;
        let col = before.len() - before.rfind('\n').map_or(0, |i| i + 1) + 1;
        format!("line {line}, column {col}: ")
    });
    format!("{}{}", at.unwrap_or_default(), e.message().trim())
}
