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

pub mod config;
pub mod eval;
pub mod run_dir;
pub mod test_set;
pub mod trainer;
pub mod world;

use std::path::Path;

pub use config::RunConfig;
pub use eval::EvalResult;
use run_dir::{CHECKPOINT, CONFIG, RunDir, TEST_SET, write_atomic};
pub use trainer::{Outcome, Progress, Trainer};
use trellis_agents::Student;
use trellis_agents::ppo::Ppo;
use trellis_agents::sac::Sac;
use trellis_agents::text_policy::TextPolicy;
use trellis_envs::Env;
use trellis_envs::TaskSpace;
use trellis_envs::text::TextWorldEnv;
use trellis_envs::walker::WalkerEnv;
use trellis_nn::blob::Blob;

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("bad config: {0}")]
    Config(String),
    #[error("{0}")]
    Io(String),
    #[error(transparent)]
    Task(#[from] trellis_envs::TaskError),
    #[error(transparent)]
    Teacher(#[from] trellis_teachers::TeacherError),
    #[error(transparent)]
    Nn(#[from] trellis_nn::NnError),
}

/// A continuous-control student by name.
pub fn make_student(
    cfg: &RunConfig,
    obs_dim: usize,
    act_dim: usize,
) -> Result<Box<dyn Student>, TrainError> {
    Ok(match cfg.student.as_str() {
        "sac" => Box::new(Sac::new(obs_dim, act_dim, cfg.sac.clone(), cfg.seed)),
        "ppo" => Box::new(Ppo::new(obs_dim, act_dim, cfg.ppo.clone(), cfg.seed)),
        "text-ac" => {
            return Err(TrainError::Config(format!(
                "`student` = `text-ac` reads text; `{}` needs sac or ppo",
                cfg.env
            )));
        }
        other => {
            return Err(TrainError::Config(format!(
                "unknown student `{other}`; known students: {}",
                config::STUDENTS.join(", ")
            )));
        }
    })
}

fn test_set(cfg: &RunConfig, space: &TaskSpace) -> Result<Vec<Vec<f64>>, TrainError> {
    match &cfg.test_set {
        Some(path) => test_set::load(Path::new(path), space),
        None => Ok(test_set::generate(space, cfg.test_episodes)),
    }
}

/// A world with its student, teacher and test set, built and checked
/// before anything touches the disk.
struct Parts<E: Env> {
    proto: E,
    ctx: trellis_teachers::TeacherContext,
    student: Box<dyn Student<E::Obs, E::Act>>,
    teacher: Box<dyn trellis_teachers::Teacher>,
    test_set: Vec<Vec<f64>>,
}

fn parts<E: Env>(
    cfg: &RunConfig,
    proto: E,
    ctx: trellis_teachers::TeacherContext,
    student: Box<dyn Student<E::Obs, E::Act>>,
) -> Result<Parts<E>, TrainError> {
    let teacher = trellis_teachers::make(&cfg.teacher, &cfg.teacher_config, ctx.clone(), cfg.seed)?;
    let test_set = test_set(cfg, &ctx.space)?;
    Ok(Parts {
        proto,
        ctx,
        student,
        teacher,
        test_set,
    })
}

fn walker_parts(cfg: &RunConfig) -> Result<Parts<WalkerEnv>, TrainError> {
    if !trellis_envs::registry::ENVS.contains(&cfg.env.as_str()) {
        let known = trellis_envs::registry::ENVS.join(", ");
        return Err(TrainError::Config(format!(
            "unknown env `{}`; known envs: {known}, {TEXT_WORLD}",
            cfg.env
        )));
    }
    let proto = world::walker(cfg)?;
    let ctx = world::walker_context(&proto, cfg.expert);
    let (obs_dim, act_dim) = world::dims(&proto);
    let student = make_student(cfg, obs_dim, act_dim)?;
    parts(cfg, proto, ctx, student)
}

fn text_parts(cfg: &RunConfig) -> Result<Parts<TextWorldEnv>, TrainError> {
    if cfg.student != "text-ac" {
        return Err(TrainError::Config(format!(
            "`student` = `{}` cannot read text; text-world needs `text-ac`",
            cfg.student
        )));
    }
    if !cfg.bounds.is_empty() {
        return Err(TrainError::Config(
            "`bounds` overrides are supported for the walker worlds, not text-world".into(),
        ));
    }
    let proto = TextWorldEnv::new();
    let ctx = world::text_context(&proto);
    let student = Box::new(TextPolicy::new(cfg.text.clone(), cfg.seed));
    parts(cfg, proto, ctx, student)
}

impl<E: Env + Clone> Parts<E>
where
    E::Obs: Clone,
{
    fn trainer(
        self,
        cfg: RunConfig,
        dir: RunDir,
        progress: Progress,
        show_progress: bool,
    ) -> Trainer<E> {
        let Parts {
            proto,
            ctx,
            student,
            teacher,
            test_set,
        } = self;
        Trainer {
            cfg,
            dir,
            proto,
            student,
            teacher,
            ctx,
            test_set,
            progress,
            show_progress,
        }
    }

    fn start(self, cfg: RunConfig, out: &Path, show_progress: bool) -> Result<Outcome, TrainError> {
        let dir = RunDir::create(out, &trainer::episodes_header(&self.ctx.space.names()))?;
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
            ..Default::default()
        };
        self.trainer(cfg, dir, progress, show_progress).run()
    }

    /// Loads the checkpoint's student and teacher state and the run's test set.
    fn restore(mut self, dir: &Path, blob: &Blob) -> Result<Self, TrainError> {
        self.student.load(blob.get("student")?)?;
        self.teacher = trellis_teachers::restore(&blob.get_json("teacher")?)?;
        self.test_set = test_set::load(&dir.join(TEST_SET), &self.ctx.space)?;
        Ok(self)
    }

    fn resume(
        self,
        cfg: RunConfig,
        dir: &Path,
        blob: &Blob,
        show_progress: bool,
    ) -> Result<Outcome, TrainError> {
        let mut progress: Progress = blob.get_json("progress")?;
        let parts = self.restore(dir, blob)?;
        let run_dir = RunDir::resume(dir, &progress.logs)?;
        progress.resumes += 1;
        parts.trainer(cfg, run_dir, progress, show_progress).run()
    }

    fn evaluate(self, dir: &Path, blob: &Blob) -> Result<EvalResult, TrainError> {
        let mut p = self.restore(dir, blob)?;
        eval::evaluate(
            &p.proto,
            p.student.as_mut(),
            &p.test_set,
            p.ctx.success_return,
        )
    }
}

/// The env name of the procedural text worlds.
pub const TEXT_WORLD: &str = "text-world";

/// Starts a new run in `out`, which must not hold anything yet. Config
/// errors are reported before the dir is created.
pub fn start(cfg: RunConfig, out: &Path, show_progress: bool) -> Result<Outcome, TrainError> {
    cfg.validate()?;
    if cfg.env == TEXT_WORLD {
        text_parts(&cfg)?.start(cfg, out, show_progress)
    } else {
        walker_parts(&cfg)?.start(cfg, out, show_progress)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TrainError> {
    std::fs::read(path).map_err(|e| run_dir::io(path, e))
}

/// The resolved config a run dir was started with.
pub fn read_config(dir: &Path) -> Result<RunConfig, TrainError> {
    RunConfig::from_toml(&String::from_utf8_lossy(&read(&dir.join(CONFIG))?))
}

/// A run dir's config and checkpoint.
fn load_run(dir: &Path) -> Result<(RunConfig, Blob), TrainError> {
    let cfg = read_config(dir)?;
    let ckpt = dir.join(CHECKPOINT);
    if !ckpt.exists() {
        return Err(TrainError::Io(format!(
            "{} has no checkpoint yet: nothing to resume or evaluate",
            dir.display()
        )));
    }
    Ok((cfg, Blob::from_bytes(&read(&ckpt)?)?))
}

/// Continues the run in `dir` from its last checkpoint (optionally with a
/// new step budget); log rows written after that checkpoint are dropped.
pub fn resume(dir: &Path, steps: Option<u64>, show_progress: bool) -> Result<Outcome, TrainError> {
    let (mut cfg, blob) = load_run(dir)?;
    if let Some(s) = steps {
        cfg.steps = s;
        cfg.validate()?;
        write_atomic(&dir.join(CONFIG), cfg.to_toml().as_bytes())?;
    }
    if cfg.env == TEXT_WORLD {
        text_parts(&cfg)?.resume(cfg, dir, &blob, show_progress)
    } else {
        walker_parts(&cfg)?.resume(cfg, dir, &blob, show_progress)
    }
}

/// Re-runs the test set with the run's last checkpointed policy.
pub fn evaluate_run(dir: &Path) -> Result<(RunConfig, Progress, EvalResult), TrainError> {
    let (cfg, blob) = load_run(dir)?;
    let r = if cfg.env == TEXT_WORLD {
        text_parts(&cfg)?.evaluate(dir, &blob)?
    } else {
        walker_parts(&cfg)?.evaluate(dir, &blob)?
    };
    Ok((cfg, blob.get_json("progress")?, r))
}

/// What a viewer needs to replay a walker run: its world, its last
/// checkpointed policy and its test tasks.
pub struct WalkerReplay {
    pub config: RunConfig,
    pub env: WalkerEnv,
    pub student: Box<dyn Student>,
    pub test_set: Vec<Vec<f64>>,
}

/// Loads a walker run dir for replay (text-world runs are refused).
pub fn load_walker_replay(dir: &Path) -> Result<WalkerReplay, TrainError> {
    let (config, blob) = load_run(dir)?;
    if config.env == TEXT_WORLD {
        return Err(TrainError::Config(format!(
            "{} is a text-world run; only walker runs can be replayed",
            dir.display()
        )));
    }
    let env = world::walker(&config)?;
    let (obs_dim, act_dim) = world::dims(&env);
    let mut student = make_student(&config, obs_dim, act_dim)?;
    student.load(blob.get("student")?)?;
    let test_set = test_set::load(&dir.join(TEST_SET), env.task_space())?;
    Ok(WalkerReplay {
        config,
        env,
        student,
        test_set,
    })
}
