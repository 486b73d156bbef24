//! TeachMyAgent's Parkour: ground and ceiling drawn by a CPPN from a 3-D
//! input vector, water filling the world up to a level, and creepers hanging
//! from the ceiling.
//!
//! The CPPN's 200 outputs are divided by the terrain scale (10 by default:
//! a CPPN unit is a tenth of a world unit), shifted so both profiles join the
//! flat start pad (ceiling 200 px / scale above the ground), and the ceiling
//! is clipped to stay at least `ceiling_clip_offset` above the ground, so the
//! two never cross. Creepers are rectangles of the configured width whose
//! height is drawn from N(task height, 0.1) (at least 0.2), one every
//! `spacing` world units starting at the first step, hanging from the higher
//! of the two ceiling points they span. Water fills from the world's floor
//! (-1000 px / scale) to `level` × the distance to the highest ceiling point.

use std::path::PathBuf;
use std::sync::Arc;

use serde::Deserialize;

use super::layout::{Features, TerrainGenerator, TerrainLayout, track};
use crate::walker_family;
use crate::world::{OptionDoc, RegistryError, WorldDescriptor, options};
use crate::physics::Vec2;
use crate::rng::{ChaCha8Rng, normal};
use crate::space::TaskSpace;
use crate::terrain::cppn::Cppn;

/// The registry entry.
pub const WORLD: WorldDescriptor = WorldDescriptor {
    name: "parkour",
    summary: "TeachMyAgent's Parkour: CPPN ground and ceiling, water, creepers (8-D, 6 free); every body",
    options: &[
        OptionDoc {
            key: "cppn_weights",
            default: "trellis's own weights",
            doc: "CPPN weights file (JSON in TeachMyAgent's layout: 3 inputs, 2 heights)",
            path: true,
        },
        OptionDoc {
            key: "ceiling_offset",
            default: "200",
            doc: "ceiling height above the start pad, in CPPN units (a tenth of a world unit), [0, 1000]",
            path: false,
        },
        OptionDoc {
            key: "ceiling_clip_offset",
            default: "0",
            doc: "least ceiling height above the ground, in CPPN units, [0, 1000]",
            path: false,
        },
    ],
    make: |req| {
        let opts: ParkourOptions = options(WORLD.name, &req.options)?;
        walker_family::make(req, opts.generator()?, "old_classic_bipedal")
    },
    first_run: None,
};

/// Parkour's options: the run config's `[parkour]` section.
#[derive(Clone, Debug, Default, PartialEq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ParkourOptions {
    /// CPPN weights (JSON in TeachMyAgent's layout) instead of trellis's
    /// own: the reference's weights reproduce its terrains exactly.
    pub cppn_weights: Option<PathBuf>,
    /// See [`ParkourConfig::ceiling_offset`]; its default when absent.
    pub ceiling_offset: Option<f32>,
    /// See [`ParkourConfig::ceiling_clip_offset`]; its default when absent.
    pub ceiling_clip_offset: Option<f32>,
}

/// The world's floor and roof in CPPN units (divided by the scale).
const LIMIT: f32 = 1000.0;
/// Parkour's finish line is this many steps before the end of the terrain.
const END_STEPS: usize = 5;
const MIN_CREEPER: f64 = 0.2;
const CREEPER_HEIGHT_STD: f64 = 0.1;

/// Settings fixed for a run (the original's constructor arguments).
#[derive(Clone, Debug, PartialEq)]
pub struct ParkourConfig {
    /// Ceiling height above the start pad, in CPPN units (200 → 20 world units at scale 10).
    pub ceiling_offset: f32,
    /// Minimum ceiling height above the ground, in CPPN units.
    pub ceiling_clip_offset: f32,
}

impl Default for ParkourConfig {
    fn default() -> Self {
        Self {
            ceiling_offset: 200.0,
            ceiling_clip_offset: 0.0,
        }
    }
}

/// Index of each task dimension, in the reference's order (its test sets
/// are vectors in this order).
mod dim {
    pub const WATER: usize = 3;
    pub const CREEPERS_WIDTH: usize = 4;
    pub const CREEPERS_HEIGHT: usize = 5;
    pub const CREEPERS_SPACING: usize = 6;
    pub const CPPN_SCALE: usize = 7;
}

/// TeachMyAgent's Parkour generator.
pub struct Parkour {
    space: TaskSpace,
    limits: TaskSpace,
    cppn: Arc<Cppn>,
    cfg: ParkourConfig,
}

impl Default for Parkour {
    fn default() -> Self {
        Self::new(Arc::new(Cppn::builtin(3, 2)), ParkourConfig::default())
    }
}

impl Parkour {
    /// The benchmark's task space over `cppn`, which must map 3 inputs to 2
    /// heights: 8 dimensions in the reference's order — the CPPN input
    /// ("medium" box), water level, creeper width, height and spacing, and
    /// the CPPN scale (terrain smoothing). Width and scale are fixed for
    /// training (0.25 and 10, as in the benchmark; teachers do not see
    /// them) but each task may set them: the reference's test sets do (the
    /// walking and swimming ones use scale 20).
    pub fn new(cppn: Arc<Cppn>, cfg: ParkourConfig) -> Self {
        assert_eq!(
            (cppn.input_dim(), cppn.outputs()),
            (3, 2),
            "Parkour needs a CPPN with 3 inputs and 2 outputs"
        );
        let space = TaskSpace::from_bounds(&[
            ("cppn_0", -0.35, 0.05),
            ("cppn_1", 0.6, 1.0),
            ("cppn_2", -0.1, 0.3),
            ("water_level", 0.0, 1.0),
            ("creepers_width", 0.25, 0.25),
            ("creepers_height", 0.0, 4.0),
            ("creepers_spacing", 0.0, 5.0),
            ("cppn_scale", 10.0, 10.0),
        ]);
        // What the generator handles: any CPPN input in the original's
        // default box, and generous creeper and smoothing ranges.
        let limits = TaskSpace::from_bounds(&[
            ("cppn_0", -1.0, 1.0),
            ("cppn_1", -1.0, 1.0),
            ("cppn_2", -1.0, 1.0),
            ("water_level", 0.0, 1.0),
            ("creepers_width", 0.0, 2.0),
            ("creepers_height", 0.0, 10.0),
            ("creepers_spacing", 0.0, 10.0),
            ("cppn_scale", 1.0, 100.0),
        ]);
        Self {
            space,
            limits,
            cppn,
            cfg,
        }
    }

    /// Its settings.
    pub fn config(&self) -> &ParkourConfig {
        &self.cfg
    }

    /// Ground and ceiling heights of the terrain part (after the start pad)
    /// for CPPN input `input`, the CPPN's outputs divided by `scale`.
    pub fn profiles(&self, input: &[f64], scale: f32) -> (Vec<f32>, Vec<f32>) {
        let out = self.cppn.generate(input, track::LENGTH);
        let g0 = out[0][0] / scale;
        let c0 = out[0][1] / scale;
        let ceiling_offset = self.cfg.ceiling_offset / scale;
        let clip = self.cfg.ceiling_clip_offset / scale;
        let ground: Vec<f32> = out
            .iter()
            .map(|r| r[0] / scale - g0 + track::HEIGHT)
            .collect();
        let ceiling = out
            .iter()
            .zip(&ground)
            .map(|(r, &g)| (r[1] / scale - c0 + track::HEIGHT + ceiling_offset).max(g + clip))
            .collect();
        (ground, ceiling)
    }
}

impl ParkourOptions {
    /// Parkour as a run asks for it: the CPPN weights file if one is given
    /// (it must map 3 inputs to 2 heights), trellis's own weights otherwise.
    pub fn generator(&self) -> Result<Arc<dyn TerrainGenerator>, RegistryError> {
        let mut cfg = ParkourConfig::default();
        for (field, given, slot) in [
            ("ceiling_offset", self.ceiling_offset, &mut cfg.ceiling_offset),
            ("ceiling_clip_offset", self.ceiling_clip_offset, &mut cfg.ceiling_clip_offset),
        ] {
            let Some(v) = given else { continue };
            if !(v.is_finite() && (0.0..=LIMIT).contains(&v)) {
                return Err(RegistryError::Request(format!(
                    "`parkour.{field}` = {v} is outside its allowed range [0, {LIMIT}]"
                )));
            }
            *slot = v;
        }
        let cppn = match &self.cppn_weights {
            Some(path) => {
                let c = Cppn::load(path)?;
                if (c.input_dim(), c.outputs()) != (3, 2) {
                    return Err(RegistryError::CppnShape {
                        path: path.display().to_string(),
                        inputs: c.input_dim(),
                        outputs: c.outputs(),
                    });
                }
                c
            }
            None => Cppn::builtin(3, 2),
        };
        Ok(Arc::new(Parkour::new(Arc::new(cppn), cfg)))
    }
}

impl TerrainGenerator for Parkour {
    fn name(&self) -> &str {
        WORLD.name
    }

    fn task_space(&self) -> &TaskSpace {
        &self.space
    }

    fn limits(&self) -> &TaskSpace {
        &self.limits
    }

    fn with_space(&self, space: TaskSpace) -> Arc<dyn TerrainGenerator> {
        Arc::new(Self {
            space,
            limits: self.limits.clone(),
            cppn: self.cppn.clone(),
            cfg: self.cfg.clone(),
        })
    }

    /// The middle of the CPPN box, dry, with the smallest creepers far apart.
    fn default_task(&self) -> Vec<f64> {
        vec![-0.15, 0.8, 0.1, 0.0, 0.25, 0.0, 5.0, 10.0]
    }

    fn features(&self) -> Features {
        Features {
            ceiling: true,
            water: true,
            hull_may_touch_ground: true,
            surface_observation: true,
            reward_range: (-150.0, 360.0),
            ground_start: false,
        }
    }

    fn generate(&self, task: &[f64], body_width: f32, rng: &mut ChaCha8Rng) -> TerrainLayout {
        let startpad = track::startpad_steps(body_width).ceil() as usize;
        let scale = task[dim::CPPN_SCALE] as f32;
        let (ground_cppn, ceiling_cppn) = self.profiles(&task[..3], scale);
        let pad_ceiling = track::HEIGHT + self.cfg.ceiling_offset / scale;
        let n = track::LENGTH + startpad;
        let x = |i: usize| i as f32 * track::STEP;
        let ground: Vec<Vec2> = (0..n)
            .map(|i| {
                Vec2::new(
                    x(i),
                    if i < startpad {
                        track::HEIGHT
                    } else {
                        ground_cppn[i - startpad]
                    },
                )
            })
            .collect();
        let ceiling: Vec<Vec2> = (0..n)
            .map(|i| {
                Vec2::new(
                    x(i),
                    if i < startpad {
                        pad_ceiling
                    } else {
                        ceiling_cppn[i - startpad]
                    },
                )
            })
            .collect();

        let height = task[dim::CREEPERS_HEIGHT];
        let spacing = task[dim::CREEPERS_SPACING].max(0.01) as f32;
        let width = (task[dim::CREEPERS_WIDTH] as f32).max(MIN_CREEPER as f32);
        let span = ((width / track::STEP).floor() as usize).max(1);
        let mut creepers = Vec::new();
        let mut since_last = spacing;
        for i in 0..n - 1 {
            if since_last >= spacing {
                let h = normal(rng, height, CREEPER_HEIGHT_STD).max(MIN_CREEPER) as f32;
                let top = ceiling[i].y.max(ceiling[(i + span).min(n - 1)].y);
                let (x0, x1) = (x(i), x(i) + width);
                creepers.push([
                    Vec2::new(x0, top),
                    Vec2::new(x1, top),
                    Vec2::new(x1, top - h),
                    Vec2::new(x0, top - h),
                ]);
                since_last = 0.0;
            } else {
                since_last += track::STEP;
            }
        }

        let floor = -LIMIT / scale;
        let highest = ceiling.iter().map(|p| p.y).fold(f32::MIN, f32::max);
        let water_y = floor + task[dim::WATER].max(0.01) as f32 * (highest - floor);
        TerrainLayout {
            ground,
            obstacles: Vec::new(),
            spawn: Vec2::new(track::STEP * startpad as f32 / 2.0, track::HEIGHT),
            finish_x: (n - END_STEPS) as f32 * track::STEP,
            friction: track::FRICTION,
            ceiling,
            creepers,
            water_y: Some(water_y),
        }
    }
}
