//! Reading what runs left on disk (with the csv crate): evaluation curves,
//! final scores, and the tasks teachers sampled.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

use crate::execute::{State, run_dir, state};
use crate::manifest::{Manifest, Run};

/// One row of `eval.csv`.
#[derive(Clone, Debug, PartialEq, Deserialize)]
pub struct EvalRow {
    /// Env steps at the evaluation.
    pub step: u64,
    /// Mean test return.
    pub mean_return: f64,
    /// % of the test set mastered.
    pub mastered_pct: f64,
}

/// What one run has produced so far.
#[derive(Clone, Debug)]
pub struct RunResult<'a> {
    /// The planned run.
    pub run: &'a Run,
    /// Where it stands.
    pub state: State,
    /// Its evaluations so far.
    pub curve: Vec<EvalRow>,
}

impl RunResult<'_> {
    /// The score of a finished run: its last evaluation's % mastered.
    pub fn final_mastered(&self) -> Option<f64> {
        (self.state == State::Done)
            .then(|| self.curve.last().map(|r| r.mastered_pct))
            .flatten()
    }
}

/// Reads `eval.csv` of a run dir (missing file: no rows yet).
pub fn read_curve(dir: &Path) -> Result<Vec<EvalRow>> {
    let path = dir.join(trellis_train::run_dir::EVAL);
    if !path.exists() {
        return Ok(Vec::new());
    }
    let mut rd =
        csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    rd.deserialize()
        .enumerate()
        .map(|(i, r)| r.with_context(|| format!("{}: row {}", path.display(), i + 2)))
        .collect()
}

/// Every run of the manifest as it stands in `out`.
pub fn collect<'a>(manifest: &'a Manifest, out: &Path) -> Result<Vec<RunResult<'a>>> {
    manifest
        .runs
        .iter()
        .map(|run| {
            let dir = run_dir(out, run);
            Ok(RunResult {
                run,
                state: state(out, run),
                curve: read_curve(&dir)?,
            })
        })
        .collect()
}

/// Training tasks of a run: (step, task vector) per episode, from
/// `episodes.csv` (columns after `success` are the task's dimensions).
pub fn read_tasks(dir: &Path) -> Result<(Vec<String>, Vec<(u64, Vec<f64>)>)> {
    let path = dir.join(trellis_train::run_dir::EPISODES);
    let mut rd =
        csv::Reader::from_path(&path).with_context(|| format!("reading {}", path.display()))?;
    let headers = rd.headers()?.clone();
    let first = headers
        .iter()
        .position(|h| h == "success")
        .map(|i| i + 1)
        .with_context(|| format!("{}: no `success` column", path.display()))?;
    let names = headers.iter().skip(first).map(str::to_string).collect();
    let mut rows = Vec::new();
    for (i, rec) in rd.records().enumerate() {
        let rec = rec.with_context(|| format!("{}: row {}", path.display(), i + 2))?;
        let num = |k: usize| -> Result<f64> {
            rec.get(k)
                .and_then(|v| v.parse().ok())
                .with_context(|| format!("{}: row {}, column {}", path.display(), i + 2, k + 1))
        };
        let step = num(0)? as u64;
        let task = (first..rec.len()).map(num).collect::<Result<Vec<f64>>>()?;
        rows.push((step, task));
    }
    Ok((names, rows))
}
