//! Run configs and test-set files, whatever a user writes: never a panic,
//! an error that names the field, the line or the task.

use proptest::prelude::*;
use trellis_core::{Dim, TaskSpace};
use trellis_train::{RunConfig, test_set};

/// Fields a user sets, nested ones included.
const KEYS: &[&str] = &[
    "steps", "envs", "threads", "seed", "eval_every", "test_episodes", "checkpoint_every",
    "dump_every", "teacher", "student", "env", "body", "expert", "shuffle", "sac.lr",
    "sac.hidden", "sac.batch_size", "ppo.epochs", "ppo.clip", "bounds.stump_height",
    "teacher_config.fit_rate", "reset_student_every", "nonsense", "sac.nonsense",
];

/// TOML values of every kind, sensible and not.
const VALUES: &[&str] = &[
    "0", "1", "-1", "3", "1e-4", "nan", "inf", "-inf", "1e300", "18446744073709551616",
    "\"sac\"", "\"riac\"", "\"moon\"", "true", "[]", "[0, 9]", "[9, 0]", "[nan, 1]",
    "[64, 64]", "[0]", "{ a = 1 }", "\"\"", "low",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn any_text_as_a_config_never_panics(text in "(?s).{0,300}") {
        let _ = RunConfig::from_toml(&text);
    }

    /// One to three `--set`s of any field to any value: accepted, or refused
    /// naming the flag; an accepted config resolves its student settings
    /// without panicking.
    #[test]
    fn settings_are_checked(sets in prop::collection::vec((0..KEYS.len(), 0..VALUES.len()), 1..4)) {
        let mut cfg = RunConfig::default();
        for (k, v) in sets {
            let (key, value) = (KEYS[k], VALUES[v]);
            if let Err(e) = cfg.set(key, value) {
                prop_assert!(e.to_string().contains(&format!("--set {key}={value}")), "{e}");
            }
        }
        if cfg.validate().is_ok() {
            let _ = cfg.resolved();
        }
    }

    /// Test-set files: arbitrary text, and task lists of any shape and
    /// values: refused naming the file (and the task), or every task fits.
    #[test]
    fn test_set_files_are_checked(
        text in "(?s).{0,120}",
        tasks in prop::collection::vec(prop::collection::vec(prop_oneof![-1e308f64..1e308, -5.0f64..15.0], 0..4), 0..5),
    ) {
        let space = TaskSpace::new(vec![Dim::new("height", 0.0, 9.0), Dim::new("spacing", 0.0, 6.0)]).unwrap();
        let dir = std::env::temp_dir().join(format!("trellis-testset-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("tests.json");
        for body in [text, serde_json::to_string(&tasks).unwrap()] {
            std::fs::write(&p, &body).unwrap();
            match test_set::load(&p, &space) {
                Ok(loaded) => prop_assert!(loaded.iter().all(|t| space.validate(t).is_ok())),
                Err(e) => prop_assert!(e.to_string().contains("tests.json"), "{e}"),
            }
        }
    }
}
