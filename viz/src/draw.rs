//! Drawing a walker world with gizmos, the camera that follows the body,
//! and the HUD (task sliders, return, controls).

use bevy::prelude::*;
use trellis_envs::ContinuousEnv;
use trellis_envs::Env;
use trellis_envs::scene::{Overlays, palette, walker_scene};

use crate::sim::{Control, Sim};

/// Pixels per world unit (the original's SCALE).
pub const PX: f32 = 30.0;
pub const SKY: Color = Color::srgb(0.9, 0.92, 1.0);
/// Every body part's outline: one distinctive colour the screenshot check looks for.
pub const BODY: Color = Color::srgb(0.85, 0.15, 0.55);
const GROUND: Color = Color::srgb(0.2, 0.55, 0.2);
const CEILING: Color = Color::srgb(0.25, 0.25, 0.3);
const CREEPER: Color = Color::srgb(0.44, 0.5, 0.37);
const LIDAR: Color = Color::srgb(1.0, 0.3, 0.2);
const CONTACT: Color = Color::srgb(1.0, 0.85, 0.0);
const WATER: Color = Color::srgba(0.25, 0.5, 0.95, 0.35);

#[derive(Component)]
pub struct Hud;

#[derive(Component)]
pub struct WaterSprite;

pub fn setup(mut commands: Commands, mut gizmo_config: ResMut<GizmoConfigStore>) {
    commands.spawn((Camera2d, Msaa::Off));
    let (config, _) = gizmo_config.config_mut::<DefaultGizmoConfigGroup>();
    config.line.width = 3.0;
    commands.spawn((
        Text::new(""),
        TextFont {
            font_size: bevy::text::FontSize::Px(15.0),
            ..default()
        },
        TextColor(Color::srgb(0.1, 0.1, 0.15)),
        Node {
            position_type: PositionType::Absolute,
            top: Val::Px(8.0),
            left: Val::Px(10.0),
            ..default()
        },
        Hud,
    ));
    commands.spawn((
        Sprite::from_color(WATER, Vec2::ONE),
        Transform::from_xyz(0.0, 0.0, -1.0),
        Visibility::Hidden,
        WaterSprite,
    ));
}

fn v(p: trellis_envs::physics::Vec2) -> Vec2 {
    Vec2::new(p.x, p.y) * PX
}

/// The world, the body and its sensors; the camera follows the body's head.
pub fn world(
    sim: NonSend<Sim>,
    mut gizmos: Gizmos,
    mut camera: Query<&mut Transform, (With<Camera2d>, Without<WaterSprite>)>,
    mut water: Query<(&mut Transform, &mut Visibility), With<WaterSprite>>,
    windows: Query<&Window>,
) {
    let Sim::Walker(w, panel) = &*sim else { return };
    let (Some(layout), Some(physics), Some(body), Some(head)) = (
        w.env.layout(),
        w.env.physics(),
        w.env.body_handles(),
        w.env.head_position(),
    ) else {
        return;
    };
    let centre = v(head);
    if let Ok(mut cam) = camera.single_mut() {
        cam.translation.x = centre.x;
        cam.translation.y = centre.y;
    }
    // The geometry `trellis record` rasterises (the same scene), drawn as
    // outlines: terrain and creepers in their colours, body parts in BODY.
    let lidar = w.show_lidar.then_some(w.obs.as_slice());
    let Some(scene) = walker_scene(&w.env, Overlays { lidar_from: lidar }) else {
        return;
    };
    gizmos.linestrip_2d(layout.ground.iter().map(|&p| v(p)), GROUND);
    if !layout.ceiling.is_empty() {
        gizmos.linestrip_2d(layout.ceiling.iter().map(|&p| v(p)), CEILING);
    }
    for (i, poly) in scene.polygons.iter().enumerate() {
        let colour = if scene.body_parts.contains(&i) {
            BODY
        } else if poly.fill == palette::CREEPER {
            CREEPER
        } else if poly.fill == palette::GROUND && poly.edge.is_some() {
            GROUND
        } else {
            continue;
        };
        gizmos.lineloop_2d(poly.points.iter().map(|&p| v(p)), colour);
    }
    if let Ok((mut t, mut vis)) = water.single_mut() {
        match layout.water_y {
            Some(level) => {
                let (x0, x1) = (
                    layout.ground[0].x * PX,
                    layout.ground.last().map_or(0.0, |p| p.x) * PX,
                );
                let bottom = (centre.y - 2000.0).min(level * PX);
                t.translation = Vec3::new((x0 + x1) / 2.0, (level * PX + bottom) / 2.0, -1.0);
                t.scale = Vec3::new(x1 - x0, level * PX - bottom, 1.0);
                *vis = Visibility::Visible;
            }
            None => *vis = Visibility::Hidden,
        }
    }
    let holding = w.env.holding();
    if w.show_contacts {
        // Contact points of the body with the world, from the solver's manifolds.
        for &c in &body.colliders {
            for pair in physics.world.narrow_phase.contact_pairs_with(c) {
                let Some(c1) = physics.world.colliders.get(pair.collider1) else {
                    continue;
                };
                for m in pair.manifolds() {
                    for pt in m.points.iter().filter(|pt| pt.dist <= 0.01) {
                        let at = c1.position().transform_point(pt.local_p1);
                        gizmos.circle_2d(Isometry2d::from_translation(v(at)), 3.0, CONTACT);
                    }
                }
            }
        }
    }
    for (g, &c) in body.grippers.iter().enumerate() {
        if let Some(col) = physics.world.colliders.get(c) {
            let colour = if holding.get(g).copied().unwrap_or(false) {
                CONTACT
            } else {
                BODY
            };
            gizmos.circle_2d(
                Isometry2d::from_translation(v(col.position().translation)),
                3.0,
                colour,
            );
        }
    }
    for l in scene.lines.iter().filter(|l| l.colour == palette::LIDAR) {
        gizmos.line_2d(v(l.a), v(l.b), LIDAR);
    }
    if let Some(p) = panel {
        let half = windows.iter().next().map_or(Vec2::new(640.0, 360.0), |w| {
            Vec2::new(w.width(), w.height()) / 2.0
        });
        p.draw(
            &mut gizmos,
            centre + Vec2::new(half.x - 330.0, 30.0 - half.y),
            300.0,
            &w.env,
        );
    }
}

/// Task sliders and episode figures.
pub fn hud(sim: NonSend<Sim>, mut text: Query<&mut Text, With<Hud>>) {
    let Sim::Walker(w, panel) = &*sim else { return };
    let Ok(mut text) = text.single_mut() else {
        return;
    };
    let mut s = format!(
        "{} | {} | {} control",
        w.env.terrain().name(),
        w.env.body().name,
        w.control.name()
    );
    if let Some((ret, steps)) = w.env.episode_return() {
        s += &format!(
            "\nepisode {} | step {steps} | return {ret:.1}",
            w.episode + 1
        );
    }
    if let Some(r) = w.last_return {
        s += &format!(" | last return {r:.1}");
    }
    for (i, d) in w.env.task_space().dims.iter().enumerate() {
        let value = w.task[i];
        let filled = if d.width() > 0.0 {
            ((value - d.low) / d.width() * 20.0).round() as usize
        } else {
            0
        };
        let bar: String = (0..20)
            .map(|k| if k < filled { '#' } else { '-' })
            .collect();
        let mark = if i == w.selected_dim { '>' } else { ' ' };
        s += &format!("\n{mark} {:<18} [{bar}] {value:.2}", d.name);
    }
    s += &format!(
        "\nLeft/Right dimension | Up/Down change | Enter reset | M control ({} actions: Q/A W/S E/D R/F..., Space releases grips) | 1 lidar | 2 contacts | P pause",
        w.env.action_space().dim()
    );
    if let Some(p) = panel {
        s += &format!("\nteacher panel: {} | V next pair of dimensions", p.title());
    }
    if w.control == Control::Keyboard {
        s += "\nkeyboard control";
    }
    text.0 = s;
}
