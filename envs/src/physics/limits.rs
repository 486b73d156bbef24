//! Box2D's joint limits, step by step.
//!
//! Box2D decides once per step, from where a joint starts it, whether a limit
//! acts: a joint inside its range turns freely for the whole step (a fast leg
//! overshoots its limit within that step); a joint at or past a limit is
//! stopped where it is, with no pull back unless it lies more than
//! `b2_angularSlop` past it, and then only back to the slop. rapier checks its
//! limits at every substep and pulls a joint back to the limit itself. Set
//! before each step, the limits below make rapier's do what Box2D's do
//! ([`PhysicsConfig::box2d_limits`](super::PhysicsConfig::box2d_limits)).

use rapier2d::prelude::*;

use super::wrap_angle;

/// One limited hinge: its joint, its two bodies and its range.
#[derive(Clone, Debug)]
pub struct Limit {
    /// The hinge.
    pub joint: ImpulseJointHandle,
    /// Its first body (the joint angle is the child's turn relative to it).
    pub parent: RigidBodyHandle,
    /// Its second body.
    pub child: RigidBodyHandle,
    /// The child's angle relative to the parent at joint angle 0.
    pub reference: f32,
    /// The joint's range, as declared (without slop).
    pub range: [f32; 2],
}

/// How far inside the joint's current angle the limit is put, so that rapier
/// (which acts on a limit only once the angle is at or past it) acts on it:
/// small enough that its pull is negligible.
const ENGAGE: f32 = 1.0e-5;

/// A hinge's angle: the child's turn relative to its parent, less the
/// reference, wrapped to [-π, π]. Box2D's joint angle, and the observation's.
pub fn hinge_angle(world: &PhysicsWorld, parent: RigidBodyHandle, child: RigidBodyHandle, reference: f32) -> f32 {
    wrap_angle(world.bodies[child].rotation().angle() - world.bodies[parent].rotation().angle() - reference)
}

/// Box2D's "equal limits": a range narrower than two slops holds its joint
/// rigid, with no slop.
pub fn equal_limits(range: [f32; 2], slop: f32) -> bool {
    range[1] - range[0] < 2.0 * slop
}

/// Sets every limit for the coming step from where its joint is now.
pub fn apply(world: &mut PhysicsWorld, limits: &[Limit], slop: f32) {
    for l in limits {
        let [lo, hi] = l.range;
        if equal_limits(l.range, slop) {
            // The joint stays rigid, as spawned.
            continue;
        }
        let angle = hinge_angle(world, l.parent, l.child, l.reference);
        let Some(joint) = world.impulse_joints.get_mut(l.joint, false) else {
            continue;
        };
        let data = &mut joint.data;
        if angle <= lo {
            data.set_limits(JointAxis::AngX, [angle.max(lo - slop) + ENGAGE, hi]);
        } else if angle >= hi {
            data.set_limits(JointAxis::AngX, [lo, angle.min(hi + slop) - ENGAGE]);
        } else {
            data.limit_axes.remove(JointAxesMask::ANG_X);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::physics::{BOX2D_ANGULAR_SLOP, Physics, PhysicsConfig, Vec2};

    /// A 2 × 0.2 bar hinged at its centre to a fixed body, range [-0.5, 0.5],
    /// no gravity, started at `angle` turning at `omega`: its joint angle and
    /// speed after each of `steps` steps.
    fn swing(angle: f32, omega: f32, steps: usize, box2d_limits: bool) -> Vec<(f32, f32)> {
        let cfg = PhysicsConfig {
            box2d_limits,
            ..PhysicsConfig::default()
        };
        let mut physics = Physics::new(cfg);
        physics.world.gravity = Vec2::ZERO;
        let base = physics.ground;
        let w = &mut physics.world;
        let arm = w
            .insert(
                RigidBodyBuilder::dynamic().rotation(angle).angvel(omega),
                ColliderBuilder::cuboid(1.0, 0.1).collision_groups(InteractionGroups::none()),
            )
            .0;
        let slop = cfg.joint_slop;
        let joint = RevoluteJointBuilder::new()
            .limits([-0.5 - slop, 0.5 + slop])
            .build();
        let joint = w.insert_impulse_joint(base, arm, joint);
        physics.limits.push(Limit {
            joint,
            parent: base,
            child: arm,
            reference: 0.0,
            range: [-0.5, 0.5],
        });
        (0..steps)
            .map(|_| {
                physics.step();
                let b = physics.body(arm);
                (b.rotation().angle(), b.angvel())
            })
            .collect()
    }

    /// The numbers are pybox2d 2.3's (Box2D 2.3.2) for the same bar and
    /// steps (1/50 s, 180 velocity and 60 position iterations).
    #[test]
    fn a_limit_acts_as_box2d_s_from_the_step_after_it_is_reached() {
        let near = |a: f32, b: f32, tol: f32| (a - b).abs() < tol;
        let lo_slop = -0.5 - BOX2D_ANGULAR_SLOP;
        // Inside the range at -5 rad/s: Box2D lets it pass the limit for the
        // whole step (-0.55), then stops it and pulls it back to the slop.
        let s = swing(-0.45, -5.0, 3, true);
        assert!(
            near(s[0].0, -0.55, 2e-3) && near(s[0].1, -5.0, 1e-2),
            "first step {:?}",
            s[0]
        );
        assert!(
            s[1..]
                .iter()
                .all(|&(a, w)| near(a, lo_slop, 5e-3) && w.abs() < 0.2),
            "then {s:?}"
        );
        // Past the limit but within the slop, even moving on: stopped there.
        let s = swing(-0.52, -5.0, 3, true);
        assert!(
            s.iter()
                .all(|&(a, w)| near(a, -0.52, 2e-3) && w.abs() < 0.1),
            "{s:?}"
        );
        // Beyond the slop: pulled back to it.
        let s = swing(-0.7, 0.0, 5, true);
        assert!(near(s[4].0, lo_slop, 5e-3) && s[4].1.abs() < 0.1, "{s:?}");
        // rapier's own limits (the widened ones) stop the bar within the first
        // step instead, and let a bar within the slop move on to its end.
        let s = swing(-0.45, -5.0, 1, false);
        assert!(s[0].0 > -0.54, "{s:?}");
        let s = swing(-0.52, -5.0, 1, false);
        assert!(s[0].0 < -0.53, "{s:?}");
    }
}
