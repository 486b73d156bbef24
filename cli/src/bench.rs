//! `trellis bench ...`: throughput figures printed as plain lines.
//!
//! The machines this runs on share their cores with other tenants, so every
//! figure is the best of `--repeats` runs (the least disturbed one), and the
//! vectorised runs also print CPU time per step, which noise inflates less.

use std::time::Instant;

use anyhow::Result;
use clap::{Args, Subcommand};
use rand::RngExt;
use trellis_envs::registry::make_walker;
use trellis_envs::rng::seeded;
use trellis_envs::walker::WalkerConfig;
use trellis_envs::{ContinuousEnv, Env, VecEnv, WalkerEnv};

#[derive(Subcommand, Debug)]
pub enum Bench {
    /// Env steps per second with random actions, single env and vectorised.
    Env(EnvBench),
    /// Every teacher on the toy student: % of learnable cells mastered, and per-call cost.
    Teachers(TeacherBench),
    /// Text-world steps per second with random admissible commands.
    Text(TextBench),
    /// Training throughput of the students on Stump Tracks (env steps/s including updates).
    Students(StudentBench),
    /// Parkour steps per second on one core, per body, in a world with water and creepers.
    Parkour(ParkourBench),
}

#[derive(Args, Debug)]
pub struct ParkourBench {
    /// One body (default: every body).
    #[arg(long)]
    pub body: Option<String>,
    /// Task vector: cppn_0,cppn_1,cppn_2,water_level,creepers_height,creepers_spacing.
    /// The default floods the track to about a metre above the start pad and
    /// hangs 2-unit creepers every unit.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        default_value = "-0.15,0.8,0.1,0.81,2,1"
    )]
    pub task: Vec<f64>,
    #[arg(long, default_value_t = 50_000)]
    pub steps: u64,
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
}

#[derive(Args, Debug)]
pub struct StudentBench {
    /// Env steps timed after the warm-up (PPO: rounded up to whole rollouts).
    #[arg(long, default_value_t = 3000)]
    pub steps: u64,
    /// SAC minibatch size (TeachMyAgent: 1000).
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// `sac`, `ppo` or `all`.
    #[arg(long, default_value = "all")]
    pub student: String,
    /// Threads for the network maths; without it, 1 and 2 are measured, each in a fresh process.
    #[arg(long)]
    pub threads: Option<usize>,
}

#[derive(Args, Debug)]
pub struct TextBench {
    #[arg(long, default_value_t = 200_000)]
    pub steps: u64,
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
}

#[derive(Args, Debug)]
pub struct TeacherBench {
    /// Seeds per teacher.
    #[arg(long, default_value_t = 5)]
    pub seeds: u64,
    /// Episodes per run.
    #[arg(long, default_value_t = 4000)]
    pub episodes: usize,
    /// Share of unlearnable cells.
    #[arg(long, default_value_t = 0.8)]
    pub unlearnable: f64,
    /// Cells per dimension (the toy space is 2-D).
    #[arg(long, default_value_t = 10)]
    pub cells: usize,
}

#[derive(Args, Debug)]
pub struct EnvBench {
    #[arg(long, default_value = "stump-tracks")]
    pub env: String,
    #[arg(long)]
    pub body: Option<String>,
    /// Steps per measurement.
    #[arg(long, default_value_t = 100_000)]
    pub steps: u64,
    /// Instances in the vectorised measurement.
    #[arg(long, default_value_t = 16)]
    pub envs: usize,
    /// Measurements per figure; the best is printed.
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
    /// Rapier solver iterations.
    #[arg(long)]
    pub solver_iterations: Option<usize>,
}

pub fn run(b: &Bench) -> Result<()> {
    match b {
        Bench::Env(e) => env(e),
        Bench::Teachers(t) => teachers(t),
        Bench::Text(t) => text(t),
        Bench::Students(s) => students(s),
        Bench::Parkour(p) => parkour(p),
    }
}

fn parkour(b: &ParkourBench) -> Result<()> {
    let bodies: Vec<&str> = match &b.body {
        Some(name) => vec![name.as_str()],
        None => trellis_envs::bodies::NAMES.to_vec(),
    };
    println!("parkour, task {:?}, random actions, 1 thread", b.task);
    for (i, name) in bodies.into_iter().enumerate() {
        let mut env = make_walker("parkour", Some(name), WalkerConfig::default())?;
        let solo = single_env(&mut env, Some(&b.task), b.steps, b.repeats, 50)?;
        if i == 0 {
            env.reset(Some(0), Some(&b.task))?;
            let level = env.water_level().unwrap_or(f32::NAN);
            println!(
                "water surface at y = {level:.2} (start pad ground at {:.2})",
                trellis_envs::terrain::track::HEIGHT
            );
        }
        println!(
            "{name:<34} {:>8.0} steps/s  {:>6.1} CPU-us/step  reset {:>6.0} us  ({} episodes per run)",
            solo.steps_per_second, solo.cpu_us, solo.reset_us, solo.episodes
        );
    }
    Ok(())
}

/// Best (steps/s, CPU µs per step) over `repeats` runs of `f`, which returns the steps it made.
fn best_of(repeats: usize, mut f: impl FnMut() -> Result<u64>) -> Result<(f64, f64)> {
    let mut best = (0.0f64, f64::INFINITY);
    for _ in 0..repeats.max(1) {
        let (t0, cpu0) = (Instant::now(), cpu_seconds());
        let n = f()? as f64;
        let (sps, cpu) = (
            n / t0.elapsed().as_secs_f64(),
            (cpu_seconds() - cpu0) / n * 1e6,
        );
        best = (best.0.max(sps), best.1.min(cpu));
    }
    Ok(best)
}

fn random_actions(n_act: usize, seed: u64) -> impl FnMut() -> Vec<f32> {
    let mut rng = seeded(seed, 0);
    move || (0..n_act).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}

/// One env instance on the calling thread.
struct Solo {
    steps_per_second: f64,
    cpu_us: f64,
    episodes: u64,
    reset_us: f64,
}

/// Best of `repeats` runs of `steps` random-action steps on `task` (the
/// env's default if None), resets included; then the mean of `resets` resets.
fn single_env(
    env: &mut WalkerEnv,
    task: Option<&[f64]>,
    steps: u64,
    repeats: usize,
    resets: u64,
) -> Result<Solo> {
    let mut act = random_actions(env.action_space().dim(), 0);
    let mut episodes = 0u64;
    let (steps_per_second, cpu_us) = best_of(repeats, || {
        env.reset(Some(0), task)?;
        for _ in 0..steps {
            if env.step(&act()).done() {
                episodes += 1;
                env.reset(None, None)?;
            }
        }
        Ok(steps)
    })?;
    let t0 = Instant::now();
    for i in 0..resets {
        env.reset(Some(i), None)?;
    }
    let reset_us = t0.elapsed().as_secs_f64() / resets.max(1) as f64 * 1e6;
    Ok(Solo {
        steps_per_second,
        cpu_us,
        episodes: episodes / repeats.max(1) as u64,
        reset_us,
    })
}

fn env(b: &EnvBench) -> Result<()> {
    let mut cfg = WalkerConfig::default();
    if let Some(n) = b.solver_iterations {
        cfg.physics.solver_iterations = n;
    }
    let proto: WalkerEnv = make_walker(&b.env, b.body.as_deref(), cfg)?;
    let n_act = proto.action_space().dim();
    let name = &b.env;

    let solo = single_env(&mut proto.clone(), None, b.steps, b.repeats, 200)?;
    println!(
        "{name} 1 thread: {:.0} steps/s (random actions, {} episodes per run, resets included)",
        solo.steps_per_second, solo.episodes
    );
    println!("{name} reset: {:.0} us", solo.reset_us);

    let mut base = 0.0;
    for threads in [1, 2] {
        let rss0 = rss_kib();
        let mut venv = VecEnv::new(vec![proto.clone(); b.envs], threads, 0);
        venv.reset(None)?;
        if threads == 1 {
            println!(
                "{name} memory: {:.0} KiB per instance",
                (rss_kib() - rss0) as f64 / b.envs as f64
            );
        }
        let rounds = (b.steps / b.envs as u64).max(1);
        let mut act = random_actions(n_act, 1);
        let (sps, cpu) = best_of(b.repeats, || {
            for _ in 0..rounds {
                let actions: Vec<Vec<f32>> = (0..b.envs).map(|_| act()).collect();
                venv.step(&actions)?;
            }
            Ok(rounds * b.envs as u64)
        })?;
        if threads == 1 {
            base = sps;
        }
        println!(
            "{name} vec {} envs {threads} thread{}: {sps:.0} steps/s ({:.2}x of 1 thread; {cpu:.1} CPU-us per step)",
            b.envs,
            if threads > 1 { "s" } else { "" },
            sps / base,
        );
    }
    Ok(())
}

fn teachers(b: &TeacherBench) -> Result<()> {
    use trellis_teachers::toy::{ToyStudent, run as run_toy};
    println!(
        "toy student: {}x{} cells, {:.0}% unlearnable, {} episodes, {} seeds",
        b.cells,
        b.cells,
        b.unlearnable * 100.0,
        b.episodes,
        b.seeds
    );
    println!(
        "{:<14} {:>16} {:>18}",
        "teacher", "% mastered", "us per episode"
    );
    for name in trellis_teachers::NAMES {
        let (mut scores, mut secs) = (Vec::new(), 0.0);
        for seed in 0..b.seeds {
            let mut student = ToyStudent::new(2, b.cells, b.unlearnable, seed);
            let mut teacher = trellis_teachers::toy::make_teacher(name, &student, seed)?;
            let t0 = Instant::now();
            scores.push(run_toy(teacher.as_mut(), &mut student, b.episodes));
            secs += t0.elapsed().as_secs_f64();
        }
        let mean = scores.iter().sum::<f64>() / scores.len() as f64;
        let std =
            (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / scores.len() as f64).sqrt();
        let per_ep = secs / (b.seeds as f64 * b.episodes as f64) * 1e6;
        println!("{name:<14} {mean:>9.1} ± {std:<5.1} {per_ep:>18.1}");
    }
    Ok(())
}

fn text(b: &TextBench) -> Result<()> {
    use trellis_envs::text::TextWorldEnv;
    let mut env = TextWorldEnv::new();
    let mut rng = seeded(0, 0);
    let space = env.task_space().clone();
    let mut episodes = 0u64;
    let (sps, _) = best_of(b.repeats, || {
        // Tasks spread over the whole space, as a random teacher would give.
        let mut task = || {
            space
                .dims
                .iter()
                .map(|d| rng.random_range(d.low..=d.high))
                .collect::<Vec<f64>>()
        };
        let (mut obs, _) = env.reset(Some(0), Some(&task()))?;
        let mut pick = seeded(1, 0);
        for _ in 0..b.steps {
            let cmd = obs.admissible[pick.random_range(0..obs.admissible.len())].clone();
            let s = env.step(&cmd);
            obs = if s.done() {
                episodes += 1;
                env.reset(None, Some(&task()))?.0
            } else {
                s.obs
            };
        }
        Ok(b.steps)
    })?;
    println!(
        "text-world 1 thread: {sps:.0} steps/s (random admissible commands, {} episodes per run, resets included)",
        episodes / b.repeats.max(1) as u64
    );
    Ok(())
}

/// Training throughput (env steps/s including learning) with TeachMyAgent's
/// settings and one env instance, as its benchmark runs. Thread counts are
/// measured in child processes because burn's thread pools are sized once.
fn students(b: &StudentBench) -> Result<()> {
    let names: Vec<&str> = if b.student == "all" {
        vec!["sac", "ppo"]
    } else {
        vec![b.student.as_str()]
    };
    let Some(threads) = b.threads else {
        for name in &names {
            for threads in [1, 2] {
                let status = std::process::Command::new(std::env::current_exe()?)
                    .args([
                        "bench",
                        "students",
                        "--student",
                        name,
                        "--threads",
                        &threads.to_string(),
                    ])
                    .args([
                        "--steps",
                        &b.steps.to_string(),
                        "--batch",
                        &b.batch.to_string(),
                    ])
                    .env("RAYON_NUM_THREADS", threads.to_string())
                    .env("MATMUL_NUM_THREADS", threads.to_string())
                    .status()?;
                anyhow::ensure!(status.success(), "bench child failed: {status}");
            }
        }
        return Ok(());
    };
    for name in names {
        student_throughput(name, b, threads)?;
    }
    Ok(())
}

fn student_throughput(name: &str, b: &StudentBench, threads: usize) -> Result<()> {
    use trellis_agents::{Student, Transition};
    let mut env = make_walker("stump-tracks", None, WalkerConfig::default())?;
    let (n_obs, n_act) = (env.observation_space().dim(), env.action_space().dim());
    let mut cfg = trellis_train::RunConfig {
        student: name.into(),
        ..Default::default()
    };
    // SAC: warm up just past the batch size, then every timed step may learn.
    cfg.sac.batch_size = b.batch;
    cfg.sac.start_steps = b.batch;
    let (warmup, steps) = match name {
        "sac" => (b.batch as u64, b.steps),
        _ => (
            0,
            b.steps.div_ceil(cfg.ppo.rollout as u64).max(1) * cfg.ppo.rollout as u64 + 1,
        ),
    };
    let mut student = trellis_train::make_student(&cfg, n_obs, n_act)?;
    let (mut obs, _) = env.reset(Some(0), None)?;
    let mut run = |n: u64, student: &mut Box<dyn Student>| -> Result<()> {
        for _ in 0..n {
            let a = student.act(std::slice::from_ref(&obs), false).remove(0);
            let s = env.step(&a);
            let t = Transition {
                env: 0,
                obs: &obs,
                action: &a,
                reward: s.reward as f32,
                next_obs: &s.obs,
                terminal: s.terminated,
                truncated: s.truncated && !s.terminated,
            };
            student.observe(&t);
            obs = if s.done() {
                env.reset(None, None)?.0
            } else {
                s.obs
            };
        }
        Ok(())
    };
    run(warmup, &mut student)?;
    let (t0, u0, cpu0) = (Instant::now(), student.updates(), cpu_seconds());
    run(steps, &mut student)?;
    let secs = t0.elapsed().as_secs_f64();
    println!(
        "{name} stump-tracks 1 env {threads} thread{}: {:.0} env steps/s including {:.1} gradient steps/s ({}, {:.0}% CPU, {})",
        if threads > 1 { "s" } else { "" },
        steps as f64 / secs,
        (student.updates() - u0) as f64 / secs,
        if name == "sac" {
            format!(
                "batch {}, 1 update per {} steps",
                b.batch, cfg.sac.train_freq
            )
        } else {
            format!(
                "rollout {}, minibatch {}, {} epochs",
                cfg.ppo.rollout, cfg.ppo.minibatch, cfg.ppo.epochs
            )
        },
        100.0 * (cpu_seconds() - cpu0) / secs,
        std::env::var("TRELLIS_BACKEND").unwrap_or_else(|_| "ndarray".into())
    );
    Ok(())
}

/// Resident set size of this process (Linux), 0 where unknown.
fn rss_kib() -> i64 {
    std::fs::read_to_string("/proc/self/statm")
        .ok()
        .and_then(|s| {
            s.split_whitespace()
                .nth(1)
                .and_then(|v| v.parse::<i64>().ok())
        })
        .map_or(0, |pages| pages * 4)
}

/// CPU time (user + system) of this process so far (Linux), 0 where unknown.
fn cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/self/stat")
        .ok()
        .and_then(|s| {
            // Fields after the command name (which may contain spaces) start at ')'.
            let rest = s.rsplit_once(')')?.1;
            let f: Vec<&str> = rest.split_whitespace().collect();
            Some((f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?) / 100.0)
        })
        .unwrap_or(0.0)
}
