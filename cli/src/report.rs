//! `trellis report`: the evaluation curves of several runs side by side.

use std::collections::BTreeMap;
use std::path::PathBuf;

use anyhow::{Context, Result};
use clap::Args;

#[derive(Args, Debug)]
pub struct Report {
    /// Run dirs to compare.
    #[arg(required = true)]
    pub runs: Vec<PathBuf>,
}

/// (step → (mean return, % mastered)) from a run's eval.csv.
fn curve(run: &PathBuf) -> Result<BTreeMap<u64, (f64, f64)>> {
    let path = run.join("eval.csv");
    let text =
        std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let mut out = BTreeMap::new();
    for (i, line) in text.lines().enumerate().skip(1) {
        let f: Vec<&str> = line.split(',').collect();
        let parse = |k: usize| {
            f.get(k)
                .and_then(|v| v.parse::<f64>().ok())
                .with_context(|| format!("{}:{}: bad row `{line}`", path.display(), i + 1))
        };
        out.insert(parse(0)? as u64, (parse(3)?, parse(4)?));
    }
    Ok(out)
}

pub fn run(r: &Report) -> Result<()> {
    let curves = r.runs.iter().map(curve).collect::<Result<Vec<_>>>()?;
    let steps: std::collections::BTreeSet<u64> =
        curves.iter().flat_map(|c| c.keys().copied()).collect();
    print!("{:>10}", "step");
    for run in &r.runs {
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
