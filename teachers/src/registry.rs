//! Teachers by name, built from TOML (or JSON) configs whose defaults are
//! TeachMyAgent's benchmark settings, and restored from checkpoints.

use serde::de::DeserializeOwned;
use trellis_envs::TaskSpace;

use crate::adr::{Adr, AdrConfig};
use crate::alp_gmm::{AlpGmm, AlpGmmConfig};
use crate::covar_gmm::{CovarGmm, CovarGmmConfig};
use crate::gmm::Gmm;
use crate::goal_gan::{GoalGan, GoalGanConfig};
use crate::random::{RandomConfig, RandomTeacher};
use crate::riac::{Riac, RiacConfig};
use crate::setter_solver::{SetterSolver, SetterSolverConfig};
use crate::spdl::{Spdl, SpdlConfig};
use crate::{Teacher, TeacherContext};

pub const NAMES: [&str; 8] = [
    "random",
    "adr",
    "alp-gmm",
    "covar-gmm",
    "riac",
    "goal-gan",
    "setter-solver",
    "spdl",
];

#[derive(Debug, thiserror::Error)]
pub enum TeacherError {
    #[error("unknown teacher `{0}`; known teachers: {known}", known = NAMES.join(", "))]
    Unknown(String),
    #[error("bad teacher config: {0}")]
    BadConfig(String),
    #[error("bad teacher checkpoint: {0}")]
    BadState(String),
}

impl From<trellis_nn::NnError> for TeacherError {
    fn from(e: trellis_nn::NnError) -> Self {
        TeacherError::BadState(e.to_string())
    }
}

fn config<C: DeserializeOwned>(name: &str, cfg: &toml::Table) -> Result<C, TeacherError> {
    toml::Value::Table(cfg.clone())
        .try_into::<C>()
        .map_err(|e| TeacherError::BadConfig(format!("{name}: {}", e.to_string().trim())))
}

/// Builds a teacher; `cfg` holds only the settings that differ from the defaults.
pub fn make(
    name: &str,
    cfg: &toml::Table,
    ctx: TeacherContext,
    seed: u64,
) -> Result<Box<dyn Teacher>, TeacherError> {
    Ok(match name {
        "random" => Box::new(RandomTeacher::new(
            ctx,
            config::<RandomConfig>(name, cfg)?,
            seed,
        )),
        "adr" => Box::new(Adr::new(ctx, config::<AdrConfig>(name, cfg)?, seed)?),
        "alp-gmm" => Box::new(AlpGmm::new(ctx, config::<AlpGmmConfig>(name, cfg)?, seed)?),
        "covar-gmm" => Box::new(CovarGmm::new(
            ctx,
            config::<CovarGmmConfig>(name, cfg)?,
            seed,
        )?),
        "riac" => Box::new(Riac::new(ctx, config::<RiacConfig>(name, cfg)?, seed)?),
        "spdl" => Box::new(Spdl::new(ctx, config::<SpdlConfig>(name, cfg)?, seed)?),
        "goal-gan" => Box::new(GoalGan::new(
            ctx,
            config::<GoalGanConfig>(name, cfg)?,
            seed,
        )?),
        "setter-solver" => Box::new(SetterSolver::new(
            ctx,
            config::<SetterSolverConfig>(name, cfg)?,
            seed,
        )?),
        other => return Err(TeacherError::Unknown(other.into())),
    })
}

/// A self-describing checkpoint: `{"teacher": name, "state": ...}`.
pub fn checkpoint(t: &dyn Teacher) -> serde_json::Value {
    serde_json::json!({ "teacher": t.name(), "state": t.state() })
}

/// Rebuilds a teacher from [`checkpoint`]; it continues exactly where the original was.
pub fn restore(checkpoint: &serde_json::Value) -> Result<Box<dyn Teacher>, TeacherError> {
    fn load<T: DeserializeOwned + Teacher + 'static>(
        v: &serde_json::Value,
    ) -> Result<Box<dyn Teacher>, TeacherError> {
        serde_json::from_value::<T>(v.clone())
            .map(|t| Box::new(t) as Box<dyn Teacher>)
            .map_err(|e| TeacherError::BadState(e.to_string()))
    }
    let name = checkpoint["teacher"]
        .as_str()
        .ok_or_else(|| TeacherError::BadState("no `teacher` name".into()))?;
    let state = &checkpoint["state"];
    match name {
        "random" => load::<RandomTeacher>(state),
        "adr" => load::<Adr>(state),
        "alp-gmm" => load::<AlpGmm>(state),
        "covar-gmm" => load::<CovarGmm>(state),
        "riac" => load::<Riac>(state),
        "spdl" => load::<Spdl>(state),
        "goal-gan" => Ok(Box::new(GoalGan::from_state(state)?)),
        "setter-solver" => Ok(Box::new(SetterSolver::from_state(state)?)),
        other => Err(TeacherError::Unknown(other.into())),
    }
}

/// A mixture fitted in unit-cube coordinates with `extra` trailing
/// non-task dimensions, reported in task coordinates for plots:
/// `[{weight, mean, cov, extra}]` with the extra dims' means in `extra`.
pub fn gmm_in_task_space(g: &Gmm, space: &TaskSpace, extra: usize) -> serde_json::Value {
    let w: Vec<f64> = space.dims.iter().map(|d| d.width()).collect();
    let n = w.len();
    let comps: Vec<_> = g
        .weights
        .iter()
        .zip(&g.components)
        .map(|(weight, c)| {
            let d = c.dim();
            let cov: Vec<f64> = (0..n * n)
                .map(|k| c.cov[(k / n) * d + k % n] * w[k / n] * w[k % n])
                .collect();
            serde_json::json!({
                "weight": weight,
                "mean": space.from_unit(&c.mean[..n]),
                "cov": cov,
                "extra": c.mean[d - extra..].to_vec(),
            })
        })
        .collect();
    serde_json::Value::Array(comps)
}
