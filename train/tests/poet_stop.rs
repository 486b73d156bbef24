//! A stop noticed inside a POET iteration (its own process: the stop flag
//! is global): the iteration is rolled back, the run checkpoints and
//! reports `Stopped`, and the resumed run writes exactly what an
//! uninterrupted one does.

use trellis_train::{RunConfig, TrainError};

mod common;

/// The shared quick POET run, bounded by iterations rather than steps.
fn quick(iterations: u64) -> RunConfig {
    let mut cfg = common::quick("poet", 100_000_000);
    cfg.set("teacher_config.iterations", &iterations.to_string()).unwrap();
    cfg
}

#[test]
fn a_stop_inside_an_iteration_rolls_it_back_and_the_resume_is_exact() {
    let base = std::env::temp_dir().join(format!("trellis-poet-stop-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    let (whole, cut) = (base.join("whole"), base.join("cut"));
    trellis_train::start(quick(6), &whole, false).unwrap();
    // Asked before the first iteration: its first batch of episodes sees it.
    trellis_train::stop::request();
    let e = trellis_train::start(quick(6), &cut, false).unwrap_err();
    assert!(matches!(e, TrainError::Stopped(_)), "{e}");
    assert!(e.to_string().contains("iteration 0"), "rolled back to before the iteration: {e}");
    assert!(cut.join("checkpoint.bin").exists());
    trellis_train::stop::clear();
    trellis_train::resume(&cut, None, false).unwrap();
    for f in ["pairs.csv", "poet.jsonl", "population.json"] {
        let read = |d: &std::path::Path| std::fs::read_to_string(d.join(f)).unwrap();
        assert_eq!(read(&cut), read(&whole), "{f}");
    }
    std::fs::remove_dir_all(&base).unwrap();
}
