//! Hexagon Tracks: TeachMyAgent's 12-D obstacle-shape space. Each obstacle
//! starts as a unit hexagon on the ground whose six vertices are displaced by
//! `N(task[2i..2i+2], 0.1)` (in track steps); the two ground vertices move
//! only horizontally. As in Box2D, the fixture is the convex hull of the
//! displaced vertices.

use std::sync::Arc;

use super::layout::{Features, TerrainGenerator, TerrainLayout, track};
use crate::walker_family;
use crate::world::{WorldDescriptor, no_options};
use crate::physics::Vec2;
use crate::rng::{ChaCha8Rng, normal};
use crate::space::{Dim, TaskSpace};

/// The registry entry.
pub const WORLD: WorldDescriptor = WorldDescriptor {
    name: "hexagon-tracks",
    summary: "TeachMyAgent's Hexagon Tracks: 12 offsets displacing hexagonal obstacles (12-D)",
    options: &[],
    make: |req| {
        no_options(WORLD.name, &req.options)?;
        walker_family::make(req, Arc::new(HexagonTracks::default()), "old_classic_bipedal")
    },
    first_run: None,
};

/// Vertices of the undisplaced hexagon, in track steps around the obstacle's anchor.
const HEXAGON: [[f64; 2]; 6] = [
    [-0.5, 0.0],
    [-0.5, 0.25],
    [-0.25, 0.5],
    [0.25, 0.5],
    [0.5, 0.25],
    [0.5, 0.0],
];
/// Std of each displacement around the task's value.
const NOISE: f64 = 0.1;
/// Flat ground between obstacles when spacing is not part of the task (the original's default).
const SPACING: f32 = 8.0;
/// The original advances one world unit past each hexagon's anchor.
const AFTER_OBSTACLE: f32 = 1.0;

/// Hexagon Tracks: obstacles whose hexagon vertices the 12 task dimensions displace (see the module docs).
pub struct HexagonTracks {
    space: TaskSpace,
}

impl Default for HexagonTracks {
    fn default() -> Self {
        let dims = (0..6)
            .flat_map(|i| {
                [
                    Dim::new(format!("hex{i}_dx"), 0.0, 4.0),
                    Dim::new(format!("hex{i}_dy"), 0.0, 4.0),
                ]
            })
            .collect();
        Self {
            space: TaskSpace::new(dims).expect("valid bounds"),
        }
    }
}

impl TerrainGenerator for HexagonTracks {
    fn features(&self) -> Features {
        Features::TRACKS
    }

    fn name(&self) -> &str {
        WORLD.name
    }

    fn task_space(&self) -> &TaskSpace {
        &self.space
    }

    fn with_space(&self, space: TaskSpace) -> std::sync::Arc<dyn TerrainGenerator> {
        std::sync::Arc::new(Self { space })
    }

    fn default_task(&self) -> Vec<f64> {
        vec![0.0; 12]
    }

    fn generate(&self, task: &[f64], body_width: f32, rng: &mut ChaCha8Rng) -> TerrainLayout {
        let (y, step) = (track::HEIGHT, track::STEP);
        let startpad = track::startpad_steps(body_width) * step;
        let max_x = track::end_x();
        let mut obstacles = Vec::new();
        let mut x = startpad;
        while x < max_x {
            let poly = HEXAGON
                .iter()
                .enumerate()
                .map(|(i, b)| {
                    let (dx, dy) = (
                        normal(rng, task[2 * i], NOISE),
                        normal(rng, task[2 * i + 1], NOISE),
                    );
                    let on_ground = i == 0 || i == HEXAGON.len() - 1;
                    let vy = if on_ground { b[1] } else { b[1] + dy };
                    Vec2::new(x + ((b[0] + dx) as f32) * step, y + (vy as f32) * step)
                })
                .collect();
            obstacles.push(poly);
            x += AFTER_OBSTACLE + SPACING;
        }
        TerrainLayout::on_track(
            vec![Vec2::new(0.0, y), Vec2::new(x.max(max_x) + 10.0 * step, y)],
            obstacles,
            startpad,
        )
    }
}
