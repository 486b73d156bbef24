//! A body as data: rigid parts, motorised and passive hinges, grippers, and
//! the builder ([`BodySpec::add_limb`]) most bodies are made with.

use serde::{Deserialize, Serialize};

use crate::physics::Vec2;

/// The original's pixel-to-world scale (Box2D units = pixels / 30).
pub const SCALE: f32 = 30.0;

/// Pixels to world units.
pub fn px(v: f32) -> f32 {
    v / SCALE
}

/// A collision shape in body units (already divided by the world scale).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Shape {
    /// A convex polygon; vertex order does not matter.
    Polygon(Vec<[f32; 2]>),
    /// A rectangle of full width `w` and height `h`, centred on the part.
    Rect {
        /// Full width.
        w: f32,
        /// Full height.
        h: f32,
    },
    /// A disc centred on the part.
    Circle {
        /// Radius.
        r: f32,
    },
}

impl Shape {
    /// A polygon given in pixels.
    pub fn polygon_px(points: &[[f32; 2]]) -> Self {
        Shape::Polygon(points.iter().map(|p| [px(p[0]), px(p[1])]).collect())
    }

    /// The outline in counter-clockwise order around the part's centre
    /// (circles as 12-gons): what water forces integrate over.
    pub fn outline(&self) -> Vec<Vec2> {
        let mut pts: Vec<Vec2> = match self {
            Shape::Polygon(v) => v.iter().map(|&p| Vec2::from(p)).collect(),
            Shape::Rect { w, h } => {
                let (x, y) = (w / 2.0, h / 2.0);
                vec![
                    Vec2::new(-x, -y),
                    Vec2::new(x, -y),
                    Vec2::new(x, y),
                    Vec2::new(-x, y),
                ]
            }
            Shape::Circle { r } => (0..12)
                .map(|i| Vec2::from_angle(i as f32 * std::f32::consts::TAU / 12.0) * *r)
                .collect(),
        };
        let c = pts.iter().fold(Vec2::ZERO, |a, &p| a + p) / pts.len() as f32;
        pts.sort_by(|a, b| {
            (a.y - c.y)
                .atan2(a.x - c.x)
                .total_cmp(&(b.y - c.y).atan2(b.x - c.x))
        });
        pts
    }
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

/// How a body gets around; decides which survival rule, lidar fan and start
/// pose the Parkour world applies, as the original's body types do.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum BodyKind {
    /// Walks on the ground; drowns after [`BodySpec::survival_steps`] under water.
    #[default]
    Walker,
    /// Hangs from the ceiling and creepers with grippers; may touch the
    /// ceiling but not the ground; drowns like a walker.
    Climber,
    /// Swims; suffocates after [`BodySpec::survival_steps`] out of water.
    Swimmer,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
/// One rigid part of a body.
pub struct PartSpec {
    /// Name (shown by the viewer, used in errors).
    pub name: String,
    /// Collision shape, in the part's own frame.
    pub shape: Shape,
    /// Density (mass per area), as the original's fixture.
    pub density: f32,
    /// Friction coefficient (combined with the ground's by geometric mean, as Box2D).
    pub friction: f32,
    /// Centre of the part relative to the body's spawn point.
    pub pos: [f32; 2],
    /// Angle as drawn (radians).
    pub angle: f32,
    /// What touching the terrain means for this part.
    pub contact: Contact,
}

/// A motorised hinge. Box2D-style: the motor drives the relative angular
/// velocity towards `±speed` with at most `|action| * torque`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MotorSpec {
    /// Index of the parent part.
    pub parent: usize,
    /// Index of the child part, which the motor turns.
    pub child: usize,
    /// Hinge point relative to the body's spawn point.
    pub anchor: [f32; 2],
    /// Joint angle limits (radians, child relative to parent, 0 = drawn pose).
    pub limits: [f32; 2],
    /// Motor speed at full action, also the normaliser of the observed speed.
    pub speed: f32,
    /// Added to the observed angle (the original centres knee angles this way).
    pub angle_offset: f32,
    /// Observe this part's contact right after the motor's angle and speed.
    pub contact_part: Option<usize>,
    /// Joint angle in the body's start pose (see [`BodySpec::in_start_pose`]);
    /// 0 for bodies that start as drawn.
    #[serde(default)]
    pub start_angle: f32,
}

/// A hinge without a motor (a chimpanzee's neck, a millipede's segments).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HingeSpec {
    /// Index of the parent part.
    pub parent: usize,
    /// Index of the child part.
    pub child: usize,
    /// Hinge point relative to the body's spawn point.
    pub anchor: [f32; 2],
    /// Joint angle limits (radians, child relative to parent, 0 = drawn pose).
    pub limits: [f32; 2],
}

/// A grasping sensor at the tip of a part: a small ball that can attach to
/// the ceiling or a creeper while its action is positive.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct GripperSpec {
    /// The part the sensor sits on.
    pub part: usize,
    /// Centre of the sensor relative to the body's spawn point.
    pub pos: [f32; 2],
}

/// The grasping sensor's radius (the original's 0.05 world units).
pub const GRIPPER_RADIUS: f32 = 0.05;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
/// A body: parts, motorised joints, passive hinges and grippers, with the
/// original's torque, penalties and spawn geometry.
pub struct BodySpec {
    /// Registry name.
    pub name: String,
    /// Walker, climber or swimmer: which worlds it fits and its lidar fan.
    pub kind: BodyKind,
    /// The rigid parts; the head is `parts[head]`.
    pub parts: Vec<PartSpec>,
    /// Motorised joints, in action and observation order.
    pub motors: Vec<MotorSpec>,
    /// Passive hinges (no motor, not observed).
    pub hinges: Vec<HingeSpec>,
    /// Grasping sensors (climbers), one action each after the motors'.
    pub grippers: Vec<GripperSpec>,
    /// Maximum motor torque at |action| = 1.
    pub torque: f32,
    /// Reward cost per unit of |action| per motor, times 80 (the original's reference torque).
    pub torque_penalty: f32,
    /// Whether a tilted head costs reward (the original drops this for
    /// bodies whose head angle means nothing: fish, wheel, chimpanzees).
    pub head_angle_penalty: bool,
    /// Consecutive steps the body survives in the wrong medium (under water
    /// for walkers and climbers, out of it for swimmers).
    pub survival_steps: u32,
    /// The part whose pose, velocity and lidar make the "head" of the observation.
    pub head: usize,
    /// Height of the spawn point above the ground.
    pub spawn_height: f32,
    /// Horizontal extent, used to size the flat start pad.
    pub width: f32,
    /// Already turned into its start pose: posing again must not turn it
    /// twice (a world rebuilt from another world's body, as a run with
    /// `bounds` overrides does, would otherwise spawn it folded up).
    #[serde(default)]
    pub posed: bool,
}

/// One segment of a limb chain: a rectangle that starts at the previous
/// joint and extends `h` along its own axis, towards `outward` = +1 (its
/// local +y) or -1 (local -y, a leg hanging down at angle 0).
#[derive(Clone, Debug, PartialEq)]
pub struct Segment {
    /// Width.
    pub w: f32,
    /// Length along its axis.
    pub h: f32,
    /// Angle as drawn, from the hanging (or pointing) pose.
    pub angle: f32,
    /// +1: extends along local +y from the joint; −1: along −y (hanging).
    pub outward: f32,
    /// Joint limits (radians, 0 = drawn pose).
    pub limits: [f32; 2],
    /// Motor speed at full action.
    pub speed: f32,
    /// Added to the observed joint angle.
    pub angle_offset: f32,
    /// What touching the terrain means for this segment.
    pub contact: Contact,
    /// The motor's observation includes this segment's contact.
    pub observe_contact: bool,
    /// Joint angle (relative to the previous segment) in the body's start
    /// pose; the joint's zero stays at the drawn pose `angle`.
    pub start: f32,
}

/// Motor speeds of the original bodies' hips and knees.
pub const SPEED_HIP: f32 = 4.0;
/// Motor speed of the original bodies' knees.
pub const SPEED_KNEE: f32 = 6.0;

impl Segment {
    /// The classic thigh: hip limits [-0.8, 1.1], hip speed, hanging down.
    pub fn thigh(w: f32, h: f32) -> Self {
        Self {
            w,
            h,
            angle: 0.0,
            outward: -1.0,
            limits: [-0.8, 1.1],
            speed: SPEED_HIP,
            angle_offset: 0.0,
            contact: Contact::Ignored,
            observe_contact: false,
            start: 0.0,
        }
    }

    /// The classic shin (80% of the thigh's width): knee limits [-1.6, -0.1],
    /// knee speed, angle observed +1, foot contact observed.
    pub fn shin(w: f32, h: f32) -> Self {
        Self {
            w: 0.8 * w,
            limits: [-1.6, -0.1],
            speed: SPEED_KNEE,
            angle_offset: 1.0,
            contact: Contact::Sensed,
            observe_contact: true,
            ..Self::thigh(w, h)
        }
    }

    /// Points the segment along `dir` by tilting it `angle` from the hanging pose.
    pub fn tilted(mut self, angle: f32, outward: f32) -> Self {
        self.angle = angle;
        self.outward = outward;
        self
    }

    /// Starts the segment `angle` away from its drawn pose (see [`Segment::start`]).
    pub fn starting_at(mut self, angle: f32) -> Self {
        self.start = angle;
        self
    }

    /// Sets the joint limits (radians).
    pub fn limits(mut self, lo: f32, hi: f32) -> Self {
        self.limits = [lo, hi];
        self
    }

    /// Sets the motor speed at full action.
    pub fn speed(mut self, speed: f32) -> Self {
        self.speed = speed;
        self
    }

    /// Sets the contact rule, and whether the motor's observation includes the contact.
    pub fn contact(mut self, contact: Contact, observed: bool) -> Self {
        self.contact = contact;
        self.observe_contact = observed;
        self
    }
}

impl BodySpec {
    /// An empty spec; parts, motors and grippers are added with the `add_*` methods.
    pub fn new(name: &str, kind: BodyKind, torque: f32, torque_penalty: f32) -> Self {
        Self {
            name: name.into(),
            kind,
            parts: Vec::new(),
            motors: Vec::new(),
            hinges: Vec::new(),
            grippers: Vec::new(),
            torque,
            torque_penalty,
            head_angle_penalty: true,
            survival_steps: 600,
            head: 0,
            spawn_height: 0.0,
            width: 0.0,
            posed: false,
        }
    }

    /// Adds a part and returns its index.
    pub fn add_part(
        &mut self,
        name: &str,
        shape: Shape,
        density: f32,
        pos: [f32; 2],
        contact: Contact,
    ) -> usize {
        self.parts.push(PartSpec {
            name: name.into(),
            shape,
            density,
            friction: 0.2,
            pos,
            angle: 0.0,
            contact,
        });
        self.parts.len() - 1
    }

    /// Adds a chain of motorised segments hanging from `parent` at `anchor`,
    /// each hinged to the previous one. Returns the last segment and its far end.
    pub fn add_limb(
        &mut self,
        name: &str,
        parent: usize,
        anchor: [f32; 2],
        segments: &[Segment],
    ) -> (usize, [f32; 2]) {
        let (mut prev, mut joint) = (parent, anchor);
        for (i, s) in segments.iter().enumerate() {
            let axis = [-s.angle.sin() * s.outward, s.angle.cos() * s.outward];
            let at = |d: f32| [joint[0] + axis[0] * d, joint[1] + axis[1] * d];
            self.parts.push(PartSpec {
                name: format!("{name}_{i}"),
                shape: Shape::Rect { w: s.w, h: s.h },
                density: 1.0,
                friction: 0.2,
                pos: at(s.h / 2.0),
                angle: s.angle,
                contact: s.contact,
            });
            let child = self.parts.len() - 1;
            self.motors.push(MotorSpec {
                parent: prev,
                child,
                anchor: joint,
                limits: s.limits,
                speed: s.speed,
                angle_offset: s.angle_offset,
                contact_part: s.observe_contact.then_some(child),
                start_angle: s.start,
            });
            (prev, joint) = (child, at(s.h));
        }
        (prev, joint)
    }

    /// The lowest point of the body's parts relative to its spawn point
    /// (polygons by their vertices, rectangles by their corners, circles
    /// by their bottom).
    pub fn lowest_point(&self) -> f32 {
        self.parts
            .iter()
            .map(|p| {
                let (s, c) = p.angle.sin_cos();
                let low = match &p.shape {
                    Shape::Rect { w, h } => -(0.5 * h * c.abs() + 0.5 * w * s.abs()),
                    Shape::Circle { r } => -r,
                    Shape::Polygon(v) => v.iter().map(|q| q[0] * s + q[1] * c).fold(f32::INFINITY, f32::min),
                };
                p.pos[1] + low
            })
            .fold(f32::INFINITY, f32::min)
    }

    /// Action entries: one per motor, one per gripper.
    pub fn action_size(&self) -> usize {
        self.motors.len() + self.grippers.len()
    }

    /// Angle and speed per motor, plus one contact flag per sensed motor.
    pub fn motor_state_size(&self) -> usize {
        self.motors
            .iter()
            .map(|m| 2 + usize::from(m.contact_part.is_some()))
            .sum()
    }

    /// Whether the body has a start pose other than its drawn one.
    pub fn has_start_pose(&self) -> bool {
        self.motors.iter().any(|m| m.start_angle != 0.0)
    }

    /// The body turned into its start pose (each motor's `start_angle`),
    /// spawning with its lowest point on the ground; joint angles still
    /// read 0 at the drawn pose. Motors must come after their parent's
    /// (as limbs are built).
    /// Idempotent: a posed body is returned as it is.
    pub fn in_start_pose(mut self) -> Self {
        if self.posed {
            return self;
        }
        self.posed = true;
        // Per part, the rigid motion from the drawn pose: rotation, then translation.
        let mut moved = vec![(0.0f32, [0.0f32; 2]); self.parts.len()];
        let apply = |(turn, shift): (f32, [f32; 2]), p: [f32; 2]| {
            let (s, c) = turn.sin_cos();
            [c * p[0] - s * p[1] + shift[0], s * p[0] + c * p[1] + shift[1]]
        };
        for m in &self.motors {
            // Turn the child by its start angle about the (drawn) anchor,
            // then move it with its parent.
            let (a, turned) = (m.anchor, apply((m.start_angle, [0.0; 2]), m.anchor));
            let parent = moved[m.parent];
            let shift = apply(parent, [a[0] - turned[0], a[1] - turned[1]]);
            moved[m.child] = (parent.0 + m.start_angle, shift);
        }
        for (p, &t) in self.parts.iter_mut().zip(&moved) {
            p.pos = apply(t, p.pos);
            p.angle += t.0;
        }
        for m in &mut self.motors {
            m.anchor = apply(moved[m.parent], m.anchor);
        }
        for h in &mut self.hinges {
            h.anchor = apply(moved[h.parent], h.anchor);
        }
        for g in &mut self.grippers {
            g.pos = apply(moved[g.part], g.pos);
        }
        self.spawn_height = -self.lowest_point();
        self
    }

    /// The body spawning as drawn: its start pose forgotten. A body already
    /// posed keeps its pose (its parts have moved).
    pub fn as_drawn(mut self) -> Self {
        if self.posed {
            return self;
        }
        for m in &mut self.motors {
            m.start_angle = 0.0;
        }
        self
    }

    /// The same body with every critical part demoted to merely sensed: the
    /// Parkour world lets walkers touch the ground with their hull.
    pub fn without_critical_parts(mut self) -> Self {
        for p in &mut self.parts {
            if p.contact == Contact::Critical {
                p.contact = Contact::Sensed;
            }
        }
        self
    }
}
