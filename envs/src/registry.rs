//! Worlds and bodies by name, for the command line and config files.
//!
//! Each world's file declares a [`WorldDescriptor`] (see [`crate::world`]);
//! [`worlds`] lists them. Adding a walker world: a terrain generator in
//! `terrain/<name>.rs` with its `pub const WORLD`, then its module name on
//! the `terrains!` line of `terrain/mod.rs`. Adding a world of another
//! family: its module and its `WORLD` on the line in [`worlds`]. Bodies live
//! in `bodies::BODIES`.

use std::sync::Arc;

use crate::bodies::BodySpec;
use crate::terrain::{self, TerrainGenerator};
use crate::walker::{WalkerConfig, WalkerEnv};
pub use crate::world::{AnyEnv, FirstRun, OptionDoc, RegistryError, WorldDescriptor, WorldRequest};

pub use trellis_core::registry::check_table;

/// Every world: the walker worlds, then the text worlds.
pub fn worlds() -> impl Iterator<Item = &'static WorldDescriptor> {
    terrain::TERRAINS
        .iter()
        .copied()
        .chain([&crate::text::entry::WORLD])
}

/// The world a run gets when its config names none (the reference's
/// benchmark world): the first in the table.
pub fn default_world() -> &'static WorldDescriptor {
    worlds().next().expect("the world table is not empty")
}

/// The names of every world, in table order.
pub fn names() -> Vec<&'static str> {
    worlds().map(|w| w.name).collect()
}

/// The world called `name`.
pub fn world(name: &str) -> Result<&'static WorldDescriptor, RegistryError> {
    worlds()
        .find(|w| w.name == name)
        .ok_or_else(|| RegistryError::UnknownEnv {
            name: name.into(),
            known: names().join(", "),
        })
}

/// The one factory: the world called `name`, built as `req` asks.
pub fn make(name: &str, req: &WorldRequest) -> Result<AnyEnv, RegistryError> {
    (world(name)?.make)(req)
}

/// A body's spec by name or alias.
pub fn body(name: &str) -> Result<BodySpec, RegistryError> {
    crate::walker_family::body(name)
}

/// A walker world's terrain generator as `req` asks: for tests and tools
/// that generate layouts without physics.
pub fn terrain_with(name: &str, req: &WorldRequest) -> Result<Arc<dyn TerrainGenerator>, RegistryError> {
    Ok(make(name, req)?.into_walker()?.generator())
}

/// A walker world's terrain generator with its default options.
pub fn terrain(name: &str) -> Result<Arc<dyn TerrainGenerator>, RegistryError> {
    terrain_with(name, &WorldRequest::default())
}

/// A walker world with `body_name` (the world's benchmark body when None)
/// and default options, under the walker settings `cfg`: for benches,
/// tests and tools that drive a body directly.
pub fn make_walker(
    env: &str,
    body_name: Option<&str>,
    cfg: WalkerConfig,
) -> Result<WalkerEnv, RegistryError> {
    let req = WorldRequest {
        body: body_name.map(Into::into),
        ..WorldRequest::default()
    };
    make_walker_with(env, &req, cfg)
}

/// A walker world as `req` asks, under the walker settings `cfg`.
pub fn make_walker_with(
    env: &str,
    req: &WorldRequest,
    cfg: WalkerConfig,
) -> Result<WalkerEnv, RegistryError> {
    let w = make(env, req)?.into_walker()?;
    Ok(if *w.config() == cfg { w } else { w.with_config(cfg) })
}
