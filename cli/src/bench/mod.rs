//! `trellis bench ...`: throughput figures printed as plain lines.
//!
//! The machines this runs on share their cores with other tenants, so every
//! figure is the best of `--repeats` runs (the least disturbed one), and the
//! vectorised runs also print CPU time per step, which noise inflates less.

mod env;
mod es;
mod gemm;
mod parkour;
mod peak;
mod proc;
mod replay;
mod students;
mod teachers;
mod text;

use std::time::Instant;

use anyhow::Result;
use clap::Subcommand;
use rand::RngExt;
use trellis_envs::rng::seeded;

use proc::cpu_seconds;

#[derive(Subcommand, Debug)]
pub enum Bench {
    /// Env steps per second with random actions, single env and vectorised.
    Env(env::EnvBench),
    /// Every teacher on the toy student: % of learnable cells mastered, and per-call cost.
    Teachers(teachers::TeacherBench),
    /// Text-world steps per second with random admissible commands.
    Text(text::TextBench),
    /// Training throughput of the students on Stump Tracks (env steps/s including updates).
    Students(students::StudentBench),
    /// Parkour steps per second on one core, per body, in a world with water and creepers.
    Parkour(parkour::ParkourBench),
    /// POET's optimiser: env steps/s of whole ES steps beside the physics alone, 1 and 2 threads.
    Es(es::EsBench),
    /// Plays given action sequences (JSON) and prints each episode's outcome (bench/box2d_compare.py).
    Replay(replay::ReplayBench),
}

/// Runs one benchmark.
pub fn run(b: &Bench) -> Result<()> {
    match b {
        Bench::Env(e) => env::run(e),
        Bench::Teachers(t) => teachers::run(t),
        Bench::Text(t) => text::run(t),
        Bench::Students(s) => students::run(s),
        Bench::Parkour(p) => parkour::run(p),
        Bench::Replay(r) => replay::run(r),
        Bench::Es(e) => es::run(e),
    }
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

/// A source of uniform random actions in [-1, 1].
fn random_actions(n_act: usize, seed: u64) -> impl FnMut() -> Vec<f32> {
    let mut rng = seeded(seed, 0);
    move || (0..n_act).map(|_| rng.random_range(-1.0f32..1.0)).collect()
}
