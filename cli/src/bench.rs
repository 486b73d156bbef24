//! `trellis bench ...`: throughput figures printed as plain lines.

use std::time::Instant;

use anyhow::Result;
use clap::{Args, Subcommand};
use rand::RngExt;
use trellis_envs::registry::make_walker;
use trellis_envs::rng::seeded;
use trellis_envs::walker::WalkerConfig;
use trellis_envs::{ContinuousEnv, Env, VecEnv};

#[derive(Subcommand, Debug)]
pub enum Bench {
    /// Env steps per second with random actions, single env and vectorised.
    Env(EnvBench),
}

#[derive(Args, Debug)]
pub struct EnvBench {
    #[arg(long, default_value = "stump-tracks")]
    pub env: String,
    #[arg(long)]
    pub body: Option<String>,
    /// Steps per measurement.
    #[arg(long, default_value_t = 200_000)]
    pub steps: u64,
    /// Instances in the vectorised measurement.
    #[arg(long, default_value_t = 16)]
    pub envs: usize,
    /// Rapier solver iterations.
    #[arg(long)]
    pub solver_iterations: Option<usize>,
}

pub fn run(b: &Bench) -> Result<()> {
    match b {
        Bench::Env(e) => env(e),
    }
}

fn env(b: &EnvBench) -> Result<()> {
    let mut cfg = WalkerConfig::default();
    if let Some(n) = b.solver_iterations {
        cfg.physics.solver_iterations = n;
    }
    let mut env = make_walker(&b.env, b.body.as_deref(), cfg)?;
    let n_act = env.action_space().dim();
    let mut rng = seeded(0, 0);
    let mut random_action = move || (0..n_act).map(|_| rng.random_range(-1.0f32..1.0)).collect::<Vec<_>>();

    env.reset(Some(0), None)?;
    let (mut episodes, t0) = (0u64, Instant::now());
    for _ in 0..b.steps {
        if env.step(&random_action()).done() {
            episodes += 1;
            env.reset(None, None)?;
        }
    }
    let sps = b.steps as f64 / t0.elapsed().as_secs_f64();
    println!("{} 1 thread: {:.0} steps/s ({} episodes, resets included)", b.env, sps, episodes);

    let t0 = Instant::now();
    for i in 0..200 {
        env.reset(Some(i), Some(&[1.0, 1.0]))?;
    }
    println!("{} reset: {:.0} us", b.env, t0.elapsed().as_secs_f64() / 200.0 * 1e6);

    let mut base = 0.0;
    for threads in [1, 2] {
        let mut venv = VecEnv::new(vec![env.clone(); b.envs], threads, 0);
        venv.reset(None)?;
        let rounds = (b.steps / b.envs as u64).max(1);
        let t0 = Instant::now();
        venv.pool().install(|| -> Result<()> {
            for _ in 0..rounds {
                let actions: Vec<Vec<f32>> = (0..b.envs).map(|_| random_action()).collect();
                venv.step(&actions)?;
            }
            Ok(())
        })?;
        let sps = (rounds * b.envs as u64) as f64 / t0.elapsed().as_secs_f64();
        if threads == 1 {
            base = sps;
        }
        println!(
            "{} vec {} envs {} thread{}: {:.0} steps/s ({:.2}x of 1 thread)",
            b.env,
            b.envs,
            threads,
            if threads > 1 { "s" } else { "" },
            sps,
            sps / base
        );
    }
    Ok(())
}
