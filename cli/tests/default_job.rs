//! The default job (`trellis train` with no config) trains on the narrower
//! Stump Tracks space where a newcomer's first run masters test tasks, and
//! the full space stays one `--set` (or any `--config`) away.

use std::path::Path;
use std::process::Command;

fn train(out: &Path, extra: &[&str]) -> String {
    let _ = std::fs::remove_dir_all(out);
    let o = Command::new(env!("CARGO_BIN_EXE_trellis"))
        .args(["train", "--quiet", "--steps", "600"])
        .args(["--set", "eval_every=600", "--set", "test_episodes=2", "--set", "ppo.hidden=[8]"])
        .args(["--set", "ppo.rollout=200", "--set", "ppo.minibatch=100"])
        .args(extra)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    std::fs::read_to_string(out.join("config.toml")).unwrap()
}

#[test]
fn the_default_job_uses_the_quickstart_space_and_the_full_space_is_one_set_away() {
    let dir = std::env::temp_dir().join(format!("trellis-default-{}", std::process::id()));
    let quick = train(&dir.join("quick"), &[]);
    assert!(quick.contains("stump_height = [0.0, 0.5]"), "{quick}");
    assert!(quick.contains("teacher = \"alp-gmm\"") && quick.contains("student = \"ppo\""), "{quick}");
    let full = train(&dir.join("full"), &["--set", "bounds.stump_height=[0,3]"]);
    assert!(full.contains("stump_height = [0.0, 3.0]"), "{full}");
    let _ = std::fs::remove_dir_all(&dir);
}
