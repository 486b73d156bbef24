//! Covar-GMM (Moulin-Frier et al., 2014, as adapted by Portelas et al.):
//! fit a Gaussian mixture over (task, time, return) on the last `fit_rate`
//! episodes; a component whose return grows with time (positive
//! time–return covariance) is a region of learning progress, and tasks are
//! drawn from components in proportion to that covariance.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::Gaussian;
use crate::gmm::Criterion;
use crate::gmm_curriculum::GmmCurriculum;
use crate::util::check_range;
use crate::{Episode, Teacher, TeacherContext, TeacherError};
use trellis_core::Expert;

use crate::registry::{Descriptor, config, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "covar-gmm",
    summary: "GMM over (task, time, return), sample ∝ time–return covariance",
    needs_expert: false,
    initial_from: Expert::High,
    quick: "fit_rate = 40",
    make: |cfg, ctx, seed| Ok(Box::new(CovarGmm::new(ctx, config(DESCRIPTOR.name, cfg)?, seed)?)),
    restore: restore_serde::<CovarGmm>,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// Covar-GMM's settings (defaults: TeachMyAgent's benchmark runs).
pub struct CovarGmmConfig {
    /// Share of uniformly random tasks once the GMM is fitted.
    pub random_ratio: f64,
    /// Episodes between two fits; each fit uses the last `fit_rate` episodes.
    pub fit_rate: usize,
    /// Smallest component count tried at each fit.
    pub min_k: usize,
    /// Upper end (exclusive) of the component counts tried.
    pub max_k: usize,
    /// Use |covariance| (absolute progress, also regressions) instead of its positive part.
    pub absolute_lp: bool,
    /// Random (or expert) episodes before the first fit (default: `fit_rate`).
    pub bootstrap: Option<usize>,
}

impl Default for CovarGmmConfig {
    fn default() -> Self {
        Self {
            random_ratio: 0.05,
            fit_rate: 150,
            min_k: 2,
            max_k: 10,
            absolute_lp: false,
            bootstrap: None,
        }
    }
}

impl CovarGmmConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("random_ratio", self.random_ratio, 0.0, 1.0)?;
        check_range("fit_rate", self.fit_rate as f64, 2.0, 1e7)?;
        check_range("min_k", self.min_k as f64, 1.0, 100.0)?;
        check_range("max_k", self.max_k as f64, self.min_k as f64 + 1.0, 101.0)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The Covar-GMM teacher (see the module docs).
pub struct CovarGmm {
    cfg: CovarGmmConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    /// Rows: unit task ++ [time, normalised return].
    curriculum: GmmCurriculum,
}

impl CovarGmm {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, cfg: CovarGmmConfig, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        Ok(Self {
            curriculum: GmmCurriculum::new(
                cfg.fit_rate,
                cfg.min_k..cfg.max_k,
                Criterion::Aic,
                cfg.bootstrap,
                cfg.random_ratio,
                2,
            ),
            cfg,
            ctx,
            rng: trellis_core::rng::seeded(seed, 0),
        })
    }

    /// Learning progress of a component: its time–return covariance.
    fn progress(absolute: bool, c: &Gaussian) -> f64 {
        let d = c.dim();
        let cov = c.cov[(d - 2) * d + (d - 1)];
        if absolute { cov.abs() } else { cov.max(0.0) }
    }
}

impl Teacher for CovarGmm {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        let absolute = self.cfg.absolute_lp;
        self.curriculum
            .sample(&self.ctx, &mut self.rng, |c| Self::progress(absolute, c))
    }

    fn update(&mut self, ep: &Episode) {
        // Time runs from 0 to 1 across each window of `fit_rate` episodes.
        let time =
            (self.curriculum.episodes % self.cfg.fit_rate as u64) as f64 / self.cfg.fit_rate as f64;
        let mut row = self.ctx.space.to_unit(ep.task);
        row.push(time);
        row.push(self.ctx.normalise_return(ep.ret));
        self.curriculum.record(row, &mut self.rng);
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        self.curriculum.belief(&self.ctx)
    }

    fn dump(&self) -> serde_json::Value {
        let absolute = self.cfg.absolute_lp;
        serde_json::json!({
            "teacher": "covar-gmm",
            "episodes": self.curriculum.episodes,
            "progress": self.curriculum.gmm.as_ref().map(|g| g.components.iter().map(|c| Self::progress(absolute, c)).collect::<Vec<_>>()),
            "gmm": self.curriculum.dump(&self.ctx),
        })
    }
}
