//! `trellis bench text`: text-world steps per second with random
//! admissible commands over tasks spread across the whole space.

use anyhow::Result;
use clap::Args;
use rand::RngExt;
use trellis_envs::Env;
use trellis_envs::rng::seeded;

use super::best_of;

#[derive(Args, Debug)]
pub struct TextBench {
    #[arg(long, default_value_t = 200_000)]
    pub steps: u64,
    #[arg(long, default_value_t = 3)]
    pub repeats: usize,
}

/// Runs the benchmark.
pub fn run(b: &TextBench) -> Result<()> {
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
