//! Range finders: rays cast from a body part against the terrain only.

use rapier2d::prelude::*;

use super::{Physics, Vec2, groups};

/// A fan of rays, as in the walker's observation: ray `i` points at angle
/// `start + i * spread / n` from straight down, towards +x.
#[derive(Clone, Debug, PartialEq)]
pub struct Lidar {
    dirs: Vec<Vec2>,
    /// Ray length (world units).
    pub range: f32,
}

impl Lidar {
    /// `n` rays spread evenly over `spread` radians, pointing down and ahead.
    pub fn fan(n: usize, spread: f32, range: f32) -> Self {
        Self::fan_from(n, spread, 0.0, range)
    }

    /// A fan whose first ray is turned `start` radians from straight down
    /// towards +x (the Parkour climbers' fan looks up and ahead).
    pub fn fan_from(n: usize, spread: f32, start: f32, range: f32) -> Self {
        let dirs = (0..n)
            .map(|i| {
                let a = spread * i as f32 / n as f32 + start;
                Vec2::new(a.sin(), -a.cos())
            })
            .collect();
        Self { dirs, range }
    }

    /// Number of rays.
    pub fn len(&self) -> usize {
        self.dirs.len()
    }

    /// Whether there are no rays.
    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }

    /// Each ray's direction, in the head's frame.
    pub fn directions(&self) -> &[Vec2] {
        &self.dirs
    }

    /// Appends, per ray, the fraction of the range at which it hit terrain (1 = nothing).
    pub fn read(&self, physics: &Physics, origin: Vec2, out: &mut Vec<f32>) {
        let filter = QueryFilter::default().groups(InteractionGroups::new(
            Group::ALL,
            groups::TERRAIN,
            InteractionTestMode::And,
        ));
        let query = physics.world.query_pipeline_with_filter(filter);
        for d in &self.dirs {
            let ray = Ray::new(origin, *d * self.range);
            let frac = query
                .cast_ray(&ray, 1.0, true)
                .map_or(1.0, |(_, toi)| toi.clamp(0.0, 1.0));
            out.push(frac);
        }
    }

    /// The Parkour reading: all fractions (ground, ceiling, creepers and the
    /// water surface, whichever is nearest), then per ray what it hit:
    /// -1 water, 1 creeper, 0 anything else or nothing. As with Box2D's ray
    /// casts, a ray that starts under water does not see the surface.
    pub fn read_surfaces(
        &self,
        physics: &Physics,
        origin: Vec2,
        water_y: f32,
        creepers: Option<ColliderHandle>,
        out: &mut Vec<f32>,
    ) {
        let filter = QueryFilter::default().groups(InteractionGroups::new(
            Group::ALL,
            groups::VISIBLE,
            InteractionTestMode::And,
        ));
        let query = physics.world.query_pipeline_with_filter(filter);
        let start = out.len();
        out.resize(start + 2 * self.dirs.len(), 0.0);
        for (i, d) in self.dirs.iter().enumerate() {
            let ray = Ray::new(origin, *d * self.range);
            let (mut frac, mut kind) = match query.cast_ray(&ray, 1.0, true) {
                Some((h, toi)) => (
                    toi.clamp(0.0, 1.0),
                    if Some(h) == creepers { 1.0 } else { 0.0 },
                ),
                None => (1.0, 0.0),
            };
            if origin.y > water_y && d.y < 0.0 {
                let to_water = (origin.y - water_y) / (-d.y * self.range);
                if to_water < frac {
                    (frac, kind) = (to_water, -1.0);
                }
            }
            out[start + i] = frac;
            out[start + self.dirs.len() + i] = kind;
        }
    }
}
