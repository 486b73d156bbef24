//! `--screenshot`: let the world run a few frames, save the window, exit.

use std::path::PathBuf;

use bevy::prelude::*;
use bevy::render::view::screenshot::{Screenshot, ScreenshotCaptured, save_to_disk};

#[derive(Resource)]
pub struct Capture {
    path: Option<PathBuf>,
    frames: u32,
    requested: bool,
}

impl Capture {
    pub fn new(path: Option<PathBuf>, frames: u32) -> Self {
        Self {
            path,
            frames,
            requested: false,
        }
    }
}

pub fn tick(mut commands: Commands, mut capture: ResMut<Capture>) {
    let Some(path) = capture.path.clone() else {
        return;
    };
    if capture.requested {
        return;
    }
    if capture.frames > 0 {
        capture.frames -= 1;
        return;
    }
    capture.requested = true;
    commands
        .spawn(Screenshot::primary_window())
        .observe(save_to_disk(path))
        .observe(
            |_: On<ScreenshotCaptured>, mut exit: MessageWriter<AppExit>| {
                exit.write(AppExit::Success);
            },
        );
}
