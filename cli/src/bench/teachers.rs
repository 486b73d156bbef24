//! `trellis bench teachers`: every teacher on the toy student (% of the
//! learnable cells mastered) and its cost per episode.

use std::time::Instant;

use anyhow::Result;
use clap::Args;

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

/// Runs the benchmark.
pub fn run(b: &TeacherBench) -> Result<()> {
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
    for name in trellis_teachers::names() {
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
