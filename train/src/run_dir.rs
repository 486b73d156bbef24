//! The files of a run, and how they survive a crash.
//!
//! Whole files (config, test set, checkpoint) are written to a temporary
//! name, synced and renamed over the old one, so a `kill -9` leaves either
//! the old or the new version. Logs (episodes.csv, eval.csv, teacher.jsonl)
//! are appended; each checkpoint records their lengths, and resuming cuts
//! them back to those lengths, so rows are never duplicated or half-written.
//!
//! One process at a time: a run dir is held through an exclusive lock on
//! its `lock` file for as long as a [`RunDir`] lives. The kernel drops the
//! lock when the process ends however it ends (`kill -9` included), so a
//! crash never leaves a run stuck; the file's text (pid, host) only serves
//! the error message of whoever is refused.

use std::fs::{self, File, OpenOptions};
use std::io::{LineWriter, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::TrainError;
use crate::rows::{self, EpisodeRow, EvalRow};

/// The resolved config.
pub const CONFIG: &str = "config.toml";
/// The test tasks.
pub const TEST_SET: &str = "test_set.json";
/// Everything needed to continue.
pub const CHECKPOINT: &str = "checkpoint.bin";
/// One row per training episode.
pub const EPISODES: &str = "episodes.csv";
/// One row per evaluation.
pub const EVAL: &str = "eval.csv";
/// The teacher's dumps.
pub const TEACHER: &str = "teacher.jsonl";
/// Written (atomically) when a run reaches its step budget: the final
/// evaluation and counters. Its presence means "finished".
pub const SUMMARY: &str = "summary.json";
/// Held (locked) by the process writing the run.
pub const LOCK: &str = "lock";
const LOGS: [&str; 3] = [EPISODES, EVAL, TEACHER];


/// Writes `bytes` to `path` via a synced temporary file and a rename.
///
/// The temporary name is unique to this process and call (`.NAME.PID.N.tmp`
/// beside the target): SLURM array tasks adopting one sweep dir write the
/// same manifest at the same moment, and a shared temporary name let one
/// writer rename the other's half-written file away.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), TrainError> {
    trellis_core::fs::write_atomic(path, bytes).map_err(|e| TrainError::io(path, e))
}

/// The exclusive hold of one process on a run dir (see the module doc).
#[derive(Debug)]
pub struct RunLock {
    _file: File,
}

impl RunLock {
    /// Takes the run dir's lock, or says who holds it.
    pub fn acquire(dir: &Path) -> Result<Self, TrainError> {
        let p = dir.join(LOCK);
        let mut file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .read(true)
            .write(true)
            .open(&p)
            .map_err(|e| TrainError::Io(format!("run dir {} is not writable: {e}", dir.display())))?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                let holder = fs::read_to_string(&p).unwrap_or_default();
                return Err(TrainError::Busy(format!(
                    "run dir {} is in use by another trellis process ({}); wait for it to end or stop it first",
                    dir.display(),
                    holder.trim()
                )));
            }
            Err(fs::TryLockError::Error(e)) => return Err(TrainError::io(&p, e)),
        }
        // Temporary files of a writer killed mid-write: nobody else can be
        // writing here now.
        for e in fs::read_dir(dir).map_err(|e| TrainError::io(dir, e))?.filter_map(Result::ok) {
            if trellis_core::fs::is_stale_temporary(&e.file_name().to_string_lossy()) {
                let _ = fs::remove_file(e.path());
            }
        }
        let host = fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
        let who = format!("pid {} on {}", std::process::id(), host.trim());
        file.set_len(0).map_err(|e| TrainError::io(&p, e))?;
        file.write_all(who.as_bytes()).map_err(|e| TrainError::io(&p, e))?;
        Ok(Self { _file: file })
    }
}

/// Byte lengths of the append-only logs at a checkpoint.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct LogLengths(pub Vec<u64>);

/// An open run directory with its append-only logs.
pub struct RunDir {
    /// Where it is.
    pub path: PathBuf,
    /// Line-buffered: every row reaches the file when it is complete, so
    /// episodes.csv and eval.csv can be read (plotted, tailed) while the run
    /// goes; rows written after the last checkpoint are cut on resume.
    logs: Vec<LineWriter<File>>,
    /// The logs' file names, in the order [`LogLengths`] lists them.
    names: &'static [&'static str],
    _lock: RunLock,
}

impl RunDir {
    /// A new run: the dir must not exist or be empty (an existing run is never overwritten).
    /// The logs start with their CSV headers.
    pub fn create(path: &Path, episodes_header: &str) -> Result<Self, TrainError> {
        let mut dir = Self::create_logs(path, &LOGS)?;
        dir.log(EPISODES, episodes_header)?;
        dir.log(EVAL, EvalRow::HEADER)?;
        Ok(dir)
    }

    /// A new run with its own set of append-only logs (POET's population
    /// logs), created empty; the same refusal of a non-empty dir.
    pub fn create_logs(path: &Path, names: &'static [&'static str]) -> Result<Self, TrainError> {
        fs::create_dir_all(path).map_err(|e| TrainError::io(path, e))?;
        // Locked before looking: two processes starting one run at once
        // cannot both find it empty.
        let lock = RunLock::acquire(path)?;
        let others = fs::read_dir(path)
            .map_err(|e| TrainError::io(path, e))?
            .filter_map(Result::ok)
            .any(|e| e.file_name() != LOCK);
        if others {
            return Err(TrainError::Config(format!(
                "run dir {} already exists and is not empty: `trellis train --resume {}` continues it (or starts it again if it never checkpointed), or choose another --out",
                path.display(),
                path.display()
            )));
        }
        Self::open_logs(path, names, None, lock)
    }

    /// An existing run, logs cut back to the lengths a checkpoint recorded;
    /// `lock` was taken before the checkpoint was read.
    pub fn resume(path: &Path, lengths: &LogLengths, lock: RunLock) -> Result<Self, TrainError> {
        Self::open_logs(path, &LOGS, Some(lengths), lock)
    }

    /// [`RunDir::resume`] for a run with its own logs ([`RunDir::create_logs`]).
    pub fn resume_logs(
        path: &Path,
        names: &'static [&'static str],
        lengths: &LogLengths,
        lock: RunLock,
    ) -> Result<Self, TrainError> {
        Self::open_logs(path, names, Some(lengths), lock)
    }

    fn open_logs(
        path: &Path,
        names: &'static [&'static str],
        lengths: Option<&LogLengths>,
        lock: RunLock,
    ) -> Result<Self, TrainError> {
        let mut logs = Vec::new();
        for (i, name) in names.iter().enumerate() {
            let p = path.join(name);
            let f = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&p)
                .map_err(|e| TrainError::io(&p, e))?;
            if let Some(len) = lengths.and_then(|l| l.0.get(i)) {
                f.set_len(*len).map_err(|e| TrainError::io(&p, e))?;
            }
            logs.push(LineWriter::new(f));
        }
        Ok(Self {
            path: path.to_owned(),
            logs,
            names,
            _lock: lock,
        })
    }

    /// A file of the run dir.
    pub fn file(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }

    /// Appends a line to the log called `name` (one of the run's logs).
    pub fn log(&mut self, name: &str, line: &str) -> Result<(), TrainError> {
        let i = self.names.iter().position(|n| *n == name).expect("a known log");
        let p = self.path.join(name);
        writeln!(self.logs[i], "{line}").map_err(|e| TrainError::io(&p, e))
    }

    /// Appends a row to episodes.csv.
    pub fn episode(&mut self, row: &EpisodeRow) -> Result<(), TrainError> {
        self.log(EPISODES, &rows::line(row)?)
    }

    /// Appends a row to eval.csv.
    pub fn eval(&mut self, row: &EvalRow) -> Result<(), TrainError> {
        self.log(EVAL, &rows::line(row)?)
    }

    /// Appends a line to teacher.jsonl.
    pub fn teacher(&mut self, line: &str) -> Result<(), TrainError> {
        self.log(TEACHER, line)
    }

    /// Flushes the logs to disk and returns their lengths.
    pub fn sync(&mut self) -> Result<LogLengths, TrainError> {
        let mut lens = Vec::new();
        for (w, name) in self.logs.iter_mut().zip(self.names) {
            let p = self.path.join(name);
            w.flush().map_err(|e| TrainError::io(&p, e))?;
            w.get_ref().sync_data().map_err(|e| TrainError::io(&p, e))?;
            lens.push(w.get_ref().metadata().map_err(|e| TrainError::io(&p, e))?.len());
        }
        Ok(LogLengths(lens))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writers racing on one file (SLURM array tasks adopting one sweep dir)
    /// all succeed, the file holds one writer's whole content, and no
    /// temporary file is left behind.
    #[test]
    fn racing_atomic_writes_all_succeed() {
        let dir = std::env::temp_dir().join(format!("trellis-atomic-{}", std::process::id()));
        fs::create_dir_all(&dir).unwrap();
        let path = dir.join("manifest.json");
        let payload = |t: usize| vec![b'a' + t as u8; 4096 * (t + 1)];
        std::thread::scope(|s| {
            for t in 0..8 {
                let (path, bytes) = (&path, payload(t));
                s.spawn(move || {
                    for _ in 0..40 {
                        write_atomic(path, &bytes).expect("a racing write fails");
                    }
                });
            }
        });
        let got = fs::read(&path).unwrap();
        assert!((0..8).any(|t| got == payload(t)), "torn file of {} bytes", got.len());
        let names: Vec<_> = fs::read_dir(&dir).unwrap().map(|e| e.unwrap().file_name()).collect();
        assert_eq!(names, vec![std::ffi::OsString::from("manifest.json")]);
        fs::remove_dir_all(&dir).unwrap();
    }

    /// Rows are on disk as soon as they are written (not only at
    /// checkpoints), and resuming cuts back exactly to a checkpoint's lengths.
    #[test]
    fn rows_are_readable_at_once_and_cut_back_on_resume() {
        let dir = std::env::temp_dir().join(format!("trellis-rows-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        let header = EpisodeRow::header(&["h"]);
        let mut run = RunDir::create(&dir, &header).unwrap();
        let (a, b) = (EpisodeRow::new(10, 0, 1.5, 4, false, &[0.5]), EpisodeRow::new(20, 1, 2.5, 9, true, &[1.0]));
        run.episode(&a).unwrap();
        let lens = run.sync().unwrap();
        run.episode(&b).unwrap();
        run.eval(&EvalRow::new(20, 2, 0, 2.5, 0.0, 1.0, 1.0)).unwrap();
        let read = |n| fs::read_to_string(dir.join(n)).unwrap();
        assert_eq!(read(EPISODES), format!("{header}\n10,0,1.5,4,0,0.5\n20,1,2.5,9,1,1.0\n"));
        assert_eq!(read(EVAL), format!("{}\n20,2,0,2.5,0.0,1.0,1.0\n", EvalRow::HEADER));
        assert_eq!(rows::read::<EpisodeRow>(&dir.join(EPISODES)).unwrap(), [a.clone(), b.clone()]);
        drop(run);
        let mut run = RunDir::resume(&dir, &lens, RunLock::acquire(&dir).unwrap()).unwrap();
        assert_eq!(rows::read::<EpisodeRow>(&dir.join(EPISODES)).unwrap(), [a.clone()]);
        run.episode(&b).unwrap();
        assert_eq!(rows::read::<EpisodeRow>(&dir.join(EPISODES)).unwrap(), [a, b]);
        fs::remove_dir_all(&dir).unwrap();
    }
}
