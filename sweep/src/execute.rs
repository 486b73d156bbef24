//! Running a manifest (or one shard of it) on this machine: `jobs` runs at
//! once, each a `trellis train` child process pinned to its own cores.
//! Finished runs (a `summary.json`) are skipped and interrupted ones (a
//! checkpoint) resume, so the same command can be re-run after any crash;
//! a run that fails is recorded and retried next time, never averaged away.

use std::collections::VecDeque;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;

use anyhow::{Context, Result, bail};
use indicatif::{ProgressBar, ProgressStyle};

use crate::manifest::{Manifest, Run};

/// The file a finished run leaves (written by the trainer, atomically).
pub const SUMMARY: &str = trellis_train::run_dir::SUMMARY;

/// Where a run stands on disk.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Finished: `summary.json` exists.
    Done,
    /// Started and checkpointed: resumes.
    Interrupted,
    /// Started but failed last time (see its log).
    Failed,
    /// Nothing usable on disk yet.
    Pending,
}

/// How to run a sweep.
#[derive(Clone, Debug)]
pub struct Options {
    /// The sweep's output dir (run dirs, configs, logs, the manifest copy).
    pub out: PathBuf,
    /// This process's shard `(i, n)`.
    pub shard: (usize, usize),
    /// Runs at once.
    pub jobs: usize,
    /// The `trellis` binary that trains (normally this very program).
    pub exe: PathBuf,
    /// Draw a progress bar.
    pub progress: bool,
}

/// What a sweep did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Tally {
    /// Runs already finished before this call.
    pub skipped: usize,
    /// Runs that finished now.
    pub finished: usize,
    /// Runs that failed now.
    pub failed: Vec<String>,
    /// Runs stopped on request (a signal), checkpointed: the same command resumes them.
    pub stopped: Vec<String>,
    /// Runs another process was training (its run-dir lock was held): left to it.
    pub busy: Vec<String>,
}

/// How one run's child process ended.
enum Ended {
    Finished,
    Stopped,
    Busy,
}

/// The exit code of a `trellis train` refused because another process holds the run dir.
const BUSY_EXIT: i32 = trellis_train::EXIT_BUSY as i32;

/// The exit code of a `trellis train` stopped on request after checkpointing.
pub const STOPPED_EXIT: i32 = trellis_train::EXIT_STOPPED as i32;

/// A run id as one file name.
fn flat(id: &str) -> String {
    id.replace('/', "__")
}

/// The run dir of `run`.
pub fn run_dir(out: &Path, run: &Run) -> PathBuf {
    out.join("runs").join(&run.id)
}

/// The log file of `run`'s training process.
pub fn log_file(out: &Path, run: &Run) -> PathBuf {
    out.join("logs").join(format!("{}.log", flat(&run.id)))
}

fn failed_marker(out: &Path, run: &Run) -> PathBuf {
    out.join("logs").join(format!("{}.failed", flat(&run.id)))
}

/// Where `run` stands in `out`.
pub fn state(out: &Path, run: &Run) -> State {
    let dir = run_dir(out, run);
    if dir.join(SUMMARY).exists() {
        State::Done
    } else if failed_marker(out, run).exists() {
        State::Failed
    } else if dir.join(trellis_train::run_dir::CHECKPOINT).exists() {
        State::Interrupted
    } else {
        State::Pending
    }
}

/// Records the manifest in `out` (refusing an out dir that holds another
/// sweep), so reports and later shards find it.
pub fn adopt(manifest: &Manifest, out: &Path) -> Result<()> {
    std::fs::create_dir_all(out.join("logs"))
        .with_context(|| format!("creating {}", out.display()))?;
    std::fs::create_dir_all(out.join("configs"))?;
    let path = out.join(Manifest::FILE);
    if path.exists() {
        let existing = Manifest::load(&path)?;
        if existing != *manifest {
            bail!(
                "{} holds another sweep's manifest; use a new --out dir (or the same manifest)",
                out.display()
            );
        }
        return Ok(());
    }
    manifest.save(&path)
}

/// Runs the shard. Returns once every run of it finished or failed.
pub fn execute(manifest: &Manifest, opts: &Options) -> Result<Tally> {
    adopt(manifest, &opts.out)?;
    let (i, n) = opts.shard;
    let runs = manifest.shard(i, n);
    let mut tally = Tally::default();
    let mut queue = VecDeque::new();
    for r in runs {
        match state(&opts.out, r) {
            State::Done => tally.skipped += 1,
            _ => queue.push_back(r),
        }
    }
    let bar = if opts.progress {
        let b = ProgressBar::new((queue.len() + tally.skipped) as u64)
            .with_position(tally.skipped as u64);
        b.set_style(
            ProgressStyle::with_template(
                "{elapsed_precise} [{bar:30}] {pos}/{len} runs · eta {eta} · {msg}",
            )
            .expect("a valid template")
            .progress_chars("=> "),
        );
        b
    } else {
        ProgressBar::hidden()
    };
    let cores = std::thread::available_parallelism().map_or(1, |c| c.get());
    let jobs = opts.jobs.clamp(1, queue.len().max(1));
    let queue = Mutex::new(queue);
    let results = Mutex::new(Vec::new());
    std::thread::scope(|s| {
        for slot in 0..jobs {
            let (queue, results, bar) = (&queue, &results, &bar);
            // Each job slot owns an equal share of the cores.
            let per = (cores / jobs).max(1);
            let cpus: Vec<usize> = (0..per).map(|c| (slot * per + c) % cores).collect();
            s.spawn(move || {
                loop {
                    // Once a stop is asked for, no new run starts.
                    if trellis_train::stop::requested() {
                        break;
                    }
                    let Some(run) = queue.lock().expect("queue").pop_front() else {
                        break;
                    };
                    bar.set_message(run.id.clone());
                    let r = train_one(run, opts, &cpus);
                    bar.inc(1);
                    results.lock().expect("results").push((run.id.clone(), r));
                }
            });
        }
    });
    bar.finish_and_clear();
    for (id, r) in results.into_inner().expect("results") {
        match r {
            Ok(Ended::Finished) => tally.finished += 1,
            Ok(Ended::Stopped) => tally.stopped.push(id),
            Ok(Ended::Busy) => tally.busy.push(id),
            Err(e) => {
                eprintln!("run {id} failed: {e:#}");
                tally.failed.push(id);
            }
        }
    }
    tally.failed.sort();
    tally.stopped.sort();
    tally.busy.sort();
    Ok(tally)
}

/// Trains (or resumes) one run in a child process pinned to `cpus`.
///
/// Several sweeps may work on one output dir at once (array tasks sharing a
/// shard, a second `sweep run` started by hand): the run dir's lock decides
/// who trains a run. This process never deletes a run dir (a run started
/// but not checkpointed is started again by `train --resume`, under its
/// lock), and a run whose lock another process holds is left to it.
fn train_one(run: &Run, opts: &Options, cpus: &[usize]) -> Result<Ended> {
    let out = &opts.out;
    let dir = run_dir(out, run);
    let log = log_file(out, run);
    let marker = failed_marker(out, run);
    let mut cmd = Command::new(&opts.exe);
    if dir.join(trellis_train::run_dir::CONFIG).exists() {
        cmd.args(["train", "--quiet", "--resume"]).arg(&dir);
    } else {
        if let Some(parent) = dir.parent() {
            std::fs::create_dir_all(parent)?;
        }
        let config = out.join("configs").join(format!("{}.toml", flat(&run.id)));
        // `{sweep}` in a setting (AGAIN's classroom) is this sweep's out dir.
        let abs = std::path::absolute(out).unwrap_or_else(|_| out.to_path_buf());
        let text = run.config.replace("{sweep}", &abs.display().to_string());
        trellis_train::run_dir::write_atomic(&config, text.as_bytes())?;
        cmd.args(["train", "--quiet", "--config"])
            .arg(&config)
            .arg("--out")
            .arg(&dir);
    }
    let threads = cpus.len().to_string();
    cmd.env("RAYON_NUM_THREADS", &threads)
        .env("MATMUL_NUM_THREADS", &threads)
        .stdin(Stdio::null())
        // Appended, not truncated: a sweep whose child finds the run busy
        // must not clobber the log of the process training it.
        .stdout(append(&log)?)
        .stderr(append(&log.with_extension("err"))?);
    pin(&mut cmd, cpus.to_vec());
    let mut child = cmd
        .spawn()
        .with_context(|| format!("starting {}", opts.exe.display()))?;
    // The child is in a process group of its own (`pin`), so a signal to the
    // sweep's group (Ctrl-C, `kill -TERM -PGID`) reaches it once: forwarded
    // from here, never twice (a second signal would end it at once).
    let mut forwarded = false;
    let status = loop {
        if let Some(status) = child.try_wait()? {
            break status;
        }
        if !forwarded && trellis_train::stop::requested() {
            // SAFETY: kill(2) on our own child's pid.
            unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGTERM) };
            forwarded = true;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    if status.success() && dir.join(SUMMARY).exists() {
        let _ = std::fs::remove_file(&marker);
        return Ok(Ended::Finished);
    }
    match status.code() {
        Some(STOPPED_EXIT) => {
            // Checkpointed, not failed (whatever an earlier attempt left).
            let _ = std::fs::remove_file(&marker);
            return Ok(Ended::Stopped);
        }
        Some(BUSY_EXIT) => return Ok(Ended::Busy),
        _ => {}
    }
    let err = std::fs::read_to_string(log.with_extension("err")).unwrap_or_default();
    let last = err
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("")
        .to_string();
    std::fs::write(&marker, format!("{status}\n{last}\n"))?;
    bail!("{status}: {last}")
}

fn append(path: &Path) -> Result<File> {
    std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .with_context(|| format!("opening {}", path.display()))
}

/// Pins the child to `cpus`, makes it die with this process, so a killed
/// sweep leaves no orphan training behind (Linux), and puts it in a process
/// group of its own (signals reach it through the sweep, once).
fn pin(cmd: &mut Command, cpus: Vec<usize>) {
    use std::os::unix::process::CommandExt;
    // SAFETY: between fork and exec the closure only calls async-signal-safe
    // libc functions on a stack-local cpu set; it allocates nothing.
    unsafe {
        cmd.pre_exec(move || {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            for &c in &cpus {
                libc::CPU_SET(c, &mut set);
            }
            // Pinning is a placement hint: a refusal (a restricted cpuset) is not an error.
            let _ = libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set);
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL);
            // A process group of its own: signals come through the sweep.
            libc::setpgid(0, 0);
            Ok(())
        });
    }
}
