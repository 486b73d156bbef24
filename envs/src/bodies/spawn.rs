//! A [`BodySpec`] in a physics world: spawning its parts and joints, driving
//! its motors from an action, and reading the motor part of the observation.

use rapier2d::prelude::*;

use super::spec::*;
use super::spec::{Contact, Shape};
use crate::physics::limits::{self, Limit};
use crate::physics::{Physics, Vec2, groups};

/// A spawned body: handles into one episode's world.
#[derive(Clone, Debug)]
pub struct Body {
    /// Rigid bodies, in the spec's part order.
    pub parts: Vec<RigidBodyHandle>,
    /// Each part's collider, in part order.
    pub colliders: Vec<ColliderHandle>,
    /// The motorised joints, in the spec's motor order.
    pub joints: Vec<ImpulseJointHandle>,
    /// Relative angle (child - parent) of each motor's parts at spawn: the
    /// zero of its joint angle, as Box2D's reference angle.
    pub reference_angles: Vec<f32>,
    /// Each gripper's sensor collider (attached to its part).
    pub grippers: Vec<ColliderHandle>,
    /// Each part's outline in its local frame, counter-clockwise.
    pub outlines: Vec<Vec<Vec2>>,
}

/// Stiffness of the velocity motor: large enough that, as in Box2D, only the
/// torque limit bounds how fast the target speed is reached.
const MOTOR_DAMPING: f32 = 1.0e6;

/// A revolute joint at `anchor` (world) whose angle is `start` in the current
/// pose, free to turn `slop` past each limit ([`PhysicsConfig::joint_slop`];
/// with Box2D's limits, `physics::limits` resets them before every step).
///
/// [`PhysicsConfig::joint_slop`]: crate::physics::PhysicsConfig::joint_slop
fn hinge(
    w: &PhysicsWorld,
    a: RigidBodyHandle,
    b: RigidBodyHandle,
    anchor: Vec2,
    limits: [f32; 2],
    slop: f32,
    start: f32,
) -> (GenericJoint, f32) {
    let (pa, pb) = (w.bodies[a].position(), w.bodies[b].position());
    let reference = pb.rotation.angle() - pa.rotation.angle() - start;
    // Box2D holds limits closer than two slops apart exactly (its "equal
    // limits"): such a joint stays rigid.
    let slop = if limits::equal_limits(limits, slop) { 0.0 } else { slop };
    let mut joint: GenericJoint = RevoluteJointBuilder::new()
        .limits([limits[0] - slop, limits[1] + slop])
        .contacts_enabled(false)
        .build()
        .into();
    joint.set_local_frame1(Pose::from_parts(
        pa.inverse_transform_point(anchor),
        Rotation::IDENTITY,
    ));
    joint.set_local_frame2(Pose::from_parts(
        pb.inverse_transform_point(anchor),
        Rotation::new(-reference),
    ));
    (joint, reference)
}

/// A part's collider: its outline rounded by `skin` (a circle by the
/// terrain's share of it, Box2D rounding only polygons), with the mass of the
/// bare outline, as Box2D leaves the skin out of a shape's mass.
fn part_collider(shape: &Shape, density: f32, skin: f32) -> ColliderBuilder {
    const HULL: &str = "body polygon has at least 3 non-collinear points";
    // The drawn vertex order (not `Shape::outline`'s sorted one): the hull's
    // vertex order moves the solver's arithmetic in its last bits.
    let points = |v: &[[f32; 2]]| -> Vec<Vec2> { v.iter().map(|&q| Vec2::from(q)).collect() };
    let bare = match shape {
        Shape::Polygon(v) => ColliderBuilder::convex_hull(&points(v)).expect(HULL),
        Shape::Rect { w, h } => ColliderBuilder::cuboid(w / 2.0, h / 2.0),
        Shape::Circle { r } => ColliderBuilder::ball(*r),
    };
    let rounded = match shape {
        _ if skin <= 0.0 => bare.clone(),
        Shape::Polygon(v) => ColliderBuilder::round_convex_hull(&points(v), skin).expect(HULL),
        Shape::Rect { w, h } => ColliderBuilder::round_cuboid(w / 2.0, h / 2.0, skin),
        Shape::Circle { r } => ColliderBuilder::ball(r + skin / 2.0),
    };
    rounded.mass_properties(bare.shape.mass_properties(density))
}

impl Body {
    /// Builds the body with its spawn point at `origin`; `push` is an initial
    /// horizontal impulse on the head (the original's random start force).
    pub fn spawn(spec: &BodySpec, physics: &mut Physics, origin: Vec2, push: f32) -> Self {
        let (skin, slop) = (physics.skin, physics.joint_slop);
        let w = &mut physics.world;
        let mut parts = Vec::with_capacity(spec.parts.len());
        let mut colliders = Vec::with_capacity(spec.parts.len());
        for p in &spec.parts {
            let rb = RigidBodyBuilder::dynamic()
                .translation(origin + Vec2::from(p.pos))
                .rotation(p.angle)
                .can_sleep(false);
            let col = part_collider(&p.shape, p.density, skin)
                .friction(p.friction)
                .friction_combine_rule(CoefficientCombineRule::GeometricMean)
                .restitution(0.0)
                .collision_groups(groups::body());
            let (h, c) = w.insert(rb, col);
            parts.push(h);
            colliders.push(c);
        }
        let mut joints = Vec::with_capacity(spec.motors.len());
        let mut reference_angles = Vec::with_capacity(spec.motors.len());
        for m in &spec.motors {
            let (pa, pb) = (parts[m.parent], parts[m.child]);
            let (mut joint, reference) = hinge(w, pa, pb, origin + Vec2::from(m.anchor), m.limits, slop, m.start_angle);
            joint.set_motor_model(JointAxis::AngX, MotorModel::ForceBased);
            joint.set_motor_velocity(JointAxis::AngX, 0.0, MOTOR_DAMPING);
            joint.set_motor_max_force(JointAxis::AngX, spec.torque);
            let handle = w.insert_impulse_joint(pa, pb, joint);
            physics.limits.push(Limit { joint: handle, parent: pa, child: pb, reference, range: m.limits });
            joints.push(handle);
            reference_angles.push(reference);
        }
        for h in &spec.hinges {
            let (joint, reference) = hinge(
                w,
                parts[h.parent],
                parts[h.child],
                origin + Vec2::from(h.anchor),
                h.limits,
                slop,
                0.0,
            );
            let (parent, child) = (parts[h.parent], parts[h.child]);
            let handle = w.insert_impulse_joint(parent, child, joint);
            physics.limits.push(Limit { joint: handle, parent, child, reference, range: h.limits });
        }
        let grippers = spec
            .grippers
            .iter()
            .map(|g| {
                let owner = parts[g.part];
                let local = w.bodies[owner]
                    .position()
                    .inverse_transform_point(origin + Vec2::from(g.pos));
                let sensor = ColliderBuilder::ball(GRIPPER_RADIUS)
                    .translation(local)
                    .density(0.0)
                    .sensor(true)
                    .collision_groups(groups::gripper());
                w.insert_collider(sensor, Some(owner))
            })
            .collect();
        if push != 0.0 {
            let dt = w.integration_parameters.dt;
            w.bodies[parts[spec.head]].apply_impulse(Vec2::new(push * dt, 0.0), true);
        }
        let outlines = spec.parts.iter().map(|p| p.shape.outline()).collect();
        Self {
            parts,
            colliders,
            joints,
            reference_angles,
            grippers,
            outlines,
        }
    }

    /// Sets every motor from an action in [-1, 1] (values outside are clipped,
    /// NaN counts as 0): target speed `speed * sign(a)`, torque `torque * |a|`.
    /// Actions past the motors (the grippers') are ignored here.
    pub fn actuate(&self, spec: &BodySpec, physics: &mut Physics, action: &[f32]) {
        for ((m, &j), &a) in spec.motors.iter().zip(&self.joints).zip(action) {
            let a = clean_action(a);
            let speed = if a > 0.0 {
                m.speed
            } else if a < 0.0 {
                -m.speed
            } else {
                0.0
            };
            if let Some(joint) = physics.world.impulse_joints.get_mut(j, false) {
                joint
                    .data
                    .set_motor_velocity(JointAxis::AngX, speed, MOTOR_DAMPING);
                joint
                    .data
                    .set_motor_max_force(JointAxis::AngX, spec.torque * a.abs());
            }
        }
    }

    /// Joint angle of motor `i` (0 at the drawn pose), wrapped to [-π, π].
    pub fn motor_angle(&self, spec: &BodySpec, physics: &Physics, i: usize) -> f32 {
        let m = &spec.motors[i];
        limits::hinge_angle(&physics.world, self.parts[m.parent], self.parts[m.child], self.reference_angles[i])
    }

    /// Appends, per motor: angle (+offset), relative speed / motor speed, and
    /// the contact flag of its sensed part where it has one.
    pub fn motor_state(&self, spec: &BodySpec, physics: &Physics, out: &mut Vec<f32>) {
        for (i, m) in spec.motors.iter().enumerate() {
            let (a, b) = (
                physics.body(self.parts[m.parent]),
                physics.body(self.parts[m.child]),
            );
            out.push(self.motor_angle(spec, physics, i) + m.angle_offset);
            out.push((b.angvel() - a.angvel()) / m.speed);
            if let Some(p) = m.contact_part {
                out.push(if physics.touching(self.colliders[p]) {
                    1.0
                } else {
                    0.0
                });
            }
        }
    }

    /// The rigid body of the spec's head part.
    pub fn head(&self, spec: &BodySpec) -> RigidBodyHandle {
        self.parts[spec.head]
    }

    /// Did any part marked [`Contact::Critical`] touch the world, other than
    /// the collider `allowed` (the ceiling, for climbers)?
    pub fn critical_contact(
        &self,
        spec: &BodySpec,
        physics: &Physics,
        allowed: Option<ColliderHandle>,
    ) -> bool {
        let touches = |c: ColliderHandle| {
            physics.world.narrow_phase.contact_pairs_with(c).any(|pair| {
                let other = if pair.collider1 == c {
                    pair.collider2
                } else {
                    pair.collider1
                };
                Some(other) != allowed && pair.has_any_active_contact()
            }) || physics.impacts_with(c).any(|other| Some(other) != allowed)
        };
        spec.parts
            .iter()
            .zip(&self.colliders)
            .any(|(p, &c)| p.contact == Contact::Critical && touches(c))
    }

    /// False if any part's pose or velocity is non-finite or absurd: the
    /// solver blew up (or the body left the world) and the episode must end.
    /// Why these bounds: the bodies' parts move at a few units/s when
    /// walking and a few tens when falling (at most 66 units/s and 220 rad/s
    /// for a small spinning part, over every world × body with random,
    /// bang-bang and non-finite actions in `envs/tests/fuzz.rs`); 200
    /// units/s or 2000 rad/s only come out of a solver explosion. Tracks are
    /// a few hundred units long; 10⁴ units away is off the world.
    pub fn is_sane(&self, physics: &Physics) -> bool {
        const MAX_POSITION: f32 = 1.0e4;
        const MAX_SPEED: f32 = 200.0;
        const MAX_SPIN: f32 = 2000.0;
        self.parts.iter().all(|&h| {
            let b = physics.body(h);
            let (t, v, w) = (b.translation(), b.linvel(), b.angvel());
            t.is_finite()
                && v.is_finite()
                && w.is_finite()
                && t.abs().max_element() < MAX_POSITION
                && v.length() < MAX_SPEED
                && w.abs() < MAX_SPIN
        })
    }
}

/// An action value as the motors see it: NaN is 0, the rest clipped to [-1, 1].
pub fn clean_action(a: f32) -> f32 {
    if a.is_nan() { 0.0 } else { a.clamp(-1.0, 1.0) }
}
