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
    /// Instead of every teacher on one kind of student: populate a
    /// classroom with this many AGAIN students per kind (four kinds, their
    /// learnable blobs in the four quarters of the space), then teach
    /// `--seeds` new students of each kind with Random, ALP-GMM and AGAIN.
    #[arg(long)]
    pub classroom: Option<usize>,
    /// With `--classroom`: cells learn only next to mastered ones, from the
    /// blob's centre on (meta-acl's toy).
    #[arg(long)]
    pub frontier: bool,
}

/// Runs the benchmark.
pub fn run(b: &TeacherBench) -> Result<()> {
    if let Some(per_kind) = b.classroom {
        return classroom(b, per_kind);
    }
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

/// Kinds of toy students in the classroom comparison: one per quarter of the 2-D space.
const KINDS: u64 = 4;

/// AGAIN against Random and ALP-GMM on new students once a classroom of
/// earlier students of several kinds exists (the Meta-ACL paper's setting).
fn classroom(b: &TeacherBench, per_kind: usize) -> Result<()> {
    use trellis_teachers::toy::{Kinds, Role, classroom_run};
    let dir = std::env::temp_dir().join(format!("trellis-bench-classroom-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let kinds = Kinds { dims: 2, cells: b.cells, unlearnable: b.unlearnable, frontier: b.frontier };
    println!(
        "toy students: {c}x{c} cells, {:.0}% unlearnable{}, {KINDS} kinds; classroom: {per_kind} \
         ALP-GMM students per kind; then {} new students per kind; {} episodes each",
        b.unlearnable * 100.0,
        if b.frontier { ", frontier" } else { "" },
        b.seeds,
        b.episodes,
        c = b.cells,
    );
    // Earlier students' seeds are 1000 + 100·kind + i: a record's name
    // (`student-s<seed>-…`) tells its kind.
    for kind in 0..KINDS {
        for i in 0..per_kind as u64 {
            classroom_run("again", &dir, Role::Earlier, &kinds, (kind, 1000 + 100 * kind + i), b.episodes)?;
        }
    }
    println!("{:<10} {:>16} {:>24}", "teacher", "% mastered", "donor of the same kind");
    for teacher in ["random", "alp-gmm", "again"] {
        let (mut scores, mut same) = (Vec::new(), 0);
        for kind in 0..KINDS {
            for seed in 0..b.seeds {
                let student = (kind, 5000 + 100 * kind + seed);
                let (m, donor) = classroom_run(teacher, &dir, Role::New, &kinds, student, b.episodes)?;
                scores.push(m);
                same += donor.is_some_and(|d| d.starts_with(&format!("student-s1{kind}"))) as usize;
            }
        }
        let n = scores.len() as f64;
        let mean = scores.iter().sum::<f64>() / n;
        let std = (scores.iter().map(|s| (s - mean).powi(2)).sum::<f64>() / n).sqrt();
        let same = if teacher == "again" { format!("{same}/{}", scores.len()) } else { "-".into() };
        println!("{teacher:<10} {mean:>9.1} ± {std:<5.1} {same:>24}");
    }
    std::fs::remove_dir_all(&dir)?;
    Ok(())
}
