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
//! stump edges, hard landings. Each step starts from the original's state, so
//! errors do not compound; what remains is the engines' one-step difference.

use std::sync::Arc;

use serde::Deserialize;
use trellis_envs::bodies::bipedal;
use trellis_envs::physics::{BOX2D_ANGULAR_SLOP, BOX2D_POLYGON_RADIUS, Vec2};
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

/// One step from each recorded state: per step, trellis's observation, the
/// original's, and how many time-of-impact events trellis's continuous pass
/// had (0 with the pass off).
fn replay(cfg: WalkerConfig) -> Vec<(Vec<f32>, Vec<f64>, usize)> {
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
    f.steps
        .into_iter()
        .map(|rec| {
            let parts = env.body_handles().unwrap().parts.clone();
            let physics = env.physics_mut().unwrap();
            for (&h, s) in parts.iter().zip(&rec.state) {
                let b = &mut physics.world.bodies[h];
                b.set_translation(Vec2::new(s[0], s[1]), true);
                b.set_rotation(rapier2d::math::Rotation::new(s[2]), true);
                b.set_linvel(Vec2::new(s[3], s[4]), true);
                b.set_angvel(s[5], true);
            }
            let obs = env.step(&rec.action).obs;
            let colliders = env.body_handles().unwrap().colliders.clone();
            let physics = env.physics_mut().unwrap();
            let impacts = colliders.iter().map(|&c| physics.impacts_with(c).count()).sum();
            (obs, rec.obs, impacts)
        })
        .collect()
}

/// Mean absolute one-step difference per kind, over the recorded steps.
fn gait_gap(cfg: WalkerConfig) -> [f64; 4] {
    let steps = replay(cfg);
    std::array::from_fn(|kind| {
        let idx = KINDS[kind].1;
        let sum: f64 = steps
            .iter()
            .flat_map(|(ours, theirs, _)| idx.iter().map(move |&i| (f64::from(ours[i]) - theirs[i]).abs()))
            .sum();
        sum / (steps.len() * idx.len()) as f64
    })
}

fn report(label: &str, gap: &[f64; 4]) {
    let parts: Vec<String> = KINDS.iter().zip(gap).map(|((name, _), g)| format!("{name} {g:.3}")).collect();
    eprintln!("{label}: {}", parts.join(", "));
}

/// The default config with each Box2D emulation set as given.
fn with(skin: f32, joint_slop: f32, box2d_limits: bool, continuous: bool) -> WalkerConfig {
    let mut cfg = WalkerConfig::default();
    cfg.physics.skin = skin;
    cfg.physics.joint_slop = joint_slop;
    cfg.physics.box2d_limits = box2d_limits;
    cfg.physics.continuous = continuous;
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
    assert!(contacts < 0.10, "ground contact disagrees with Box2D's on {:.1}% of steps (limit 10%)", 100.0 * contacts);
}

/// Each Box2D emulation earns its place: without the skin the feet of a
/// walker put where Box2D's stood read "no contact" on about a third of the
/// steps; without the joint slop the joints sit past their limits; with
/// rapier's own limits (checked at every substep, pulling a joint back to
/// the limit itself) instead of Box2D's (decided once per step) the joints
/// turn differently wherever a leg reaches or leaves a limit; with the
/// continuous pass (off by default, [`PhysicsConfig::continuous`]) hard
/// landings read as contact as in Box2D and the joints move closer to its.
///
/// [`PhysicsConfig::continuous`]: trellis_envs::physics::PhysicsConfig::continuous
#[test]
fn each_box2d_emulation_closes_its_part_of_the_gap() {
    let (skin, slop) = (2.0 * BOX2D_POLYGON_RADIUS, BOX2D_ANGULAR_SLOP);
    let full = gait_gap(with(skin, slop, true, false));
    let bare = gait_gap(with(0.0, slop, true, false));
    let stiff = gait_gap(with(skin, 0.0, false, false));
    let rapier_limits = gait_gap(with(skin, slop, false, false));
    let continuous = gait_gap(with(skin, slop, true, true));
    report("Box2D's skin, slop and limits", &full);
    report("no skin", &bare);
    report("rapier's limits, no slop", &stiff);
    report("rapier's limits, widened by the slop", &rapier_limits);
    report("with the continuous pass", &continuous);
    assert!(bare[3] > 2.0 * full[3] + 0.1, "contacts: {:.3} without the skin vs {:.3} with it", bare[3], full[3]);
    assert!(
        stiff[1] > 1.3 * rapier_limits[1],
        "joint angles: {:.3} without the slop vs {:.3} with it",
        stiff[1],
        rapier_limits[1]
    );
    assert!(
        rapier_limits[1] > 1.3 * full[1] && rapier_limits[2] > 1.4 * full[2],
        "joint angles, speeds: {:.3}, {:.3} with rapier's limits vs {:.3}, {:.3} with Box2D's",
        rapier_limits[1],
        rapier_limits[2],
        full[1],
        full[2]
    );
    assert!(
        full[3] > 1.4 * continuous[3] && full[2] > continuous[2] && continuous[3] < 0.05 && continuous[2] < 0.1,
        "contacts {:.3}, speeds {:.3} with the continuous pass vs {:.3}, {:.3} without it",
        continuous[3],
        continuous[2],
        full[3],
        full[2]
    );
}

/// Where the gait's back shin comes down hard on the ground (the steps where
/// the original's knee goes from its limit to well past it, bent the wrong
/// way, in one step), trellis's knee gives as much: Box2D's time-of-impact
/// pass stops the shin where it touches without its joints. Without that
/// pass trellis's knee holds at its limit.
#[test]
fn a_hard_landing_bends_the_knee_past_its_limit_as_in_box2d() {
    // The back knee's observation is its angle + 1; its upper limit is -0.1.
    let past = |obs: f64| obs - 1.0 + 0.1;
    let with_pass = replay(with(2.0 * BOX2D_POLYGON_RADIUS, BOX2D_ANGULAR_SLOP, true, true));
    let without = replay(WalkerConfig::default());
    let impacts: Vec<usize> = (1..with_pass.len())
        .filter(|&t| past(with_pass[t - 1].1[6]) < 0.05 && past(with_pass[t].1[6]) > 0.25)
        .collect();
    assert!(impacts.len() >= 3, "the fixture has hard landings: {impacts:?}");
    let (mut gap, mut gap_held) = (0.0, 0.0);
    for &t in &impacts {
        let theirs = past(with_pass[t].1[6]);
        let ours = past(f64::from(with_pass[t].0[6]));
        let held = past(f64::from(without[t].0[6]));
        eprintln!("step {t}: knee past its limit by {theirs:.3} in Box2D, {ours:.3} in trellis, {held:.3} without the pass");
        assert!((ours - theirs).abs() < 0.1, "step {t}: {ours:.3} past the limit, Box2D {theirs:.3}");
        gap += (ours - theirs).abs() / impacts.len() as f64;
        gap_held += (held - theirs).abs() / impacts.len() as f64;
    }
    assert!(gap < 0.05 && gap_held > 0.15, "mean gap to Box2D at the landings: {gap:.3} with the pass, {gap_held:.3} without");
}

/// The steps of the recorded gait at which Box2D's time-of-impact pass
/// handled a part (49 events in 600 steps), from
/// `python3 bench/box2d_toi.py --tma PATH`.
const BOX2D_IMPACT_STEPS: [usize; 44] = [
    0, 1, 33, 34, 60, 61, 62, 117, 118, 119, 168, 169, 170, 238, 239, 240, 241, 242, 243, 244, 246, 303, 305, 344, 362,
    429, 431, 432, 433, 434, 435, 439, 493, 494, 496, 497, 498, 499, 534, 535, 557, 558, 559, 561,
];

/// trellis's continuous pass fires where and as often as Box2D's: the
/// episode-level differences it brings (the pass is off by default) do not
/// come from firing more often. (With random actions on the flat track
/// Box2D's fires 2,622 times in 10,000 steps.)
#[test]
fn the_continuous_pass_fires_where_box2d_s_does() {
    let steps = replay(with(2.0 * BOX2D_POLYGON_RADIUS, BOX2D_ANGULAR_SLOP, true, true));
    let ours: Vec<usize> = (0..steps.len()).filter(|&t| steps[t].2 > 0).collect();
    let events: usize = steps.iter().map(|s| s.2).sum();
    let near = |t: usize, set: &[usize]| set.iter().any(|&s| s.abs_diff(t) <= 1);
    let found = BOX2D_IMPACT_STEPS.iter().filter(|&&t| near(t, &ours)).count();
    let extra = ours.iter().filter(|&&t| !near(t, &BOX2D_IMPACT_STEPS)).count();
    eprintln!("{events} events at {} steps ({ours:?}); {found} of Box2D's 44 steps within one step, {extra} steps of ours not", ours.len());
    assert!((30..=65).contains(&events), "{events} events along the gait, Box2D 49");
    assert!(found >= 29, "only {found} of Box2D's 44 event steps have one of ours within a step");
    assert!(extra <= 15, "{extra} of our event steps are not within a step of Box2D's");
}
