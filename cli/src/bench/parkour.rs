//! `trellis bench parkour`: Parkour steps per second on one core for every
//! body, in a flooded world with creepers.

use anyhow::Result;
use clap::Args;
use trellis_envs::Env;
use trellis_envs::registry::make_walker;
use trellis_envs::walker::WalkerConfig;

use super::env::single_env;

#[derive(Args, Debug)]
pub struct ParkourBench {
    /// One body (default: every body).
    #[arg(long)]
    pub body: Option<String>,
    /// Task vector: cppn_0,cppn_1,cppn_2,water_level,creepers_width,creepers_height,creepers_spacing,cppn_scale.
    /// The default floods the track to about a metre above the start pad and
    /// hangs 2-unit creepers every unit.
    #[arg(
        long,
        value_delimiter = ',',
        allow_hyphen_values = true,
        default_value = "-0.15,0.8,0.1,0.81,0.25,2,1,10"
    )]
    pub task: Vec<f64>,
    #[arg(long, default_value_t = 50_000)]
    pub steps: u64,
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
}

/// Runs the benchmark.
pub fn run(b: &ParkourBench) -> Result<()> {
    let bodies: Vec<&str> = match &b.body {
        Some(name) => vec![name.as_str()],
        None => trellis_envs::bodies::names(),
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
