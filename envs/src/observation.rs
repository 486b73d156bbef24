//! The walker worlds' observation and action layouts, entry by entry, as
//! [`WalkerEnv::observe`](crate::walker::WalkerEnv) writes them. Kept beside
//! each other so the order here is the order in the vector; a test checks
//! every world × body against it.

use std::f32::consts::PI;

use trellis_core::spec::Entry;

use crate::bodies::BodySpec;
use crate::terrain::layout::Features;

/// The observation entries of `body` in a world with `features` and
/// `rays` lidar rays.
pub fn observation(body: &BodySpec, features: &Features, rays: usize) -> Vec<Entry> {
    let flag = |name: String| Entry::new(name, 0.0, 1.0);
    let mut e = vec![
        Entry::new("head_angle", -PI, PI),
        Entry::unbounded("head_angular_velocity"),
        Entry::unbounded("velocity_x"),
        Entry::unbounded("velocity_y"),
    ];
    if features.surface_observation {
        e.push(flag("under_water".into()));
        e.push(flag("dead".into()));
    }
    for m in &body.motors {
        let joint = &body.parts[m.child].name;
        // A hinge angle lives in [-π, π]; the offset shifts it as the original does.
        e.push(Entry::new(
            format!("{joint}_angle"),
            -PI + m.angle_offset,
            PI + m.angle_offset,
        ));
        e.push(Entry::unbounded(format!("{joint}_speed")));
        if let Some(p) = m.contact_part {
            e.push(flag(format!("{}_contact", body.parts[p].name)));
        }
    }
    if features.surface_observation {
        for g in 0..body.grippers.len() {
            e.push(flag(format!("gripper_{g}_touching")));
            e.push(flag(format!("gripper_{g}_holding")));
        }
    }
    e.extend((0..rays).map(|r| flag(format!("lidar_{r}"))));
    if features.surface_observation {
        // -1 water, 1 creeper, 0 anything else.
        e.extend((0..rays).map(|r| Entry::new(format!("lidar_{r}_surface"), -1.0, 1.0)));
    }
    e
}

/// The action entries: one torque per motor, then one grip per gripper
/// (positive = hold on).
pub fn action(body: &BodySpec) -> Vec<Entry> {
    let motors = body
        .motors
        .iter()
        .map(|m| Entry::new(format!("{}_torque", body.parts[m.child].name), -1.0, 1.0));
    let grips =
        (0..body.grippers.len()).map(|g| Entry::new(format!("gripper_{g}_grip"), -1.0, 1.0));
    motors.chain(grips).collect()
}
