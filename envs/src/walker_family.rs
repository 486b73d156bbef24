//! How every walker world is built from a run's request: its terrain
//! generator (made by the world's own `make` from its options), narrowed to
//! the run's bound overrides, with the body the run names or the world's
//! benchmark body. Bodies that climb or swim need a world with a ceiling or
//! water.

use std::sync::Arc;

use crate::bodies::{self, BodyKind, BodySpec};
use crate::terrain::layout::TerrainGenerator;
use crate::walker::{WalkerConfig, WalkerEnv};
use crate::world::{AnyEnv, RegistryError, WorldRequest};

/// The walker world `terrain` with the request's body (`default_body` when
/// it names none) and bound overrides.
pub fn make(
    req: &WorldRequest,
    terrain: Arc<dyn TerrainGenerator>,
    default_body: &str,
) -> Result<AnyEnv, RegistryError> {
    let body = body(req.body.as_deref().unwrap_or(default_body))?;
    let features = terrain.features();
    let needs = match body.kind {
        BodyKind::Climber if !features.ceiling => Some("a ceiling to climb"),
        BodyKind::Swimmer if !features.water => Some("water to swim in"),
        _ => None,
    };
    if let Some(needs) = needs {
        return Err(RegistryError::Unsupported {
            body: body.name,
            env: terrain.name().into(),
            needs,
        });
    }
    let terrain = narrowed(terrain, req)?;
    Ok(AnyEnv::Walker(WalkerEnv::new(
        terrain,
        Arc::new(body),
        WalkerConfig::default(),
    )))
}

/// A body's spec by name or alias.
pub fn body(name: &str) -> Result<BodySpec, RegistryError> {
    bodies::by_name(name).ok_or_else(|| RegistryError::UnknownBody(name.into()))
}

/// `terrain` over the request's bounds: each override must name a
/// dimension and stay inside what the world can generate (its limits,
/// which may be wider than its training space).
fn narrowed(
    terrain: Arc<dyn TerrainGenerator>,
    req: &WorldRequest,
) -> Result<Arc<dyn TerrainGenerator>, RegistryError> {
    if req.bounds.is_empty() {
        return Ok(terrain);
    }
    let bad = |name: &str, e: &dyn std::fmt::Display| {
        RegistryError::Request(format!("`bounds.{name}`: {e}"))
    };
    let mut space = terrain.task_space().clone();
    let limits = terrain.limits();
    for (name, &[lo, hi]) in &req.bounds {
        space = space.with_bounds(name, lo, hi).map_err(|e| bad(name, &e))?;
        let i = space.index_of(name).map_err(|e| bad(name, &e))?;
        let limit = &limits.dims[i];
        if lo < limit.low || hi > limit.high {
            return Err(RegistryError::Request(format!(
                "`bounds.{name}` = [{lo}, {hi}] leaves what the world can generate, [{}, {}]",
                limit.low, limit.high
            )));
        }
    }
    Ok(terrain.with_space(space))
}
