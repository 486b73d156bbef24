//! TeachMyAgent's "wheel": a square hull with a two-segment leg on each of
//! its four sides, rolling rather than walking (its head angle is free).

use std::f32::consts::FRAC_PI_2;

use super::{BodyKind, BodySpec, Contact, Segment, Shape, px};

const HULL: f32 = 20.0;
const LEG_W: f32 = 4.0;
const LEG_H: f32 = 10.0;

/// TeachMyAgent's `wheel`: a square hull with a two-segment leg on each side, rolling.
pub fn wheel() -> BodySpec {
    let mut spec = BodySpec::new("wheel", BodyKind::Walker, 500.0, 0.00035 / 2.0);
    let size = px(HULL);
    let hull = spec.add_part(
        "hull",
        Shape::Rect { w: size, h: size },
        5.0,
        [0.0, 0.0],
        Contact::Ignored,
    );
    spec.parts[hull].friction = 0.1;
    let (w, h) = (px(LEG_W), px(LEG_H));
    // (side direction, segment angle, which way along the segment's axis).
    for (name, dir, angle, outward) in [
        ("bottom", [0.0, -1.0], 0.0, -1.0),
        ("top", [0.0, 1.0], 0.0, 1.0),
        ("back", [-1.0, 0.0], FRAC_PI_2, 1.0),
        ("front", [1.0, 0.0], FRAC_PI_2, -1.0),
    ] {
        let leg = [
            Segment::thigh(w, h).tilted(angle, outward),
            Segment::shin(w, h).tilted(angle, outward),
        ];
        spec.add_limb(name, hull, [dir[0] * size / 2.0, dir[1] * size / 2.0], &leg);
    }
    spec.head_angle_penalty = false;
    spec.spawn_height = size / 2.0 + 2.0 * h;
    spec.width = size;
    spec
}
