//! What the POET test binaries share (`poet.rs`, and `poet_stop.rs`, which
//! needs a process of its own because the stop flag is global).

use trellis_train::RunConfig;

/// A POET run on the `poet` world small enough for seconds: tiny ES steps,
/// reproduction every 2 iterations with a criterion every child passes.
pub fn quick(teacher: &str, steps: u64) -> RunConfig {
    let d = trellis_teachers::open_ended::descriptor(teacher).unwrap();
    let mut cfg = RunConfig {
        env: "poet".into(),
        teacher: teacher.into(),
        student: "es".into(),
        steps,
        checkpoint_every: steps / 3,
        teacher_config: d.quick.parse().unwrap(),
        ..Default::default()
    };
    for (k, v) in [
        ("es.hidden", "[8]"),
        ("es.directions", "3"),
        ("es.eval_episodes", "1"),
        ("teacher_config.reproduce_every", "2"),
    ] {
        cfg.set(k, v).unwrap();
    }
    cfg
}
