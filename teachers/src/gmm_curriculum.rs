//! What ALP-GMM and Covar-GMM share: a window of the last `fit_rate`
//! episodes as rows (unit-cube task followed by extra dimensions such as ALP
//! or time and return), a refit every `fit_rate` episodes after a bootstrap,
//! and sampling a component chosen by an interest score (expected progress),
//! dropping the extra dimensions. The two teachers differ only in the rows
//! they record and the interest they read off a component.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::Gaussian;
use crate::TeacherContext;
use crate::gmm::{Criterion, Gmm};
use crate::util::{proportional_choice, uniform_task};

#[derive(Clone, Debug, Serialize, Deserialize)]
/// What ALP-GMM and Covar-GMM share: a mixture refitted every `fit_rate`
/// episodes over rows of (task, extra dimensions), tasks drawn from
/// components in proportion to their last mean, with a share of random ones.
pub struct GmmCurriculum {
    fit_rate: usize,
    ks: Vec<usize>,
    criterion: Criterion,
    bootstrap: u64,
    random_ratio: f64,
    /// Trailing non-task dimensions of each row.
    extra: usize,
    recent: Vec<Vec<f64>>,
    /// The latest mixture (none before the first fit).
    pub gmm: Option<Gmm>,
    /// Episodes seen.
    pub episodes: u64,
    /// Successful fits so far (AGAIN snapshots each new mixture).
    #[serde(default)]
    pub fits: u64,
}

impl GmmCurriculum {
    /// A curriculum with nothing fitted yet.
    pub fn new(
        fit_rate: usize,
        ks: std::ops::Range<usize>,
        criterion: Criterion,
        bootstrap: Option<usize>,
        random_ratio: f64,
        extra: usize,
    ) -> Self {
        Self {
            fit_rate,
            ks: ks.collect(),
            criterion,
            bootstrap: bootstrap.unwrap_or(fit_rate) as u64,
            random_ratio,
            extra,
            recent: Vec::new(),
            gmm: None,
            episodes: 0,
            fits: 0,
        }
    }

    /// The latest row recorded.
    pub fn last_row(&self) -> Option<&[f64]> {
        self.recent.last().map(Vec::as_slice)
    }

    /// Records one episode's row and refits when due.
    pub fn record(&mut self, row: Vec<f64>, rng: &mut ChaCha8Rng) {
        self.episodes += 1;
        self.recent.push(row);
        if self.recent.len() > self.fit_rate {
            self.recent.remove(0);
        }
        if self.episodes >= self.bootstrap && self.episodes % self.fit_rate as u64 == 0 {
            if let Some(g) = Gmm::fit_best(&self.recent, &self.ks, self.criterion, rng) {
                self.gmm = Some(g);
                self.fits += 1;
            }
        }
    }

    /// A task: during the bootstrap from the expert distribution (or
    /// uniform), then uniform with probability `random_ratio`, else from a
    /// component drawn in proportion to `interest`.
    pub fn sample(
        &self,
        ctx: &TeacherContext,
        rng: &mut ChaCha8Rng,
        interest: impl Fn(&Gaussian) -> f64,
    ) -> Vec<f64> {
        let explore = rng.random::<f64>() < self.random_ratio;
        let mut task = match &self.gmm {
            Some(gmm) if self.episodes >= self.bootstrap && !explore => {
                let scores: Vec<f64> = gmm.components.iter().map(&interest).collect();
                let j = proportional_choice(&scores, rng);
                let mut x = gmm.components[j].sample(rng);
                x.truncate(x.len() - self.extra);
                ctx.space.from_unit(&x)
            }
            _ => match &ctx.initial {
                Some(g) if self.episodes < self.bootstrap => g.sample(rng),
                _ => uniform_task(&ctx.space, rng),
            },
        };
        ctx.space.clamp(&mut task);
        task
    }

    /// The fitted mixture in task coordinates (nothing before the first fit).
    pub fn belief(&self, ctx: &TeacherContext) -> crate::belief::Belief {
        match &self.gmm {
            Some(g) => crate::belief::Belief::Mixture {
                components: crate::gmm::components_in_task_space(g, &ctx.space),
            },
            None => crate::belief::Belief::Nothing,
        }
    }

    /// The fitted mixture in task coordinates, for dumps.
    pub fn dump(&self, ctx: &TeacherContext) -> Option<serde_json::Value> {
        self.gmm
            .as_ref()
            .map(|g| crate::gmm::in_task_space(g, &ctx.space, self.extra))
    }
}
