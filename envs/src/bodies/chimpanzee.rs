//! TeachMyAgent's climbing chimpanzees, seen in profile: head on a
//! trapezoid chest, two arms raised with a hand and a gripper at each tip,
//! and (for the full body) two legs. Climbers may touch the ceiling but not
//! the ground; they start hanging from the ceiling by their grippers.

use std::f32::consts::PI;

use super::{BodyKind, BodySpec, Contact, GripperSpec, HingeSpec, SPEED_HIP, Segment, Shape, px};

const CHEST: [[f32; 2]; 4] = [[-12.0, 25.0], [12.0, 25.0], [8.0, -20.0], [-8.0, -20.0]];
const CHEST_HEIGHT: f32 = 45.0;
const HEAD_W: f32 = 10.0;
const HEAD_H: f32 = 20.0;
const LIMB_W: f32 = 8.0;
const LIMB_H: f32 = 28.0;
const HAND_W: f32 = 4.0;
const HAND_H: f32 = 8.0;
const LEG_DOWN: f32 = 12.0;
const ARM_UP: f32 = 22.0;
const SPEED_HAND: f32 = 8.0;

/// The full climber (the climbing benchmark's body).
pub fn climbing_profile() -> BodySpec {
    build("climbing_profile_chimpanzee", true)
}

/// The legless climber.
pub fn climbing_chest_profile() -> BodySpec {
    build("climbing_chest_profile_chimpanzee", false)
}

fn build(name: &str, legs: bool) -> BodySpec {
    let mut spec = BodySpec::new(name, BodyKind::Climber, 100.0, 0.00035 / 5.0);
    let head_y = px(CHEST_HEIGHT) / 2.0 + px(HEAD_H) / 2.0 + 0.2;
    let head = spec.add_part(
        "head",
        Shape::Rect {
            w: px(HEAD_W),
            h: px(HEAD_H),
        },
        5.0,
        [0.0, head_y],
        Contact::Critical,
    );
    let chest = spec.add_part(
        "chest",
        Shape::polygon_px(&CHEST),
        5.0,
        [0.0, 0.0],
        Contact::Critical,
    );
    spec.parts[head].friction = 0.1;
    spec.parts[chest].friction = 0.1;
    spec.hinges.push(HingeSpec {
        parent: head,
        child: chest,
        anchor: [0.0, px(CHEST_HEIGHT) / 2.0],
        limits: [-0.1 * PI, 0.1 * PI],
    });
    let (w, h) = (px(LIMB_W), px(LIMB_H));
    if legs {
        for i in 0..2 {
            let leg = [
                Segment::thigh(w, h).limits(-0.3 * PI, 0.6 * PI),
                Segment::shin(w, h)
                    .limits(-0.75 * PI, -0.1)
                    .contact(Contact::Critical, true),
            ];
            spec.add_limb(&format!("leg{i}"), chest, [0.0, -px(LEG_DOWN)], &leg);
        }
    }
    for i in 0..2 {
        let up = |s: Segment| s.tilted(0.0, 1.0);
        let hand = up(Segment::thigh(px(HAND_W), px(HAND_H)))
            .limits(-0.5 * PI, 0.5 * PI)
            .speed(SPEED_HAND)
            .contact(Contact::Sensed, true);
        let arm = [
            // The original allows the shoulder [-1.5π, 0]; a hinge angle lives
            // in [-π, π] here, so the limit stops just short of -π.
            up(Segment::thigh(w, h)).limits(-0.99 * PI, 0.0),
            up(Segment::thigh(0.8 * w, h))
                .limits(0.0, 0.75 * PI)
                .speed(SPEED_HIP),
            hand,
        ];
        let (tip, end) = spec.add_limb(&format!("arm{i}"), chest, [0.0, px(ARM_UP)], &arm);
        spec.grippers.push(GripperSpec {
            part: tip,
            pos: end,
        });
    }
    spec.head = head;
    spec.head_angle_penalty = false;
    spec.spawn_height = 2.0 * h + px(LEG_DOWN);
    spec.width = px(24.0);
    spec
}
