//! A training process killed with SIGKILL resumes from its last checkpoint:
//! no log row is duplicated or half-written and at most one checkpoint
//! interval of steps is redone.

use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const CONFIG: &str = r#"
steps = 1000000
student = "sac"
envs = 2
eval_every = 1000000
checkpoint_every = 1000
dump_every = 1000
test_episodes = 4
[sac]
hidden = [32, 32]
batch_size = 64
start_steps = 500
buffer_size = 20000
"#;

fn trellis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trellis"))
}

#[test]
fn kill_9_then_resume() {
    let dir = std::env::temp_dir().join(format!("trellis-kill-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let cfg = dir.join("run.toml");
    std::fs::write(&cfg, CONFIG).unwrap();
    let out: PathBuf = dir.join("run");
    let mut child = trellis()
        .args([
            "train",
            "--quiet",
            "--config",
            cfg.to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
        ])
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    // Wait for a few checkpoints, then kill it mid-run.
    let t0 = Instant::now();
    let ckpt = out.join("checkpoint.bin");
    let progress_file = out.join("teacher.jsonl");
    loop {
        let dumps = std::fs::read_to_string(&progress_file)
            .map(|s| s.lines().count())
            .unwrap_or(0);
        if ckpt.exists() && dumps >= 4 {
            break;
        }
        assert!(
            t0.elapsed() < Duration::from_secs(240),
            "no checkpoint after 4 minutes"
        );
        assert!(child.try_wait().unwrap().is_none(), "training exited early");
        std::thread::sleep(Duration::from_millis(50));
    }
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    let status = trellis()
        .args([
            "train",
            "--quiet",
            "--resume",
            out.to_str().unwrap(),
            "--steps",
            "9000",
        ])
        .status()
        .unwrap();
    assert!(status.success());
    let episodes = std::fs::read_to_string(out.join("episodes.csv")).unwrap();
    let mut lines = episodes.lines();
    assert!(lines.next().unwrap().starts_with("step,env,return"));
    let mut last = 0u64;
    for l in lines {
        let fields: Vec<&str> = l.split(',').collect();
        assert_eq!(fields.len(), 7, "every row whole: `{l}`");
        let step: u64 = fields[0].parse().unwrap();
        assert!(
            step >= last,
            "rows after the checkpoint were cut back, not duplicated: {last} then {step}"
        );
        last = step;
    }
    // The resumed run reached its new budget (its summary says so; the last
    // episode row can be ~2000 steps earlier when both instances stand still
    // until their time limit).
    assert!(last <= 9_000, "no row past the budget: {last}");
    let summary = std::fs::read_to_string(out.join("summary.json")).unwrap();
    assert!(summary.contains("\"step\":9000"), "the resumed run reached its new budget: {summary}");
    let eval = std::fs::read_to_string(out.join("eval.csv")).unwrap();
    assert_eq!(
        eval.lines().count(),
        2,
        "header + final evaluation:\n{eval}"
    );
    // `trellis eval` re-runs the test set from the checkpoint.
    let o = trellis()
        .args(["eval", "--run", out.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(o.status.success());
    assert!(
        String::from_utf8_lossy(&o.stdout).contains("at step 9000: 4 test tasks"),
        "{}",
        String::from_utf8_lossy(&o.stdout)
    );
    // `trellis report` lines the evaluation curve up by step.
    let o = trellis()
        .args(["report", out.to_str().unwrap()])
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&o.stdout);
    assert!(
        o.status.success()
            && text
                .lines()
                .nth(1)
                .is_some_and(|l| l.trim_start().starts_with("9000")),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}
