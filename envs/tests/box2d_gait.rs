//! Along a learned gait, one step of trellis's walker answers as one step of
//! TeachMyAgent's Box2D original does.
//!
//! The fixture (`data/box2d_gait.json`, recorded by `bench/box2d_gait.py`
//! from the original, unmodified) is one episode of a PPO gait trained on the
//! original's Stump Tracks: before every step, the state of the walker's five
//! parts, the action taken, and the first 14 entries the original observed
//! after it; and the episode's stumps. Here the same track is rebuilt, the
//! walker is put in each recorded state, the recorded action is applied, and
//! the observation is compared. Unlike `box2d_response.rs` (held actions from
//! the start pose) this reaches what a gait does: foot strikes, push-offs,
//! stump edges. Each step starts from the original's state, so errors do not
//! compound; what remains is the engines' one-step difference.

use std::sync::Arc;

use serde::Deserialize;
use trellis_envs::bodies::bipedal;
use trellis_envs::physics::Vec2;
use trellis_envs::rng::ChaCha8Rng;
use trellis_envs::terrain::{Features, TerrainGenerator, TerrainLayout, track};
use trellis_envs::walker::WalkerConfig;
use trellis_envs::{Env, TaskSpace, WalkerEnv};

#[derive(Deserialize)]
struct Fixture {
    task: Vec<f64>,
    ground_y: f32,
    stumps: Vec<Vec<[f32; 2]>>,
    steps: Vec<Recorded>,
}

#[derive(Deserialize)]
struct Recorded {
    /// Per part (hull, back thigh, back shin, front thigh, front shin):
    /// x, y, angle, vx, vy, angular velocity.
    state: Vec<[f32; 6]>,
    action: Vec<f32>,
    /// The first 14 observation entries after the step.
    obs: Vec<f64>,
}

/// The recorded episode's track: flat ground and its stumps.
struct RecordedTrack {
    space: TaskSpace,
    ground_y: f32,
    stumps: Vec<Vec<Vec2>>,
}

impl TerrainGenerator for RecordedTrack {
    fn name(&self) -> &str {
        "recorded-stump-track"
    }
    fn task_space(&self) -> &TaskSpace {
        &self.space
    }
    fn default_task(&self) -> Vec<f64> {
        vec![0.0, 0.0]
    }
    fn generate(&self, _task: &[f64], body_width: f32, _rng: &mut ChaCha8Rng) -> TerrainLayout {
        let startpad = track::startpad_steps(body_width) * track::STEP;
        let y = self.ground_y;
        TerrainLayout::on_track(
            vec![Vec2::new(0.0, y), Vec2::new(track::end_x(), y)],
            self.stumps.clone(),
            startpad,
        )
    }
    fn with_space(&self, space: TaskSpace) -> Arc<dyn TerrainGenerator> {
        Arc::new(Self {
            space,
            ground_y: self.ground_y,
            stumps: self.stumps.clone(),
        })
    }
    fn features(&self) -> Features {
        Features::TRACKS
    }
}

/// Observation entries compared, by kind.
const KINDS: [(&str, &[usize]); 4] = [
    ("hull", &[0, 1, 2, 3]),
    ("joint angles", &[4, 6, 9, 11]),
    ("joint speeds", &[5, 7, 10, 12]),
    ("contacts", &[8, 13]),
];

/// Mean absolute one-step difference per kind, over the recorded steps.
fn gait_gap(cfg: WalkerConfig) -> [f64; 4] {
    let text = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/box2d_gait.json"))
        .expect("fixture");
    let f: Fixture = serde_json::from_str(&text).expect("fixture: a track and recorded steps");
    let terrain = RecordedTrack {
        space: TaskSpace::from_bounds(&[("stump_height", 0.0, 3.0), ("stump_spacing", 0.0, 6.0)]),
        ground_y: f.ground_y,
        stumps: f
            .stumps
            .iter()
            .map(|p| p.iter().map(|&[x, y]| Vec2::new(x, y)).collect())
            .collect(),
    };
    let mut env = WalkerEnv::new(Arc::new(terrain), Arc::new(bipedal::old_classic()), cfg);
    env.reset(Some(0), Some(&f.task)).unwrap();
    let mut sums = [0.0f64; 4];
    let mut counts = [0.0f64; 4];
    for rec in &f.steps {
        let parts = env.body_handles().unwrap().parts.clone();
        let physics = env.physics_mut().unwrap();
        for (&h, s) in parts.iter().zip(&rec.state) {
            let b = &mut physics.world.bodies[h];
            b.set_translation(Vec2::new(s[0], s[1]), true);
            b.set_rotation(rapier2d::math::Rotation::new(s[2]), true);
            b.set_linvel(Vec2::new(s[3], s[4]), true);
            b.set_angvel(s[5], true);
        }
        let step = env.step(&rec.action);
        for (kind, (_, idx)) in KINDS.iter().enumerate() {
            for &i in *idx {
                sums[kind] += (f64::from(step.obs[i]) - rec.obs[i]).abs();
                counts[kind] += 1.0;
            }
        }
    }
    std::array::from_fn(|k| sums[k] / counts[k])
}

fn report(label: &str, gap: &[f64; 4]) {
    let parts: Vec<String> = KINDS.iter().zip(gap).map(|((name, _), g)| format!("{name} {g:.3}")).collect();
    eprintln!("{label}: {}", parts.join(", "));
}

fn with(skin: f32, joint_slop: f32) -> WalkerConfig {
    let mut cfg = WalkerConfig::default();
    cfg.physics.skin = skin;
    cfg.physics.joint_slop = joint_slop;
    cfg
}

#[test]
fn one_step_along_a_learned_gait_matches_box2d() {
    let gap = gait_gap(WalkerConfig::default());
    report("one-step gap to Box2D", &gap);
    let [hull, angles, speeds, contacts] = gap;
    assert!(hull < 0.02, "hull angle and speeds differ from Box2D's by {hull:.3} on average (limit 0.02)");
    assert!(angles < 0.02, "joint angles differ from Box2D's by {angles:.3} on average (limit 0.02)");
    assert!(speeds < 0.18, "joint speeds differ from Box2D's by {speeds:.3} on average (limit 0.18)");
    assert!(contacts < 0.10, "ground contact disagrees with Box2D's on {:.0}% of steps (limit 10%)", 100.0 * contacts);
}

/// Each Box2D emulation earns its place: without the skin the feet of a
/// walker put where Box2D's stood read "no contact" on about a third of the
/// steps; without the joint slop the joints sit past their limits.
#[test]
fn without_the_skin_or_the_joint_slop_the_gap_opens() {
    let cfg = WalkerConfig::default();
    let full = gait_gap(cfg.clone());
    let bare = gait_gap(with(0.0, cfg.physics.joint_slop));
    let stiff = gait_gap(with(cfg.physics.skin, 0.0));
    report("no skin", &bare);
    report("no joint slop", &stiff);
    assert!(bare[3] > 2.0 * full[3] + 0.1, "contacts: {:.3} without the skin vs {:.3} with it", bare[3], full[3]);
    assert!(stiff[1] > 1.3 * full[1], "joint angles: {:.3} without the slop vs {:.3} with it", stiff[1], full[1]);
}
