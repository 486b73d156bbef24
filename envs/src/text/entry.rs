//! The text world's registry entry: how a run builds it. A text world has
//! no body, and its task space is fixed (its dimensions are integer knobs
//! whose ranges the generator is written for), so both are refused.

use super::{NAME, TextWorldEnv};
use crate::world::{AnyEnv, RegistryError, WorldDescriptor, no_options};

/// The registry entry.
pub const WORLD: WorldDescriptor = WorldDescriptor {
    name: NAME,
    summary: "procedural text adventures: rooms, distractors, chained quests (6-D)",
    options: &[],
    make: |req| {
        no_options(WORLD.name, &req.options)?;
        if req.body.is_some() {
            return Err(RegistryError::NotWalker(WORLD.name.into()));
        }
        if !req.bounds.is_empty() {
            return Err(RegistryError::Request(format!(
                "`bounds` overrides are supported for the walker worlds, not {}",
                WORLD.name
            )));
        }
        Ok(AnyEnv::Text(TextWorldEnv::new()))
    },
    first_run: None,
};
