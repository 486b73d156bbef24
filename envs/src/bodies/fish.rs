//! TeachMyAgent's fish: a hull, a three-part tail and one fin, all hinged
//! and motorised, slightly lighter than water so it drifts up when idle.

use std::f32::consts::PI;

use super::{BodyKind, BodySpec, Contact, MotorSpec, SPEED_KNEE, Segment, Shape, px};

const HULL: [[f32; 2]; 6] = [
    [-20.0, 12.0],
    [6.0, 12.0],
    [15.0, 4.0],
    [15.0, -4.0],
    [6.0, -12.0],
    [-20.0, -12.0],
];
/// Tail parts, front to back, and each one's hinge limits (× π).
const TAIL: [([[f32; 2]; 4], [f32; 2]); 3] = [
    (
        [[-8.0, 9.0], [8.0, 12.0], [8.0, -12.0], [-8.0, -9.0]],
        [-0.1, 0.2],
    ),
    (
        [[-8.0, 4.0], [8.0, 9.0], [8.0, -9.0], [-8.0, -4.0]],
        [-0.15, 0.15],
    ),
    (
        [[-4.0, 2.0], [4.0, 4.0], [4.0, -4.0], [-4.0, -2.0]],
        [-0.3, 0.3],
    ),
];
const HULL_WIDTH: f32 = 35.0;
/// Water's density minus 0.01.
const DENSITY: f32 = 0.99;

/// TeachMyAgent's `fish`: a swimmer whose tail segments and fin beat the water.
pub fn fish() -> BodySpec {
    let mut spec = BodySpec::new("fish", BodyKind::Swimmer, 80.0, 0.00035);
    let hull = spec.add_part(
        "hull",
        Shape::polygon_px(&HULL),
        DENSITY,
        [0.0, 0.0],
        Contact::Ignored,
    );
    spec.parts[hull].friction = 0.1;
    // Each tail part hangs behind the previous hinge; the hinge sits half a part further back.
    let (mut parent, mut hinge_x) = (hull, -px(HULL_WIDTH) / 2.0);
    for (i, (outline, limits)) in TAIL.iter().enumerate() {
        let half = px(outline[1][0]);
        let part = spec.add_part(
            &format!("tail{i}"),
            Shape::polygon_px(outline),
            DENSITY,
            [hinge_x - half, 0.0],
            Contact::Sensed,
        );
        spec.motors.push(MotorSpec {
            parent,
            child: part,
            anchor: [hinge_x, 0.0],
            limits: [limits[0] * PI, limits[1] * PI],
            speed: SPEED_KNEE,
            angle_offset: 0.0,
            contact_part: Some(part),
            start_angle: 0.0,
        });
        parent = part;
        hinge_x -= px(16.0);
    }
    let fin = Segment::thigh(px(2.0), px(20.0))
        .tilted(-0.2 * PI, -1.0)
        .limits(-0.3 * PI, 0.2 * PI)
        .speed(SPEED_KNEE)
        .contact(Contact::Sensed, true);
    spec.add_limb("fin", hull, [0.0, -px(11.0) + 0.2], &[fin]);
    for p in &mut spec.parts {
        p.density = DENSITY;
    }
    spec.head_angle_penalty = false;
    spec.spawn_height = px(9.0) + 1.0;
    spec.width = px(HULL_WIDTH);
    spec
}
