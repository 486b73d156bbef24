//! The walker answers torques as TeachMyAgent's Box2D original does.
//!
//! The fixture (`data/box2d_response.json`, recorded by
//! `bench/box2d_response.py` from the original, unmodified) holds 24 fixed
//! actions, each held for 8 steps from the crouched start, and what the
//! original observed at each step: hull angle and speeds, per leg the hip and
//! knee angles and speeds and the ground contact. A policy reads exactly these
//! numbers, so where they differ a gait learned on one engine does not carry
//! over to the other.
//!
//! Why the thresholds are where they are (mean absolute differences over the
//! 24 × 8 steps; each engine draws its own small start push, so 0 is out of
//! reach): with rapier's default solver (4 substeps of 1 iteration) the
//! motors reached only half their target speed in a step and the joint speeds
//! differed by 0.20, the angles by 0.11; with contact reported whenever a
//! predictive contact existed (up to 2 cm off the ground) the contact flags
//! disagreed on 12% of the steps (up to half of them late in a sequence).
//! Box2D-trained PPO gaits covered 34–79 units of their ~430 on that world.
//! With 8 substeps × 4 iterations and contact when the shapes meet: 0.078,
//! 0.033, hull 0.008, contacts 2.6%; with Box2D's skin and joint slop added
//! (see `box2d_gait.rs`, which found them): 0.066, 0.035, 0.007, 2.6%. See
//! `physics::PhysicsConfig`.

use serde::Deserialize;
use trellis_envs::registry::make_walker;
use trellis_envs::walker::WalkerConfig;
use trellis_envs::Env;

/// The recording: one task, and per held action the observations it led to.
#[derive(Deserialize)]
struct Fixture {
    task: Vec<f64>,
    sequences: Vec<Sequence>,
}

#[derive(Deserialize)]
struct Sequence {
    action: Vec<f32>,
    /// The first 14 observation entries at each step.
    obs: Vec<Vec<f64>>,
}

/// Observation entries compared, by kind.
const JOINT_SPEEDS: [usize; 4] = [5, 7, 10, 12];
const JOINT_ANGLES: [usize; 4] = [4, 6, 9, 11];
const HULL: [usize; 4] = [0, 1, 2, 3];
const CONTACTS: [usize; 2] = [8, 13];

/// Mean absolute difference per kind of entry: (joint speeds, joint angles,
/// hull, contacts).
fn response_gap() -> (f64, f64, f64, f64) {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/box2d_response.json"))
        .expect("fixture");
    let fixture: Fixture = serde_json::from_str(&text).expect("fixture: a task and sequences of actions and observations");
    let mut env = make_walker("stump-tracks", None, WalkerConfig::default()).unwrap();
    let mut sums = [0.0f64; 4];
    let mut counts = [0.0f64; 4];
    for (k, seq) in fixture.sequences.iter().enumerate() {
        env.reset(Some(k as u64), Some(&fixture.task)).unwrap();
        for reference in &seq.obs {
            let step = env.step(&seq.action);
            assert!(!step.done(), "sequence {k}: the episode ended within the fixture's steps");
            for (kind, idx) in [&JOINT_SPEEDS[..], &JOINT_ANGLES, &HULL, &CONTACTS].into_iter().enumerate() {
                for &i in idx {
                    sums[kind] += (f64::from(step.obs[i]) - reference[i]).abs();
                    counts[kind] += 1.0;
                }
            }
        }
    }
    (sums[0] / counts[0], sums[1] / counts[1], sums[2] / counts[2], sums[3] / counts[3])
}

#[test]
fn motors_joints_and_contacts_answer_actions_as_box2d_does() {
    let (speeds, angles, hull, contacts) = response_gap();
    eprintln!("gap to Box2D: joint speeds {speeds:.3}, joint angles {angles:.3}, hull {hull:.3}, contacts {contacts:.3}");
    assert!(speeds < 0.10, "joint speeds differ from Box2D's by {speeds:.3} on average (limit 0.10)");
    assert!(angles < 0.05, "joint angles differ from Box2D's by {angles:.3} on average (limit 0.05)");
    assert!(hull < 0.03, "hull angle and speeds differ from Box2D's by {hull:.3} on average (limit 0.03)");
    assert!(contacts < 0.10, "ground contact disagrees with Box2D's on {:.0}% of steps (limit 10%)", 100.0 * contacts);
}
