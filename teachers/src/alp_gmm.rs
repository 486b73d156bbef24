//! ALP-GMM (Portelas et al., 2019): fit a Gaussian mixture over
//! (task, absolute learning progress) every `fit_rate` episodes and sample
//! tasks from components in proportion to their mean ALP; a small share of
//! tasks stays uniformly random to keep discovering progress elsewhere.
//!
//! ALP of an episode = |return − return of the nearest previously played
//! task|. Tasks are mapped to the unit cube and returns to [0, 1] by the
//! reward range before fitting, so the mixture does not depend on the units
//! of the task dimensions (full-covariance EM is affine-equivariant anyway).

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::gmm::{Criterion, Gmm};
use crate::gmm_curriculum::GmmCurriculum;
use crate::util::check_range;
use crate::{Episode, Teacher, TeacherContext, TeacherError};
use trellis_core::Expert;

use crate::registry::{Descriptor, config, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "alp-gmm",
    summary: "GMM over (task, ALP), sample ∝ component ALP",
    needs_expert: false,
    initial_from: Expert::High,
    quick: "fit_rate = 40",
    make: |cfg, ctx, seed| Ok(Box::new(AlpGmm::new(ctx, config(DESCRIPTOR.name, cfg)?, seed)?)),
    restore: restore_serde::<AlpGmm>,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// ALP-GMM's settings (defaults: TeachMyAgent's benchmark runs).
pub struct AlpGmmConfig {
    /// Share of uniformly random tasks once the GMM is fitted (benchmark: 5%; the paper used 20%).
    pub random_ratio: f64,
    /// Episodes between two fits; each fit uses the last `fit_rate` episodes.
    pub fit_rate: usize,
    /// Component counts tried at each fit: `min_k..max_k` (max exclusive, as TeachMyAgent's 2..10).
    pub min_k: usize,
    /// Upper end (exclusive) of the component counts tried at each fit.
    pub max_k: usize,
    /// How fits with different component counts are compared (AIC: TeachMyAgent's).
    pub criterion: Criterion,
    /// Episodes kept for the nearest-neighbour ALP estimate (`None`: all).
    pub alp_window: Option<usize>,
    /// Random (or expert) episodes before the first fit (default: `fit_rate`).
    pub bootstrap: Option<usize>,
}

impl Default for AlpGmmConfig {
    fn default() -> Self {
        Self {
            random_ratio: 0.05,
            fit_rate: 150,
            min_k: 2,
            max_k: 10,
            criterion: Criterion::Aic,
            alp_window: None,
            bootstrap: None,
        }
    }
}

impl AlpGmmConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("random_ratio", self.random_ratio, 0.0, 1.0)?;
        check_range("fit_rate", self.fit_rate as f64, 2.0, 1e7)?;
        check_range("min_k", self.min_k as f64, 1.0, 100.0)?;
        check_range("max_k", self.max_k as f64, self.min_k as f64 + 1.0, 101.0)
    }
}

/// Nearest-neighbour ALP over past (task, normalised return) pairs.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
pub struct AlpHistory {
    tasks: Vec<Vec<f64>>,
    returns: Vec<f64>,
    window: Option<usize>,
}

impl AlpHistory {
    /// An empty history keeping the last `window` episodes (`None`: all).
    pub fn new(window: Option<usize>) -> Self {
        Self {
            window,
            ..Default::default()
        }
    }

    /// ALP and LP of a new (task, return), then remembers it.
    /// Like the original, ALP is 0 until more than 5 episodes are known.
    pub fn push(&mut self, task: &[f64], ret: f64) -> (f64, f64) {
        let lp = if self.tasks.len() > 5 {
            let nearest = self
                .tasks
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    (
                        i,
                        t.iter()
                            .zip(task)
                            .map(|(a, b)| (a - b) * (a - b))
                            .sum::<f64>(),
                    )
                })
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .map_or(0, |(i, _)| i);
            ret - self.returns[nearest]
        } else {
            0.0
        };
        self.tasks.push(task.to_vec());
        self.returns.push(ret);
        if let Some(w) = self.window
            && self.tasks.len() > w
        {
            let extra = self.tasks.len() - w;
            self.tasks.drain(..extra);
            self.returns.drain(..extra);
        }
        (lp.abs(), lp)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The ALP-GMM teacher (see the module docs).
pub struct AlpGmm {
    cfg: AlpGmmConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    history: AlpHistory,
    /// Rows: unit task ++ [alp].
    curriculum: GmmCurriculum,
}

impl AlpGmm {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, cfg: AlpGmmConfig, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        Ok(Self {
            history: AlpHistory::new(cfg.alp_window),
            curriculum: GmmCurriculum::new(
                cfg.fit_rate,
                cfg.min_k..cfg.max_k,
                cfg.criterion,
                cfg.bootstrap,
                cfg.random_ratio,
                1,
            ),
            cfg,
            ctx,
            rng: trellis_core::rng::seeded(seed, 0),
        })
    }

    /// The latest fitted mixture (none before the first fit).
    pub fn gmm(&self) -> Option<&Gmm> {
        self.curriculum.gmm.as_ref()
    }

    /// Mixtures fitted so far.
    pub fn fits(&self) -> u64 {
        self.curriculum.fits
    }

    /// The ALP of the latest episode recorded.
    pub fn last_alp(&self) -> Option<f64> {
        self.curriculum.last_row().and_then(|r| r.last().copied())
    }
}

impl Teacher for AlpGmm {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        // A component's interest is its mean ALP (the last dimension).
        self.curriculum.sample(&self.ctx, &mut self.rng, |c| {
            *c.mean.last().expect("alp dim")
        })
    }

    fn update(&mut self, ep: &Episode) {
        let mut row = self.ctx.space.to_unit(ep.task);
        let (alp, _) = self.history.push(&row, self.ctx.normalise_return(ep.ret));
        row.push(alp);
        self.curriculum.record(row, &mut self.rng);
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        self.curriculum.belief(&self.ctx)
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::json!({
            "teacher": "alp-gmm",
            "episodes": self.curriculum.episodes,
            "random_ratio": self.cfg.random_ratio,
            "gmm": self.curriculum.dump(&self.ctx),
        })
    }
}
