//! `trellis experiments` and `trellis sweep plan|run|slurm`: the benchmark
//! from the command line.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use clap::{Args, Subcommand};
use trellis_sweep::execute::{Options, execute};
use trellis_sweep::manifest::parse_shard;
use trellis_sweep::slurm::{SlurmOptions, script};
use trellis_sweep::{Benchmark, Manifest, Selection};

/// Where the benchmark's data lives.
#[derive(Args, Debug, Clone)]
pub struct Assets {
    /// The `assets/benchmark` dir (default: ./assets/benchmark, else the one
    /// beside this binary's source tree, else $TRELLIS_ASSETS).
    #[arg(long, global = true)]
    pub assets: Option<PathBuf>,
    /// A teachers file of your own, in the format of
    /// assets/benchmark/teachers.toml (a section with `python =
    /// "module:Class"` is a teacher written in Python): its teachers are
    /// compared after the benchmark's.
    #[arg(long, global = true)]
    pub teachers_file: Option<PathBuf>,
}

impl Assets {
    /// Loads the benchmark definitions.
    pub fn load(&self) -> Result<Benchmark> {
        let dir = match &self.assets {
            Some(d) => d.clone(),
            None => find_assets()?,
        };
        let mut b = Benchmark::load(&dir)
            .with_context(|| format!("loading the benchmark from {}", dir.display()))?;
        if let Some(f) = &self.teachers_file {
            b.add_teachers(f)?;
        }
        Ok(b)
    }
}

fn find_assets() -> Result<PathBuf> {
    let mut candidates = Vec::new();
    if let Some(d) = std::env::var_os("TRELLIS_ASSETS") {
        candidates.push(PathBuf::from(d));
    }
    candidates.push(PathBuf::from("assets/benchmark"));
    if let Ok(exe) = std::env::current_exe() {
        // target/<profile>/trellis → the repository root.
        if let Some(root) = exe.parent().and_then(Path::parent).and_then(Path::parent) {
            candidates.push(root.join("assets/benchmark"));
        }
    }
    candidates
        .into_iter()
        .find(|d| d.join("scales.toml").exists())
        .context("no assets/benchmark dir here or beside the binary; pass --assets DIR")
}

/// `--expert` values: no, low, high.
fn expert_level(s: &str) -> Result<trellis_core::Expert, String> {
    trellis_core::Expert::ALL
        .into_iter()
        .find(|e| e.name() == s)
        .ok_or_else(|| format!("`{s}` is not a level; the levels are no, low, high"))
}

/// `trellis experiments`.
#[derive(Args, Debug)]
pub struct Experiments {
    #[command(flatten)]
    assets: Assets,
}

/// Lists experiments, scales and teachers.
pub fn list(e: &Experiments) -> Result<()> {
    let b = e.assets.load()?;
    println!("experiments:");
    for x in &b.experiments {
        let variants = x
            .variants()
            .iter()
            .map(|v| v.name.clone())
            .collect::<Vec<_>>()
            .join(", ");
        let levels = x
            .expert
            .iter()
            .map(|l| l.name())
            .collect::<Vec<_>>()
            .join("/");
        println!(
            "  {:<18} {} ({} {}, {}; variants: {variants}; expert {levels}; {} teachers)",
            x.name,
            x.title,
            x.env,
            x.body.as_deref().unwrap_or("-"),
            x.student,
            b.teachers_of(x).len()
        );
    }
    println!("scales:");
    for s in b.scales.values() {
        println!(
            "  {:<18} {} steps, evaluation every {}, {} test episodes, {} seeds",
            s.name, s.steps, s.eval_every, s.test_episodes, s.seeds
        );
    }
    println!(
        "teachers: {}",
        b.teachers
            .iter()
            .map(|(n, _)| n.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    Ok(())
}

/// `trellis sweep ...`.
#[derive(Subcommand, Debug)]
pub enum Sweep {
    /// Plan experiments × teachers × seeds at a scale into a manifest file.
    Plan(Plan),
    /// Run a manifest (or a shard of it) here; re-run it after any crash.
    Run(Run),
    /// Write a SLURM job-array script that runs a manifest's shards.
    Slurm(Slurm),
}

/// `trellis sweep plan`.
#[derive(Args, Debug)]
pub struct Plan {
    /// The scale (see `trellis experiments`).
    #[arg(long, default_value = "smoke")]
    pub scale: String,
    /// Experiments to include (default: all).
    #[arg(long, value_delimiter = ',')]
    pub experiments: Vec<String>,
    /// Teachers to include (default: every teacher of the benchmark).
    #[arg(long, value_delimiter = ',')]
    pub teachers: Vec<String>,
    /// Expert levels to include (default: each experiment's).
    #[arg(long, value_delimiter = ',', value_parser = expert_level)]
    pub expert: Vec<trellis_core::Expert>,
    /// Seeds per cell (default: the scale's).
    #[arg(long)]
    pub seeds: Option<u64>,
    /// The manifest file to write.
    #[arg(long, short)]
    pub out: PathBuf,
    #[command(flatten)]
    assets: Assets,
}

/// `trellis sweep run`.
#[derive(Args, Debug)]
pub struct Run {
    /// The manifest.
    #[arg(long)]
    pub manifest: PathBuf,
    /// The sweep's output dir (shared by all shards).
    #[arg(long)]
    pub out: PathBuf,
    /// Run only shard i of n (every n-th run from i), e.g. 0/4.
    #[arg(long, default_value = "0/1")]
    pub shard: String,
    /// Runs at once on this machine, each pinned to its own cores.
    #[arg(long, default_value_t = 1)]
    pub jobs: usize,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

/// `trellis sweep slurm`.
#[derive(Args, Debug)]
pub struct Slurm {
    /// The manifest.
    #[arg(long)]
    pub manifest: PathBuf,
    /// The sweep's output dir, on storage every node sees.
    #[arg(long)]
    pub out: PathBuf,
    /// The script to write.
    #[arg(long, short = 'o')]
    pub script: PathBuf,
    /// Array tasks (default: one per run).
    #[arg(long)]
    pub tasks: Option<usize>,
    /// Runs each array task trains at once (TeachMyAgent packed 8 per node).
    #[arg(long, default_value_t = 1)]
    pub jobs_per_task: usize,
    /// CPUs per array task.
    #[arg(long, default_value_t = 1)]
    pub cpus_per_task: usize,
    /// Wall-time limit per array task.
    #[arg(long, default_value = "2-00:00:00")]
    pub time: String,
    /// Partition.
    #[arg(long)]
    pub partition: Option<String>,
    /// At most this many array tasks at once.
    #[arg(long)]
    pub max_concurrent: Option<usize>,
    /// Memory per CPU (MB).
    #[arg(long)]
    pub mem_per_cpu: Option<u64>,
}

/// Runs a `trellis sweep` subcommand.
pub fn run(s: &Sweep) -> Result<()> {
    match s {
        Sweep::Plan(p) => {
            let b = p.assets.load()?;
            let sel = Selection {
                experiments: p.experiments.clone(),
                teachers: p.teachers.clone(),
                expert: p.expert.clone(),
                seeds: p.seeds,
            };
            let m = Manifest::plan(&b, &p.scale, &sel)?;
            m.save(&p.out)?;
            println!(
                "{}: {} runs at scale {} ({} cells × teachers not applicable)",
                p.out.display(),
                m.runs.len(),
                m.scale,
                m.not_applicable.len()
            );
        }
        Sweep::Run(r) => {
            let m = Manifest::load(&r.manifest)?;
            let opts = Options {
                out: r.out.clone(),
                shard: parse_shard(&r.shard)?,
                jobs: r.jobs,
                exe: std::env::current_exe()?,
                progress: !r.quiet,
            };
            if let Some(r) = m.runs.iter().find(|r| r.config().is_ok_and(|c| c.teacher_python.is_some())) {
                crate::train::check_python_package(&r.teacher)?;
            }
            crate::train::stop_on_signals()?;
            let t = execute(&m, &opts)?;
            println!(
                "shard {}: {} finished now, {} already finished, {} failed, {} stopped, {} left to other processes",
                r.shard,
                t.finished,
                t.skipped,
                t.failed.len(),
                t.stopped.len(),
                t.busy.len()
            );
            if !t.failed.is_empty() {
                bail!(
                    "{} runs failed (logs in {}/logs): {}",
                    t.failed.len(),
                    r.out.display(),
                    t.failed.join(", ")
                );
            }
            if trellis_train::stop::requested() {
                return Err(trellis_train::TrainError::Stopped(format!(
                    "sweep stopped on request: {} runs checkpointed, the rest not started; the same `trellis sweep run` continues it",
                    t.stopped.len()
                ))
                .into());
            }
        }
        Sweep::Slurm(s) => {
            let m = Manifest::load(&s.manifest)?;
            let abs = |p: &Path| std::path::absolute(p).with_context(|| format!("{}", p.display()));
            let (manifest, out) = (abs(&s.manifest)?, abs(&s.out)?);
            std::fs::create_dir_all(out.join("slurm"))?;
            let o = SlurmOptions {
                tasks: s.tasks.unwrap_or(m.runs.len()),
                jobs_per_task: s.jobs_per_task,
                cpus_per_task: s.cpus_per_task,
                time: s.time.clone(),
                partition: s.partition.clone(),
                max_concurrent: s.max_concurrent,
                mem_per_cpu_mb: s.mem_per_cpu,
            };
            let text = script(&manifest, &out, &std::env::current_exe()?, m.runs.len(), &o)?;
            std::fs::write(&s.script, text)?;
            println!(
                "{}: submit with `sbatch {}`",
                s.script.display(),
                s.script.display()
            );
        }
    }
    Ok(())
}
