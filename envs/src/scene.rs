//! What a frame of a walker world shows, as plain geometry in world units:
//! filled polygons back to front (terrain, creepers, the body part by part,
//! water over them) and overlay lines (lidar), coloured with TeachMyAgent's
//! palette. The headless recorder rasterises it and the viewer draws it, so
//! the two cannot disagree about where anything is or what colour it has.

use crate::bodies::BodyKind;
use crate::physics::Vec2;
use crate::walker::WalkerEnv;

/// A colour, 8 bits per channel, straight (not premultiplied) alpha.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgba(pub [u8; 4]);

impl Rgba {
    /// An opaque colour from the reference's 0–1 channels.
    pub const fn rgb(r: f32, g: f32, b: f32) -> Self {
        Self([to_u8(r), to_u8(g), to_u8(b), 255])
    }

    /// The same colour with opacity `a` (0–1).
    pub const fn with_alpha(self, a: f32) -> Self {
        let [r, g, b, _] = self.0;
        Self([r, g, b, to_u8(a)])
    }

    /// `self` laid over the opaque `under` (what a rasteriser composites).
    pub fn over(self, under: Rgba) -> Rgba {
        let a = u16::from(self.0[3]);
        let mix = |t: u8, u: u8| ((u16::from(t) * a + u16::from(u) * (255 - a) + 127) / 255) as u8;
        Rgba([
            mix(self.0[0], under.0[0]),
            mix(self.0[1], under.0[1]),
            mix(self.0[2], under.0[2]),
            255,
        ])
    }
}

const fn to_u8(v: f32) -> u8 {
    let v = if v < 0.0 { 0.0 } else if v > 1.0 { 1.0 } else { v };
    (v * 255.0 + 0.5) as u8
}

/// TeachMyAgent's colours (its Parkour renderer and its bodies' `color1`
/// fill and `color2` outline).
pub mod palette {
    use super::Rgba;
    /// The sky behind everything.
    pub const SKY: Rgba = Rgba::rgb(0.9, 0.9, 1.0);
    /// The ground's fill.
    pub const GROUND: Rgba = Rgba::rgb(0.4, 0.6, 0.3);
    /// The ground's surface line.
    pub const GROUND_EDGE: Rgba = Rgba::rgb(0.3, 1.0, 0.3);
    /// The ceiling's fill.
    pub const CEILING: Rgba = Rgba::rgb(0.5, 0.5, 0.5);
    /// The ceiling's surface line.
    pub const CEILING_EDGE: Rgba = Rgba::rgb(0.0, 0.25, 0.25);
    /// Creepers hanging from the ceiling.
    pub const CREEPER: Rgba = Rgba::rgb(0.437, 0.504, 0.375);
    /// Water, laid over what it covers.
    pub const WATER: Rgba = Rgba::rgb(0.25, 0.5, 0.95).with_alpha(0.35);
    /// A body's hull (and every part of a swimmer).
    pub const HULL: Rgba = Rgba::rgb(0.5, 0.4, 0.9);
    /// The hull's outline.
    pub const HULL_EDGE: Rgba = Rgba::rgb(0.3, 0.3, 0.5);
    /// A gripper holding on (the reference colours attached sensors yellow).
    pub const HOLDING: Rgba = Rgba::rgb(1.0, 1.0, 0.0);
    /// Lidar rays.
    pub const LIDAR: Rgba = Rgba::rgb(1.0, 0.0, 0.0);

    /// A limb's fill and outline: the reference shades the two sides of a
    /// body apart (`side` −1 the near legs, +1 the far ones).
    pub const fn limb(side: f32) -> (Rgba, Rgba) {
        let d = side / 10.0;
        (
            Rgba::rgb(0.6 - d, 0.3 - d, 0.5 - d),
            Rgba::rgb(0.4 - d, 0.2 - d, 0.3 - d),
        )
    }
}

/// A filled polygon, optionally outlined.
#[derive(Clone, Debug, PartialEq)]
pub struct Polygon {
    /// Vertices in order (world units).
    pub points: Vec<Vec2>,
    /// Fill colour.
    pub fill: Rgba,
    /// Outline colour.
    pub edge: Option<Rgba>,
}

/// A straight line (world units).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Line {
    /// Start.
    pub a: Vec2,
    /// End.
    pub b: Vec2,
    /// Colour.
    pub colour: Rgba,
}

/// One frame.
#[derive(Clone, Debug, PartialEq)]
pub struct Scene {
    /// The background.
    pub sky: Rgba,
    /// Back to front.
    pub polygons: Vec<Polygon>,
    /// Over everything.
    pub lines: Vec<Line>,
    /// Where a camera following the body looks: the head.
    pub focus: Vec2,
    /// The polygons of the body, by part (indices into `polygons`, in the
    /// spec's part order): tests and tools find each part's pixels here.
    pub body_parts: std::ops::Range<usize>,
}

/// What to draw besides the world and the body.
#[derive(Clone, Copy, Debug, Default)]
pub struct Overlays<'a> {
    /// The observation whose lidar fractions to draw as rays.
    pub lidar_from: Option<&'a [f32]>,
}

/// Sides that ground and ceiling fills extend beyond their lowest/highest
/// point, so the fill reaches any frame's edge.
const FILL_DEPTH: f32 = 50.0;
/// Vertices of the polygon drawn for a gripper.
const GRIPPER_SIDES: usize = 8;
/// Radius of that polygon (world units).
const GRIPPER_RADIUS: f32 = 0.12;

/// The running episode's frame; None before the first reset.
pub fn walker_scene(env: &WalkerEnv, overlays: Overlays) -> Option<Scene> {
    let (layout, physics, body, focus) = (
        env.layout()?,
        env.physics()?,
        env.body_handles()?,
        env.head_position()?,
    );
    let mut polygons = Vec::new();
    let mut lines = Vec::new();
    let floor = layout.ground.iter().map(|p| p.y).fold(f32::MAX, f32::min) - FILL_DEPTH;
    if let Some(points) = filled_to(&layout.ground, floor) {
        polygons.push(Polygon { points, fill: palette::GROUND, edge: None });
        for w in layout.ground.windows(2) {
            lines.push(Line { a: w[0], b: w[1], colour: palette::GROUND_EDGE });
        }
    }
    for o in &layout.obstacles {
        polygons.push(Polygon { points: o.clone(), fill: palette::GROUND, edge: Some(palette::GROUND_EDGE) });
    }
    let roof = layout.ceiling.iter().map(|p| p.y).fold(f32::MIN, f32::max) + FILL_DEPTH;
    if let Some(points) = filled_to(&layout.ceiling, roof) {
        polygons.push(Polygon { points, fill: palette::CEILING, edge: None });
        for w in layout.ceiling.windows(2) {
            lines.push(Line { a: w[0], b: w[1], colour: palette::CEILING_EDGE });
        }
    }
    for c in &layout.creepers {
        polygons.push(Polygon { points: c.to_vec(), fill: palette::CREEPER, edge: None });
    }
    let spec = env.body();
    let start = polygons.len();
    for (part, (&h, outline)) in body.parts.iter().zip(&body.outlines).enumerate() {
        let pose = *physics.body(h).position();
        let (fill, edge) = part_colours(spec, part);
        polygons.push(Polygon {
            points: outline.iter().map(|&p| pose * p).collect(),
            fill,
            edge: Some(edge),
        });
    }
    let body_parts = start..polygons.len();
    let holding = env.holding();
    for (g, &c) in body.grippers.iter().enumerate() {
        let Some(col) = physics.world.colliders.get(c) else { continue };
        let at = col.position().translation;
        let fill = if holding.get(g).copied().unwrap_or(false) {
            palette::HOLDING
        } else {
            palette::HULL_EDGE
        };
        let points = (0..GRIPPER_SIDES)
            .map(|i| {
                let t = i as f32 / GRIPPER_SIDES as f32 * std::f32::consts::TAU;
                at + Vec2::new(t.cos(), t.sin()) * GRIPPER_RADIUS
            })
            .collect();
        polygons.push(Polygon { points, fill, edge: None });
    }
    if let (Some(level), Some(first), Some(last)) =
        (layout.water_y, layout.ground.first(), layout.ground.last())
    {
        polygons.push(Polygon {
            points: vec![
                Vec2::new(first.x, floor),
                Vec2::new(last.x, floor),
                Vec2::new(last.x, level),
                Vec2::new(first.x, level),
            ],
            fill: palette::WATER,
            edge: None,
        });
    }
    if let Some(obs) = overlays.lidar_from {
        let lidar = env.lidar();
        let off = env.lidar_offset();
        for (i, d) in lidar.directions().iter().enumerate() {
            let frac = obs.get(off + i).copied().unwrap_or(1.0);
            lines.push(Line { a: focus, b: focus + *d * lidar.range * frac, colour: palette::LIDAR });
        }
    }
    Some(Scene { sky: palette::SKY, polygons, lines, focus, body_parts })
}

/// The area between a surface line and the horizontal line at `y` (the
/// ground's fill down to below its lowest point, the ceiling's up to above
/// its highest); None for a world without that surface.
fn filled_to(surface: &[Vec2], y: f32) -> Option<Vec<Vec2>> {
    let (first, last) = (surface.first()?, surface.last()?);
    let mut points = surface.to_vec();
    points.extend([Vec2::new(last.x, y), Vec2::new(first.x, y)]);
    Some(points)
}

/// A part's fill and outline: the hull and whatever no motor turns in the
/// hull's colours (every part of a swimmer too), limbs by the side of the
/// body their chain starts on (the hull's motors alternate near, far).
fn part_colours(spec: &crate::bodies::BodySpec, part: usize) -> (Rgba, Rgba) {
    if spec.kind == BodyKind::Swimmer {
        return (palette::HULL, palette::HULL_EDGE);
    }
    let parent_motor = |p: usize| spec.motors.iter().position(|m| m.child == p);
    let Some(mut m) = parent_motor(part) else {
        return (palette::HULL, palette::HULL_EDGE);
    };
    // Up the chain to the motor on a part no motor turns (the limb's root).
    while let Some(up) = parent_motor(spec.motors[m].parent) {
        m = up;
    }
    let root = spec.motors[m].parent;
    let limb = spec.motors[..m].iter().filter(|x| x.parent == root).count();
    palette::limb(if limb % 2 == 0 { -1.0 } else { 1.0 })
}
