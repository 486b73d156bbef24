//! The benchmark as data: experiments, scales and teacher settings read from
//! `assets/benchmark/` (see its files for the format). Nothing here names an
//! experiment or a teacher: a new one is a data file or a section.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use serde::Deserialize;
use trellis_core::Expert;
use trellis_train::RunConfig;

/// One alternative setting of an experiment (experiment 5's body × student).
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Variant {
    /// Short name, part of run ids.
    pub name: String,
    /// Run-config overrides (dotted keys, as `trellis train --set`).
    #[serde(default)]
    pub set: toml::Table,
}

/// An experiment: a world, a student, a test set and the expert levels to
/// run, compared over every teacher.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Experiment {
    /// The file's stem.
    #[serde(skip)]
    pub name: String,
    /// Human title for the report.
    pub title: String,
    /// Position in reports.
    pub order: u32,
    /// Experiments of one group share a report table (e.g. `parkour`).
    #[serde(default)]
    pub group: Option<String>,
    /// The world.
    pub env: String,
    /// The body (walker worlds).
    #[serde(default)]
    pub body: Option<String>,
    /// The student.
    pub student: String,
    /// Test-set file, relative to the repository root (the parent of `assets/`).
    #[serde(default)]
    pub test_set: Option<String>,
    /// The world's options (its section of the run config; `trellis
    /// describe` lists them), file paths relative like `test_set`.
    #[serde(default)]
    pub world: toml::Table,
    /// Expert-knowledge levels, each a separate cell of the comparison.
    pub expert: Vec<Expert>,
    /// Added to each seed index (the reference numbers Parkour seeds per body).
    #[serde(default)]
    pub seed_offset: u64,
    /// Student resets (forgetting student) every this fraction of the budget.
    #[serde(default)]
    pub reset_student_every: Option<f64>,
    /// Teachers to compare (default: every teacher of `teachers.toml`).
    #[serde(default)]
    pub teachers: Option<Vec<String>>,
    /// Run-config overrides for every run of the experiment.
    #[serde(default)]
    pub set: toml::Table,
    /// Alternatives (none: one default variant).
    #[serde(default)]
    pub variants: Vec<Variant>,
}

impl Experiment {
    /// The variants, or the one default variant.
    pub fn variants(&self) -> Vec<Variant> {
        if self.variants.is_empty() {
            vec![Variant {
                name: "default".into(),
                set: toml::Table::new(),
            }]
        } else {
            self.variants.clone()
        }
    }
}

/// A budget: how long runs are, how they are evaluated, how many seeds.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Scale {
    /// The section name.
    #[serde(skip)]
    pub name: String,
    /// Seeds per cell.
    pub seeds: u64,
    /// Env steps per run.
    pub steps: u64,
    /// Env steps between evaluations.
    pub eval_every: u64,
    /// Env steps between checkpoints.
    pub checkpoint_every: u64,
    /// Env steps between teacher dumps.
    pub dump_every: u64,
    /// Test tasks played per evaluation (the first ones of the test set).
    pub test_episodes: usize,
    /// Use each teacher's quick settings on top of the benchmark's.
    #[serde(default)]
    pub quick_teachers: bool,
    /// Run-config overrides, applied last.
    #[serde(default)]
    pub set: toml::Table,
}

/// Everything in `assets/benchmark/`.
#[derive(Clone, Debug)]
pub struct Benchmark {
    /// The repository root that relative paths in experiments start from.
    pub root: PathBuf,
    /// Experiments in report order.
    pub experiments: Vec<Experiment>,
    /// Scales by name.
    pub scales: BTreeMap<String, Scale>,
    /// Teachers in report order, with the settings the benchmark gives them.
    pub teachers: Vec<(String, toml::Table)>,
    /// Published results: experiment → teacher → (mean, std) % mastered.
    pub reference: BTreeMap<String, BTreeMap<String, (f64, f64)>>,
}

fn read_toml(path: &Path) -> Result<toml::Table> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.parse::<toml::Table>()
        .with_context(|| format!("{}: not valid TOML", path.display()))
}

impl Benchmark {
    /// Reads `dir` (an `assets/benchmark` folder) and checks every
    /// experiment names a known world, student and teachers.
    pub fn load(dir: &Path) -> Result<Self> {
        // Run configs carry absolute paths, so a sweep runs from any directory.
        let dir = &dir
            .canonicalize()
            .with_context(|| format!("{}: no such benchmark dir", dir.display()))?;
        let root = dir
            .parent()
            .and_then(Path::parent)
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let mut experiments = Vec::new();
        let exp_dir = dir.join("experiments");
        let mut files: Vec<PathBuf> = std::fs::read_dir(&exp_dir)
            .with_context(|| format!("reading {}", exp_dir.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "toml"))
            .collect();
        files.sort();
        for path in files {
            let text = std::fs::read_to_string(&path)?;
            let mut e: Experiment =
                toml::from_str(&text).with_context(|| format!("in {}", path.display()))?;
            e.name = path
                .file_stem()
                .unwrap_or_default()
                .to_string_lossy()
                .into_owned();
            experiments.push(e);
        }
        experiments.sort_by(|a, b| (a.order, &a.name).cmp(&(b.order, &b.name)));
        let mut scales = BTreeMap::new();
        for (name, v) in read_toml(&dir.join("scales.toml"))? {
            let mut s: Scale = v
                .try_into()
                .with_context(|| format!("scales.toml: scale `{name}`"))?;
            s.name = name.clone();
            scales.insert(name, s);
        }
        let teachers = read_teachers(&dir.join("teachers.toml"))?;
        let mut reference = BTreeMap::new();
        let ref_path = dir.join("reference.toml");
        if ref_path.exists() {
            for (exp, table) in read_toml(&ref_path)? {
                let t: BTreeMap<String, (f64, f64)> = table
                    .try_into()
                    .with_context(|| format!("reference.toml: `{exp}`"))?;
                reference.insert(exp, t);
            }
        }
        let b = Self {
            root,
            experiments,
            scales,
            teachers,
            reference,
        };
        for e in &b.experiments {
            for t in b.teachers_of(e) {
                if !b.teachers.iter().any(|(n, _)| n == t) {
                    bail!(
                        "experiment `{}` names teacher `{t}`, which teachers.toml does not list",
                        e.name
                    );
                }
            }
        }
        Ok(b)
    }

    /// Adds the teachers of a file in `teachers.toml`'s format (a user's
    /// own, often written in Python) after the benchmark's; a section of the
    /// same name replaces the benchmark's settings for that teacher.
    pub fn add_teachers(&mut self, path: &Path) -> Result<()> {
        for (name, t) in read_teachers(path)? {
            match self.teachers.iter_mut().find(|(n, _)| *n == name) {
                Some(slot) => slot.1 = t,
                None => self.teachers.push((name, t)),
            }
        }
        Ok(())
    }

    /// Where the teacher called `name` lives if it is written in Python
    /// (its `python` setting, file paths made absolute).
    pub fn python_teacher(&self, name: &str) -> Option<&str> {
        self.teachers
            .iter()
            .find(|(n, _)| n == name)
            .and_then(|(_, t)| t.get(PYTHON))
            .and_then(toml::Value::as_str)
    }

    /// The teachers an experiment compares.
    pub fn teachers_of<'a>(&'a self, e: &'a Experiment) -> Vec<&'a str> {
        match &e.teachers {
            Some(list) => list.iter().map(String::as_str).collect(),
            None => self.teachers.iter().map(|(n, _)| n.as_str()).collect(),
        }
    }

    /// The experiment called `name`.
    pub fn experiment(&self, name: &str) -> Result<&Experiment> {
        self.experiments
            .iter()
            .find(|e| e.name == name)
            .with_context(|| {
                format!(
                    "unknown experiment `{name}`; known: {}",
                    self.experiments
                        .iter()
                        .map(|e| e.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })
    }

    /// The scale called `name`.
    pub fn scale(&self, name: &str) -> Result<&Scale> {
        self.scales.get(name).with_context(|| {
            format!(
                "unknown scale `{name}`; known: {}",
                self.scales.keys().cloned().collect::<Vec<_>>().join(", ")
            )
        })
    }

    /// The run config of one run: experiment defaults, its variant, the
    /// teacher's benchmark settings, the expert level, then the scale.
    pub fn run_config(
        &self,
        e: &Experiment,
        variant: &Variant,
        expert: Expert,
        teacher: &str,
        seed: u64,
        scale: &Scale,
    ) -> Result<RunConfig> {
        let path = |p: &String| self.root.join(p).display().to_string();
        let mut cfg = RunConfig {
            env: e.env.clone(),
            body: e.body.clone(),
            student: e.student.clone(),
            teacher: teacher.into(),
            test_set: e.test_set.as_ref().map(path),
            expert,
            seed: e.seed_offset + seed,
            steps: scale.steps,
            eval_every: scale.eval_every,
            checkpoint_every: scale.checkpoint_every,
            dump_every: scale.dump_every,
            test_episodes: scale.test_episodes,
            ..RunConfig::default()
        };
        let mut options = e.world.clone();
        let described = trellis_envs::registry::world(&e.env).map_err(|e| anyhow::anyhow!("{e}"))?;
        for o in described.options.iter().filter(|o| o.path) {
            if let Some(toml::Value::String(p)) = options.get(o.key) {
                let p = path(p);
                options.insert(o.key.into(), toml::Value::String(p));
            }
        }
        if !options.is_empty() {
            cfg.sections.insert(e.env.clone(), toml::Value::Table(options));
        }
        let mut settings = self
            .teachers
            .iter()
            .find(|(n, _)| n == teacher)
            .map(|(_, t)| t.clone())
            .unwrap_or_default();
        cfg.teacher_python = settings
            .remove(PYTHON)
            .and_then(|v| v.as_str().map(String::from));
        // A Python teacher has no quick settings: its file sets what it takes.
        if scale.quick_teachers && cfg.teacher_python.is_none() {
            settings.extend(trellis_teachers::descriptor(teacher)?.quick_config()?);
        }
        // Settings may name the experiment (AGAIN's classroom is shared by
        // the runs of one experiment); `{sweep}` is filled in when a run starts.
        for (_, v) in settings.iter_mut() {
            if let toml::Value::String(s) = v {
                *s = s.replace("{experiment}", &e.name);
            }
        }
        cfg.teacher_config = settings;
        if let Some(frac) = e.reset_student_every {
            if !(frac > 0.0 && frac <= 1.0) {
                bail!(
                    "experiment `{}`: `reset_student_every` = {frac} must be in (0, 1]",
                    e.name
                );
            }
            cfg.reset_student_every = ((scale.steps as f64 * frac).round() as u64).max(1);
        }
        for table in [&e.set, &variant.set, &scale.set] {
            for (key, value) in table {
                cfg.set(key, &value_text(value))
                    .with_context(|| format!("experiment `{}`", e.name))?;
            }
        }
        cfg.validate()?;
        Ok(cfg)
    }
}

/// A TOML value as `--set` takes it.
fn value_text(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// The setting of a teachers-file section that makes it a teacher written
/// in Python: `package.module:Class` or `path/to/file.py:Class` (relative
/// to the teachers file); the section's other settings are the class's
/// keyword arguments.
pub const PYTHON: &str = "python";

/// A teachers file: its sections in order, each a trellis teacher (checked
/// against the registry) or a Python one (its spec checked, a `.py` path
/// made absolute and required to exist).
fn read_teachers(path: &Path) -> Result<Vec<(String, toml::Table)>> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    let mut teachers =
        ordered_sections(&text).with_context(|| format!("in {}", path.display()))?;
    let here = path.parent().unwrap_or(Path::new("."));
    for (name, t) in &mut teachers {
        let Some(spec) = t.get_mut(PYTHON) else {
            trellis_teachers::descriptor(name).with_context(|| format!("in {}", path.display()))?;
            continue;
        };
        let toml::Value::String(spec) = spec else {
            bail!("{}: `{name}.{PYTHON}` must be a string, `package.module:Class` or `path/to/file.py:Class`", path.display());
        };
        let (module, class) = trellis_train::config::python_class(spec)
            .with_context(|| format!("in {}, teacher `{name}`", path.display()))?;
        if module.ends_with(".py") {
            let file = here.join(module);
            let file = file.canonicalize().with_context(|| {
                format!("{}: teacher `{name}`: no Python file {}", path.display(), file.display())
            })?;
            *spec = format!("{}:{class}", file.display());
        }
    }
    Ok(teachers)
}

/// The sections of a TOML file in the order they are written (reports
/// follow it), each as a table.
fn ordered_sections(text: &str) -> Result<Vec<(String, toml::Table)>> {
    let table: toml::Table = text.parse().context("not valid TOML")?;
    let mut order: Vec<(usize, String)> = table
        .keys()
        .map(|k| {
            (
                text.find(&format!("[{k}]")).unwrap_or(usize::MAX),
                k.clone(),
            )
        })
        .collect();
    order.sort();
    order
        .into_iter()
        .map(|(_, k)| match &table[&k] {
            toml::Value::Table(t) => Ok((k, t.clone())),
            _ => bail!("`{k}` must be a section"),
        })
        .collect()
}
