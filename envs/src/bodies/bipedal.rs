//! The two-legged walkers: BipedalWalker's hull on two legs of two segments.
//!
//! All variants come from one builder fed [`BipedalDims`]; they differ only
//! in leg length, where the hips sit, and the start pose.

use super::{BodySpec, Contact, MotorSpec, PartSpec, Shape};

/// The original's pixel-to-world scale (Box2D units = pixels / 30).
pub const SCALE: f32 = 30.0;

/// The hull outline of BipedalWalker, in pixels.
const HULL: [[f32; 2]; 5] = [[-30.0, 9.0], [6.0, 9.0], [34.0, 1.0], [34.0, -8.0], [-30.0, -8.0]];
const SPEED_HIP: f32 = 4.0;
const SPEED_KNEE: f32 = 6.0;

/// What distinguishes the bipedal variants, in pixels (divided by [`SCALE`]).
#[derive(Clone, Debug, PartialEq)]
pub struct BipedalDims {
    pub name: &'static str,
    pub leg_w: f32,
    pub leg_h: f32,
    /// Hip height below the hull centre (the original's LEG_DOWN, sign flipped
    /// into "down is positive" for the old morphology's -8 px).
    pub hip_below_centre: f32,
    /// Each leg starts tilted by ±this angle (radians).
    pub leg_tilt: f32,
    /// Spawn height of the hull centre above the ground, in pixels.
    pub spawn_height: f32,
    /// Used for the start pad length.
    pub width: f32,
}

/// TeachMyAgent's `old_classic_bipedal`, the body of the Stump Tracks benchmark
/// (gym BipedalWalker geometry: hips 8 px above the hull centre, legs of 34 px).
pub fn old_classic() -> BodySpec {
    build(&BipedalDims {
        name: "old_classic_bipedal",
        leg_w: 8.0,
        leg_h: 34.0,
        hip_below_centre: -8.0,
        leg_tilt: 0.05,
        spawn_height: 2.0 * 34.0,
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
        spawn_height: 2.0 * 51.0 + 3.0,
        width: 64.0,
    })
}

/// Parts: hull, then per leg (back, front) its upper and lower segment.
/// Motors in observation order: hip, knee of the back leg, then of the front leg.
pub fn build(d: &BipedalDims) -> BodySpec {
    let s = |v: f32| v / SCALE;
    let (leg_w, leg_h, hip_y) = (s(d.leg_w), s(d.leg_h), -s(d.hip_below_centre));
    let mut parts = vec![PartSpec {
        name: "hull".into(),
        shape: Shape::Polygon(HULL.iter().map(|p| [s(p[0]), s(p[1])]).collect()),
        density: 5.0,
        friction: 0.1,
        pos: [0.0, 0.0],
        angle: 0.0,
        contact: Contact::Critical,
    }];
    let mut motors = Vec::new();
    for side in [-1.0f32, 1.0] {
        let tilt = side * d.leg_tilt;
        // Each segment hangs from its joint along the tilted axis.
        let down = |dist: f32| [dist * tilt.sin(), hip_y - dist * tilt.cos()];
        let upper = parts.len();
        parts.push(PartSpec {
            name: format!("{}_upper_leg", if side < 0.0 { "back" } else { "front" }),
            shape: Shape::Rect { w: leg_w, h: leg_h },
            density: 1.0,
            friction: 0.2,
            pos: down(leg_h / 2.0),
            angle: tilt,
            contact: Contact::Ignored,
        });
        let lower = parts.len();
        parts.push(PartSpec {
            name: format!("{}_lower_leg", if side < 0.0 { "back" } else { "front" }),
            shape: Shape::Rect { w: 0.8 * leg_w, h: leg_h },
            density: 1.0,
            friction: 0.2,
            pos: down(1.5 * leg_h),
            angle: tilt,
            contact: Contact::Sensed,
        });
        motors.push(MotorSpec {
            parent: 0,
            child: upper,
            anchor: down(0.0),
            limits: [-0.8, 1.1],
            speed: SPEED_HIP,
            angle_offset: 0.0,
            contact_part: None,
        });
        motors.push(MotorSpec {
            parent: upper,
            child: lower,
            anchor: down(leg_h),
            limits: [-1.6, -0.1],
            speed: SPEED_KNEE,
            angle_offset: 1.0,
            contact_part: Some(lower),
        });
    }
    BodySpec {
        name: d.name.into(),
        parts,
        motors,
        torque: 80.0,
        torque_penalty: 0.00035,
        head: 0,
        spawn_height: s(d.spawn_height),
        width: s(d.width),
    }
}

/// Every bipedal variant by its TeachMyAgent name.
pub fn by_name(name: &str) -> Option<BodySpec> {
    Some(match name {
        "old_classic_bipedal" => old_classic(),
        "classic_bipedal" => classic(),
        "small_bipedal" => small(),
        "big_bipedal" => big(),
        _ => return None,
    })
}

pub const NAMES: [&str; 4] = ["old_classic_bipedal", "classic_bipedal", "small_bipedal", "big_bipedal"];
