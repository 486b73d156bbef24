//! Reading what runs left on disk (the row types of `trellis_train::rows`): evaluation curves,
//! final scores, and the tasks teachers sampled.

use std::path::Path;

use anyhow::Result;
pub use trellis_train::rows::EvalRow;
use trellis_train::rows;

use crate::execute::{State, run_dir, state};
use crate::manifest::{Manifest, Run};

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

    /// The area under a finished run's %-mastered curve, as the mean % over
    /// its evaluations: two runs that end level differ here when one
    /// mastered its tasks sooner, which is what a curriculum is for.
    pub fn area_mastered(&self) -> Option<f64> {
        (self.state == State::Done && !self.curve.is_empty()).then(|| {
            self.curve.iter().map(|r| r.mastered_pct).sum::<f64>() / self.curve.len() as f64
        })
    }
}

/// Reads `eval.csv` of a run dir (missing file: no rows yet).
pub fn read_curve(dir: &Path) -> Result<Vec<EvalRow>> {
    Ok(rows::read(&dir.join(trellis_train::run_dir::EVAL))?)
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

/// Training tasks of a run: the task dimensions' names and (step, task
/// vector) per episode, from `episodes.csv`.
pub fn read_tasks(dir: &Path) -> Result<(Vec<String>, Vec<(u64, Vec<f64>)>)> {
    let (names, episodes) = rows::read_episodes(&dir.join(trellis_train::run_dir::EPISODES))?;
    Ok((names, episodes.into_iter().map(|e| (e.step, e.task)).collect()))
}
