//! `trellis report`: the benchmark report of a sweep dir, or the evaluation
//! curves of some run dirs side by side.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
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
    /// With run dirs: also draw their curves to STEM-mastered.{png,svg} and
    /// STEM-return.{png,svg} (works while the runs go: eval.csv is written
    /// row by row).
    #[arg(long, value_name = "STEM")]
    pub plot: Option<PathBuf>,
    /// Pictures of walker runs: the world of a training task from each
    /// quarter of a run (what the curriculum looked like) and GIFs of its
    /// last checkpointed policy on its best and worst test task (finished
    /// runs). Run dirs: in DIR/<run>/ with a pictures.md each (DIR needed);
    /// a sweep: seed 0 of every cell and teacher, in <report>/pictures (or
    /// DIR), shown in a section added to report.md.
    #[arg(long, value_name = "DIR", num_args = 0..=1)]
    pub pictures: Option<Option<PathBuf>>,
    #[command(flatten)]
    assets: Assets,
}

/// Writes the sweep report, or prints the runs' curves.
pub fn run(r: &Report) -> Result<()> {
    if let [dir] = r.dirs.as_slice()
        && dir.join(trellis_sweep::manifest::Manifest::FILE).exists()
    {
        let bench = r.assets.load().ok();
        let rep = trellis_sweep::report::write(dir, r.out.as_deref(), bench.as_ref())?;
        if let Some(pics) = &r.pictures {
            let report_dir = rep.markdown.parent().unwrap_or(Path::new(".")).to_path_buf();
            let pics = pics.clone().unwrap_or_else(|| report_dir.join("pictures"));
            crate::pictures::sweep(dir, &pics, &rep.markdown)?;
        }
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
    if let [dir] = r.dirs.as_slice()
        && crate::poet_report::is_poet(dir)
    {
        let out = r.out.clone().unwrap_or_else(|| dir.join("report"));
        let md = crate::poet_report::write(dir, &out, r.pictures.is_some())?;
        println!("{}", md.display());
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
    if let Some(stem) = &r.plot {
        plot_runs(&r.dirs, &curves, stem)?;
    }
    if let Some(pics) = &r.pictures {
        let out = pics.as_ref().ok_or_else(|| {
            crate::exit::Input("--pictures needs a DIR with run dirs (a sweep's default is <report>/pictures)".into())
        })?;
        for d in &r.dirs {
            let dir = out.join(run_name(d));
            let md = crate::pictures::run(d, &dir).with_context(|| format!("pictures of {}", d.display()))?;
            println!("{}", md.display());
        }
    }
    let steps: BTreeSet<u64> = curves.iter().flat_map(|c| c.keys().copied()).collect();
    print!("{:>10}", "step");
    for run in &r.dirs {
        print!("  {:>24}", format!("{} ret / mastered", run_name(run)));
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

/// A run's label: its dir name.
fn run_name(run: &Path) -> String {
    run.file_name().map_or_else(
        || run.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

/// The runs' % mastered and mean test return over steps, one line per run.
fn plot_runs(dirs: &[PathBuf], curves: &[BTreeMap<u64, (f64, f64)>], stem: &Path) -> Result<()> {
    use trellis_sweep::plots::{Curve, Curves, Measure, save};
    if let Some(parent) = stem.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)?;
    }
    for (measure, suffix) in [(Measure::Mastered, "mastered"), (Measure::Return, "return")] {
        let lines = dirs
            .iter()
            .zip(curves)
            .enumerate()
            .map(|(i, (dir, c))| Curve {
                name: run_name(dir),
                colour: i + 1,
                points: c
                    .iter()
                    .map(|(&s, &(ret, m))| {
                        (s as f64, if measure == Measure::Mastered { m } else { ret }, 0.0)
                    })
                    .collect(),
            })
            .collect();
        let path = PathBuf::from(format!("{}-{suffix}", stem.display()));
        save(
            &Curves {
                title: format!("test set ({suffix})"),
                measure,
                curves: lines,
            },
            &path,
        )?;
        println!("{}", path.with_extension("png").display());
    }
    Ok(())
}
