//! Faults a month-long sweep meets, driven through the `trellis` binary:
//! a second writer, a finished run resumed, `kill -9` at random moments
//! (often mid-checkpoint), a full disk, damaged checkpoints, and what the
//! user sees when something is wrong (one line, an exit code by cause).

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

/// A small SAC run: checkpoints often, its replay buffer (and so its
/// checkpoint) grows with the steps taken.
const CONFIG: &str = r#"
student = "sac"
envs = 2
eval_every = 1000000
test_episodes = 2
checkpoint_every = 400
dump_every = 400
[sac]
hidden = [16, 16]
batch_size = 32
start_steps = 200
buffer_size = 100000
"#;

fn trellis() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trellis"));
    c.env_remove("RUST_BACKTRACE").env_remove("TRELLIS_DEBUG");
    c
}

/// A fresh scratch dir with the run config; the run goes in `dir/run`.
fn scratch(name: &str) -> (PathBuf, PathBuf) {
    let dir = std::env::temp_dir().join(format!("trellis-rel-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("run.toml"), CONFIG).unwrap();
    let run = dir.join("run");
    (dir, run)
}

fn start(dir: &Path, run: &Path, steps: u64) -> Command {
    let mut c = trellis();
    c.args(["train", "--quiet", "--config"])
        .arg(dir.join("run.toml"))
        .arg("--out")
        .arg(run)
        .args(["--steps", &steps.to_string()]);
    c
}

fn resume(run: &Path, steps: u64) -> Command {
    let mut c = trellis();
    c.args(["train", "--quiet", "--resume"])
        .arg(run)
        .args(["--steps", &steps.to_string()]);
    c
}

fn spawn(mut c: Command) -> Child {
    c.stdout(Stdio::null()).stderr(Stdio::piped()).spawn().unwrap()
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Waits until the run has a checkpoint (and the child still runs).
fn wait_for_checkpoint(child: &mut Child, run: &Path) {
    let t0 = Instant::now();
    while !run.join("checkpoint.bin").exists() {
        assert!(t0.elapsed() < Duration::from_secs(120), "no checkpoint after 2 minutes");
        assert!(child.try_wait().unwrap().is_none(), "training exited early");
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Every episodes.csv row whole and in step order, every eval.csv step once.
fn assert_logs_consistent(run: &Path) -> u64 {
    let episodes = std::fs::read_to_string(run.join("episodes.csv")).unwrap();
    let mut last = 0;
    for l in episodes.lines().skip(1) {
        let f: Vec<&str> = l.split(',').collect();
        assert_eq!(f.len(), 7, "a torn row: `{l}`");
        let step: u64 = f[0].parse().unwrap();
        assert!(step >= last, "rows out of order (duplicated after a resume?): {last} then {step}");
        last = step;
    }
    let eval = std::fs::read_to_string(run.join("eval.csv")).unwrap();
    let steps: Vec<&str> = eval.lines().skip(1).map(|l| l.split(',').next().unwrap()).collect();
    let mut unique = steps.clone();
    unique.dedup();
    assert_eq!(steps, unique, "an evaluation row written twice:\n{eval}");
    last
}

/// The step of the run's last checkpoint, as `trellis eval --json` reports it.
fn checkpoint_step(run: &Path) -> u64 {
    let o = trellis().args(["eval", "--json", "--run"]).arg(run).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let v: serde_json::Value = serde_json::from_slice(&o.stdout).expect("trellis eval --json prints JSON");
    v["step"].as_u64().unwrap_or_else(|| panic!("no step in {v}"))
}

#[test]
fn a_second_writer_is_refused_and_a_crash_leaves_no_stale_lock() {
    let (dir, run) = scratch("lock");
    let mut first = spawn(start(&dir, &run, 10_000_000));
    wait_for_checkpoint(&mut first, &run);
    for second in [resume(&run, 20_000_000), start(&dir, &run, 1000)] {
        let o = { second }.output().unwrap();
        assert_eq!(o.status.code(), Some(3), "{}", stderr(&o));
        assert!(stderr(&o).contains("in use by another trellis process (pid"), "{}", stderr(&o));
    }
    first.kill().unwrap(); // SIGKILL: the lock goes with the process.
    first.wait().unwrap();
    let o = resume(&run, 1200).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_logs_consistent(&run);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn resuming_a_finished_run_writes_nothing() {
    let (dir, run) = scratch("finished");
    let o = start(&dir, &run, 800).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let files = ["eval.csv", "episodes.csv", "teacher.jsonl", "checkpoint.bin"];
    let before: Vec<Vec<u8>> = files.iter().map(|f| std::fs::read(run.join(f)).unwrap()).collect();
    let o = trellis().args(["train", "--quiet", "--resume"]).arg(&run).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stderr(&o).contains("already finished at step 800"), "{}", stderr(&o));
    for (f, b) in files.iter().zip(&before) {
        assert!(std::fs::read(run.join(f)).unwrap() == *b, "{f} changed");
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// `kill -9` at seeded random moments, with every atomic write paused
/// half-way (fault injection) so that many kills land mid-checkpoint:
/// every time, the last checkpoint loads and the run goes on; at the end the
/// logs are whole and no temporary file is left.
#[test]
fn kill_9_at_random_moments_never_loses_the_last_checkpoint() {
    let (dir, run) = scratch("kill");
    let mut rng = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let budget = 1_000_000_000;
    let mut child = spawn({
        let mut c = start(&dir, &run, budget);
        c.env("TRELLIS_FAULT_SLOW_WRITES_MS", "150");
        c
    });
    wait_for_checkpoint(&mut child, &run);
    let mut mid_write = 0;
    for _ in 0..8 {
        std::thread::sleep(Duration::from_millis(100 + next() % 900));
        let temporary = || {
            std::fs::read_dir(&run)
                .unwrap()
                .any(|e| e.unwrap().file_name().to_string_lossy().ends_with(".tmp"))
        };
        mid_write += temporary() as usize;
        child.kill().unwrap();
        child.wait().unwrap();
        child = spawn({
            let mut c = resume(&run, budget);
            c.env("TRELLIS_FAULT_SLOW_WRITES_MS", "150");
            c
        });
        // The resumed process is running (it loaded the checkpoint) after a moment.
        std::thread::sleep(Duration::from_millis(300));
        if let Some(status) = child.try_wait().unwrap() {
            let mut err = String::new();
            std::io::Read::read_to_string(child.stderr.as_mut().unwrap(), &mut err).unwrap();
            panic!("resume after kill -9 failed ({status}): {err}");
        }
    }
    child.kill().unwrap();
    child.wait().unwrap();
    // Rows past the last checkpoint are still there until a resume cuts
    // them: a budget well beyond them and beyond the checkpoint, which can be
    // thousands of steps past the last row (each resume starts its episodes
    // afresh, and a standing walker's last up to 2000 steps).
    let last = assert_logs_consistent(&run).max(checkpoint_step(&run));
    let o = resume(&run, last + 4000).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_logs_consistent(&run);
    let left: Vec<String> = std::fs::read_dir(&run)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "temporary files left: {left:?}");
    assert!(mid_write >= 1, "no kill landed during a write; the test did not test that");
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A full disk (here: a file-size limit, which fails writes with EFBIG the
/// way ENOSPC would) stops the run with one clear line and exit code 4; the
/// previous checkpoint is intact and the run resumes once there is room.
#[test]
fn a_full_disk_stops_cleanly_and_the_run_resumes() {
    let (dir, run) = scratch("full");
    // The first checkpoints fit under 600 KiB, later ones (a bigger replay
    // buffer) do not.
    let cmd = format!(
        "trap '' XFSZ; ulimit -f 600; exec '{}' train --quiet --config '{}' --out '{}' --steps 100000",
        env!("CARGO_BIN_EXE_trellis"),
        dir.join("run.toml").display(),
        run.display()
    );
    let o = Command::new("bash").args(["-c", &cmd]).output().unwrap();
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(4), "{err}");
    let errors: Vec<&str> = err.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "one error line: {err}");
    assert!(!err.contains("panicked") && !err.contains("backtrace"), "{err}");
    for needle in ["checkpoint.bin", "too large", "the last checkpoint is intact", "--resume"] {
        assert!(errors[0].contains(needle), "`{needle}` in: {err}");
    }
    let o = resume(&run, 6000).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    assert_logs_consistent(&run);
    std::fs::remove_dir_all(&dir).unwrap();
}

/// A damaged or cut checkpoint is reported (exit 5), never loaded, and
/// nothing in the run dir changes.
#[test]
fn a_damaged_checkpoint_is_reported_not_loaded() {
    let (dir, run) = scratch("corrupt");
    let o = start(&dir, &run, 800).output().unwrap();
    assert!(o.status.success(), "{}", stderr(&o));
    let ckpt = run.join("checkpoint.bin");
    let good = std::fs::read(&ckpt).unwrap();
    let eval = std::fs::read(run.join("eval.csv")).unwrap();
    let mut flipped = good.clone();
    let mid = flipped.len() / 2;
    flipped[mid] ^= 0x10;
    for (bytes, what) in [(flipped, "checksum mismatch"), (good[..good.len() / 3].to_vec(), "truncated")] {
        std::fs::write(&ckpt, &bytes).unwrap();
        let o = resume(&run, 2000).output().unwrap();
        assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
        assert!(stderr(&o).contains(what), "{}", stderr(&o));
        assert_eq!(std::fs::read(run.join("eval.csv")).unwrap(), eval);
        let o = trellis().args(["eval", "--run"]).arg(&run).output().unwrap();
        assert_eq!(o.status.code(), Some(5), "{}", stderr(&o));
    }
    std::fs::remove_dir_all(&dir).unwrap();
}

/// Errors for users: one line, no backtrace even with RUST_BACKTRACE set,
/// the exit code by cause; `--debug` tells everything.
#[test]
fn errors_are_one_line_with_an_exit_code_by_cause() {
    let cases: [(&[&str], i32, &str); 5] = [
        (&["train", "--set", "envs=0"], 2, "`envs` = 0 is outside its allowed range [1, 4096]"),
        (&["train", "--set", "sac.lr=fast"], 2, "sac.lr"),
        (&["train", "--config", "/nonexistent/run.toml"], 2, "/nonexistent/run.toml"),
        (&["train", "--resume", "/"], 2, "is not a run dir"),
        (&["eval", "--run", "/nonexistent-run"], 2, "is not a run dir"),
    ];
    for (args, code, needle) in cases {
        let o = trellis().args(args).env("RUST_BACKTRACE", "1").output().unwrap();
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(code), "{args:?}: {err}");
        let lines: Vec<&str> = err.lines().filter(|l| l.starts_with("error") || !l.starts_with("resuming")).collect();
        assert_eq!(lines.len(), 1, "{args:?}: one line, got:\n{err}");
        assert!(lines[0].starts_with("error: ") && lines[0].contains(needle), "{args:?}: {err}");
    }
    let o = trellis()
        .args(["--debug", "train", "--set", "envs=0"])
        .env("RUST_BACKTRACE", "1")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("backtrace"), "--debug shows the backtrace: {}", stderr(&o));
}
