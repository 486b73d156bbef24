//! Grasping, as TeachMyAgent's climbers do it: a gripper whose action is
//! positive is "ready"; if after a physics step it overlaps the ceiling or a
//! creeper, a free hinge pins it there. A gripper whose action is not
//! positive lets go before the next step.

use rapier2d::prelude::*;

use super::{Physics, Vec2};
use crate::bodies::{Body, BodySpec};

/// The hinge of each gripper, while it holds on.
#[derive(Clone, Debug, Default)]
pub struct Grips {
    joints: Vec<Option<ImpulseJointHandle>>,
}

fn wants_to_hold(spec: &BodySpec, action: &[f32], g: usize) -> bool {
    action.get(spec.motors.len() + g).is_some_and(|&a| a > 0.0)
}

impl Grips {
    /// Grippers of `spec`, all open.
    pub fn new(spec: &BodySpec) -> Self {
        Self {
            joints: vec![None; spec.grippers.len()],
        }
    }

    /// Is gripper `g` attached?
    pub fn holding(&self, g: usize) -> bool {
        self.joints.get(g).is_some_and(Option::is_some)
    }

    /// Before a step: grippers told to let go drop their hinge.
    pub fn release(&mut self, spec: &BodySpec, physics: &mut Physics, action: &[f32]) {
        for (g, joint) in self.joints.iter_mut().enumerate() {
            if !wants_to_hold(spec, action, g) {
                if let Some(j) = joint.take() {
                    physics.world.remove_impulse_joint(j);
                }
            }
        }
    }

    /// After a step: ready grippers touching something graspable hold on.
    pub fn attach(&mut self, spec: &BodySpec, body: &Body, physics: &mut Physics, action: &[f32]) {
        for (g, joint) in self.joints.iter_mut().enumerate() {
            if joint.is_some()
                || !wants_to_hold(spec, action, g)
                || !physics.overlapping(body.grippers[g])
            {
                continue;
            }
            let owner = body.parts[spec.grippers[g].part];
            let w = &mut physics.world;
            let Some(sensor) = w.colliders.get(body.grippers[g]) else {
                continue;
            };
            let at: Vec2 = sensor.position().translation;
            let local = w.bodies[owner].position().inverse_transform_point(at);
            let hinge = RevoluteJointBuilder::new()
                .local_anchor1(local)
                .local_anchor2(at)
                .contacts_enabled(false);
            *joint = Some(w.insert_impulse_joint(owner, physics.ground, hinge));
        }
    }

    /// Appends, per gripper: touching something graspable, and holding on.
    pub fn observe(&self, body: &Body, physics: &Physics, out: &mut Vec<f32>) {
        for (g, &c) in body.grippers.iter().enumerate() {
            out.push(if physics.overlapping(c) { 1.0 } else { 0.0 });
            out.push(if self.holding(g) { 1.0 } else { 0.0 });
        }
    }
}
