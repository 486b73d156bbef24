//! Embodiments as data.
//!
//! A [`BodySpec`] lists rigid parts (shape, mass, where they sit when the body
//! is spawned) and motorised hinges between them. One builder,
//! [`Body::spawn`], turns any spec into rapier bodies and joints, and one
//! controller maps actions to motors and reads the motor part of the
//! observation. A new embodiment is a new function returning a spec, never a
//! new copy of the simulation code.

pub mod bipedal;

use rapier2d::prelude::*;
use serde::{Deserialize, Serialize};

use crate::physics::{Physics, Vec2, groups};

/// A collision shape in body units (already divided by the world scale).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Shape {
    /// A convex polygon; vertex order does not matter.
    Polygon(Vec<[f32; 2]>),
    /// A rectangle of full width `w` and height `h`, centred on the part.
    Rect { w: f32, h: f32 },
    Circle { r: f32 },
}

/// What the world should watch about a part.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum Contact {
    /// Contacts do not matter.
    #[default]
    Ignored,
    /// Touching the world is observed (a foot's ground contact).
    Sensed,
    /// Touching the world ends the episode as a fall (a walker's hull).
    Critical,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartSpec {
    pub name: String,
    pub shape: Shape,
    pub density: f32,
    pub friction: f32,
    /// Centre of the part relative to the body's spawn point.
    pub pos: [f32; 2],
    pub angle: f32,
    pub contact: Contact,
}

/// A motorised hinge. Box2D-style: the motor drives the relative angular
/// velocity towards `±speed` with at most `|action| * torque`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MotorSpec {
    pub parent: usize,
    pub child: usize,
    /// Hinge point relative to the body's spawn point.
    pub anchor: [f32; 2],
    /// Joint angle limits (radians, child relative to parent).
    pub limits: [f32; 2],
    /// Motor speed at full action, also the normaliser of the observed speed.
    pub speed: f32,
    /// Added to the observed angle (the original centres knee angles this way).
    pub angle_offset: f32,
    /// Observe this part's contact right after the motor's angle and speed.
    pub contact_part: Option<usize>,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BodySpec {
    pub name: String,
    pub parts: Vec<PartSpec>,
    pub motors: Vec<MotorSpec>,
    /// Maximum motor torque at |action| = 1.
    pub torque: f32,
    /// Reward cost per unit of |action| per motor, times 80 (the original's reference torque).
    pub torque_penalty: f32,
    /// The part whose pose, velocity and lidar make the "head" of the observation.
    pub head: usize,
    /// Height of the spawn point above the ground.
    pub spawn_height: f32,
    /// Horizontal extent, used to size the flat start pad.
    pub width: f32,
}

impl BodySpec {
    pub fn action_size(&self) -> usize {
        self.motors.len()
    }

    /// Angle and speed per motor, plus one contact flag per sensed motor.
    pub fn motor_state_size(&self) -> usize {
        self.motors.iter().map(|m| 2 + usize::from(m.contact_part.is_some())).sum()
    }
}

/// A spawned body: handles into one episode's world.
#[derive(Clone, Debug)]
pub struct Body {
    pub parts: Vec<RigidBodyHandle>,
    pub colliders: Vec<ColliderHandle>,
    pub joints: Vec<ImpulseJointHandle>,
}

/// Stiffness of the velocity motor: large enough that, as in Box2D, only the
/// torque limit bounds how fast the target speed is reached.
const MOTOR_DAMPING: f32 = 1.0e6;

impl Body {
    /// Builds the body with its spawn point at `origin`; `push` is an initial
    /// horizontal impulse on the head (the original's random start force).
    pub fn spawn(spec: &BodySpec, physics: &mut Physics, origin: Vec2, push: f32) -> Self {
        let w = &mut physics.world;
        let mut parts = Vec::with_capacity(spec.parts.len());
        let mut colliders = Vec::with_capacity(spec.parts.len());
        for p in &spec.parts {
            let rb = RigidBodyBuilder::dynamic()
                .translation(origin + Vec2::from(p.pos))
                .rotation(p.angle)
                .can_sleep(false);
            let shape = match &p.shape {
                Shape::Polygon(v) => {
                    let pts: Vec<Vec2> = v.iter().map(|&q| Vec2::from(q)).collect();
                    ColliderBuilder::convex_hull(&pts).expect("body polygon has at least 3 non-collinear points")
                }
                Shape::Rect { w, h } => ColliderBuilder::cuboid(w / 2.0, h / 2.0),
                Shape::Circle { r } => ColliderBuilder::ball(*r),
            };
            let col = shape
                .density(p.density)
                .friction(p.friction)
                .friction_combine_rule(CoefficientCombineRule::GeometricMean)
                .restitution(0.0)
                .collision_groups(groups::body());
            let (h, c) = w.insert(rb, col);
            parts.push(h);
            colliders.push(c);
        }
        let mut joints = Vec::with_capacity(spec.motors.len());
        for m in &spec.motors {
            let anchor = origin + Vec2::from(m.anchor);
            let (pa, pb) = (w.bodies[parts[m.parent]].position(), w.bodies[parts[m.child]].position());
            let joint = RevoluteJointBuilder::new()
                .local_anchor1(pa.inverse_transform_point(anchor))
                .local_anchor2(pb.inverse_transform_point(anchor))
                .limits(m.limits)
                .motor_model(MotorModel::ForceBased)
                .motor_velocity(0.0, MOTOR_DAMPING)
                .motor_max_force(spec.torque)
                .contacts_enabled(false);
            joints.push(w.insert_impulse_joint(parts[m.parent], parts[m.child], joint));
        }
        if push != 0.0 {
            let dt = w.integration_parameters.dt;
            w.bodies[parts[spec.head]].apply_impulse(Vec2::new(push * dt, 0.0), true);
        }
        Self { parts, colliders, joints }
    }

    /// Sets every motor from an action in [-1, 1] (values outside are clipped,
    /// NaN counts as 0): target speed `speed * sign(a)`, torque `torque * |a|`.
    pub fn actuate(&self, spec: &BodySpec, physics: &mut Physics, action: &[f32]) {
        for ((m, &j), &a) in spec.motors.iter().zip(&self.joints).zip(action) {
            let a = if a.is_nan() { 0.0 } else { a.clamp(-1.0, 1.0) };
            let speed = if a > 0.0 { m.speed } else if a < 0.0 { -m.speed } else { 0.0 };
            if let Some(joint) = physics.world.impulse_joints.get_mut(j, false) {
                joint.data.set_motor_velocity(JointAxis::AngX, speed, MOTOR_DAMPING);
                joint.data.set_motor_max_force(JointAxis::AngX, spec.torque * a.abs());
            }
        }
    }

    /// Appends, per motor: angle (+offset), relative speed / motor speed, and
    /// the contact flag of its sensed part where it has one.
    pub fn motor_state(&self, spec: &BodySpec, physics: &Physics, out: &mut Vec<f32>) {
        for m in &spec.motors {
            let (a, b) = (physics.body(self.parts[m.parent]), physics.body(self.parts[m.child]));
            let angle = (b.rotation().angle() - a.rotation().angle() + std::f32::consts::PI)
                .rem_euclid(std::f32::consts::TAU)
                - std::f32::consts::PI;
            out.push(angle + m.angle_offset);
            out.push((b.angvel() - a.angvel()) / m.speed);
            if let Some(p) = m.contact_part {
                out.push(if physics.touching(self.colliders[p]) { 1.0 } else { 0.0 });
            }
        }
    }

    pub fn head(&self, spec: &BodySpec) -> RigidBodyHandle {
        self.parts[spec.head]
    }

    /// Did any part marked [`Contact::Critical`] touch the world?
    pub fn critical_contact(&self, spec: &BodySpec, physics: &Physics) -> bool {
        spec.parts
            .iter()
            .zip(&self.colliders)
            .any(|(p, &c)| p.contact == Contact::Critical && physics.touching(c))
    }

    /// False if any part's pose or velocity is non-finite or absurdly large:
    /// the solver blew up and the episode must end.
    pub fn is_sane(&self, physics: &Physics) -> bool {
        const LIMIT: f32 = 1.0e4;
        self.parts.iter().all(|&h| {
            let b = physics.body(h);
            let (t, v, w) = (b.translation(), b.linvel(), b.angvel());
            t.is_finite() && v.is_finite() && w.is_finite() && t.abs().max_element() < LIMIT && v.abs().max_element() < LIMIT
        })
    }
}
