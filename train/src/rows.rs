//! The rows of a run dir's two CSV logs, defined once: the trainer writes
//! them, and the sweep's results and report and the viewer read them back
//! with the same types (serde + the csv crate). (The Python package reads
//! the files with its own CSV reader.)
//!
//! Values are rounded where they are made (returns to 4 decimals, tasks to 6,
//! % mastered to 2, seconds and rates to 1), so a row's text is short, and
//! the same run writes the same bytes on every machine: resume compares and
//! truncates logs by length.

use std::fs::File;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::TrainError;

/// One training episode (`episodes.csv`): the columns `step, env, return,
/// length, success`, then one column per task dimension, named after it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EpisodeRow {
    /// Env steps taken by the run when the episode ended (all instances).
    pub step: u64,
    /// Which of the vectorised env instances played it.
    pub env: usize,
    /// Episodic return.
    #[serde(rename = "return")]
    pub ret: f64,
    /// Steps in the episode.
    pub length: u32,
    /// The world's success criterion (1 or 0).
    pub success: u8,
    /// The task, in the world's units and order.
    pub task: Vec<f64>,
}

/// One evaluation on the test set (`eval.csv`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct EvalRow {
    /// Env steps at the evaluation.
    pub step: u64,
    /// Training episodes finished by then.
    pub episodes: u64,
    /// Gradient steps (or updates) the student made by then.
    pub updates: u64,
    /// Mean test return.
    pub mean_return: f64,
    /// % of the test tasks mastered (the world's success criterion).
    pub mastered_pct: f64,
    /// Wall time of the run so far, resumed sessions included.
    pub wall_seconds: f64,
    /// Env steps per second since this session started.
    pub steps_per_second: f64,
}

fn round(x: f64, decimals: i32) -> f64 {
    let s = 10f64.powi(decimals);
    (x * s).round() / s
}

impl EpisodeRow {
    /// A row with its values rounded as the log keeps them.
    pub fn new(step: u64, env: usize, ret: f64, length: u32, success: bool, task: &[f64]) -> Self {
        Self {
            step,
            env,
            ret: round(ret, 4),
            length,
            success: u8::from(success),
            task: task.iter().map(|&x| round(x, 6)).collect(),
        }
    }

    /// The header line for a task space with these dimension names.
    pub fn header(names: &[&str]) -> String {
        format!("step,env,return,length,success,{}", names.join(","))
    }
}

impl EvalRow {
    /// The header line.
    pub const HEADER: &'static str =
        "step,episodes,updates,mean_return,mastered_pct,wall_seconds,steps_per_second";

    /// A row with its values rounded as the log keeps them.
    pub fn new(
        step: u64,
        episodes: u64,
        updates: u64,
        mean_return: f64,
        mastered_pct: f64,
        wall_seconds: f64,
        steps_per_second: f64,
    ) -> Self {
        Self {
            step,
            episodes,
            updates,
            mean_return: round(mean_return, 4),
            mastered_pct: round(mastered_pct, 2),
            wall_seconds: round(wall_seconds, 1),
            steps_per_second: round(steps_per_second, 1),
        }
    }
}

/// A row as one CSV line (no newline).
pub fn line<T: Serialize>(row: &T) -> Result<String, TrainError> {
    let bad = |e: &dyn std::fmt::Display| TrainError::Io(format!("writing a log row: {e}"));
    let mut w = csv::WriterBuilder::new()
        .has_headers(false)
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.serialize(row).map_err(|e| bad(&e))?;
    let mut s = String::from_utf8(w.into_inner().map_err(|e| bad(&e))?).expect("csv writes UTF-8");
    s.pop();
    Ok(s)
}

/// Every row of a log, by position (the header is skipped: episodes.csv
/// names its task columns after the dimensions). A missing file has no rows
/// yet; a malformed row is an error naming the file and row.
pub fn read<T: for<'de> Deserialize<'de>>(path: &Path) -> Result<Vec<T>, TrainError> {
    Ok(read_with_header(path)?.map_or_else(Vec::new, |(_, rows)| rows))
}

/// An episodes.csv: its task dimensions' names (the columns after
/// `success`) and its rows.
pub fn read_episodes(path: &Path) -> Result<(Vec<String>, Vec<EpisodeRow>), TrainError> {
    let (header, rows) = read_with_header(path)?
        .ok_or_else(|| TrainError::Io(format!("{}: no such file", path.display())))?;
    let first = header
        .iter()
        .position(|h| h == "success")
        .ok_or_else(|| TrainError::Io(format!("{}: no `success` column", path.display())))?;
    Ok((header.iter().skip(first + 1).map(str::to_string).collect(), rows))
}

/// The header and rows of a log, or `None` if the file does not exist.
fn read_with_header<T: for<'de> Deserialize<'de>>(
    path: &Path,
) -> Result<Option<(csv::StringRecord, Vec<T>)>, TrainError> {
    let file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(TrainError::io(path, e)),
    };
    let mut rd = csv::ReaderBuilder::new().has_headers(true).flexible(true).from_reader(file);
    let header = rd.headers().map_err(|e| TrainError::Io(format!("{}: {e}", path.display())))?.clone();
    let rows = rd
        .records()
        .enumerate()
        .map(|(i, rec)| {
            let bad = |e: csv::Error| TrainError::Io(format!("{}: row {}: {e}", path.display(), i + 2));
            rec.map_err(bad)?.deserialize(None).map_err(bad)
        })
        .collect::<Result<_, _>>()?;
    Ok(Some((header, rows)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_round_trip_through_their_lines_as_the_old_format_wrote_them() {
        let e = EpisodeRow::new(1200, 3, 12.345678, 87, true, &[0.1234567, 5.0]);
        assert_eq!(line(&e).unwrap(), "1200,3,12.3457,87,1,0.123457,5.0");
        let v = EvalRow::new(20000, 31, 400, -95.123456, 12.3456, 61.04, 3277.77);
        assert_eq!(line(&v).unwrap(), "20000,31,400,-95.1235,12.35,61.0,3277.8");
        let dir = std::env::temp_dir().join(format!("trellis-row-types-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("episodes.csv");
        let text = format!(
            "{}\n{}\n{}\n",
            EpisodeRow::header(&["h", "s"]),
            line(&e).unwrap(),
            "10,0,-100,5,0,1,2"
        );
        std::fs::write(&p, text).unwrap();
        let rows: Vec<EpisodeRow> = read(&p).unwrap();
        assert_eq!(rows[0], e);
        assert_eq!(
            rows[1],
            EpisodeRow::new(10, 0, -100.0, 5, false, &[1.0, 2.0])
        );
        let (names, again) = read_episodes(&p).unwrap();
        assert_eq!((names, again), (vec!["h".to_string(), "s".to_string()], rows));
        // A broken row is refused with the file and row named.
        std::fs::write(&p, "step,env,return,length,success,h\n1,0,x,5,0,1\n").unwrap();
        let err = read::<EpisodeRow>(&p).unwrap_err().to_string();
        assert!(err.contains("episodes.csv: row 2"), "{err}");
        assert!(
            read::<EvalRow>(&dir.join("missing.csv"))
                .unwrap()
                .is_empty()
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
