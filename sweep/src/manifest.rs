//! A sweep planned into a file: every run (experiment × variant × expert
//! level × teacher × seed) with its complete config, and the cells that
//! cannot run (a teacher that needs expert knowledge at level `no`). Runs,
//! shards, SLURM arrays and the report all read this one file.

use std::path::Path;

use anyhow::{Context, Result, bail};
use serde::{Deserialize, Serialize};
use trellis_core::Expert;
use trellis_train::RunConfig;

use crate::benchmark::Benchmark;

/// Which cell of the comparison a run belongs to.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Cell {
    /// Experiment name.
    pub experiment: String,
    /// Variant name (`default` when the experiment has none).
    pub variant: String,
    /// Expert-knowledge level.
    pub expert: Expert,
}

impl Cell {
    /// `experiment/variant/expert`, or shorter when parts are defaults.
    pub fn label(&self) -> String {
        let mut s = self.experiment.clone();
        if self.variant != "default" {
            s += &format!("/{}", self.variant);
        }
        s + &format!("/{}", self.expert.name())
    }
}

/// One training run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Run {
    /// Its run dir under the sweep's output dir: `cell/teacher/s<seed>`.
    pub id: String,
    /// The cell.
    pub cell: Cell,
    /// The teacher.
    pub teacher: String,
    /// Seed index within the cell (the config's seed adds the experiment's offset).
    pub seed: u64,
    /// The complete run config, as TOML.
    pub config: String,
}

impl Run {
    /// The parsed config.
    pub fn config(&self) -> Result<RunConfig> {
        Ok(RunConfig::from_toml(&self.config)?)
    }
}

/// A cell × teacher that does not run, and why.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct NotApplicable {
    /// The cell.
    pub cell: Cell,
    /// The teacher.
    pub teacher: String,
    /// Why (the teacher's refusal).
    pub reason: String,
}

/// The planned sweep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Manifest {
    /// The scale it was planned at.
    pub scale: String,
    /// The teachers compared, in report order.
    #[serde(default)]
    pub teachers: Vec<String>,
    /// Every run, in a fixed order (shards take every n-th).
    pub runs: Vec<Run>,
    /// Cells × teachers that cannot run.
    pub not_applicable: Vec<NotApplicable>,
}

/// What to plan: experiments and teachers to include (all when empty).
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// Experiment names.
    pub experiments: Vec<String>,
    /// Teacher names.
    pub teachers: Vec<String>,
    /// Expert levels.
    pub expert: Vec<Expert>,
    /// Seeds per cell (the scale's when None).
    pub seeds: Option<u64>,
}

impl Manifest {
    /// Plans `sel` at `scale`.
    pub fn plan(b: &Benchmark, scale: &str, sel: &Selection) -> Result<Self> {
        let scale = b.scale(scale)?;
        for name in &sel.experiments {
            b.experiment(name)?;
        }
        let mut runs = Vec::new();
        let mut not_applicable = Vec::new();
        for e in &b.experiments {
            if !sel.experiments.is_empty() && !sel.experiments.contains(&e.name) {
                continue;
            }
            for variant in e.variants() {
                for &expert in &e.expert {
                    if !sel.expert.is_empty() && !sel.expert.contains(&expert) {
                        continue;
                    }
                    let cell = Cell {
                        experiment: e.name.clone(),
                        variant: variant.name.clone(),
                        expert,
                    };
                    let mut cell_teachers = Vec::new();
                    for teacher in b.teachers_of(e) {
                        if !sel.teachers.is_empty() && !sel.teachers.iter().any(|t| t == teacher) {
                            continue;
                        }
                        if b.python_teacher(teacher).is_some() {
                            // Written in Python: told the easy tasks when
                            // the cell gives them, never inapplicable.
                            cell_teachers.push(teacher);
                            continue;
                        }
                        let d = trellis_teachers::descriptor(teacher)?;
                        if d.needs_expert && expert == Expert::No {
                            not_applicable.push(NotApplicable {
                                cell: cell.clone(),
                                teacher: teacher.into(),
                                reason: trellis_teachers::TeacherError::NeedsExpert(d.name)
                                    .to_string(),
                            });
                            continue;
                        }
                        cell_teachers.push(teacher);
                    }
                    // Seed-major within a cell (seed 0 of every teacher, then
                    // seed 1, ...): a sweep stopped part-way, or a shard that
                    // finished first, leaves every teacher with the same number
                    // of seeds, so the partial report still compares like with
                    // like instead of holding eight seeds of one teacher and
                    // none of the other.
                    for seed in 0..sel.seeds.unwrap_or(scale.seeds) {
                        for &teacher in &cell_teachers {
                            let cfg = b.run_config(e, &variant, expert, teacher, seed, scale)?;
                            runs.push(Run {
                                id: format!("{}/{teacher}/s{seed}", cell.label()),
                                cell: cell.clone(),
                                teacher: teacher.into(),
                                seed,
                                config: cfg.to_toml(),
                            });
                        }
                    }
                }
            }
        }
        let mut teachers: Vec<String> = Vec::new();
        for t in runs
            .iter()
            .map(|r| &r.teacher)
            .chain(not_applicable.iter().map(|n| &n.teacher))
        {
            if !teachers.contains(t) {
                teachers.push(t.clone());
            }
        }
        let order = |t: &String| {
            b.teachers
                .iter()
                .position(|(n, _)| n == t)
                .unwrap_or(usize::MAX)
        };
        teachers.sort_by_key(order);
        Ok(Self {
            scale: scale.name.clone(),
            teachers,
            runs,
            not_applicable,
        })
    }

    /// The manifest's name in a sweep dir: where `adopt` records it and
    /// where reports, shards and pictures look for it.
    pub const FILE: &'static str = "manifest.json";

    /// Reads the manifest of the sweep in `dir`, or says `dir` is not one
    /// (a manifest that is there but unreadable is named as such instead).
    pub fn of_sweep(dir: &Path) -> Result<Self> {
        let path = dir.join(Self::FILE);
        if !path.exists() {
            bail!("{} is not a sweep dir (no {})", dir.display(), Self::FILE);
        }
        Self::load(&path)
    }

    /// Reads a manifest file.
    pub fn load(path: &Path) -> Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_json::from_str(&text)
            .with_context(|| format!("{}: not a sweep manifest", path.display()))
    }

    /// Writes it (atomically).
    pub fn save(&self, path: &Path) -> Result<()> {
        let text = serde_json::to_string_pretty(self).expect("a manifest serialises");
        trellis_train::run_dir::write_atomic(path, text.as_bytes())?;
        Ok(())
    }

    /// The runs of shard `i` of `n` (every n-th, starting at i).
    pub fn shard(&self, i: usize, n: usize) -> Vec<&Run> {
        self.runs
            .iter()
            .enumerate()
            .filter(|(k, _)| k % n == i)
            .map(|(_, r)| r)
            .collect()
    }
}

/// Parses `i/n` (0 ≤ i < n).
pub fn parse_shard(text: &str) -> Result<(usize, usize)> {
    let bad = || anyhow::anyhow!("--shard `{text}`: expected i/n with 0 <= i < n, e.g. 0/4");
    let (i, n) = text.split_once('/').ok_or_else(bad)?;
    let (i, n): (usize, usize) = (
        i.trim().parse().map_err(|_| bad())?,
        n.trim().parse().map_err(|_| bad())?,
    );
    if n == 0 || i >= n {
        return Err(bad());
    }
    Ok((i, n))
}
