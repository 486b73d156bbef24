//! POET / BipedalWalkerHardcore-style tracks (Wang et al., 2019): rough
//! ground plus pits, stumps and staircases, each scaled by the task vector
//! (`roughness`, `pit_gap`, `stump_height`, `stair_height`, `stair_steps`).
//! An obstacle kind whose magnitude is zero is never generated, so the zero
//! vector is a gently rolling flat track.

use rand::RngExt;

use std::sync::Arc;

use super::layout::{Features, TerrainGenerator, TerrainLayout, track};
use crate::walker_family;
use crate::world::{WorldDescriptor, no_options};
use crate::bodies::bipedal::SCALE;
use crate::physics::Vec2;
use crate::rng::{ChaCha8Rng, normal, uniform};
use crate::space::TaskSpace;

/// The registry entry.
pub const WORLD: WorldDescriptor = WorldDescriptor {
    name: "poet",
    summary: "POET-style hardcore tracks: roughness, pits, stumps, stairs",
    options: &[],
    make: |req| {
        no_options(WORLD.name, &req.options)?;
        walker_family::make(req, Arc::new(PoetTracks::default()), "old_classic_bipedal")
    },
    first_run: None,
};

/// Track steps of flat ground between two obstacles.
const GRASS_STEPS: f32 = 10.0;
/// Pit depth, in track steps (as gym's hardcore walker).
const PIT_DEPTH: f32 = 4.0;
/// Width of one stair, in track steps.
const STAIR_WIDTH: f32 = 4.0;

/// POET's tracks: rough ground, pits, stumps and staircases (see the module docs).
pub struct PoetTracks {
    space: TaskSpace,
}

impl Default for PoetTracks {
    fn default() -> Self {
        Self {
            space: TaskSpace::from_bounds(&[
                ("roughness", 0.0, 10.0),
                ("pit_gap", 0.0, 10.0),
                ("stump_height", 0.0, 3.0),
                ("stair_height", 0.0, 3.0),
                ("stair_steps", 1.0, 9.0),
            ]),
        }
    }
}

impl TerrainGenerator for PoetTracks {
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
        vec![0.0, 0.0, 0.0, 0.0, 1.0]
    }

    fn generate(&self, task: &[f64], body_width: f32, rng: &mut ChaCha8Rng) -> TerrainLayout {
        let step = track::STEP;
        let (roughness, pit, stump, stair_h) =
            (task[0] as f32, task[1] as f32, task[2], task[3] as f32);
        let stair_n = task[4].round().max(1.0) as usize;
        let kinds: Vec<u8> = [(pit > 0.0, 1u8), (stump > 0.0, 2), (stair_h > 0.0, 3)]
            .iter()
            .filter(|k| k.0)
            .map(|k| k.1)
            .collect();
        let startpad = track::startpad_steps(body_width) * step;
        let max_x = track::end_x();
        let mut y = track::HEIGHT;
        let mut ground = vec![Vec2::new(0.0, y), Vec2::new(startpad, y)];
        let mut obstacles = Vec::new();
        let mut x = startpad;
        let mut velocity = 0.0f32;
        while x < max_x {
            // Rolling grass: a damped random walk pulled back towards the base height.
            for _ in 0..GRASS_STEPS as usize {
                velocity = 0.8 * velocity + 0.01 * (track::HEIGHT - y).signum();
                velocity += uniform(rng, -1.0, 1.0) as f32 * roughness / SCALE;
                y += velocity;
                x += step;
                ground.push(Vec2::new(x, y));
            }
            if kinds.is_empty() || x >= max_x {
                continue;
            }
            match kinds[rng.random_range(0..kinds.len())] {
                1 => {
                    let w = pit * step;
                    let depth = PIT_DEPTH * step;
                    ground.extend([
                        Vec2::new(x, y - depth),
                        Vec2::new(x + w, y - depth),
                        Vec2::new(x + w, y),
                    ]);
                    x += w;
                }
                2 => {
                    let h = normal(rng, stump, 0.1).max(0.05) as f32 * step;
                    obstacles.push(track::stump(x, y, h));
                }
                _ => {
                    let dir = if rng.random::<bool>() { 1.0 } else { -1.0 };
                    for _ in 0..stair_n {
                        y += dir * stair_h * step;
                        ground.push(Vec2::new(x, y));
                        x += STAIR_WIDTH * step;
                        ground.push(Vec2::new(x, y));
                    }
                }
            }
            velocity = 0.0;
        }
        ground.push(Vec2::new(x + 10.0 * step, y));
        TerrainLayout::on_track(ground, obstacles, startpad)
    }
}
