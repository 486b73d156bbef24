//! `trellis train --teacher poet` (or `enhanced-poet`): the open-ended
//! loop of [`trellis_teachers::open_ended`] run on a walker world with the
//! `es` student, in a run dir like any other — its config, a checkpoint
//! taken between iterations (so a resume continues exactly), and its own
//! logs:
//!
//! - `pairs.csv`: every active pair's score after every iteration
//!   (iteration, env steps so far, pair id, score, the encoding);
//! - `poet.jsonl`: admissions, refusals, retirements and transfers;
//! - `population.json`: the active pairs and the archive (encodings,
//!   parents, ages, recent scores), rewritten at each checkpoint.

pub mod arena;

use std::path::Path;
use std::time::Instant;

use indicatif::ProgressBar;
use serde::{Deserialize, Serialize};
use trellis_agents::es::{EsConfig, OpenAiEs};
use trellis_core::TaskMap;
use trellis_envs::Env;
use trellis_envs::walker::WalkerEnv;
use trellis_nn::blob::Blob;
use trellis_teachers::open_ended::{Descriptor, Event, Pair, Poet, PoetConfig};

pub use arena::EsArena;

use crate::run_dir::{CHECKPOINT, CONFIG, LogLengths, RunDir, RunLock, SUMMARY, write_atomic};
use crate::trainer::{Outcome, Progress, Summary};
use crate::{RunConfig, TrainError};

/// Every active pair's score after each iteration.
pub const PAIRS: &str = "pairs.csv";
/// What happened to the population.
pub const EVENTS: &str = "poet.jsonl";
/// The population now (no agents).
pub const POPULATION: &str = "population.json";
const LOGS: [&str; 2] = [PAIRS, EVENTS];

/// Counters saved in every checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
struct Counters {
    /// Env steps and episodes played so far.
    steps: u64,
    episodes: u64,
    /// Env steps at which the next checkpoint falls due.
    next_checkpoint: u64,
    resumes: u64,
    seconds: f64,
    logs: LogLengths,
}

/// One pair as `population.json` lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PairSummary {
    /// Its id.
    pub id: u32,
    /// Its encoding, by dimension name.
    pub env: Vec<f64>,
    /// The pair it mutated from.
    pub parent: Option<u32>,
    /// The iteration it was admitted at.
    pub created_at: u64,
    /// Its agent's recent scores, newest last.
    pub scores: Vec<f64>,
}

/// `population.json`: the run's population at its last checkpoint.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Population {
    /// Which algorithm.
    pub teacher: String,
    /// Iterations done.
    pub iteration: u64,
    /// Env steps played.
    pub steps: u64,
    /// The encoding's dimension names.
    pub dims: Vec<String>,
    /// Active pairs, oldest first.
    pub active: Vec<PairSummary>,
    /// Retired pairs.
    pub archive: Vec<PairSummary>,
}

impl Population {
    /// Reads a POET run dir's `population.json`.
    pub fn read(dir: &Path) -> Result<Self, TrainError> {
        let p = dir.join(POPULATION);
        let bytes = std::fs::read(&p).map_err(|e| TrainError::io(&p, e))?;
        serde_json::from_slice(&bytes).map_err(|e| TrainError::Io(format!("{}: {e}", p.display())))
    }
}

/// What the loop owns.
struct Run {
    cfg: RunConfig,
    name: &'static str,
    arena: EsArena,
    poet: Poet<OpenAiEs>,
    dir: RunDir,
    counters: Counters,
    show_progress: bool,
}

/// What a POET run is built from, each part checked and refused by field
/// before anything touches the disk.
struct Checked {
    world: WalkerEnv,
    map: TaskMap,
    es: EsConfig,
    poet: PoetConfig,
}

fn check(cfg: &RunConfig) -> Result<Checked, TrainError> {
    let d = descriptor(cfg)?;
    if cfg.student != trellis_agents::es::DESCRIPTOR.name {
        return Err(TrainError::Config(format!(
            "`student` = `{}`: `{}` optimises its agents with evolution strategies; use `student = \"es\"`",
            cfg.student, d.name
        )));
    }
    let es: EsConfig = trellis_agents::registry::settings("es", &cfg.student_settings()?).map_err(TrainError::Config)?;
    let world = crate::world::make(cfg)?.into_walker().map_err(|_| {
        TrainError::Config(format!("`env` = `{}`: `{}` needs a world with a walker body (its agents read vector observations)", cfg.env, d.name))
    })?;
    let map = TaskMap::new(world.task_space(), cfg.shuffle);
    let poet = PoetConfig::from_table(d.variant, &cfg.teacher_config).map_err(TrainError::Config)?;
    if let Some(start) = &poet.start {
        map.teacher_space().validate(start).map_err(|e| TrainError::Config(format!("`teacher_config.start`: {e}")))?;
    }
    Ok(Checked { world, map, es, poet })
}

/// The run's arena (its thread pool started), encoding map and POET settings.
fn parts(cfg: &RunConfig) -> Result<(EsArena, TaskMap, PoetConfig), TrainError> {
    let c = check(cfg)?;
    let arena = EsArena::new(c.world, c.map.clone(), c.es, cfg.threads).map_err(TrainError::Config)?;
    Ok((arena, c.map, c.poet))
}

fn descriptor(cfg: &RunConfig) -> Result<&'static Descriptor, TrainError> {
    trellis_teachers::open_ended::descriptor(&cfg.teacher)
        .ok_or_else(|| TrainError::Config(format!("`{}` is not an open-ended teacher", cfg.teacher)))
}

/// A run of the open-ended teacher `teacher` (`poet` or `enhanced-poet`)
/// on the `poet` world that grows a population within seconds: the
/// teacher's quick settings, an ES student with one hidden layer of 8,
/// 3 directions and 1 evaluation episode, reproduction every 2 iterations.
/// For tests, demos and the viewer's screenshots; `None` for another teacher.
pub fn quick(teacher: &str, steps: u64) -> Option<RunConfig> {
    let d = trellis_teachers::open_ended::descriptor(teacher)?;
    let mut cfg = RunConfig {
        env: "poet".into(),
        teacher: teacher.into(),
        student: "es".into(),
        steps,
        checkpoint_every: steps / 3,
        teacher_config: d.quick.parse().expect("a descriptor's quick settings are TOML"),
        ..Default::default()
    };
    for (k, v) in [
        ("es.hidden", "[8]"),
        ("es.directions", "3"),
        ("es.eval_episodes", "1"),
        ("teacher_config.reproduce_every", "2"),
    ] {
        cfg.set(k, v).expect("the quick ES settings are valid");
    }
    Some(cfg)
}

/// Checks a POET run's settings as [`start`] would, without starting it.
pub fn validate(cfg: &RunConfig) -> Result<(), TrainError> {
    check(cfg).map(|_| ())
}

/// Starts a POET run in `out` (which must not hold anything yet).
pub fn start(cfg: RunConfig, out: &Path, show_progress: bool) -> Result<Outcome, TrainError> {
    let d = descriptor(&cfg)?;
    let (mut arena, map, pcfg) = parts(&cfg)?;
    let start = pcfg.start.clone().unwrap_or_else(|| map.to_teacher(&arena.default_task()));
    let poet = Poet::new(d.variant, pcfg, map.teacher_space().clone(), start, &mut arena, cfg.seed);
    let mut dir = RunDir::create_logs(out, &LOGS)?;
    write_atomic(&dir.file(CONFIG), cfg.to_toml().as_bytes())?;
    let dims = map.teacher_space().names().join(",");
    dir.log(PAIRS, &format!("iteration,step,pair,score,{dims}"))?;
    let counters = Counters { next_checkpoint: cfg.checkpoint_every, ..Default::default() };
    Run { name: d.name, cfg, arena, poet, dir, counters, show_progress }.run()
}

/// Continues a POET run from its last checkpoint (`steps`: a new budget);
/// the caller holds `lock` and has checked there is a checkpoint.
pub fn resume(dir: &Path, steps: Option<u64>, lock: RunLock, show_progress: bool) -> Result<Outcome, TrainError> {
    let mut cfg = crate::read_config(dir)?;
    let d = descriptor(&cfg)?;
    let blob = Blob::from_bytes(&std::fs::read(dir.join(CHECKPOINT)).map_err(|e| TrainError::io(&dir.join(CHECKPOINT), e))?)?;
    let mut counters: Counters = blob.get_json("progress")?;
    if let Some(s) = steps {
        if s < counters.steps {
            return Err(TrainError::Config(format!(
                "--steps {s} is below the step the run's checkpoint is at ({}); give a larger budget",
                counters.steps
            )));
        }
        cfg.steps = s;
        write_atomic(&dir.join(CONFIG), cfg.to_toml().as_bytes())?;
        let _ = std::fs::remove_file(dir.join(SUMMARY));
    }
    let (mut arena, _, _) = parts(&cfg)?;
    let poet: Poet<OpenAiEs> = blob.get_json("poet")?;
    arena.steps = counters.steps;
    arena.episodes = counters.episodes;
    let finished = counters.steps >= cfg.steps || poet.cfg.iterations.is_some_and(|n| poet.iteration >= n);
    if finished {
        // Nothing to train, and nothing is written.
        return Ok(Outcome {
            progress: Progress { step: counters.steps, episodes: counters.episodes, resumes: counters.resumes, ..Default::default() },
            last_eval: None,
            steps_per_second: 0.0,
            already_finished: true,
        });
    }
    let run_dir = RunDir::resume_logs(dir, &LOGS, &counters.logs, lock)?;
    counters.resumes += 1;
    Run { name: d.name, cfg, arena, poet, dir: run_dir, counters, show_progress }.run()
}

impl Run {
    fn run(mut self) -> Result<Outcome, TrainError> {
        let t0 = Instant::now();
        let steps0 = self.arena.steps;
        let bar = self.progress_bar();
        let mut last_checkpoint = Instant::now();
        while !self.finished() {
            // Kept to roll back an iteration a stop cuts short: the run then
            // checkpoints as it was before it, and a resume replays it whole.
            let before = (self.poet.clone(), self.arena.steps, self.arena.episodes);
            let events = self.poet.step(&mut self.arena);
            if self.arena.interrupted {
                (self.poet, self.arena.steps, self.arena.episodes) = before;
                self.arena.interrupted = false;
                self.checkpoint(t0)?;
                bar.abandon();
                return Err(self.stopped());
            }
            self.log(&events)?;
            bar.set_position(self.arena.steps.min(self.cfg.steps));
            bar.set_message(self.status());
            let mut due = false;
            if self.arena.steps >= self.counters.next_checkpoint {
                while self.counters.next_checkpoint <= self.arena.steps {
                    self.counters.next_checkpoint += self.cfg.checkpoint_every;
                }
                due = true;
            }
            let minutes = self.cfg.checkpoint_minutes;
            due |= minutes > 0.0 && last_checkpoint.elapsed().as_secs_f64() >= 60.0 * minutes;
            crate::stop::poll();
            let stop = crate::stop::requested();
            if (due || stop) && !self.finished() {
                self.checkpoint(t0)?;
                last_checkpoint = Instant::now();
                if stop {
                    bar.abandon();
                    return Err(self.stopped());
                }
            }
        }
        bar.finish();
        self.checkpoint(t0)?;
        let seconds = t0.elapsed().as_secs_f64();
        let sps = (self.arena.steps - steps0) as f64 / seconds.max(1e-9);
        let summary = Summary { step: self.arena.steps, episodes: self.arena.episodes, eval: None, steps_per_second: sps };
        write_atomic(&self.dir.file(SUMMARY), serde_json::to_string(&summary).expect("a summary serialises").as_bytes())?;
        Ok(Outcome {
            progress: Progress {
                step: self.arena.steps,
                episodes: self.arena.episodes,
                resumes: self.counters.resumes,
                seconds: self.counters.seconds,
                ..Default::default()
            },
            last_eval: None,
            steps_per_second: sps,
            already_finished: false,
        })
    }

    fn stopped(&self) -> TrainError {
        TrainError::Stopped(format!(
            "stopped at step {} (iteration {}) on request, checkpointed: `trellis train --resume {}` continues it",
            self.arena.steps,
            self.poet.iteration,
            self.dir.path.display()
        ))
    }

    /// The step budget is spent, or the iteration limit reached.
    fn finished(&self) -> bool {
        self.arena.steps >= self.cfg.steps || self.poet.cfg.iterations.is_some_and(|n| self.poet.iteration >= n)
    }

    fn log(&mut self, events: &[Event]) -> Result<(), TrainError> {
        for e in events {
            self.dir.log(EVENTS, &serde_json::to_string(e).expect("events serialise"))?;
        }
        let it = self.poet.iteration - 1;
        for p in &self.poet.active {
            let env: Vec<String> = p.env.iter().map(|x| x.to_string()).collect();
            let score = p.score().unwrap_or(f64::NAN);
            let line = format!("{it},{},{},{score},{}", self.arena.steps, p.id, env.join(","));
            self.dir.log(PAIRS, &line)?;
        }
        Ok(())
    }

    fn status(&self) -> String {
        let best = self.poet.active.iter().filter_map(|p| p.score()).fold(f64::NEG_INFINITY, f64::max);
        format!(
            "iteration {} · {} active, {} archived · best score {best:.1}",
            self.poet.iteration,
            self.poet.active.len(),
            self.poet.archive.len()
        )
    }

    fn population(&self) -> Population {
        Population {
            teacher: self.name.into(),
            iteration: self.poet.iteration,
            steps: self.arena.steps,
            dims: self.poet.space().names().iter().map(|s| s.to_string()).collect(),
            active: self.poet.active.iter().map(summary).collect(),
            archive: self.poet.archive.iter().map(summary).collect(),
        }
    }

    /// Everything needed to continue exactly, written atomically; then the
    /// population file for readers.
    fn checkpoint(&mut self, t0: Instant) -> Result<(), TrainError> {
        self.counters.logs = self.dir.sync()?;
        self.counters.steps = self.arena.steps;
        self.counters.episodes = self.arena.episodes;
        let mut c = self.counters.clone();
        c.seconds += t0.elapsed().as_secs_f64();
        let mut blob = Blob::new();
        blob.put_json("progress", &c)?.put_json("poet", &self.poet)?;
        write_atomic(&self.dir.file(CHECKPOINT), &blob.to_bytes())?;
        write_atomic(
            &self.dir.file(POPULATION),
            serde_json::to_string_pretty(&self.population()).expect("a population serialises").as_bytes(),
        )
    }

    fn progress_bar(&self) -> ProgressBar {
        crate::trainer::steps_bar(self.show_progress, self.cfg.steps, self.arena.steps)
    }
}

/// A POET run's active agents, to film or replay: its world, and each
/// active pair (oldest first) with its agent as a student that plays the
/// pair's parameters deterministically, and the world task of its encoding.
pub struct PopulationReplay {
    /// The run's world.
    pub env: WalkerEnv,
    /// Each active pair with its agent and its world task.
    pub pairs: Vec<(PairSummary, Box<dyn trellis_agents::Student>, Vec<f64>)>,
    /// The world task of each archived pair's encoding.
    pub archive: Vec<(PairSummary, Vec<f64>)>,
}

/// Loads a POET run dir's last checkpoint for replay.
pub fn load_population(dir: &Path) -> Result<PopulationReplay, TrainError> {
    let cfg = crate::read_config(dir)?;
    let c = check(&cfg)?;
    let path = dir.join(CHECKPOINT);
    let blob = Blob::from_bytes(&std::fs::read(&path).map_err(|e| TrainError::io(&path, e))?)?;
    let poet: Poet<OpenAiEs> = blob.get_json("poet")?;
    let spec = c.world.spec();
    let (obs, act) = (spec.observation.entries().len(), spec.action.entries().len());
    let pairs = poet
        .active
        .iter()
        .map(|p| {
            let student = trellis_agents::es::EsStudent::from_optimiser(obs, act, c.es.clone(), p.agent.clone());
            (summary(p), Box::new(student) as Box<dyn trellis_agents::Student>, c.map.to_world(&p.env))
        })
        .collect();
    let archive = poet.archive.iter().map(|p| (summary(p), c.map.to_world(&p.env))).collect();
    Ok(PopulationReplay { env: c.world, pairs, archive })
}

fn summary(p: &Pair<OpenAiEs>) -> PairSummary {
    PairSummary { id: p.id, env: p.env.clone(), parent: p.parent, created_at: p.created_at, scores: p.scores.clone() }
}
