//! `trellis bench es`: the throughput of POET's optimiser — env steps per
//! second of whole ES steps (perturbations drawn, episodes played by the
//! tanh policy, the update) — beside the physics alone (random actions,
//! one thread, same world, measured in the same process), on 1 and 2
//! threads. The optimiser should cost little on top of the physics: the
//! target is ≥ 80% of the physics' own rate on one thread.

use std::time::Instant;

use anyhow::Result;
use clap::Args;
use trellis_agents::es::EsConfig;
use trellis_core::TaskMap;
use trellis_envs::Env;
use trellis_envs::registry::make_walker;
use trellis_envs::walker::WalkerConfig;
use trellis_teachers::open_ended::Arena;
use trellis_train::open_ended::EsArena;

use super::env::single_env;
use super::proc::cpu_seconds;

#[derive(Args, Debug)]
pub struct EsBench {
    #[arg(long, default_value = "poet")]
    pub env: String,
    /// Mirrored directions per ES step (2× as many episodes).
    #[arg(long, default_value_t = 64)]
    pub directions: usize,
    /// Env steps per measurement: whole ES steps are taken until this many
    /// are played (the physics alone plays exactly this many).
    #[arg(long, default_value_t = 300_000)]
    pub steps: u64,
    /// Thread counts to measure ES on.
    #[arg(long, value_delimiter = ',', default_value = "1,2")]
    pub threads: Vec<usize>,
    /// What to measure: both, or one side alone (for timing each from
    /// outside, e.g. two commands side by side).
    #[arg(long, value_parser = ["both", "es", "physics"], default_value = "both")]
    pub part: String,
    /// Measurements per figure; the best is printed.
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
}

/// Runs the benchmark.
pub fn run(b: &EsBench) -> Result<()> {
    let proto = make_walker(&b.env, None, WalkerConfig::default())?;
    let mut physics = f64::NAN;
    if b.part != "es" {
        physics = single_env(&mut proto.clone(), None, b.steps, b.repeats, 0)?.steps_per_second;
        println!("{} physics, random actions, 1 thread: {physics:.0} steps/s", b.env);
    }
    if b.part == "physics" {
        return Ok(());
    }
    let cfg = EsConfig { directions: b.directions, ..EsConfig::default() };
    let map = TaskMap::new(proto.task_space(), None);
    let task = map.to_teacher(&proto.default_task());
    let mut base = f64::NAN;
    for &threads in &b.threads {
        let mut best = (0.0f64, f64::INFINITY);
        for r in 0..b.repeats.max(1) {
            let mut arena = EsArena::new(proto.clone(), map.clone(), cfg.clone(), threads).map_err(anyhow::Error::msg)?;
            let mut agent = arena.fresh(r as u64);
            let (t0, cpu0) = (Instant::now(), cpu_seconds());
            let mut i = 0;
            while arena.steps < b.steps {
                arena.optimise(&mut agent, &task, i);
                i += 1;
            }
            let n = arena.steps as f64;
            best = (best.0.max(n / t0.elapsed().as_secs_f64()), best.1.min((cpu_seconds() - cpu0) / n * 1e6));
        }
        if base.is_nan() {
            base = best.0;
        }
        let vs_physics = if physics.is_nan() { String::new() } else { format!("{:.2}x of the physics on 1 thread, ", best.0 / physics) };
        println!(
            "{} ES ({} directions) {threads} thread{}: {:.0} steps/s ({vs_physics}{:.2}x of ES on {} thread{}; {:.1} CPU-us per step)",
            b.env,
            b.directions,
            if threads == 1 { "" } else { "s" },
            best.0,
            best.0 / base,
            b.threads[0],
            if b.threads[0] == 1 { "" } else { "s" },
            best.1
        );
    }
    Ok(())
}
