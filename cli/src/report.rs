//! `trellis report`: the benchmark report of a sweep dir, or the evaluation
//! curves of some run dirs side by side.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::Result;
use clap::Args;

use crate::sweep::Assets;

/// Arguments of `trellis report`.
#[derive(Args, Debug)]
pub struct Report {
    /// A sweep's output dir (full report), or run dirs (curves side by side).
    #[arg(required = true)]
    pub dirs: Vec<PathBuf>,
    /// Where the report goes (default: <sweep>/report).
    #[arg(long)]
    pub out: Option<PathBuf>,
    #[command(flatten)]
    assets: Assets,
}

/// Writes the sweep report, or prints the runs' curves.
pub fn run(r: &Report) -> Result<()> {
    if let [dir] = r.dirs.as_slice()
        && dir.join("manifest.json").exists()
    {
        let bench = r.assets.load().ok();
        let rep = trellis_sweep::report::write(dir, r.out.as_deref(), bench.as_ref())?;
        println!(
            "{} ({} cells, {} teachers, {} figures, {} runs not finished)",
            rep.markdown.display(),
            rep.cells.len(),
            rep.teachers.len(),
            rep.figures.len(),
            rep.unfinished.len()
        );
        return Ok(());
    }
    let curves: Vec<BTreeMap<u64, (f64, f64)>> = r
        .dirs
        .iter()
        .map(|d| {
            Ok(trellis_sweep::results::read_curve(d)?
                .into_iter()
                .map(|row| (row.step, (row.mean_return, row.mastered_pct)))
                .collect())
        })
        .collect::<Result<_>>()?;
    let steps: BTreeSet<u64> = curves.iter().flat_map(|c| c.keys().copied()).collect();
    print!("{:>10}", "step");
    for run in &r.dirs {
        let name = run.file_name().map_or_else(
            || run.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        print!("  {:>24}", format!("{name} ret / mastered"));
    }
    println!();
    for s in steps {
        print!("{s:>10}");
        for c in &curves {
            match c.get(&s) {
                Some((ret, m)) => print!("  {:>24}", format!("{ret:.1} / {m:.0}%")),
                None => print!("  {:>24}", "-"),
            }
        }
        println!();
    }
    Ok(())
}
