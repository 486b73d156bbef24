//! trellis-render: a walker world's [`Scene`] to pixels on the CPU
//! (tiny-skia), and pixels to the palette of a GIF frame. `trellis record`
//! films episodes with it and the viewer shows its frames, so a recording
//! and the window look the same. Fills are drawn without anti-aliasing, so
//! every pixel is one of the scene's colours (or water over one): frames
//! quantise exactly to a small global palette and compress well.

use std::collections::HashMap;

use tiny_skia::{Color, FillRule, Paint, PathBuilder, Stroke, Transform};
use trellis_envs::physics::Vec2;
use trellis_envs::scene::{Rgba, Scene, palette};

pub use tiny_skia::{Pixmap, PixmapMut};

/// How a frame looks at the world: where the scene's focus (the head) sits
/// in it and how many pixels a world unit spans.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct View {
    /// The focus's position as fractions of the frame's width and height
    /// (from the top left).
    pub anchor: (f32, f32),
    /// Pixels per world unit.
    pub scale: f32,
}

impl View {
    /// The reference's view in a frame `height` pixels high: 30 px per unit
    /// at its 400-pixel viewport (so any size shows the same view), the
    /// walker a third of the way across and a little below the middle, as
    /// its scrolling keeps it.
    pub fn reference(height: u32) -> Self {
        Self {
            anchor: (1.0 / 3.0, 0.55),
            scale: 30.0 * height as f32 / 400.0,
        }
    }
}

/// World to pixel coordinates for one frame.
pub struct Camera {
    focus: Vec2,
    view: View,
    width: f32,
    height: f32,
}

impl Camera {
    /// The camera on `scene` for a `width` × `height` frame.
    pub fn new(scene: &Scene, width: u32, height: u32, view: View) -> Self {
        Self {
            focus: scene.focus,
            view,
            width: width as f32,
            height: height as f32,
        }
    }

    /// Where world point `p` lands in the frame (pixels, y down).
    pub fn project(&self, p: Vec2) -> (f32, f32) {
        (
            self.width * self.view.anchor.0 + (p.x - self.focus.x) * self.view.scale,
            self.height * self.view.anchor.1 - (p.y - self.focus.y) * self.view.scale,
        )
    }
}

fn paint(c: Rgba) -> Paint<'static> {
    let [r, g, b, a] = c.0;
    let mut p = Paint::default();
    p.set_color(Color::from_rgba8(r, g, b, a));
    p.anti_alias = false;
    p
}

/// The frame of `scene`, `width` × `height` pixels, seen as `view`.
pub fn render(scene: &Scene, width: u32, height: u32, view: View) -> Pixmap {
    let mut px = Pixmap::new(width, height).expect("a frame is at least 1×1");
    render_into(scene, &mut px.as_mut(), view);
    px
}

/// [`render`] into pixels the caller owns (premultiplied RGBA8, as the
/// viewer's texture is), so a frame a display shows 60 times a second
/// needs no allocation and no copy.
pub fn render_into(scene: &Scene, px: &mut PixmapMut, view: View) {
    let [r, g, b, a] = scene.sky.0;
    px.fill(Color::from_rgba8(r, g, b, a));
    let cam = Camera::new(scene, px.width(), px.height(), view);
    let path = |points: &[Vec2], close: bool| {
        let mut pb = PathBuilder::new();
        for (i, &p) in points.iter().enumerate() {
            let (x, y) = cam.project(p);
            if i == 0 {
                pb.move_to(x, y);
            } else {
                pb.line_to(x, y);
            }
        }
        if close {
            pb.close();
        }
        pb.finish()
    };
    let outline = Stroke {
        width: 2.0,
        ..Stroke::default()
    };
    for poly in &scene.polygons {
        let Some(p) = path(&poly.points, true) else { continue };
        px.fill_path(&p, &paint(poly.fill), FillRule::Winding, Transform::identity(), None);
        if let Some(edge) = poly.edge {
            px.stroke_path(&p, &paint(edge), &outline, Transform::identity(), None);
        }
    }
    let thin = Stroke::default();
    for l in &scene.lines {
        if let Some(p) = path(&[l.a, l.b], false) {
            px.stroke_path(&p, &paint(l.colour), &thin, Transform::identity(), None);
        }
    }
}

/// A GIF palette for frames of scenes like `scene`: every colour it uses,
/// and each under the translucent water.
pub struct Quantiser {
    colours: Vec<[u8; 3]>,
    cache: HashMap<[u8; 3], u8>,
}

impl Quantiser {
    /// The palette of `scene`'s colours (body, terrain, overlays, sky) and
    /// of water over each.
    pub fn new(scene: &Scene) -> Self {
        let mut opaque: Vec<Rgba> = vec![scene.sky];
        opaque.extend(scene.polygons.iter().flat_map(|p| [Some(p.fill), p.edge]).flatten());
        opaque.extend(scene.lines.iter().map(|l| l.colour));
        opaque.extend([palette::HOLDING, palette::HULL_EDGE]);
        opaque.retain(|c| c.0[3] == 255);
        let mut colours: Vec<[u8; 3]> = Vec::new();
        for c in &opaque {
            for c in [*c, palette::WATER.over(*c)] {
                let rgb = [c.0[0], c.0[1], c.0[2]];
                if !colours.contains(&rgb) && colours.len() < 256 {
                    colours.push(rgb);
                }
            }
        }
        Self {
            colours,
            cache: HashMap::new(),
        }
    }

    /// The palette, as a GIF's RGB triples.
    pub fn palette(&self) -> Vec<u8> {
        self.colours.iter().flatten().copied().collect()
    }

    /// Each pixel's palette index (the nearest colour; exact for what
    /// [`render`] draws, up to blending's rounding).
    pub fn indices(&mut self, px: &Pixmap) -> Vec<u8> {
        let mut last: Option<([u8; 3], u8)> = None;
        px.pixels()
            .iter()
            .map(|p| {
                let c = p.demultiply();
                let rgb = [c.red(), c.green(), c.blue()];
                if let Some((l, i)) = last
                    && l == rgb
                {
                    return i;
                }
                let colours = &self.colours;
                let i = *self.cache.entry(rgb).or_insert_with(|| nearest(colours, rgb));
                last = Some((rgb, i));
                i
            })
            .collect()
    }
}

fn nearest(colours: &[[u8; 3]], rgb: [u8; 3]) -> u8 {
    let d = |c: &[u8; 3]| -> u32 {
        c.iter().zip(rgb).map(|(&a, b)| (i32::from(a) - i32::from(b)).pow(2) as u32).sum()
    };
    colours
        .iter()
        .enumerate()
        .min_by_key(|(_, c)| d(c))
        .map_or(0, |(i, _)| i as u8)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trellis_envs::registry::make_walker;
    use trellis_envs::scene::{Overlays, walker_scene};
    use trellis_envs::walker::WalkerConfig;
    use trellis_envs::{ContinuousEnv, Env};

    /// Each body part lands in the frame where the scene says it is: the
    /// pixel at a part's centre has that part's fill (or, where parts
    /// overlap, the fill of a part drawn over it).
    #[test]
    fn body_parts_are_drawn_where_the_scene_puts_them() {
        for body in ["old_classic_bipedal", "spider", "millipede"] {
            let mut env = make_walker("stump-tracks", Some(body), WalkerConfig::default()).unwrap();
            env.reset(Some(3), None).unwrap();
            let n = env.action_space().dim();
            for i in 0..40 {
                env.step(&vec![if i % 2 == 0 { 0.8 } else { -0.8 }; n]);
            }
            let scene = walker_scene(&env, Overlays::default()).unwrap();
            let px = render(&scene, 600, 400, View::reference(400));
            let cam = Camera::new(&scene, 600, 400, View::reference(400));
            let parts = &scene.polygons[scene.body_parts.clone()];
            let mut own = 0;
            for (k, part) in parts.iter().enumerate() {
                let c = part.points.iter().fold(Vec2::ZERO, |a, &p| a + p) / part.points.len() as f32;
                let (x, y) = cam.project(c);
                let p = px.pixel(x as u32, y as u32).unwrap().demultiply();
                let got = Rgba([p.red(), p.green(), p.blue(), 255]);
                let drawn_over = parts[k..].iter().any(|q| q.fill == got || q.edge == Some(got));
                assert!(drawn_over, "{body} part {k}: {got:?} at ({x:.0}, {y:.0})");
                own += usize::from(got == part.fill || part.edge == Some(got));
            }
            // Limbs cross each other, but most parts show their own colours.
            assert!(own * 2 > parts.len(), "{body}: {own} of {} parts show their own colours", parts.len());
            // The hull is in the hull's colour.
            assert_eq!(parts[0].fill, palette::HULL);
        }
    }

    /// The GIF palette holds every colour a frame draws, water included.
    #[test]
    fn frames_quantise_exactly_to_the_palette() {
        let mut env = make_walker("parkour", Some("fish"), WalkerConfig::default()).unwrap();
        let task = [-0.15, 0.8, 0.1, 1.0, 0.25, 0.0, 5.0, 10.0];
        env.reset(Some(0), Some(&task)).unwrap();
        let scene = walker_scene(&env, Overlays::default()).unwrap();
        let px = render(&scene, 300, 200, View::reference(200));
        let mut q = Quantiser::new(&scene);
        let idx = q.indices(&px);
        let pal = q.palette();
        let mut worst = 0;
        for (p, &i) in px.pixels().iter().zip(&idx) {
            let p = p.demultiply();
            let c = &pal[3 * usize::from(i)..3 * usize::from(i) + 3];
            for (a, b) in [p.red(), p.green(), p.blue()].into_iter().zip(c) {
                worst = worst.max(a.abs_diff(*b));
            }
        }
        assert!(worst <= 2, "a pixel is {worst} off its palette colour");
        let water = palette::WATER.over(palette::SKY);
        assert!(idx.iter().any(|&i| pal[3 * usize::from(i)..][..3] == water.0[..3]), "water over the sky is drawn");
    }
}
