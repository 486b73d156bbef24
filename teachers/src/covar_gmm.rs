//! Covar-GMM (Moulin-Frier et al., 2014, as adapted by Portelas et al.):
//! fit a Gaussian mixture over (task, time, return) on the last `fit_rate`
//! episodes; a component whose return grows with time (positive
//! time–return covariance) is a region of learning progress, and tasks are
//! drawn from components in proportion to that covariance.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::gmm::{Criterion, Gmm};
use crate::util::{check_range, proportional_choice, uniform_task};
use crate::{Episode, Teacher, TeacherContext, TeacherError};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CovarGmmConfig {
    pub random_ratio: f64,
    pub fit_rate: usize,
    pub min_k: usize,
    pub max_k: usize,
    /// Use |covariance| (absolute progress, also regressions) instead of its positive part.
    pub absolute_lp: bool,
    pub bootstrap: Option<usize>,
}

impl Default for CovarGmmConfig {
    fn default() -> Self {
        Self { random_ratio: 0.05, fit_rate: 150, min_k: 2, max_k: 10, absolute_lp: false, bootstrap: None }
    }
}

impl CovarGmmConfig {
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("random_ratio", self.random_ratio, 0.0, 1.0)?;
        check_range("fit_rate", self.fit_rate as f64, 2.0, 1e7)?;
        check_range("min_k", self.min_k as f64, 1.0, 100.0)?;
        check_range("max_k", self.max_k as f64, self.min_k as f64 + 1.0, 101.0)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CovarGmm {
    cfg: CovarGmmConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    /// Recent (unit task ++ [time, normalised return]) rows.
    recent: Vec<Vec<f64>>,
    gmm: Option<Gmm>,
    episodes: u64,
}

impl CovarGmm {
    pub fn new(ctx: TeacherContext, cfg: CovarGmmConfig, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        Ok(Self { cfg, ctx, rng: trellis_envs::rng::seeded(seed, 0), recent: Vec::new(), gmm: None, episodes: 0 })
    }

    fn bootstrap(&self) -> u64 {
        self.cfg.bootstrap.unwrap_or(self.cfg.fit_rate) as u64
    }

    /// Learning progress of each component: its time–return covariance.
    fn progress(&self, gmm: &Gmm) -> Vec<f64> {
        gmm.components
            .iter()
            .map(|c| {
                let d = c.dim();
                let cov = c.cov[(d - 2) * d + (d - 1)];
                if self.cfg.absolute_lp { cov.abs() } else { cov.max(0.0) }
            })
            .collect()
    }
}

impl Teacher for CovarGmm {
    fn name(&self) -> &'static str {
        "covar-gmm"
    }

    fn sample_task(&mut self) -> Vec<f64> {
        let explore = self.rng.random::<f64>() < self.cfg.random_ratio;
        let mut task = match &self.gmm {
            Some(gmm) if self.episodes >= self.bootstrap() && !explore => {
                let lp = self.progress(gmm);
                let j = proportional_choice(&lp, &mut self.rng);
                let mut x = gmm.components[j].sample(&mut self.rng);
                x.truncate(x.len() - 2);
                self.ctx.space.from_unit(&x)
            }
            _ => match &self.ctx.initial {
                Some(g) if self.episodes < self.bootstrap() => g.sample(&mut self.rng),
                _ => uniform_task(&self.ctx.space, &mut self.rng),
            },
        };
        self.ctx.space.clamp(&mut task);
        task
    }

    fn update(&mut self, ep: &Episode) {
        let time = (self.episodes % self.cfg.fit_rate as u64) as f64 / self.cfg.fit_rate as f64;
        self.episodes += 1;
        let mut row = self.ctx.space.to_unit(ep.task);
        row.push(time);
        row.push(self.ctx.normalise_return(ep.ret));
        self.recent.push(row);
        if self.recent.len() > self.cfg.fit_rate {
            self.recent.remove(0);
        }
        if self.episodes >= self.bootstrap() && self.episodes % self.cfg.fit_rate as u64 == 0 {
            let ks: Vec<usize> = (self.cfg.min_k..self.cfg.max_k).collect();
            if let Some(g) = Gmm::fit_best(&self.recent, &ks, Criterion::Aic, &mut self.rng) {
                self.gmm = Some(g);
            }
        }
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::json!({
            "teacher": "covar-gmm",
            "episodes": self.episodes,
            "progress": self.gmm.as_ref().map(|g| self.progress(g)),
            "gmm": self.gmm.as_ref().map(|g| crate::registry::gmm_in_task_space(g, &self.ctx.space, 2)),
        })
    }
}
