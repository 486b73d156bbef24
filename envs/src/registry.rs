//! Worlds and bodies by name, for the command line and config files.
//!
//! Each world's file declares a [`WorldDescriptor`]; [`worlds`] lists them.
//! Adding a walker world: a terrain generator in `terrain/<name>.rs` with its
//! `pub const WORLD`, then its module name on the `terrains!` line of
//! `terrain/mod.rs`. Bodies live in `bodies::BODIES`.

use std::path::PathBuf;
use std::sync::Arc;

use crate::bodies::{self, BodyKind, BodySpec};
use crate::terrain::cppn::CppnError;
use crate::terrain::parkour::ParkourConfig;
use crate::terrain::{self, TerrainGenerator};
use crate::walker::{WalkerConfig, WalkerEnv};

pub use trellis_core::registry::check_table;

/// Every world: the walker worlds, then the text worlds.
pub fn worlds() -> impl Iterator<Item = &'static WorldDescriptor> {
    terrain::TERRAINS
        .iter()
        .copied()
        .chain([&crate::text::WORLD])
}

/// A world in the table.
#[derive(Clone, Copy, Debug)]
pub struct WorldDescriptor {
    /// The name configs and the command line use.
    pub name: &'static str,
    /// One line for `--help` and the README.
    pub summary: &'static str,
    /// What kind of env the world is, and how to build it.
    pub family: Family,
}

/// Builds a walker world's terrain generator from the run's world options.
pub type TerrainFn = fn(&WorldOptions) -> Result<Arc<dyn TerrainGenerator>, RegistryError>;

/// The env type a world is made of; the training loop, the viewer and the
/// CLI dispatch on this, never on a world's name.
#[derive(Clone, Copy, Debug)]
pub enum Family {
    /// A body on generated terrain ([`WalkerEnv`]).
    Walker {
        /// See [`TerrainFn`].
        terrain: TerrainFn,
        /// The body when a run names none (the reference's benchmark body).
        default_body: &'static str,
    },
    /// A procedurally generated text adventure ([`crate::text::TextWorldEnv`]).
    Text,
}

/// Why a world or body could not be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RegistryError {
    /// No world of that name.
    #[error("unknown env `{0}`; known envs: {known}", known = names().join(", "))]
    UnknownEnv(String),
    /// No body of that name.
    #[error("unknown body `{0}`; known bodies: {known}", known = bodies::names().join(", "))]
    UnknownBody(String),
    /// The world is not a walker world.
    #[error("env `{0}` has no body: it is not a walker world")]
    NotWalker(String),
    /// The body needs something the world does not have.
    #[error("body `{body}` needs {needs}, which `{env}` does not have (parkour has both)")]
    Unsupported {
        /// The body's name.
        body: String,
        /// The world's name.
        env: String,
        /// "a ceiling to climb" or "water to swim in".
        needs: &'static str,
    },
    /// The CPPN weights file could not be read.
    #[error(transparent)]
    Cppn(#[from] CppnError),
    /// The CPPN weights have the wrong shape for the world.
    #[error(
        "CPPN weights {path} map {inputs} inputs to {outputs} heights; parkour needs 3 inputs and 2 heights (ground, ceiling)"
    )]
    CppnShape {
        /// The weights file.
        path: String,
        /// Its input size.
        inputs: usize,
        /// Its output size.
        outputs: usize,
    },
}

/// World settings beyond the env's name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorldOptions {
    /// Parkour's CPPN weights (JSON, the reference layout); trellis's own if None.
    pub cppn_weights: Option<PathBuf>,
    /// Parkour's fixed generation settings.
    pub parkour: ParkourConfig,
}

/// The names of every world, in table order.
pub fn names() -> Vec<&'static str> {
    worlds().map(|w| w.name).collect()
}

/// The world called `name`.
pub fn world(name: &str) -> Result<&'static WorldDescriptor, RegistryError> {
    worlds()
        .find(|w| w.name == name)
        .ok_or_else(|| RegistryError::UnknownEnv(name.into()))
}

/// A body's spec by name or alias.
pub fn body(name: &str) -> Result<BodySpec, RegistryError> {
    bodies::by_name(name).ok_or_else(|| RegistryError::UnknownBody(name.into()))
}

/// A walker world's terrain generator with its default options.
pub fn terrain(name: &str) -> Result<Arc<dyn TerrainGenerator>, RegistryError> {
    terrain_with(name, &WorldOptions::default())
}

/// A walker world's terrain generator.
pub fn terrain_with(
    name: &str,
    opts: &WorldOptions,
) -> Result<Arc<dyn TerrainGenerator>, RegistryError> {
    match world(name)?.family {
        Family::Walker { terrain, .. } => terrain(opts),
        Family::Text => Err(RegistryError::NotWalker(name.into())),
    }
}

/// The body a walker world uses when a run names none.
pub fn default_body(env: &str) -> Result<&'static str, RegistryError> {
    match world(env)?.family {
        Family::Walker { default_body, .. } => Ok(default_body),
        Family::Text => Err(RegistryError::NotWalker(env.into())),
    }
}

/// A walker world with its default options.
pub fn make_walker(
    env: &str,
    body_name: Option<&str>,
    cfg: WalkerConfig,
) -> Result<WalkerEnv, RegistryError> {
    make_walker_with(env, body_name, cfg, &WorldOptions::default())
}

/// A walker world: its terrain with `body_name` (the world's default body
/// when None); bodies that climb or swim need a world with a ceiling or water.
pub fn make_walker_with(
    env: &str,
    body_name: Option<&str>,
    cfg: WalkerConfig,
    opts: &WorldOptions,
) -> Result<WalkerEnv, RegistryError> {
    let t = terrain_with(env, opts)?;
    let b = body(match body_name {
        Some(b) => b,
        None => default_body(env)?,
    })?;
    let f = t.features();
    let needs = match b.kind {
        BodyKind::Climber if !f.ceiling => Some("a ceiling to climb"),
        BodyKind::Swimmer if !f.water => Some("water to swim in"),
        _ => None,
    };
    if let Some(needs) = needs {
        return Err(RegistryError::Unsupported {
            body: b.name,
            env: env.into(),
            needs,
        });
    }
    Ok(WalkerEnv::new(t, Arc::new(b), cfg))
}
