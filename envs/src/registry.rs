//! Worlds and bodies by name, for the command line and config files.

use std::sync::Arc;

use crate::bodies::{BodySpec, bipedal};
use crate::terrain::TerrainGenerator;
use crate::terrain::hexagons::HexagonTracks;
use crate::terrain::poet::PoetTracks;
use crate::terrain::stumps::StumpTracks;
use crate::walker::{WalkerConfig, WalkerEnv};

/// Names accepted by [`make_walker`].
pub const ENVS: [&str; 3] = ["stump-tracks", "hexagon-tracks", "poet"];

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RegistryError {
    #[error("unknown env `{0}`; known envs: {known}", known = ENVS.join(", "))]
    UnknownEnv(String),
    #[error("unknown body `{0}`; known bodies: {known}", known = bipedal::NAMES.join(", "))]
    UnknownBody(String),
}

pub fn body(name: &str) -> Result<BodySpec, RegistryError> {
    bipedal::by_name(name).ok_or_else(|| RegistryError::UnknownBody(name.into()))
}

pub fn terrain(name: &str) -> Result<Arc<dyn TerrainGenerator>, RegistryError> {
    match name {
        "stump-tracks" => Ok(Arc::new(StumpTracks::default())),
        "hexagon-tracks" => Ok(Arc::new(HexagonTracks::default())),
        "poet" => Ok(Arc::new(PoetTracks::default())),
        _ => Err(RegistryError::UnknownEnv(name.into())),
    }
}

/// The default body of each env (Stump Tracks: TeachMyAgent's benchmark body).
pub fn default_body(_env: &str) -> &'static str {
    "old_classic_bipedal"
}

pub fn make_walker(env: &str, body_name: Option<&str>, cfg: WalkerConfig) -> Result<WalkerEnv, RegistryError> {
    let t = terrain(env)?;
    let b = body(body_name.unwrap_or(default_body(env)))?;
    Ok(WalkerEnv::new(t, Arc::new(b), cfg))
}
