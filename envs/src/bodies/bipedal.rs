//! The two-legged walkers: BipedalWalker's hull on two legs of two segments.
//!
//! All variants come from one builder fed [`BipedalDims`]; they differ only
//! in leg length, where the hips sit, and the start pose.

use super::{BodyKind, BodySpec, Contact, Segment, Shape, px};

pub use super::SCALE;

/// The hull outline of BipedalWalker, in pixels.
const HULL: [[f32; 2]; 5] = [
    [-30.0, 9.0],
    [6.0, 9.0],
    [34.0, 1.0],
    [34.0, -8.0],
    [-30.0, -8.0],
];

/// What distinguishes the bipedal variants, in pixels (divided by [`SCALE`]).
#[derive(Clone, Debug, PartialEq)]
pub struct BipedalDims {
    /// The body's registry name.
    pub name: &'static str,
    /// Leg width, in pixels (the shin is 80% of it).
    pub leg_w: f32,
    /// Length of each leg segment, in pixels.
    pub leg_h: f32,
    /// Hip height below the hull centre (the original's LEG_DOWN, sign flipped
    /// into "down is positive" for the old morphology's -8 px).
    pub hip_below_centre: f32,
    /// Each leg is drawn tilted by ±this angle (radians): its joints' zero.
    pub leg_tilt: f32,
    /// Hip and knee angles of the back and the front leg in the start pose
    /// (worlds that spawn bodies on the ground, see `Features::ground_start`).
    pub start: Option<[[f32; 2]; 2]>,
    /// Spawn height of the hull centre above the ground as drawn, in pixels.
    pub spawn_height: f32,
    /// Used for the start pad length.
    pub width: f32,
}

/// TeachMyAgent's `old_classic_bipedal`, the body of the Stump Tracks benchmark
/// (gym BipedalWalker's geometry, legs of 34 px). The original draws the legs
/// with their tops 8 px above the hull centre but joins them 8 px below it;
/// Box2D enforces the joints on the first step, so the body it simulates has
/// its hips 8 px below the centre, and so does this one (building the drawn
/// pose put the hull 16 px lower: the limp body fell at step 34 instead of
/// Box2D's ~120, and PPO learned to stand but not to walk).
///
/// Box2D's position solver closes that 16 px gap within the first two steps
/// of every episode (the reset's step and the first one). On the tracks,
/// which spawn this body with its drawn feet at the ground, the feet hit it
/// meanwhile and the body is left crouched: hips +0.29 / +0.21, knees
/// −0.82 / −0.83 (back / front leg), hull 71 px up (measured on TeachMyAgent's
/// Stump Tracks, any task). rapier closes joint gaps through velocities,
/// not positions, so rather than replay the gap this body starts in that
/// pose there (its start pose); from straight legs the limp body tipped
/// backwards (−1.4 m, Box2D +1.9 m). Parkour spawns it 15 px higher, where
/// the legs join almost straight in the air (knees −0.18 / −0.24): it
/// starts as drawn there.
pub fn old_classic() -> BodySpec {
    build(&BipedalDims {
        name: "old_classic_bipedal",
        leg_w: 8.0,
        leg_h: 34.0,
        hip_below_centre: 8.0,
        leg_tilt: 0.05,
        start: Some([[0.287, -0.821], [0.214, -0.834]]),
        spawn_height: 2.0 * 34.0 + 8.0,
        width: 64.0,
    })
}

/// TeachMyAgent's `classic_bipedal`: hips 3 px below the hull centre.
pub fn classic() -> BodySpec {
    build(&BipedalDims {
        name: "classic_bipedal",
        leg_w: 8.0,
        leg_h: 34.0,
        hip_below_centre: 3.0,
        leg_tilt: 0.0,
        start: None,
        spawn_height: 2.0 * 34.0 + 3.0,
        width: 64.0,
    })
}

/// TeachMyAgent's `small_bipedal`: legs of half length.
pub fn small() -> BodySpec {
    build(&BipedalDims {
        name: "small_bipedal",
        leg_w: 8.0,
        leg_h: 17.0,
        hip_below_centre: 3.0,
        leg_tilt: 0.0,
        start: None,
        spawn_height: 2.0 * 17.0 + 3.0,
        width: 20.0,
    })
}

/// A long-legged variant (legs 1.5× classic). TeachMyAgent has no big biped
/// (its "big" body is a quadruped), so this one is trellis's own.
pub fn big() -> BodySpec {
    build(&BipedalDims {
        name: "big_bipedal",
        leg_w: 8.0,
        leg_h: 51.0,
        hip_below_centre: 3.0,
        leg_tilt: 0.0,
        start: None,
        spawn_height: 2.0 * 51.0 + 3.0,
        width: 64.0,
    })
}

/// Parts: hull, then per leg (back, front) its upper and lower segment.
/// Motors in observation order: hip, knee of the back leg, then of the front leg.
pub fn build(d: &BipedalDims) -> BodySpec {
    let (leg_w, leg_h) = (px(d.leg_w), px(d.leg_h));
    let mut spec = BodySpec::new(d.name, BodyKind::Walker, 80.0, 0.00035);
    let hull = spec.add_part(
        "hull",
        Shape::polygon_px(&HULL),
        5.0,
        [0.0, 0.0],
        Contact::Critical,
    );
    spec.parts[hull].friction = 0.1;
    let start = d.start.unwrap_or_default();
    for ((side, name), [hip, knee]) in [(-1.0f32, "back_leg"), (1.0, "front_leg")].into_iter().zip(start) {
        let tilt = side * d.leg_tilt;
        let leg = [
            Segment::thigh(leg_w, leg_h).tilted(tilt, -1.0).starting_at(hip),
            Segment::shin(leg_w, leg_h).tilted(tilt, -1.0).starting_at(knee),
        ];
        spec.add_limb(name, hull, [0.0, -px(d.hip_below_centre)], &leg);
    }
    spec.spawn_height = px(d.spawn_height);
    spec.width = px(d.width);
    spec
}
