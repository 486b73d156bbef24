//! Graceful stop: SIGTERM (what SLURM sends some time before it kills a job)
//! or SIGINT at random moments of a run, before its first checkpoint
//! included, checkpoints at the next consistent point and exits 75; `--resume`
//! then ends with exactly the logs of an uninterrupted run. A second signal
//! ends the process at once, and even then the run is no dead end.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// One env instance (checkpoints at episode ends resume exactly), small SAC,
/// no scheduled checkpoint: only a stop writes one before the end.
const CONFIG: &str = r#"
student = "sac"
envs = 1
steps = 12000
eval_every = 4000
test_episodes = 2
checkpoint_every = 100000000
dump_every = 2000
[sac]
hidden = [16, 16]
batch_size = 32
start_steps = 300
buffer_size = 100000
"#;

fn trellis() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trellis"));
    c.env_remove("RUST_BACKTRACE").env_remove("TRELLIS_DEBUG");
    c
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("trellis-sig-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("run.toml"), CONFIG).unwrap();
    dir
}

fn start(dir: &Path, run: &str) -> Command {
    let mut c = trellis();
    c.args(["train", "--quiet", "--config"]).arg(dir.join("run.toml")).arg("--out").arg(dir.join(run));
    c.stdout(Stdio::null()).stderr(Stdio::piped());
    c
}

fn signal(child: &Child, sig: &str) {
    let ok = Command::new("kill").args([sig, &child.id().to_string()]).status().unwrap();
    assert!(ok.success());
}

fn rows(path: &Path) -> usize {
    std::fs::read_to_string(path).map(|s| s.lines().count()).unwrap_or(0)
}

/// eval.csv without its timing columns.
fn evals(run: &Path) -> Vec<String> {
    std::fs::read_to_string(run.join("eval.csv"))
        .unwrap()
        .lines()
        .map(|l| l.split(',').take(5).collect::<Vec<_>>().join(","))
        .collect()
}

fn resume(run: &Path) {
    let o = trellis().args(["train", "--quiet", "--resume"]).arg(run).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
}

#[test]
fn a_signal_checkpoints_and_the_resumed_run_ends_as_an_uninterrupted_one() {
    let dir = scratch("graceful");
    let o = start(&dir, "whole").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let whole = dir.join("whole");
    let (episodes, total) = (std::fs::read_to_string(whole.join("episodes.csv")).unwrap(), rows(&whole.join("episodes.csv")));
    // Signals after seeded numbers of episodes: early (before any scheduled
    // checkpoint, during the first evaluation's neighbourhood) and late.
    let mut stopped = 0;
    for (k, (after, sig)) in [(3, "-TERM"), (total / 3, "-INT"), (total * 2 / 3, "-TERM")].into_iter().enumerate() {
        let name = format!("cut{k}");
        let run = dir.join(&name);
        let mut child = start(&dir, &name).spawn().unwrap();
        let t0 = Instant::now();
        while rows(&run.join("episodes.csv")) < after + 1 && child.try_wait().unwrap().is_none() {
            assert!(t0.elapsed() < Duration::from_secs(120), "no progress");
            std::thread::sleep(Duration::from_millis(2));
        }
        if child.try_wait().unwrap().is_none() {
            signal(&child, sig);
        }
        let o = child.wait_with_output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        if o.status.code() == Some(75) {
            stopped += 1;
            assert!(run.join("checkpoint.bin").exists());
            assert!(err.contains("stopped at step") && err.contains("--resume"), "{err}");
            assert!(!run.join("summary.json").exists(), "a stopped run is not finished");
        } else {
            assert!(o.status.success(), "{err}");
        }
        resume(&run);
        assert_eq!(std::fs::read_to_string(run.join("episodes.csv")).unwrap(), episodes, "after {sig} at {after} episodes");
        assert_eq!(evals(&run), evals(&whole));
    }
    assert!(stopped >= 2, "only {stopped} of 3 runs were still going when signalled");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A second signal does not wait: with the stop's checkpoint held up
/// half-way (fault injection), it ends the process at once (143 = 128 +
/// SIGTERM); no checkpoint was completed, and `--resume` starts the run
/// again from its config.
#[test]
fn a_second_signal_ends_at_once_and_the_run_still_resumes() {
    let dir = scratch("twice");
    let run = dir.join("run");
    let mut c = start(&dir, "run");
    c.env("TRELLIS_FAULT_SLOW_WRITES_MS", "3000");
    let mut child = c.spawn().unwrap();
    let t0 = Instant::now();
    // Past the writes at the start (config, test set), a few episodes in.
    while rows(&run.join("episodes.csv")) < 4 {
        assert!(t0.elapsed() < Duration::from_secs(60) && child.try_wait().unwrap().is_none());
        std::thread::sleep(Duration::from_millis(5));
    }
    signal(&child, "-TERM");
    std::thread::sleep(Duration::from_millis(500));
    signal(&child, "-TERM");
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(143), "{status:?}");
    assert!(t0.elapsed() < Duration::from_secs(30));
    resume(&run);
    assert!(run.join("summary.json").exists());
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `checkpoint_minutes` checkpoints by wall time, whatever the step
/// schedule: with no step checkpoint due, one appears within a fraction of a
/// second; a `kill -9` after it loses at most that much, and the resumed run
/// ends as an uninterrupted one.
#[test]
fn time_based_checkpoints_bound_what_a_kill_loses() {
    let dir = scratch("minutes");
    let whole = dir.join("whole");
    let o = start(&dir, "whole").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let run = dir.join("run");
    let mut c = start(&dir, "run");
    c.args(["--set", "checkpoint_minutes=0.002"]);
    let mut child = c.spawn().unwrap();
    let t0 = Instant::now();
    while !run.join("checkpoint.bin").exists() {
        assert!(child.try_wait().unwrap().is_none(), "the run ended without a time-based checkpoint");
        assert!(t0.elapsed() < Duration::from_secs(60));
        std::thread::sleep(Duration::from_millis(5));
    }
    std::thread::sleep(Duration::from_millis(300));
    child.kill().unwrap();
    child.wait().unwrap();
    resume(&run);
    assert_eq!(
        std::fs::read_to_string(run.join("episodes.csv")).unwrap(),
        std::fs::read_to_string(whole.join("episodes.csv")).unwrap()
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

/// SIGTERM mid-way through a POET run: it exits 75 within seconds (a stop
/// is noticed between batches of episodes, inside an iteration too — the
/// rollback itself is pinned down by train/tests/poet_stop.rs), and the
/// resumed run ends with exactly an uninterrupted run's logs.
#[test]
fn a_poet_run_stops_inside_an_iteration_and_resumes_exactly() {
    let dir = scratch("poet");
    let poet = |name: &str| {
        let mut c = trellis();
        c.args(["train", "--quiet", "--env", "poet", "--teacher", "poet", "--steps", "100000000"])
            .args(["--set", "es.hidden=[8]", "--set", "es.directions=8", "--set", "es.eval_episodes=2"])
            .args(["--set", "teacher_config.reproduce_every=2", "--set", "teacher_config.repro_threshold=-150.0"])
            .args(["--set", "teacher_config.mc_low=-150.0", "--set", "teacher_config.mc_high=400.0"])
            .args(["--set", "teacher_config.iterations=8", "--set", "checkpoint_every=100000000", "--out"])
            .arg(dir.join(name));
        c.stdout(Stdio::null()).stderr(Stdio::piped());
        c
    };
    let o = poet("whole").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let read = |run: &str, f: &str| std::fs::read_to_string(dir.join(run).join(f)).unwrap();
    let run = dir.join("cut");
    let mut child = poet("cut").spawn().unwrap();
    let t0 = Instant::now();
    // Past the header and three iterations' rows: mid-run.
    while rows(&run.join("pairs.csv")) < 4 {
        assert!(t0.elapsed() < Duration::from_secs(120) && child.try_wait().unwrap().is_none(), "no progress");
        std::thread::sleep(Duration::from_millis(2));
    }
    signal(&child, "-TERM");
    let signalled = Instant::now();
    let o = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(75), "{err}");
    assert!(signalled.elapsed() < Duration::from_secs(5), "took {:?} to stop", signalled.elapsed());
    assert!(err.contains("stopped at step") && !run.join("summary.json").exists(), "{err}");
    resume(&run);
    for f in ["pairs.csv", "poet.jsonl", "population.json"] {
        assert_eq!(read("cut", f), read("whole", f), "{f}");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}
