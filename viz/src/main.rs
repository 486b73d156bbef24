//! trellis-viz: watch trellis worlds, bodies, policies and teachers.
//!
//! One window, drawn with Bevy's immediate-mode gizmos (the worlds change
//! every episode, so there is nothing to keep as meshes): the terrain, the
//! body's parts, lidar rays and contacts, a HUD with the task as sliders,
//! and, for a run dir, the teacher's samples and beliefs. `--screenshot`
//! renders a few frames, saves a PNG and exits (the CI screenshots).

mod capture;
mod draw;
mod side_panel;
mod sim;
mod teacher_panel;
mod text_panel;

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::window::WindowResolution;
use clap::Parser;

#[derive(Parser, Debug, Clone)]
#[command(
    name = "trellis-viz",
    about = "Watch trellis worlds, agents and teachers"
)]
/// What to show (see `--help`).
pub struct Args {
    /// The world (`trellis describe` lists them).
    #[arg(long, default_value = trellis_envs::registry::default_world().name)]
    pub env: String,
    /// The walker body (the world's benchmark body when absent).
    #[arg(long)]
    pub body: Option<String>,
    /// Task vector, comma-separated (the env's default task when absent).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub task: Option<Vec<f64>>,
    /// The episode's seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// A run dir: replay its last checkpointed policy on its test set and show its teacher.
    #[arg(long)]
    pub run: Option<PathBuf>,
    /// One of the world's options as KEY=VALUE (TOML value or bare
    /// string), e.g. `--option cppn_weights=w.json` on Parkour;
    /// `trellis describe --env NAME` lists them. Repeatable.
    #[arg(long = "option", value_name = "KEY=VALUE")]
    pub options: Vec<String>,
    /// Render `--frames` frames, save the window to this PNG and exit.
    #[arg(long)]
    pub screenshot: Option<PathBuf>,
    /// Frames rendered before `--screenshot` saves.
    #[arg(long, default_value_t = 90)]
    pub frames: u32,
    /// Window width in pixels.
    #[arg(long, default_value_t = 1280)]
    pub width: u32,
    /// Window height in pixels.
    #[arg(long, default_value_t = 720)]
    pub height: u32,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let sim = sim::Sim::new(&args)?;
    let mut app = App::new();
    app.add_plugins(DefaultPlugins.set(WindowPlugin {
        primary_window: Some(Window {
            title: format!("trellis-viz · {}", sim.title(&args)),
            resolution: WindowResolution::new(args.width, args.height),
            ..default()
        }),
        ..default()
    }))
    .insert_resource(ClearColor(draw::SKY))
    .insert_non_send(sim)
    .insert_resource(capture::Capture::new(args.screenshot.clone(), args.frames))
    .add_systems(Startup, (draw::setup, text_panel::setup, side_panel::setup))
    .add_systems(
        Update,
        (
            sim::control,
            side_panel::interact,
            sim::advance,
            draw::world,
            draw::hud,
            side_panel::show,
            text_panel::typing,
            text_panel::show,
            capture::tick,
        )
            .chain(),
    );
    app.run();
    Ok(())
}
