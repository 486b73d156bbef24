//! A thin layer over rapier2d shared by every physics world: world creation
//! with the frame rate and gravity of the original Box2D worlds, collision
//! groups, lidar ray casts and contact queries.
//!
//! Every episode gets a brand-new rapier world. Reusing one would carry
//! broad-phase trees, arena generations and warm-start caches from earlier
//! episodes into the next, so the same (seed, task, actions) could give
//! different trajectories depending on what ran before.

pub mod continuous;
pub mod grip;
pub mod lidar;
pub mod limits;
pub mod water;

use rapier2d::prelude::*;

pub use rapier2d::math::Vector as Vec2;

/// Box2D's default gravity, which the original worlds keep.
pub const GRAVITY: f32 = -10.0;

/// Collision categories, mirroring the original's Box2D category bits:
/// terrain (0x1) collides with everything, body parts (0x20) only with the
/// world (mask 0x0F), so limbs of one body pass through each other.
pub mod groups {
    use rapier2d::prelude::*;
    /// The ground and obstacles: solid for everything.
    pub const TERRAIN: Group = Group::GROUP_1;
    /// The ceiling: solid like the ground, and graspable.
    pub const CEILING: Group = Group::GROUP_2;
    /// Creepers: graspable, seen by lidars, but no obstacle to the body.
    pub const CREEPER: Group = Group::GROUP_3;
    /// Body parts.
    pub const BODY: Group = Group::GROUP_6;
    /// Grasping sensors at a climber's hands.
    pub const GRIPPER: Group = Group::GROUP_7;
    /// What a body part collides with: the world's categories 0x1..0x8.
    pub const WORLD: Group = Group::from_bits_truncate(0x0F);
    /// What lidars see.
    pub const VISIBLE: Group = TERRAIN.union(CEILING).union(CREEPER);

    /// Ground and obstacles collide with everything.
    pub fn terrain() -> InteractionGroups {
        InteractionGroups::new(TERRAIN, Group::ALL, InteractionTestMode::And)
    }
    /// The ceiling collides with everything.
    pub fn ceiling() -> InteractionGroups {
        InteractionGroups::new(CEILING, Group::ALL, InteractionTestMode::And)
    }
    /// Creepers touch only grippers (and are seen by lidars).
    pub fn creeper() -> InteractionGroups {
        InteractionGroups::new(CREEPER, GRIPPER, InteractionTestMode::And)
    }
    /// Body parts collide with the world, not with each other.
    pub fn body() -> InteractionGroups {
        InteractionGroups::new(BODY, WORLD, InteractionTestMode::And)
    }
    /// Gripper sensors detect the ceiling and creepers.
    pub fn gripper() -> InteractionGroups {
        InteractionGroups::new(GRIPPER, CEILING.union(CREEPER), InteractionTestMode::And)
    }
}

/// Solver settings of a world. The original steps Box2D at 50 Hz with 180
/// velocity and 60 position iterations, enough for a motor to reach its
/// target speed within the step it is set. rapier's defaults (4 substeps of 1
/// iteration) are stable but under-converged for a body whose 80-torque
/// motors drive light legs against the ground: a motor reached about half its
/// target speed in a step, the joint speeds a policy reads differed from
/// Box2D's by 0.20 on average (`envs/tests/box2d_response.rs`), and PPO gaits
/// learned on Box2D's flat track covered 34–79 of their ~430 units of distance
/// on trellis's (0% mastered). 8 substeps × 4 iterations brings that
/// difference to 0.08 and those gaits to 97–330 units, at about half the env
/// speed (the student's update still dominates a run's time). Measured with
/// `cargo test -p trellis-envs --test box2d_response -- --nocapture` and
/// `bench/parity/crosseval.py`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhysicsConfig {
    /// Steps per simulated second (the original's 50).
    pub fps: f32,
    /// rapier substeps per step (`num_solver_iterations`): each integrates
    /// the bodies over 1 / (fps × substeps) s; more make joint limits and
    /// contacts follow the motion more closely.
    pub solver_iterations: usize,
    /// Gauss–Seidel sweeps over the constraints within a substep
    /// (`num_internal_pgs_iterations`): more let a motor's push travel
    /// through the hull–leg–ground chain before the substep ends.
    pub pgs_iterations: usize,
    /// How far (world units) a body part's collision shape reaches beyond
    /// its drawn outline against the terrain. Box2D rounds every polygon,
    /// the terrain's edges and stumps included, by a skin of
    /// `b2_polygonRadius` = 0.01: a part meets the terrain, and a foot's
    /// ground sensor reports contact, when the two skins touch, 0.02 before
    /// the outlines do, and it comes to rest about 1.5 cm above them. rapier's
    /// shapes have no skin, so without one a walker stood ~1.5 cm lower than
    /// the original's and its feet touched down later within a stride: put in
    /// a state recorded from the original, its feet read "no contact" on 32%
    /// of a learned gait's steps (`tests/box2d_gait.rs`). Only body parts
    /// carry it (both skins added up), so the lidar, which Box2D casts
    /// against the terrain's bare outline, still sees the bare terrain.
    /// Circles are not rounded in Box2D: they take only the terrain's 0.01.
    pub skin: f32,
    /// How far (radians) a joint may rest past each of its limits. Box2D
    /// stops a joint at a limit with a velocity constraint and pulls it back
    /// only beyond `b2_angularSlop` (2°), without touching its speed: a motor
    /// pressing a joint into its limit holds it there, 2° past, at speed 0.
    /// rapier pulls a joint back to the limit itself, and the pull shows as
    /// joint speed. Learned gaits press their hips and knees into the limits
    /// on a third of their steps. How the slop is used depends on
    /// [`box2d_limits`](Self::box2d_limits); without it the limits are
    /// widened by the slop, which brought the one-step angle gap along such
    /// a gait from 0.024 to 0.015 rad and the speed gap from 0.20 to 0.165
    /// (`tests/box2d_gait.rs`).
    pub joint_slop: f32,
    /// Box2D's continuous collision against the terrain ([`continuous`]):
    /// contacts only once shapes touch, as Box2D's discrete solver has them,
    /// and a time-of-impact pass after each step that stops a part where it
    /// first meets the terrain without its joints, so a leg landing hard
    /// gives at the knee as the original's does. At the six hard landings of
    /// a learned gait the knee then goes 0.22–0.35 rad past its limit
    /// (Box2D: 0.26–0.36; without the pass 0.04–0.15), and over the gait the
    /// foot sensors disagree with Box2D's on 3.5% of the steps instead of
    /// 5.9% (`tests/box2d_gait.rs`). Off by default: one step at a time it is
    /// closer to Box2D, but PPO learns trellis's world with it further from
    /// how it learns Box2D's (flat track, 5 seeds: 72.6% mastered against
    /// 92.0 on Box2D, p = 0.005; 83.2 without it), and the limp body and an
    /// open-loop gait fall sooner than without it, where Box2D's last longer
    /// (`bench/box2d_compare.py`): something of Box2D's contact handling that
    /// goes with the pass is still missing. It also costs 1.24× the env's
    /// CPU time.
    pub continuous: bool,
    /// Box2D's joint limits ([`limits`]): whether a limit acts is decided
    /// once per step, from where the joint starts it. A joint inside its
    /// range turns freely for the whole step, even past the limit; one at or
    /// past it is stopped where it is, and pulled back only to the slop.
    /// rapier checks its limits at every substep and pulls back to the limit
    /// itself, so a joint reaching, resting at or leaving a limit (a leg
    /// swinging to its end, a knee folding under the body's weight) moved
    /// otherwise. Along a learned gait, Box2D's limits bring the one-step
    /// joint-speed gap from 0.165 to 0.101 and the angle gap from 0.015 to
    /// 0.010 rad; as the limp body folds onto its knees, all observed
    /// entries' gap from 0.012 to 0.004 (`tests/box2d_gait.rs`; a bar on a
    /// hinge moves as pybox2d's, `limits.rs`). Off by default, as the
    /// continuous pass, because PPO does not learn trellis's world more as
    /// it learns Box2D's with it: on the flat track (5 seeds, 1.5M steps)
    /// 60.4 ± 22.3% mastered against 92.0 ± 7.6 on Box2D (p = 0.03; 83.2
    /// without it), although its curves rise sooner (area under the %
    /// curve 49.4 against Box2D's 56.0, p = 0.56; 38.2 without it).
    pub box2d_limits: bool,
}

impl Default for PhysicsConfig {
    fn default() -> Self {
        Self {
            fps: 50.0,
            solver_iterations: 8,
            pgs_iterations: 4,
            skin: 2.0 * BOX2D_POLYGON_RADIUS,
            joint_slop: BOX2D_ANGULAR_SLOP,
            continuous: false,
            box2d_limits: false,
        }
    }
}

impl PhysicsConfig {
    /// How far above the terrain a body part's outline comes to rest: its
    /// skin less the overlap the contact solver tolerates (rapier's allowed
    /// linear error, 0.005, the same as Box2D's linear slop), 0.015 by
    /// default. A body posed on the ground spawns this high, as the
    /// original's body stands after its reset step.
    pub fn rest_gap(&self) -> f32 {
        let p = IntegrationParameters::default();
        (self.skin - p.normalized_allowed_linear_error * p.length_unit).max(0.0)
    }
}

/// Box2D's `b2_polygonRadius` (2 × its linear slop of 0.005): the skin of
/// each of its polygons and edges.
pub const BOX2D_POLYGON_RADIUS: f32 = 0.01;

/// An angle wrapped to [-π, π]: a joint's angle as the observation reads
/// it, and the short way round for a turn between two poses.
pub fn wrap_angle(a: f32) -> f32 {
    (a + std::f32::consts::PI).rem_euclid(std::f32::consts::TAU) - std::f32::consts::PI
}

/// Box2D's `b2_angularSlop`: 2°, in radians.
pub const BOX2D_ANGULAR_SLOP: f32 = 2.0 / 180.0 * std::f32::consts::PI;

/// One episode's rapier world plus the fixed body that holds all terrain.
pub struct Physics {
    /// The rapier world.
    pub world: PhysicsWorld,
    /// The static body holding the terrain's colliders.
    pub ground: RigidBodyHandle,
    /// The body parts' skin against the terrain ([`PhysicsConfig::skin`]).
    pub skin: f32,
    /// How far joints turn past their limits ([`PhysicsConfig::joint_slop`]).
    pub joint_slop: f32,
    /// Box2D's time-of-impact pass runs after each step ([`PhysicsConfig::continuous`]).
    continuous: bool,
    /// The (part, fixed collider) pairs that pass brought into contact in the last step.
    impacts: Vec<(ColliderHandle, ColliderHandle)>,
    /// Box2D's per-step limits ([`PhysicsConfig::box2d_limits`]).
    box2d_limits: bool,
    /// The limited hinges, which [`limits::apply`] sets before each step
    /// (registered by whoever builds the joints).
    pub limits: Vec<limits::Limit>,
}

impl Physics {
    /// An empty world with gravity −10 and a static ground body.
    pub fn new(cfg: PhysicsConfig) -> Self {
        let mut world = PhysicsWorld::default();
        world.gravity = Vec2::new(0.0, GRAVITY);
        world.integration_parameters.dt = 1.0 / cfg.fps;
        world.integration_parameters.num_solver_iterations = cfg.solver_iterations.max(1);
        world.integration_parameters.num_internal_pgs_iterations = cfg.pgs_iterations.max(1);
        if cfg.continuous {
            // Box2D's discrete solver has no speculative contacts, and its
            // continuous pass replaces rapier's (which clamps a fast part's
            // motion at the terrain but leaves its speed into it).
            world.integration_parameters.normalized_prediction_distance = 0.0;
            world.integration_parameters.max_ccd_substeps = 0;
        }
        let ground = world.insert_body(RigidBodyBuilder::fixed());
        Self {
            world,
            ground,
            skin: cfg.skin,
            joint_slop: cfg.joint_slop,
            continuous: cfg.continuous,
            impacts: Vec::new(),
            box2d_limits: cfg.box2d_limits,
            limits: Vec::new(),
        }
    }

    /// Advances the world by one env step (1 / fps).
    pub fn step(&mut self) {
        let starts = if self.continuous {
            continuous::starts(&self.world)
        } else {
            Vec::new()
        };
        if self.box2d_limits {
            limits::apply(&mut self.world, &self.limits, self.joint_slop);
        }
        self.world.step();
        self.impacts.clear();
        if self.continuous {
            continuous::resolve(&mut self.world, &starts, &mut self.impacts);
        }
    }

    /// The fixed colliders the time-of-impact pass stopped `part` against
    /// in the last step: Box2D reports those contacts as begun.
    pub fn impacts_with(&self, part: ColliderHandle) -> impl Iterator<Item = ColliderHandle> + '_ {
        self.impacts.iter().filter(move |(p, _)| *p == part).map(|&(_, f)| f)
    }

    /// Is the collider touching anything? Body parts only collide with the
    /// world, so any contact is with the world. A contact counts when the
    /// shapes meet or overlap: rapier also keeps predictive contacts up to
    /// 2 cm apart for its solver, and counting those made the legs' ground
    /// sensors disagree with Box2D's on up to half the steps of a stride.
    pub fn touching(&self, collider: ColliderHandle) -> bool {
        self.impacts_with(collider).next().is_some()
            || self.world.narrow_phase.contact_pairs_with(collider).any(|p| {
                p.solver_manifolds()
                    .iter()
                    .any(|m| m.data.solver_contacts.iter().any(|c| c.dist <= 0.0))
            })
    }

    /// The rigid body behind `h`.
    pub fn body(&self, h: RigidBodyHandle) -> &RigidBody {
        &self.world.bodies[h]
    }
}

/// Terrain fixtures use Box2D's geometric-mean friction rule so that a foot
/// (friction 0.2 by default) on ground of friction 2.5 grips as in the original.
pub fn terrain_collider(builder: ColliderBuilder, friction: f32) -> ColliderBuilder {
    builder
        .friction(friction)
        .friction_combine_rule(CoefficientCombineRule::GeometricMean)
        .collision_groups(groups::terrain())
}

impl Physics {
    /// Is the (sensor) collider overlapping anything it can detect?
    pub fn overlapping(&self, collider: ColliderHandle) -> bool {
        self.world
            .narrow_phase
            .intersection_pairs_with(collider)
            .any(|(_, _, hit)| hit)
    }
}
