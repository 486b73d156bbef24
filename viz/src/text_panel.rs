//! Text worlds: the transcript, goal, inventory and admissible commands in
//! a UI panel, and a command line a person types into.

use bevy::input::ButtonState;
use bevy::input::keyboard::{Key, KeyboardInput};
use bevy::prelude::*;

use crate::sim::Sim;

/// Transcript lines kept on screen.
const SHOWN: usize = 18;

#[derive(Component)]
pub struct TextPanel;

pub fn setup(mut commands: Commands, sim: NonSend<Sim>) {
    if !matches!(&*sim, Sim::Text(_)) {
        return;
    }
    commands.spawn((
        Text::new(""),
        TextFont {
            font_size: bevy::text::FontSize::Px(16.0),
            ..default()
        },
        TextColor(Color::srgb(0.08, 0.08, 0.12)),
        Node {
            position_type: PositionType::Absolute,
            top: Val::Px(12.0),
            left: Val::Px(14.0),
            right: Val::Px(14.0),
            ..default()
        },
        TextPanel,
    ));
}

pub fn typing(mut sim: NonSendMut<Sim>, mut keys: MessageReader<KeyboardInput>) {
    let Sim::Text(t) = &mut *sim else {
        keys.clear();
        return;
    };
    for k in keys.read() {
        if k.state != ButtonState::Pressed {
            continue;
        }
        match &k.logical_key {
            Key::Enter => t.submit(),
            Key::Backspace => {
                t.input.pop();
            }
            Key::Space => t.input.push(' '),
            Key::Character(c) => t.input.push_str(c),
            _ => {}
        }
    }
}

pub fn show(sim: NonSend<Sim>, mut panel: Query<&mut Text, With<TextPanel>>) {
    let Sim::Text(t) = &*sim else { return };
    let Ok(mut text) = panel.single_mut() else {
        return;
    };
    let recent = &t.transcript[t.transcript.len().saturating_sub(SHOWN)..];
    let mut s = format!(
        "GOAL: {}\nINVENTORY: {}\n\n{}",
        t.obs.goal,
        t.obs.inventory,
        recent.join("\n")
    );
    s += &format!("\n\n> {}_", t.input);
    s += &format!(
        "\n\ncommands that do something here: {}",
        t.obs.admissible.join(" | ")
    );
    text.0 = s;
}
