//! `trellis bench env`: walker steps per second with random actions, one
//! env on the calling thread and a vectorised env on 1 and 2 threads.

use std::time::Instant;

use anyhow::Result;
use clap::Args;
use trellis_envs::registry::make_walker;
use trellis_envs::walker::WalkerConfig;
use trellis_envs::{ContinuousEnv, Env, VecEnv, WalkerEnv};

use super::proc::rss_kib;
use super::{best_of, random_actions};

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

/// One env instance on the calling thread.
pub(super) struct Solo {
    pub steps_per_second: f64,
    pub cpu_us: f64,
    pub episodes: u64,
    pub reset_us: f64,
}

/// Best of `repeats` runs of `steps` random-action steps on `task` (the
/// env's default if None), resets included; then the mean of `resets` resets.
pub(super) fn single_env(
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

/// Runs the benchmark.
pub fn run(b: &EnvBench) -> Result<()> {
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
