//! TeachMyAgent's big quadruped: a long hull on two pairs of long legs.

use super::{BodyKind, BodySpec, Contact, Segment, Shape, px};

const HULL: [[f32; 2]; 5] = [
    [-46.0, 13.0],
    [6.0, 13.0],
    [50.0, 5.0],
    [50.0, -12.0],
    [-46.0, -12.0],
];
const HULL_WIDTH: f32 = 96.0;
const LEG_W: f32 = 10.0;
const LEG_H: f32 = 51.0;
const LEG_DOWN: f32 = 3.0;
/// Where the leg pairs sit along the hull, in [-1, 1] of its width.
const LEG_POSITIONS: [f32; 2] = [-0.7, 0.5];

/// TeachMyAgent's `big_quadru`: a long hull on two pairs of long two-segment legs.
pub fn big_quadru() -> BodySpec {
    let mut spec = BodySpec::new("big_quadru", BodyKind::Walker, 300.0, 0.00035 / 2.0);
    let hull = spec.add_part(
        "hull",
        Shape::polygon_px(&HULL),
        5.0,
        [0.0, 0.0],
        Contact::Ignored,
    );
    spec.parts[hull].friction = 0.1;
    let (w, h) = (px(LEG_W), px(LEG_H));
    for (i, at) in LEG_POSITIONS.iter().enumerate() {
        let x = at * px(HULL_WIDTH) / 2.0;
        for side in ["left", "right"] {
            spec.add_limb(
                &format!("leg{i}_{side}"),
                hull,
                [x, -px(LEG_DOWN)],
                &[Segment::thigh(w, h), Segment::shin(w, h)],
            );
        }
    }
    spec.spawn_height = 2.0 * h + px(LEG_DOWN);
    spec.width = px(HULL_WIDTH);
    spec
}
