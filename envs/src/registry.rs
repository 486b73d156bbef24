//! Worlds and bodies by name, for the command line and config files.

use std::path::PathBuf;
use std::sync::Arc;

use crate::bodies::{self, BodyKind, BodySpec};
use crate::terrain::TerrainGenerator;
use crate::terrain::cppn::{Cppn, CppnError};
use crate::terrain::hexagons::HexagonTracks;
use crate::terrain::parkour::{Parkour, ParkourConfig};
use crate::terrain::poet::PoetTracks;
use crate::terrain::stumps::StumpTracks;
use crate::walker::{WalkerConfig, WalkerEnv};

/// Names accepted by [`make_walker`].
pub const ENVS: [&str; 4] = ["stump-tracks", "hexagon-tracks", "poet", "parkour"];

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RegistryError {
    #[error("unknown env `{0}`; known envs: {known}", known = ENVS.join(", "))]
    UnknownEnv(String),
    #[error("unknown body `{0}`; known bodies: {known}", known = bodies::NAMES.join(", "))]
    UnknownBody(String),
    #[error(
        "body `{body}` needs the parkour env (it climbs or swims); `{env}` has no ceiling or water"
    )]
    NeedsParkour { body: String, env: String },
    #[error(transparent)]
    Cppn(#[from] CppnError),
    #[error(
        "CPPN weights {path} map {inputs} inputs to {outputs} heights; parkour needs 3 inputs and 2 heights (ground, ceiling)"
    )]
    CppnShape {
        path: String,
        inputs: usize,
        outputs: usize,
    },
}

/// World settings beyond the env's name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorldOptions {
    /// Parkour's CPPN weights (JSON, the reference layout); trellis's own if None.
    pub cppn_weights: Option<PathBuf>,
    pub parkour: ParkourConfig,
}

pub fn body(name: &str) -> Result<BodySpec, RegistryError> {
    bodies::by_name(name).ok_or_else(|| RegistryError::UnknownBody(name.into()))
}

pub fn terrain(name: &str) -> Result<Arc<dyn TerrainGenerator>, RegistryError> {
    terrain_with(name, &WorldOptions::default())
}

pub fn terrain_with(
    name: &str,
    opts: &WorldOptions,
) -> Result<Arc<dyn TerrainGenerator>, RegistryError> {
    match name {
        "stump-tracks" => Ok(Arc::new(StumpTracks::default())),
        "hexagon-tracks" => Ok(Arc::new(HexagonTracks::default())),
        "poet" => Ok(Arc::new(PoetTracks::default())),
        "parkour" => {
            let cppn = match &opts.cppn_weights {
                Some(path) => {
                    let c = Cppn::load(path)?;
                    if (c.input_dim(), c.outputs()) != (3, 2) {
                        let path = path.display().to_string();
                        return Err(RegistryError::CppnShape {
                            path,
                            inputs: c.input_dim(),
                            outputs: c.outputs(),
                        });
                    }
                    c
                }
                None => Cppn::builtin(3, 2),
            };
            Ok(Arc::new(Parkour::new(Arc::new(cppn), opts.parkour.clone())))
        }
        _ => Err(RegistryError::UnknownEnv(name.into())),
    }
}

/// The default body of each env (TeachMyAgent's benchmark bodies: the old
/// classic biped on the tracks and for Parkour's walking test set).
pub fn default_body(_env: &str) -> &'static str {
    "old_classic_bipedal"
}

pub fn make_walker(
    env: &str,
    body_name: Option<&str>,
    cfg: WalkerConfig,
) -> Result<WalkerEnv, RegistryError> {
    make_walker_with(env, body_name, cfg, &WorldOptions::default())
}

pub fn make_walker_with(
    env: &str,
    body_name: Option<&str>,
    cfg: WalkerConfig,
    opts: &WorldOptions,
) -> Result<WalkerEnv, RegistryError> {
    let t = terrain_with(env, opts)?;
    let b = body(body_name.unwrap_or(default_body(env)))?;
    if b.kind != BodyKind::Walker && !t.is_parkour() {
        return Err(RegistryError::NeedsParkour {
            body: b.name,
            env: env.into(),
        });
    }
    Ok(WalkerEnv::new(t, Arc::new(b), cfg))
}
