//! `TRELLIS_BACKEND` picks the backend the students train on: SAC and PPO
//! fed the same transitions from the same seed take gradient steps on every
//! backend this build has, their policy moves away from the initial one, and a
//! name the build lacks is refused naming those it has. With the `ndarray`
//! feature (`cargo test --release -p trellis-agents --features ndarray`) the
//! build has flex and ndarray, and both must end with the same policy (up to
//! float rounding). The only test in this binary: it sets TRELLIS_BACKEND.

use trellis_agents::ppo::{Ppo, PpoConfig};
use trellis_agents::sac::{Sac, SacConfig};
use trellis_agents::Student;
use trellis_nn::Backend;

mod common;
use common::{ACT, OBS, feed, policy};

fn students() -> Vec<(&'static str, Box<dyn Student>)> {
    let sac = SacConfig {
        hidden: vec![32, 32],
        batch_size: 64,
        start_steps: 64,
        buffer_size: 1000,
        train_freq: 2,
        ..SacConfig::default()
    };
    let ppo = PpoConfig {
        hidden: vec![32, 32],
        rollout: 200,
        minibatch: 50,
        epochs: 2,
        ..PpoConfig::default()
    };
    vec![
        ("sac", Box::new(Sac::new(OBS, ACT, sac, 7))),
        ("ppo", Box::new(Ppo::new(OBS, ACT, ppo, 7))),
    ]
}

#[test]
fn every_compiled_backend_trains_the_same_students() {
    let expected = if cfg!(feature = "ndarray") { vec![Backend::Flex, Backend::NdArray] } else { vec![Backend::Flex] };
    assert_eq!(Backend::available(), expected, "the backends this build was asked for");
    let mut results = Vec::new();
    for backend in Backend::available() {
        // SAFETY: the only test of this binary; nothing else reads the
        // environment while it is set.
        unsafe { std::env::set_var("TRELLIS_BACKEND", backend.name()) };
        assert_eq!(Backend::from_env().unwrap(), backend);
        let mut per_student = Vec::new();
        for (name, mut s) in students() {
            let before = policy(s.as_mut());
            feed(s.as_mut(), 601);
            assert!(s.updates() > 0, "{name} on {} took no gradient step", backend.name());
            let after = policy(s.as_mut());
            let moved = before.iter().zip(&after).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(moved > 1e-3, "{name} on {}: the policy did not change", backend.name());
            per_student.push((name, after));
        }
        results.push(per_student);
    }
    for other in &results[1..] {
        for ((name, flex), (_, nd)) in results[0].iter().zip(other) {
            let diff = flex.iter().zip(nd).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
            assert!(diff < 2e-3, "{name}: flex and ndarray policies differ by {diff}");
        }
    }
    unsafe { std::env::set_var("TRELLIS_BACKEND", "no-such-backend") };
    let err = Backend::from_env().unwrap_err().to_string();
    let names: Vec<&str> = expected.iter().map(|b| b.name()).collect();
    assert!(err.contains("TRELLIS_BACKEND") && err.contains(&format!("this build has {}", names.join(", "))), "{err}");
}
