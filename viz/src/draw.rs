//! Drawing a walker world: the frame `trellis record` would film (the scene
//! rasterised by trellis-render, shown as a sprite behind everything), debug
//! outlines and overlays with gizmos, the camera that follows the body, and
//! the HUD (task sliders, return, controls).

use bevy::prelude::*;
use trellis_envs::ContinuousEnv;
use trellis_envs::Env;
use trellis_envs::scene::{Overlays, palette, walker_scene};

use crate::sim::{Control, Sim};

/// Pixels per world unit (the original's SCALE).
pub const PX: f32 = 30.0;
/// The window's clear colour: the scene's sky, so text worlds and a frame
/// being resized share it.
pub const SKY: Color = {
    let [r, g, b, _] = palette::SKY.0;
    Color::srgb_u8(r, g, b)
};
/// Body parts' debug outlines (key 3).
pub const BODY: Color = Color::srgb(0.85, 0.15, 0.55);
const GROUND: Color = Color::srgb(0.2, 0.55, 0.2);
const CEILING: Color = Color::srgb(0.25, 0.25, 0.3);
const CREEPER: Color = Color::srgb(0.44, 0.5, 0.37);
const CONTACT: Color = Color::srgb(1.0, 0.85, 0.0);

#[derive(Component)]
pub struct Hud;

/// The sprite showing the rasterised scene.
#[derive(Component)]
pub struct SceneSprite;

/// The image the scene is rasterised into each frame.
#[derive(Resource)]
pub struct SceneImage(pub Handle<Image>);

pub fn setup(
    mut commands: Commands,
    mut gizmo_config: ResMut<GizmoConfigStore>,
    mut images: ResMut<Assets<Image>>,
) {
    use bevy::asset::RenderAssetUsages;
    use bevy::render::render_resource::{Extent3d, TextureDimension, TextureFormat};
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
    let image = images.add(Image::new_fill(
        Extent3d { width: 1, height: 1, depth_or_array_layers: 1 },
        TextureDimension::D2,
        &[0, 0, 0, 0],
        TextureFormat::Rgba8UnormSrgb,
        RenderAssetUsages::default(),
    ));
    commands.spawn((Sprite::from_image(image.clone()), Transform::from_xyz(0.0, 0.0, -5.0), SceneSprite));
    commands.insert_resource(SceneImage(image));
}

fn v(p: trellis_envs::physics::Vec2) -> Vec2 {
    Vec2::new(p.x, p.y) * PX
}

/// The world as `trellis record` films it (its scene rasterised by
/// trellis-render into a window-sized sprite centred on the head, where the
/// camera looks), debug outlines of the same geometry (key 3), contact
/// points (key 2) and the teacher panel.
pub fn world(
    sim: NonSend<Sim>,
    mut gizmos: Gizmos,
    mut camera: Query<&mut Transform, With<Camera2d>>,
    mut scene_sprite: Query<(&mut Transform, &mut Sprite), (With<SceneSprite>, Without<Camera2d>)>,
    scene_image: Res<SceneImage>,
    mut images: ResMut<Assets<Image>>,
    windows: Query<&Window>,
) {
    let Sim::Walker(w, panel) = &*sim else { return };
    let lidar = w.show_lidar.then_some(w.obs.as_slice());
    let (Some(physics), Some(body), Some(scene)) = (
        w.env.physics(),
        w.env.body_handles(),
        walker_scene(&w.env, Overlays { lidar_from: lidar }),
    ) else {
        return;
    };
    let centre = v(scene.focus);
    let window = windows.iter().next();
    let full = window.map_or(Vec2::new(1280.0, 720.0), |w| Vec2::new(w.width(), w.height()));
    // The world fills the window left of the side panel, centred on the head.
    let panel_width = crate::side_panel::WIDTH.min(full.x / 2.0);
    let logical = Vec2::new(full.x - panel_width, full.y);
    if let Ok(mut cam) = camera.single_mut() {
        cam.translation.x = centre.x + panel_width / 2.0;
        cam.translation.y = centre.y;
    }
    let factor = window.map_or(1.0, |w| w.scale_factor());
    let (pw, ph) = ((logical.x * factor).round().max(1.0) as u32, (logical.y * factor).round().max(1.0) as u32);
    let view = trellis_render::View { anchor: (0.5, 0.5), scale: PX * factor };
    if let Some(mut img) = images.get_mut(&scene_image.0) {
        use bevy::render::render_resource::Extent3d;
        let extent = Extent3d { width: pw, height: ph, depth_or_array_layers: 1 };
        if img.texture_descriptor.size != extent {
            img.resize(extent);
        }
        // Rasterised straight into the texture's bytes.
        if let Some(mut px) = img
            .data
            .as_mut()
            .and_then(|d| trellis_render::PixmapMut::from_bytes(d, pw, ph))
        {
            trellis_render::render_into(&scene, &mut px, view);
        }
    }
    if let Ok((mut t, mut sprite)) = scene_sprite.single_mut() {
        t.translation = Vec3::new(centre.x, centre.y, -5.0);
        sprite.custom_size = Some(logical);
    }
    if w.show_outlines {
        for (i, poly) in scene.polygons.iter().enumerate() {
            let colour = if scene.body_parts.contains(&i) {
                BODY
            } else if poly.fill == palette::CREEPER {
                CREEPER
            } else if poly.fill == palette::CEILING {
                CEILING
            } else {
                GROUND
            };
            gizmos.lineloop_2d(poly.points.iter().map(|&p| v(p)), colour);
        }
    }
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
    if let Some(p) = panel {
        // Docked below the side panel's controls, beside the world.
        let size = (panel_width - 20.0).min(300.0);
        let right = centre.x + panel_width / 2.0 + full.x / 2.0;
        p.draw(&mut gizmos, Vec2::new(right - panel_width + 10.0, centre.y - full.y / 2.0 + 10.0), size, &w.env);
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
        match w.control {
            Control::Driver(d) => w.drivers.label(d),
            c => c.name().to_string(),
        }
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
    // The task's sliders are in the side panel; the keyboard edits the marked one.
    let d = &w.env.task_space().dims[w.selected_dim];
    s += &format!("\nkeys edit {} = {:.2}", d.name, w.task[w.selected_dim]);
    // Two short lines: one long line overflowed a 1280-px window.
    s += &format!(
        "\nLeft/Right dimension | Up/Down change | Enter reset | P pause\n1 lidar | 2 contacts | 3 outlines | M control\nkeyboard: {} actions on Q/A W/S E/D R/F ..., Space releases grips",
        w.env.action_space().dim()
    );
    if let Some(p) = panel {
        s += &format!("\nteacher panel: {} | V next pair of dimensions", p.title());
    }
    if let Some(p) = w.population.get(w.pair) {
        s += &format!("\nPOET population: {} of {} | N next pair", p.label, w.population.len());
    }
    if w.control == Control::Keyboard {
        s += "\nkeyboard control";
    }
    text.0 = s;
}
