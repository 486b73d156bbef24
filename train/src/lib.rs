//! trellis-train: the training loop that ties a teacher, a world and a
//! student together, and the run directory that makes it reproducible and
//! resumable.
//!
//! A run dir holds `config.toml` (the resolved settings), `test_set.json`,
//! `episodes.csv` (one row per training episode: step, instance, return,
//! length, success, task vector), `eval.csv` (test-set evaluations),
//! `teacher.jsonl` (teacher dumps) and `checkpoint.bin` (everything needed to
//! continue: student with optimisers and replay buffer, teacher, RNGs,
//! counters, the log lengths to cut back to).

#![deny(missing_docs)]

/// The run config.
pub mod config;
/// Who moves a walker's body outside training (viewer, recorder).
pub mod drive;
/// Test-set evaluation.
pub mod eval;
/// POET and Enhanced POET: a population of (environment, agent) pairs.
pub mod open_ended;
/// The act → step → observe loop.
pub mod rollout;
/// The rows of episodes.csv and eval.csv, written and read as one type each.
pub mod rows;
/// Run directories: atomic files and log truncation.
pub mod run_dir;
/// Graceful stop on request (signals, from the CLI).
pub mod stop;
/// Where a run's teacher comes from (trellis's registry, or Python).
pub mod teacher_source;
/// Test sets: generated or loaded.
pub mod test_set;
/// The teacher-in-the-loop.
pub mod trainer;
/// What the loop knows about a world besides its Env.
pub mod world;

use std::path::Path;

pub use config::RunConfig;
pub use eval::EvalResult;
use run_dir::{CHECKPOINT, CONFIG, RunDir, RunLock, TEST_SET, write_atomic};
pub use teacher_source::{Registry, TeacherSource};
pub use trainer::{Outcome, Progress, Summary, Trainer};
use trellis_agents::{EvalPolicy, Student};
use trellis_agents::registry::{Readable, Reads};
use trellis_core::TaskMap;
use trellis_envs::walker::WalkerEnv;
use trellis_envs::{Env, WorldRequest, with_env};
use trellis_nn::blob::Blob;

/// The exit code of a `trellis train` refused because another process holds
/// the run dir ([`TrainError::Busy`]): try again later. The CLI exits with it
/// and a sweep reads it back, so both take it from here.
pub const EXIT_BUSY: u8 = 3;
/// The exit code of a `trellis train` stopped on request after checkpointing
/// ([`TrainError::Stopped`]; sysexits' EX_TEMPFAIL): `--resume` continues it.
pub const EXIT_STOPPED: u8 = 75;

#[derive(Debug, thiserror::Error)]
/// Why a run could not start, continue or be evaluated.
pub enum TrainError {
    #[error("bad config: {0}")]
    /// A config field is missing, unknown or out of range.
    Config(String),
    #[error("{0}")]
    /// A file could not be read or written (the message names it).
    Io(String),
    #[error("{0}")]
    /// Another process holds the run dir.
    Busy(String),
    #[error(transparent)]
    /// A task vector was refused by the world.
    Task(#[from] trellis_envs::TaskError),
    #[error(transparent)]
    /// The teacher could not be built or restored.
    Teacher(#[from] trellis_teachers::TeacherError),
    #[error(transparent)]
    /// A checkpoint section could not be read.
    Nn(#[from] trellis_nn::NnError),
    #[error("{0}")]
    /// A stop was asked for ([`stop`]): the run checkpointed and can resume.
    Stopped(String),
    #[error("{0}")]
    /// The run's teacher is written in Python: only the Python package
    /// (`python -m trellis train`) can run it.
    NeedsPython(String),
}

impl TrainError {
    /// An I/O error with the file it happened on.
    pub(crate) fn io(path: &Path, e: std::io::Error) -> Self {
        TrainError::Io(format!("{}: {e}", path.display()))
    }
}

/// What a world's observations are, for matching it with a student (the
/// world's name alone decides it: built with no options).
fn reads(env: &str) -> Result<Reads, TrainError> {
    let env = trellis_envs::registry::make(env, &WorldRequest::default())
        .map_err(|e| TrainError::Config(e.to_string()))?;
    Ok(with_env!(env, e => reads_of(&e)))
}

fn reads_of<E: Env>(_: &E) -> Reads
where
    E::Obs: Readable<E::Act>,
{
    <E::Obs as Readable<E::Act>>::READS
}

/// The first student in the table that reads what `env` observes: what a
/// run on that world uses when it names no student.
pub fn default_student(env: &str) -> Result<&'static str, TrainError> {
    let want = reads(env)?;
    trellis_agents::STUDENTS
        .iter()
        .find(|d| d.reads() == want)
        .map(|d| d.name)
        .ok_or_else(|| TrainError::Config(format!("no student reads what `{env}` observes")))
}

/// Can the run's student read the run's world?
pub fn student_fits(cfg: &RunConfig) -> Result<bool, TrainError> {
    let d = trellis_agents::descriptor(&cfg.student).map_err(TrainError::Config)?;
    Ok(d.reads() == reads(&cfg.env)?)
}

/// The refusal when the student cannot read the world.
fn misfit(cfg: &RunConfig) -> TrainError {
    let fits: Vec<&str> = reads(&cfg.env)
        .map(|want| {
            trellis_agents::STUDENTS
                .iter()
                .filter(|d| d.reads() == want)
                .map(|d| d.name)
                .collect()
        })
        .unwrap_or_default();
    TrainError::Config(format!(
        "`student` = `{}` cannot play `{}`; students that can: {}",
        cfg.student,
        cfg.env,
        fits.join(", ")
    ))
}

/// The run's student, for a world with `spec` (its observation and action
/// layouts size the networks).
pub fn make_student<O: Readable<A>, A>(
    cfg: &RunConfig,
    spec: &trellis_core::EnvSpec,
) -> Result<Box<dyn Student<O, A>>, TrainError> {
    let d = trellis_agents::descriptor(&cfg.student).map_err(TrainError::Config)?;
    O::student(d.make, &cfg.student_settings()?, spec, cfg.seed)
        .ok_or_else(|| misfit(cfg))?
        .map_err(TrainError::Config)
}

/// The run's test set: the first `test_episodes` tasks of the config's file
/// (checked against every task the world accepts), or a grid / uniform draw
/// of `test_episodes` tasks over the run's bounds.
fn test_set<E: Env>(cfg: &RunConfig, env: &E) -> Result<Vec<Vec<f64>>, TrainError> {
    match &cfg.test_set {
        Some(path) => Ok(test_set::load(Path::new(path), env.task_limits())?
            .into_iter()
            .take(cfg.test_episodes)
            .collect()),
        None => Ok(test_set::generate(env.task_space(), cfg.test_episodes)),
    }
}

/// Builds a fresh student (after a forgetting reset, `salt` varies its seed).
type StudentFactory<E> =
    Box<dyn Fn(u64) -> Result<Box<dyn Student<<E as Env>::Obs, <E as Env>::Act>>, TrainError>>;

/// A world with its student and test set, built and checked before
/// anything touches the disk. The teacher comes separately, from a
/// [`TeacherSource`], when the run starts or resumes (evaluating a run
/// needs none).
struct Parts<E: Env> {
    proto: E,
    ctx: trellis_teachers::TeacherContext,
    map: TaskMap,
    student: Box<dyn Student<E::Obs, E::Act>>,
    fresh_student: StudentFactory<E>,
    test_set: Vec<Vec<f64>>,
}

fn parts<E: Env>(cfg: &RunConfig, expert: bool, proto: E) -> Result<Parts<E>, TrainError>
where
    E::Obs: Readable<E::Act>,
{
    let (c, spec) = (cfg.clone(), proto.spec().clone());
    let fresh_student: StudentFactory<E> = Box::new(move |salt| make_student(&salted(&c, salt), &spec));
    let map = TaskMap::new(proto.task_space(), cfg.shuffle);
    let mut ctx = world::context(&proto, &map, expert);
    ctx.learner = format!("{}-{}-{}", cfg.env, cfg.student, cfg.body.as_deref().unwrap_or("default"));
    // A new run reads its test set in `start`; a resumed or evaluated one
    // reads the copy in its run dir (`restore`), never the original file.
    let test_set = Vec::new();
    Ok(Parts {
        student: fresh_student(0)?,
        fresh_student,
        proto,
        ctx,
        map,
        test_set,
    })
}

/// `cfg` with its seed varied by `salt` (0 keeps it).
fn salted(cfg: &RunConfig, salt: u64) -> RunConfig {
    let mut c = cfg.clone();
    c.seed = c
        .seed
        .wrapping_add(salt.wrapping_mul(0x9e37_79b9_7f4a_7c15));
    c
}

/// Runs `$body` with `$parts` bound to the run's world and student (the
/// teacher's context holding the easy tasks if `$expert`), whatever the
/// world's env type: the one place that reaches the concrete env.
macro_rules! with_parts {
    ($cfg:expr, $expert:expr, $parts:ident => $body:expr) => {
        with_env!(world::make(&$cfg)?, env => {
            let $parts = parts(&$cfg, $expert, env)?;
            $body
        })
    };
}

impl<E: Env + Clone> Parts<E>
where
    E::Obs: Clone,
{
    fn trainer(
        self,
        teacher: Box<dyn trellis_teachers::Teacher>,
        cfg: RunConfig,
        dir: RunDir,
        progress: Progress,
        show_progress: bool,
    ) -> Trainer<E> {
        let Parts {
            proto,
            ctx,
            map,
            student,
            fresh_student,
            test_set,
        } = self;
        Trainer {
            cfg,
            dir,
            proto,
            student,
            fresh_student,
            teacher,
            ctx,
            map,
            test_set,
            progress,
            show_progress,
        }
    }

    fn start(
        mut self,
        source: &dyn TeacherSource,
        cfg: RunConfig,
        out: &Path,
        show_progress: bool,
    ) -> Result<Outcome, TrainError> {
        let teacher = source.make(&cfg, self.ctx.clone())?;
        self.test_set = test_set(&cfg, &self.proto)?;
        let dir = RunDir::create(
            out,
            &rows::EpisodeRow::header(&self.proto.task_space().names()),
        )?;
        write_atomic(&dir.file(CONFIG), cfg.to_toml().as_bytes())?;
        write_atomic(
            &dir.file(TEST_SET),
            serde_json::to_string(&self.test_set)
                .expect("tasks serialise")
                .as_bytes(),
        )?;
        let progress = Progress {
            next_eval: cfg.eval_every,
            next_checkpoint: cfg.checkpoint_every,
            next_dump: cfg.dump_every,
            next_student_reset: cfg.reset_student_every,
            ..Default::default()
        };
        resumable(out, self.trainer(teacher, cfg, dir, progress, show_progress).run())
    }

    /// Loads the checkpoint's student and the run's test set.
    fn restore(mut self, dir: &Path, blob: &Blob) -> Result<Self, TrainError> {
        self.student.load(blob.get("student")?)?;
        self.test_set = test_set::load(&dir.join(TEST_SET), self.proto.task_limits())?;
        Ok(self)
    }

    fn resume(
        self,
        source: &dyn TeacherSource,
        cfg: RunConfig,
        dir: &Path,
        blob: &Blob,
        lock: RunLock,
        show_progress: bool,
    ) -> Result<Outcome, TrainError> {
        let mut progress: Progress = blob.get_json("progress")?;
        let teacher = source.restore(&cfg, self.ctx.clone(), &blob.get_json("teacher")?)?;
        let parts = self.restore(dir, blob)?;
        let run_dir = RunDir::resume(dir, &progress.logs, lock)?;
        progress.resumes += 1;
        resumable(dir, parts.trainer(teacher, cfg, run_dir, progress, show_progress).run())
    }

    fn evaluate(self, cfg: &RunConfig, step: u64, dir: &Path, blob: &Blob) -> Result<EvalResult, TrainError> {
        let mut p = self.restore(dir, blob)?;
        eval::evaluate(&p.proto, p.student.as_mut(), &p.test_set, cfg.eval_policy(), (cfg.seed, step))
    }
}

/// An I/O failure mid-run (disk full, run dir gone read-only) says how to
/// go on: checkpoints are written atomically, so the last one is whole.
fn resumable(dir: &Path, r: Result<Outcome, TrainError>) -> Result<Outcome, TrainError> {
    r.map_err(|e| match e {
        TrainError::Io(m) if dir.join(CHECKPOINT).exists() => TrainError::Io(format!(
            "{m}; the last checkpoint is intact: make room (or fix permissions), then `trellis train --resume {}`",
            dir.display()
        )),
        e => e,
    })
}

/// Starts a new run in `out`, which must not hold anything yet. Config
/// errors are reported before the dir is created.
pub fn start(cfg: RunConfig, out: &Path, show_progress: bool) -> Result<Outcome, TrainError> {
    start_with(&Registry, cfg, out, show_progress)
}

/// [`start`] with the teacher built by `source` (the Python package's).
pub fn start_with(
    source: &dyn TeacherSource,
    cfg: RunConfig,
    out: &Path,
    show_progress: bool,
) -> Result<Outcome, TrainError> {
    let cfg = cfg.resolved()?;
    if trellis_teachers::open_ended::descriptor(&cfg.teacher).is_some() {
        return resumable(out, open_ended::start(cfg, out, show_progress));
    }
    with_parts!(cfg, source.gets_initial(&cfg)?, p => p.start(source, cfg, out, show_progress))
}

fn read(path: &Path) -> Result<Vec<u8>, TrainError> {
    std::fs::read(path).map_err(|e| TrainError::io(path, e))
}

/// The resolved config a run dir was started with.
pub fn read_config(dir: &Path) -> Result<RunConfig, TrainError> {
    if !dir.join(CONFIG).exists() {
        return Err(TrainError::Config(format!(
            "{} is not a run dir (it has no {CONFIG})",
            dir.display()
        )));
    }
    RunConfig::from_toml(&String::from_utf8_lossy(&read(&dir.join(CONFIG))?))
}

/// A run dir's config and checkpoint.
fn load_run(dir: &Path) -> Result<(RunConfig, Blob), TrainError> {
    let cfg = read_config(dir)?;
    if trellis_teachers::open_ended::descriptor(&cfg.teacher).is_some() {
        return Err(TrainError::Config(format!(
            "{} is a `{}` run: a population of agents, not one student to evaluate or replay (its {} lists them; `trellis report {}` shows them)",
            dir.display(),
            cfg.teacher,
            open_ended::POPULATION,
            dir.display()
        )));
    }
    let ckpt = dir.join(CHECKPOINT);
    if !ckpt.exists() {
        return Err(TrainError::Io(format!(
            "{} has no checkpoint yet: nothing to evaluate (`trellis train --resume {}` starts it again from its config)",
            dir.display(),
            dir.display()
        )));
    }
    Ok((cfg, Blob::from_bytes(&read(&ckpt)?)?))
}

/// Whether the run in `dir` has checkpointed yet (`resume` without one
/// starts it again from its config).
pub fn has_checkpoint(dir: &Path) -> bool {
    dir.join(CHECKPOINT).exists()
}

/// Starts again, from its saved config, a run stopped before its first
/// checkpoint (a preemption in its first minutes): everything it wrote is
/// removed under its lock, then it starts as new, so it ends with the
/// results an uninterrupted run would have (same config, same seed).
fn restart(
    source: &dyn TeacherSource,
    dir: &Path,
    steps: Option<u64>,
    show_progress: bool,
) -> Result<Outcome, TrainError> {
    let mut cfg = read_config(dir)?;
    if let Some(s) = steps {
        cfg.steps = s;
    }
    {
        let _lock = RunLock::acquire(dir)?;
        if has_checkpoint(dir) {
            return Err(TrainError::Config(format!(
                "{} checkpointed while this resume started: run `trellis train --resume {}` again",
                dir.display(),
                dir.display()
            )));
        }
        for e in std::fs::read_dir(dir).map_err(|e| TrainError::io(dir, e))? {
            let e = e.map_err(|e| TrainError::io(dir, e))?;
            if e.file_name() == run_dir::LOCK {
                continue;
            }
            let path = e.path();
            let gone = if path.is_dir() {
                std::fs::remove_dir_all(&path)
            } else {
                std::fs::remove_file(&path)
            };
            gone.map_err(|e| TrainError::io(&path, e))?;
        }
    }
    start_with(source, cfg, dir, show_progress)
}

/// Continues the run in `dir` from its last checkpoint (optionally with a
/// new step budget); log rows written after that checkpoint are dropped. A
/// run with no checkpoint yet is started again from its config.
pub fn resume(dir: &Path, steps: Option<u64>, show_progress: bool) -> Result<Outcome, TrainError> {
    resume_with(&Registry, dir, steps, show_progress)
}

/// [`resume`] with the teacher rebuilt by `source` (the Python package's).
pub fn resume_with(
    source: &dyn TeacherSource,
    dir: &Path,
    steps: Option<u64>,
    show_progress: bool,
) -> Result<Outcome, TrainError> {
    read_config(dir)?;
    if !has_checkpoint(dir) {
        return restart(source, dir, steps, show_progress);
    }
    // Held from before the checkpoint is read until the run ends: no other
    // process writes the run meanwhile.
    let lock = RunLock::acquire(dir)?;
    if trellis_teachers::open_ended::descriptor(&read_config(dir)?.teacher).is_some() {
        return resumable(dir, open_ended::resume(dir, steps, lock, show_progress));
    }
    let (mut cfg, blob) = load_run(dir)?;
    let progress: Progress = blob.get_json("progress")?;
    let target = steps.unwrap_or(cfg.steps);
    if let Some(s) = steps.filter(|&s| s < progress.step) {
        return Err(TrainError::Config(format!(
            "--steps {s} is below the step the run's checkpoint is at ({}); give a larger budget",
            progress.step
        )));
    }
    if progress.step >= target {
        // Finished: nothing to train, and evaluating again would add a row.
        let summary: Option<Summary> = std::fs::read(dir.join(run_dir::SUMMARY))
            .ok()
            .and_then(|b| serde_json::from_slice(&b).ok());
        return Ok(Outcome {
            last_eval: summary.and_then(|s| s.eval),
            progress,
            steps_per_second: 0.0,
            already_finished: true,
        });
    }
    if let Some(s) = steps {
        cfg.steps = s;
        write_atomic(&dir.join(CONFIG), cfg.to_toml().as_bytes())?;
        // Extended: no longer finished.
        let _ = std::fs::remove_file(dir.join(run_dir::SUMMARY));
    }
    with_parts!(cfg, source.gets_initial(&cfg)?, p => p.resume(source, cfg, dir, &blob, lock, show_progress))
}

/// Re-runs the test set with the run's last checkpointed policy, by the
/// run's evaluation protocol or by `protocol` (the same checkpoint seen
/// both ways: a paired comparison of protocols without a second run). The
/// returned config names the protocol played.
pub fn evaluate_run(dir: &Path, protocol: Option<EvalPolicy>) -> Result<(RunConfig, Progress, EvalResult), TrainError> {
    let (mut cfg, blob) = load_run(dir)?;
    if let Some(p) = protocol {
        cfg.eval_policy = Some(p);
    }
    // Evaluation plays the test set with the student alone: no teacher (it
    // may be one only Python can build).
    let progress: Progress = blob.get_json("progress")?;
    let r = with_parts!(cfg, false, p => p.evaluate(&cfg, progress.step, dir, &blob)?);
    Ok((cfg, progress, r))
}

/// What a viewer needs to replay a walker run: its world, its last
/// checkpointed policy and its test tasks.
pub struct WalkerReplay {
    /// The run's config.
    pub config: RunConfig,
    /// Its world.
    pub env: WalkerEnv,
    /// Its last checkpointed student.
    pub student: Box<dyn Student>,
    /// Its test tasks.
    pub test_set: Vec<Vec<f64>>,
}

/// Loads a walker run dir for replay (text-world runs are refused).
pub fn load_walker_replay(dir: &Path) -> Result<WalkerReplay, TrainError> {
    let (config, blob) = load_run(dir)?;
    // The run's world, built once: a text world is refused here.
    let env = world::make(&config)?.into_walker().map_err(|_| {
        TrainError::Config(format!(
            "{} is a {} run; only walker runs can be replayed",
            dir.display(),
            config.env
        ))
    })?;
    let mut student = make_student(&config, env.spec())?;
    student.load(blob.get("student")?)?;
    let test_set = test_set::load(&dir.join(TEST_SET), env.task_limits())?;
    Ok(WalkerReplay {
        config,
        env,
        student,
        test_set,
    })
}
