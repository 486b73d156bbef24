//! Range finders: rays cast from a body part against the terrain only.

use rapier2d::prelude::*;

use super::{Physics, Vec2, groups};

/// A fan of rays, as in the walker's observation: ray `i` points at angle
/// `start + i * spread / n` from straight down, towards +x.
#[derive(Clone, Debug, PartialEq)]
pub struct Lidar {
    dirs: Vec<Vec2>,
    pub range: f32,
}

impl Lidar {
    pub fn fan(n: usize, spread: f32, range: f32) -> Self {
        let dirs = (0..n)
            .map(|i| {
                let a = spread * i as f32 / n as f32;
                Vec2::new(a.sin(), -a.cos())
            })
            .collect();
        Self { dirs, range }
    }

    pub fn len(&self) -> usize {
        self.dirs.len()
    }

    pub fn is_empty(&self) -> bool {
        self.dirs.is_empty()
    }

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
            let frac = query.cast_ray(&ray, 1.0, true).map_or(1.0, |(_, toi)| toi.clamp(0.0, 1.0));
            out.push(frac);
        }
    }
}
