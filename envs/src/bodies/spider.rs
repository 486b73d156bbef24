//! TeachMyAgent's spider: a square body with pairs of three-segment legs
//! that start folded (up, out, then down) around the body's sides.

use std::f32::consts::PI;

use super::{BodyKind, BodySpec, Contact, Segment, Shape, px};

const BODY: f32 = 20.0;
const LEG_W: f32 = 6.0;
const LEG_H: f32 = 20.0;
/// Hips sit this far below the body's centre.
const LEG_DOWN: f32 = 4.0;
const PAIRS: usize = 2;

/// The benchmark's spider: two pairs of legs, torque 100.
pub fn spider() -> BodySpec {
    let mut spec = BodySpec::new("spider", BodyKind::Walker, 100.0, 0.00035 / PAIRS as f32);
    let body = spec.add_part(
        "body",
        Shape::Rect {
            w: px(BODY),
            h: px(BODY),
        },
        5.0,
        [0.0, 0.0],
        Contact::Ignored,
    );
    spec.parts[body].friction = 0.1;
    let (w, h) = (px(LEG_W), px(LEG_H));
    for pair in 0..PAIRS {
        for side in [1.0f32, -1.0] {
            // Angles of the three segments (0 = pointing straight up), mirrored per side.
            let mut foot = Segment::shin(w, h)
                .tilted(0.9 * PI * side, 1.0)
                .limits(-0.2 * PI, 0.2 * PI);
            foot.angle_offset = 0.0;
            let leg = [
                Segment::thigh(w, h)
                    .tilted(0.25 * PI * side, 1.0)
                    .limits(-0.1 * PI, 0.1 * PI),
                Segment::thigh(w, h)
                    .tilted(0.7 * PI * side, 1.0)
                    .limits(-0.15 * PI, 0.15 * PI),
                foot,
            ];
            spec.add_limb(
                &format!("leg{pair}_{side}"),
                body,
                [-side * px(BODY) / 2.0, -px(LEG_DOWN)],
                &leg,
            );
        }
    }
    spec.spawn_height = h + px(LEG_DOWN);
    spec.width = px(BODY) + 4.0 * h;
    spec
}
