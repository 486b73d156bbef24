//! The side panel: mouse controls docked at the right of the window, the
//! world drawn in the rest. A slider per task dimension (click or drag:
//! the world regenerates at once), buttons for who drives the body, pause,
//! one step, restart, the simulation speed, and a POET run's next pair.
//! The teacher panel sits below them, beside the world rather than over it.
//! Every control has its keyboard shortcut too (the HUD lists them).

use bevy::prelude::*;
use bevy::ui::RelativeCursorPosition;
use trellis_envs::Env;
use trellis_train::drive::Drive;

use crate::sim::{Control, Sim};

/// The panel's width in logical pixels (the world gets the rest).
pub const WIDTH: f32 = 320.0;
const BACKGROUND: Color = Color::srgba(0.97, 0.97, 1.0, 0.92);
const TRACK: Color = Color::srgb(0.78, 0.8, 0.86);
const FILL: Color = Color::srgb(0.3, 0.4, 0.85);
const IDLE: Color = Color::srgb(0.86, 0.87, 0.92);
const ACTIVE: Color = Color::srgb(0.55, 0.75, 0.95);
const INK: Color = Color::srgb(0.1, 0.1, 0.15);
/// Simulation speeds offered, in env steps per displayed frame.
const SPEEDS: [f32; 4] = [0.5, 1.0, 2.0, 4.0];

/// The track of dimension `.0`'s slider.
#[derive(Component)]
pub struct Slider(usize);
/// The filled part of dimension `.0`'s slider.
#[derive(Component)]
pub struct SliderFill(usize);
/// Dimension `.0`'s value, as text.
#[derive(Component)]
pub struct SliderValue(usize);

/// What a button does.
#[derive(Component, Clone, Copy, PartialEq)]
pub enum Action {
    /// Hand the body to a driver (None: the keyboard).
    Drive(Option<Drive>),
    Pause,
    Step,
    Restart,
    Speed(f32),
    NextPair,
}

fn text(s: impl Into<String>, size: f32) -> (Text, TextFont, TextColor) {
    (
        Text::new(s),
        TextFont { font_size: bevy::text::FontSize::Px(size), ..default() },
        TextColor(INK),
    )
}

fn button(parent: &mut ChildSpawnerCommands, label: &str, action: Action) {
    parent
        .spawn((
            Button,
            Node { padding: UiRect::axes(Val::Px(6.0), Val::Px(3.0)), ..default() },
            BackgroundColor(IDLE),
            action,
        ))
        .with_children(|b| {
            b.spawn(text(label, 13.0));
        });
}

/// Builds the panel for a walker world (text worlds have their own).
pub fn setup(mut commands: Commands, sim: NonSend<Sim>) {
    let Sim::Walker(w, _) = &*sim else { return };
    let dims = w.env.task_space().dims.clone();
    let drivers: Vec<Drive> = Drive::ALL.iter().copied().filter(|&d| w.drivers.can(d, &w.env)).collect();
    let poet = !w.population.is_empty();
    let row = || Node {
        flex_direction: FlexDirection::Row,
        flex_wrap: FlexWrap::Wrap,
        align_items: AlignItems::Center,
        column_gap: Val::Px(4.0),
        row_gap: Val::Px(4.0),
        ..default()
    };
    commands
        .spawn((
            Node {
                position_type: PositionType::Absolute,
                right: Val::Px(0.0),
                top: Val::Px(0.0),
                width: Val::Px(WIDTH),
                flex_direction: FlexDirection::Column,
                padding: UiRect::all(Val::Px(8.0)),
                row_gap: Val::Px(5.0),
                ..default()
            },
            BackgroundColor(BACKGROUND),
        ))
        .with_children(|panel| {
            panel.spawn(text("task", 14.0));
            for (i, d) in dims.iter().enumerate() {
                panel.spawn(row()).with_children(|r| {
                    r.spawn((text(d.name.clone(), 12.0), Node { width: Val::Px(124.0), ..default() }));
                    r.spawn((
                        Button,
                        RelativeCursorPosition::default(),
                        Node { width: Val::Px(104.0), height: Val::Px(12.0), ..default() },
                        BackgroundColor(TRACK),
                        Slider(i),
                    ))
                    .with_children(|t| {
                        t.spawn((
                            Node { width: Val::Percent(0.0), height: Val::Percent(100.0), ..default() },
                            BackgroundColor(FILL),
                            SliderFill(i),
                        ));
                    });
                    r.spawn((text("", 12.0), SliderValue(i)));
                });
            }
            panel.spawn(text("driver", 14.0));
            panel.spawn(row()).with_children(|r| {
                for d in &drivers {
                    button(r, d.name(), Action::Drive(Some(*d)));
                }
                button(r, "keyboard", Action::Drive(None));
            });
            panel.spawn(text("simulation", 14.0));
            panel.spawn(row()).with_children(|r| {
                button(r, "pause", Action::Pause);
                button(r, "step", Action::Step);
                button(r, "restart", Action::Restart);
                if poet {
                    button(r, "next pair", Action::NextPair);
                }
            });
            panel.spawn(row()).with_children(|r| {
                r.spawn(text("speed", 12.0));
                for s in SPEEDS {
                    button(r, &format!("{s}x"), Action::Speed(s));
                }
            });
        });
}

/// Mouse input: sliders set their dimension where pressed (and follow a
/// drag); buttons act once per press.
pub fn interact(
    mut sim: NonSendMut<Sim>,
    sliders: Query<(&Interaction, &RelativeCursorPosition, &Slider)>,
    buttons: Query<(&Interaction, &Action), Changed<Interaction>>,
) {
    let Sim::Walker(w, _) = &mut *sim else { return };
    for (interaction, cursor, slider) in &sliders {
        let (Interaction::Pressed, Some(p)) = (interaction, cursor.normalized) else { continue };
        // (0, 0) is the track's centre, ±0.5 its edges.
        let u = f64::from(p.x + 0.5).clamp(0.0, 1.0);
        let d = &w.env.task_space().dims[slider.0];
        let value = d.low + u * d.width();
        w.selected_dim = slider.0;
        if (value - w.task[slider.0]).abs() > 1e-9 * d.width().max(1.0) {
            w.task[slider.0] = value;
            if let Err(e) = w.reset() {
                warn!("{e}");
            }
        }
    }
    for (interaction, action) in &buttons {
        if *interaction != Interaction::Pressed {
            continue;
        }
        let done = match *action {
            Action::Drive(Some(d)) => {
                w.control = Control::Driver(d);
                Ok(())
            }
            Action::Drive(None) => {
                w.control = Control::Keyboard;
                Ok(())
            }
            Action::Pause => {
                w.paused = !w.paused;
                Ok(())
            }
            Action::Step => {
                w.paused = true;
                w.step()
            }
            Action::Restart => w.reset(),
            Action::Speed(s) => {
                w.speed = s;
                Ok(())
            }
            Action::NextPair => w.next_pair(),
        };
        if let Err(e) = done {
            warn!("{e}");
        }
    }
}

/// Shows the task on the sliders and the state on the buttons.
pub fn show(
    sim: NonSend<Sim>,
    mut fills: Query<(&SliderFill, &mut Node)>,
    mut values: Query<(&SliderValue, &mut Text)>,
    mut buttons: Query<(&Action, &Interaction, &mut BackgroundColor)>,
) {
    let Sim::Walker(w, _) = &*sim else { return };
    let dims = &w.env.task_space().dims;
    for (f, mut node) in &mut fills {
        let d = &dims[f.0];
        let u = if d.width() > 0.0 { (w.task[f.0] - d.low) / d.width() } else { 0.0 };
        node.width = Val::Percent((100.0 * u.clamp(0.0, 1.0)) as f32);
    }
    for (v, mut t) in &mut values {
        let mark = if v.0 == w.selected_dim { " <" } else { "" };
        **t = format!("{:.2}{mark}", w.task[v.0]);
    }
    for (action, interaction, mut bg) in &mut buttons {
        let on = match *action {
            Action::Drive(Some(d)) => w.control == Control::Driver(d),
            Action::Drive(None) => w.control == Control::Keyboard,
            Action::Pause => w.paused,
            Action::Speed(s) => w.speed == s,
            _ => false,
        };
        bg.0 = if on || *interaction == Interaction::Pressed {
            ACTIVE
        } else if *interaction == Interaction::Hovered {
            IDLE.darker(0.06)
        } else {
            IDLE
        };
    }
}
