//! Water as TeachMyAgent simulates it (after iforce2d's buoyancy tutorial,
//! plus the original's "push" term that lets moving limbs swim): every body
//! part is clipped against the water surface, and the submerged polygon gets
//!
//! - buoyancy: water density × submerged area × g, up, at its centroid;
//! - drag and lift on each edge facing the flow, ∝ edge length × speed²,
//!   capped at 2000 and 500;
//! - push: while a motor turns a part inside its limits, each submerged edge
//!   the part sweeps against pushes it back by a force ∝ (torque + I·ω)²,
//!   clipped to ±`max_push` per component, at the joint. The torque is what
//!   the motor applied in the last step (the solver's impulse), as the
//!   original reads it back from Box2D, not the action's maximum: a light
//!   limb reaches its motor speed with a few percent of the maximum, and
//!   pushing with the maximum made the fish swim ~7× as fast as the
//!   original's under the same actions (`bench/box2d_compare.py`).
//!
//! The water is a half-plane (it spans the whole Parkour track), so clipping
//! is one Sutherland–Hodgman pass and no collider or contact is needed.

use super::{GRAVITY, Physics, Vec2};
use rapier2d::prelude::JointAxis;

use crate::bodies::{Body, BodySpec};

/// Density of water (the original's).
pub const DENSITY: f32 = 1.0;
const DRAG_MOD: f32 = 0.25;
const LIFT_MOD: f32 = 0.25;
const PUSH_MOD: f32 = 0.05;
const MAX_DRAG: f32 = 2000.0;
const MAX_LIFT: f32 = 500.0;
/// Box2D's `GetMotorTorque(60)` at 50 Hz reports 60/50 of the applied torque;
/// the push term was tuned on that reading.
const TORQUE_READING: f32 = 60.0 / 50.0;

/// The part of a convex polygon below `level` (empty if none).
pub fn clip_below(poly: &[Vec2], level: f32) -> Vec<Vec2> {
    let mut out = Vec::with_capacity(poly.len() + 1);
    for (i, &a) in poly.iter().enumerate() {
        let b = poly[(i + 1) % poly.len()];
        let (ina, inb) = (a.y <= level, b.y <= level);
        if ina {
            out.push(a);
        }
        if ina != inb {
            let t = (level - a.y) / (b.y - a.y);
            out.push(Vec2::new(a.x + t * (b.x - a.x), level));
        }
    }
    out
}

/// Area and centroid of a polygon (counter-clockwise).
pub fn area_centroid(poly: &[Vec2]) -> (f32, Vec2) {
    let (mut area, mut c) = (0.0, Vec2::ZERO);
    for (i, &a) in poly.iter().enumerate() {
        let b = poly[(i + 1) % poly.len()];
        let d = a.perp_dot(b) * 0.5;
        area += d;
        c += d * (a + b) / 3.0;
    }
    if area > f32::EPSILON {
        (area, c / area)
    } else {
        (0.0, Vec2::ZERO)
    }
}

/// Sets this step's water forces on every part of `body` (and clears any
/// earlier ones). Call it before the step: the push reads the torques the
/// motors applied in the previous one (Box2D's order: forces computed after
/// a step act during the next).
pub fn apply(
    level: f32,
    max_push: f32,
    spec: &BodySpec,
    body: &Body,
    physics: &mut Physics,
) {
    // rapier keeps the impulse of the last substep: torque = impulse / (dt / substeps).
    let params = &physics.world.integration_parameters;
    let per_impulse = params.num_solver_iterations as f32 / params.dt;
    for (i, (&h, outline)) in body.parts.iter().zip(&body.outlines).enumerate() {
        let rb = &physics.world.bodies[h];
        let pose = *rb.position();
        let world: Vec<Vec2> = outline.iter().map(|&p| pose * p).collect();
        let wet = clip_below(&world, level);
        let mut forces: Vec<(Vec2, Vec2)> = Vec::new();
        if wet.len() >= 3 {
            let (area, centroid) = area_centroid(&wet);
            forces.push((Vec2::new(0.0, DENSITY * area * -GRAVITY), centroid));
            // Motors that turn this part, with the torque each applies.
            let pushes: Vec<(f32, Vec2)> = spec
                .motors
                .iter()
                .enumerate()
                .filter(|(_, m)| m.child == i)
                .filter_map(|(k, m)| {
                    let angle = body.motor_angle(spec, physics, k);
                    let joint = physics.world.impulse_joints.get(body.joints[k])?;
                    // rapier's motor impulse acts on the child with the opposite sign.
                    let applied =
                        -joint.data.motor(JointAxis::AngX).map_or(0.0, |m| m.impulse) * per_impulse;
                    let anchor = pose * joint.data.local_frame2.translation;
                    (m.limits[0] < angle && angle < m.limits[1])
                        .then_some((TORQUE_READING * applied, anchor))
                })
                .collect();
            for (k, &v0) in wet.iter().enumerate() {
                let v1 = wet[(k + 1) % wet.len()];
                let mid = 0.5 * (v0 + v1);
                let edge_vec = v1 - v0;
                let len = edge_vec.length();
                if len <= f32::EPSILON {
                    continue;
                }
                let edge = edge_vec / len;
                let normal = Vec2::new(edge.y, -edge.x);
                let flow = rb.velocity_at_point(mid);
                let speed = flow.length();
                if speed > f32::EPSILON {
                    let dir = flow / speed;
                    let drag_dot = normal.dot(dir);
                    if drag_dot >= 0.0 {
                        let drag =
                            (drag_dot * DRAG_MOD * len * DENSITY * speed * speed).min(MAX_DRAG);
                        forces.push((-drag * dir, mid));
                        let lift =
                            (drag_dot * edge.dot(dir) * LIFT_MOD * len * DENSITY * speed * speed)
                                .min(MAX_LIFT);
                        forces.push((lift * Vec2::new(-dir.y, dir.x), mid));
                    }
                }
                for &(torque, anchor) in &pushes {
                    let lever = rb.center_of_mass() - anchor;
                    let at_centre = Vec2::new(-torque * lever.y, torque * lever.x);
                    let push_dot = normal.dot(at_centre);
                    if push_dot > 0.0 {
                        let v =
                            torque + rb.angvel() * rb.mass_properties().effective_angular_inertia();
                        let mag = push_dot * PUSH_MOD * len * DENSITY * v * v;
                        let f =
                            (-mag * at_centre).clamp(Vec2::splat(-max_push), Vec2::splat(max_push));
                        forces.push((f, anchor));
                    }
                }
            }
        }
        let rb = &mut physics.world.bodies[h];
        rb.reset_forces(false);
        for (f, p) in forces {
            rb.add_force_at_point(f, p, true);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clipping_a_square_halfway_halves_its_area() {
        let sq = [
            Vec2::new(0.0, 0.0),
            Vec2::new(2.0, 0.0),
            Vec2::new(2.0, 2.0),
            Vec2::new(0.0, 2.0),
        ];
        let (full, c) = area_centroid(&sq);
        assert!((full - 4.0).abs() < 1e-6 && (c - Vec2::new(1.0, 1.0)).length() < 1e-6);
        let (half, c) = area_centroid(&clip_below(&sq, 1.0));
        assert!((half - 2.0).abs() < 1e-6 && (c - Vec2::new(1.0, 0.5)).length() < 1e-6);
        assert!(clip_below(&sq, -0.1).is_empty());
        assert_eq!(clip_below(&sq, 5.0).len(), 4);
    }
}
