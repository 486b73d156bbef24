//! TeachMyAgent's millipede: a row of square segments joined by stiff
//! passive hinges, each with a pair of classic two-segment legs. The head is
//! the front-most segment.

use std::f32::consts::PI;

use super::{BodyKind, BodySpec, Contact, HingeSpec, Segment, Shape, px};

const SEGMENT: f32 = 20.0;
const LEG_W: f32 = 4.0;
const LEG_H: f32 = 10.0;
const LEG_DOWN: f32 = 3.0;
const SEGMENTS: usize = 4;

/// TeachMyAgent's `millipede`: a chain of body segments, each on its own pair of legs.
pub fn millipede() -> BodySpec {
    let mut spec = BodySpec::new(
        "millipede",
        BodyKind::Walker,
        200.0,
        0.00035 / SEGMENTS as f32,
    );
    let size = px(SEGMENT);
    let (w, h) = (px(LEG_W), px(LEG_H));
    let first_x = -size * SEGMENTS as f32 / 2.0;
    let mut previous = None;
    for j in 0..SEGMENTS {
        let x = first_x + j as f32 * size;
        let seg = spec.add_part(
            &format!("segment{j}"),
            Shape::Rect { w: size, h: size },
            5.0,
            [x, 0.0],
            Contact::Ignored,
        );
        spec.parts[seg].friction = 0.1;
        for side in ["left", "right"] {
            spec.add_limb(
                &format!("segment{j}_{side}_leg"),
                seg,
                [x, -px(LEG_DOWN)],
                &[Segment::thigh(w, h), Segment::shin(w, h)],
            );
        }
        if let Some(prev) = previous {
            spec.hinges.push(HingeSpec {
                parent: prev,
                child: seg,
                anchor: [x - size / 2.0, 0.0],
                limits: [-0.05 * PI, 0.05 * PI],
            });
        }
        previous = Some(seg);
        spec.head = seg;
    }
    spec.spawn_height = 2.0 * h + px(LEG_DOWN);
    spec.width = size * SEGMENTS as f32;
    spec
}
