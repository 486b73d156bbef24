//! What every terrain generator produces and how it enters the physics: the
//! original's track geometry, a [`TerrainLayout`] (ground polyline plus
//! convex obstacles), the [`TerrainGenerator`] contract and the
//! [`Features`] a world offers a body (ceiling, water).

use rapier2d::prelude::*;

use crate::physics::{Physics, Vec2, groups, terrain_collider};
use crate::rng::ChaCha8Rng;
use crate::space::TaskSpace;

/// The original's track geometry, in world units (pixels / 30).
pub mod track {
    use crate::bodies::bipedal::SCALE;
    /// Width of one track step.
    pub const STEP: f32 = 14.0 / SCALE;
    /// Track length, in steps.
    pub const LENGTH: usize = 200;
    /// Ground level of a flat track: a quarter of the 400 px viewport.
    pub const HEIGHT: f32 = 400.0 / SCALE / 4.0;
    /// The last steps of the track, past which the walker has finished.
    pub const END: usize = 10;
    /// Steps of flat start pad before the first obstacle (standard bodies).
    pub const STARTPAD: usize = 20;
    /// Ground friction (the original's 2.5).
    pub const FRICTION: f32 = 2.5;

    /// Start pad length in steps: at least 20, more for wide bodies.
    pub fn startpad_steps(body_width: f32) -> f32 {
        (body_width / STEP + 5.0).max(STARTPAD as f32)
    }

    /// x past which the episode ends as finished.
    pub fn finish_x() -> f32 {
        (LENGTH - END) as f32 * STEP
    }

    /// x at which generators stop placing obstacles.
    pub fn end_x() -> f32 {
        LENGTH as f32 * STEP
    }

    /// A one-step-wide stump of height `h` standing on the ground at (`x`, `y`).
    pub fn stump(x: f32, y: f32, h: f32) -> Vec<crate::physics::Vec2> {
        use crate::physics::Vec2;
        vec![
            Vec2::new(x, y),
            Vec2::new(x + STEP, y),
            Vec2::new(x + STEP, y + h),
            Vec2::new(x, y + h),
        ]
    }
}

/// Static geometry of one episode.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TerrainLayout {
    /// The ground profile, left to right.
    pub ground: Vec<Vec2>,
    /// Convex obstacles (stumps, hexagons), each a list of vertices.
    pub obstacles: Vec<Vec<Vec2>>,
    /// Where the body's spawn point sits on the ground (body spawn height is added).
    pub spawn: Vec2,
    /// Reaching this x finishes the episode.
    pub finish_x: f32,
    /// Ground friction.
    pub friction: f32,
    /// A graspable ceiling profile, left to right (Parkour); empty if none.
    pub ceiling: Vec<Vec2>,
    /// Graspable creepers hanging from the ceiling, as rectangles.
    pub creepers: Vec<[Vec2; 4]>,
    /// Everything below this height is water (Parkour).
    pub water_y: Option<f32>,
}

/// Colliders of a built layout that the episode logic tells apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TerrainHandles {
    /// The ceiling's collider, if any.
    pub ceiling: Option<ColliderHandle>,
    /// The creepers' collider, if any.
    pub creepers: Option<ColliderHandle>,
}

impl TerrainLayout {
    /// Adds the layout to the world's fixed ground body as two colliders: the
    /// ground polyline and one compound of all obstacles. Hundreds of separate
    /// stump colliders would multiply the world's memory and broad-phase work;
    /// a compound keeps one internal tree and makes episodes cache-friendly.
    /// Creepers are sensors that only grippers detect, in one compound too.
    pub fn build(&self, physics: &mut Physics) -> TerrainHandles {
        let ground = physics.ground;
        let w = &mut physics.world;
        let mut handles = TerrainHandles::default();
        if self.ground.len() >= 2 {
            let polyline = ColliderBuilder::polyline(self.ground.clone(), None);
            w.insert_collider(terrain_collider(polyline, self.friction), Some(ground));
        }
        if let Some(compound) = compound(self.obstacles.iter().map(|p| p.as_slice())) {
            w.insert_collider(terrain_collider(compound, self.friction), Some(ground));
        }
        if self.ceiling.len() >= 2 {
            let polyline = ColliderBuilder::polyline(self.ceiling.clone(), None);
            let c = terrain_collider(polyline, self.friction).collision_groups(groups::ceiling());
            handles.ceiling = Some(w.insert_collider(c, Some(ground)));
        }
        if let Some(compound) = compound(self.creepers.iter().map(|p| p.as_slice())) {
            let c = compound.sensor(true).collision_groups(groups::creeper());
            handles.creepers = Some(w.insert_collider(c, Some(ground)));
        }
        handles
    }

    /// A layout on the standard track: the body spawns mid-way along the start
    /// pad at base height, the usual finish line and ground friction.
    pub fn on_track(ground: Vec<Vec2>, obstacles: Vec<Vec<Vec2>>, startpad: f32) -> Self {
        Self {
            ground,
            obstacles,
            spawn: Vec2::new(startpad / 2.0, track::HEIGHT),
            finish_x: track::finish_x(),
            friction: track::FRICTION,
            ..Self::default()
        }
    }

    /// Height of the ground polyline at `x` (flat beyond its ends).
    pub fn ground_height(&self, x: f32) -> f32 {
        height_at(&self.ground, x)
    }

    /// Height of the ceiling at `x` (0 without a ceiling).
    pub fn ceiling_height(&self, x: f32) -> f32 {
        height_at(&self.ceiling, x)
    }
}

/// Height of a left-to-right polyline at `x` (flat beyond its ends).
fn height_at(g: &[Vec2], x: f32) -> f32 {
    match g.iter().position(|p| p.x >= x) {
        None => g.last().map_or(0.0, |p| p.y),
        Some(0) => g[0].y,
        Some(i) => {
            let (a, b) = (g[i - 1], g[i]);
            let t = if b.x > a.x {
                (x - a.x) / (b.x - a.x)
            } else {
                1.0
            };
            a.y + t * (b.y - a.y)
        }
    }
}

/// One compound collider of convex polygons, or None if there are none.
fn compound<'a>(polys: impl Iterator<Item = &'a [Vec2]>) -> Option<ColliderBuilder> {
    let parts: Vec<(Pose, SharedShape)> = polys
        .filter_map(|p| SharedShape::convex_hull(p).map(|s| (Pose::IDENTITY, s)))
        .collect();
    (!parts.is_empty()).then(|| ColliderBuilder::compound(parts))
}

/// Something that makes a terrain from a task vector.
pub trait TerrainGenerator: Send + Sync {
    /// The world's registry name.
    fn name(&self) -> &str;
    /// The task dimensions it reads, with their bounds.
    fn task_space(&self) -> &TaskSpace;
    /// Every task the generator handles, which may be wider than the
    /// training bounds of [`Self::task_space`] (Parkour's test sets set
    /// dimensions the benchmark keeps fixed for training). Resets and test
    /// sets are checked against these; `[bounds]` overrides must lie inside.
    fn limits(&self) -> &TaskSpace {
        self.task_space()
    }
    /// A sensible task for a first look (the space's default).
    fn default_task(&self) -> Vec<f64>;
    /// `task` has been validated against [`Self::limits`].
    fn generate(&self, task: &[f64], body_width: f32, rng: &mut ChaCha8Rng) -> TerrainLayout;
    /// The same generator over other bounds (a run's `[bounds]` overrides);
    /// `space` has the same dimensions, checked by the caller.
    fn with_space(&self, space: TaskSpace) -> std::sync::Arc<dyn TerrainGenerator>;
    /// What the world offers a body and how the reference observes and scores it.
    fn features(&self) -> Features;
}

/// What a terrain family offers a body, and which of the reference's rules
/// apply to it. Each flag decides one thing, so a new family can mix them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Features {
    /// A ceiling (and creepers) that climbers hang from: climbers need it.
    pub ceiling: bool,
    /// Water: swimmers need it.
    pub water: bool,
    /// Walkers may touch the ground with their hull (Parkour) instead of
    /// falling when they do (the tracks).
    pub hull_may_touch_ground: bool,
    /// The reference's Parkour observation: besides the tracks' entries, the
    /// medium (under water, dead), the grippers (touching, holding) and what
    /// each lidar ray hit (water, creeper, other).
    pub surface_observation: bool,
    /// Range of episodic returns that teachers normalise by (TeachMyAgent's
    /// reward bounds for the family).
    pub reward_range: (f64, f64),
    /// Bodies with a start pose spawn in it, feet on the ground
    /// ([`crate::bodies::BodySpec::in_start_pose`]): the original tracks
    /// spawn old-morphology bodies with their feet at the ground, where the
    /// first steps leave them crouched; Parkour spawns bodies higher, and
    /// they start as drawn.
    pub ground_start: bool,
}

impl Features {
    /// The BipedalWalker tracks: ground only, the classic observation.
    pub const TRACKS: Features = Features {
        ceiling: false,
        water: false,
        hull_may_touch_ground: false,
        surface_observation: false,
        reward_range: (-150.0, 350.0),
        ground_start: true,
    };
}
