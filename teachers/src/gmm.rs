//! Gaussian mixture models with full covariances, fitted by EM and chosen
//! by AIC/BIC, as ALP-GMM and Covar-GMM need.
//!
//! A small, tested EM rather than a crate: the data are a few hundred points
//! in at most ~15 dimensions, fitted every ~150 episodes, and the fit must be
//! reproducible from the teacher's own RNG (k-means++ seeding draws from it).

use nalgebra::DMatrix;
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use trellis_core::TaskSpace;

use crate::gaussian::{Gaussian, chol, log_pdf_chol};

/// Added to covariance diagonals (sklearn's `reg_covar`), keeping components
/// non-degenerate when points coincide.
pub const REG_COVAR: f64 = 1e-6;
const MAX_ITER: usize = 100;
const TOL: f64 = 1e-3;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
/// A Gaussian mixture fitted by EM.
pub struct Gmm {
    /// Mixing weights (sum to 1).
    pub weights: Vec<f64>,
    /// The components, in the order of `weights`.
    pub components: Vec<Gaussian>,
    /// Mean log-likelihood per point of the data it was fitted on.
    pub mean_log_likelihood: f64,
}

/// Model selection criterion.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Criterion {
    /// Akaike's information criterion.
    Aic,
    /// Bayesian information criterion.
    Bic,
}

impl Gmm {
    /// Number of components.
    pub fn k(&self) -> usize {
        self.weights.len()
    }

    /// Number of dimensions.
    pub fn dim(&self) -> usize {
        self.components.first().map_or(0, |c| c.dim())
    }

    /// Free parameters of a full-covariance mixture.
    pub fn n_params(&self) -> f64 {
        let (k, d) = (self.k() as f64, self.dim() as f64);
        k * (d + d * (d + 1.0) / 2.0) + k - 1.0
    }

    /// The criterion's value for `n` fitted points (lower is better).
    pub fn score(&self, n: usize, criterion: Criterion) -> f64 {
        let ll = self.mean_log_likelihood * n as f64;
        match criterion {
            Criterion::Aic => 2.0 * self.n_params() - 2.0 * ll,
            Criterion::Bic => self.n_params() * (n as f64).ln() - 2.0 * ll,
        }
    }

    /// Fits `k` components by EM from a k-means++ start. Returns `None` when
    /// there are fewer points than components.
    pub fn fit(data: &[Vec<f64>], k: usize, rng: &mut ChaCha8Rng) -> Option<Gmm> {
        let n = data.len();
        if k == 0 || n < k {
            return None;
        }
        let d = data[0].len();
        // k-means++ seeds, then hard assignment to the nearest seed.
        let mut centres = vec![data[rng.random_range(0..n)].clone()];
        while centres.len() < k {
            let dist: Vec<f64> = data
                .iter()
                .map(|x| {
                    centres
                        .iter()
                        .map(|c| sq_dist(x, c))
                        .fold(f64::INFINITY, f64::min)
                })
                .collect();
            centres.push(data[crate::util::proportional_choice(&dist, rng)].clone());
        }
        let mut resp = vec![vec![0.0; k]; n];
        for (x, r) in data.iter().zip(resp.iter_mut()) {
            let j = (0..k)
                .min_by(|&a, &b| sq_dist(x, &centres[a]).total_cmp(&sq_dist(x, &centres[b])))
                .unwrap_or(0);
            r[j] = 1.0;
        }
        let mut gmm = Gmm {
            weights: vec![1.0 / k as f64; k],
            components: Vec::new(),
            mean_log_likelihood: f64::NEG_INFINITY,
        };
        let mut prev = f64::NEG_INFINITY;
        for _ in 0..MAX_ITER {
            gmm.m_step(data, &resp, d);
            let ll = gmm.e_step(data, &mut resp);
            gmm.mean_log_likelihood = ll;
            if (ll - prev).abs() < TOL {
                break;
            }
            prev = ll;
        }
        Some(gmm)
    }

    /// Fits one mixture per `k` and keeps the best by `criterion`.
    pub fn fit_best(
        data: &[Vec<f64>],
        ks: &[usize],
        criterion: Criterion,
        rng: &mut ChaCha8Rng,
    ) -> Option<Gmm> {
        ks.iter()
            .filter_map(|&k| Gmm::fit(data, k, rng))
            .min_by(|a, b| {
                a.score(data.len(), criterion)
                    .total_cmp(&b.score(data.len(), criterion))
            })
    }

    fn m_step(&mut self, data: &[Vec<f64>], resp: &[Vec<f64>], d: usize) {
        let n = data.len() as f64;
        let k = self.weights.len();
        self.components.clear();
        for j in 0..k {
            let nk: f64 = resp.iter().map(|r| r[j]).sum::<f64>() + 10.0 * f64::EPSILON;
            let mut mean = vec![0.0; d];
            for (x, r) in data.iter().zip(resp) {
                for (m, v) in mean.iter_mut().zip(x) {
                    *m += r[j] * v;
                }
            }
            mean.iter_mut().for_each(|m| *m /= nk);
            let mut cov = vec![0.0; d * d];
            for (x, r) in data.iter().zip(resp) {
                for a in 0..d {
                    let da = x[a] - mean[a];
                    for b in 0..d {
                        cov[a * d + b] += r[j] * da * (x[b] - mean[b]);
                    }
                }
            }
            cov.iter_mut().for_each(|c| *c /= nk);
            for a in 0..d {
                cov[a * d + a] += REG_COVAR;
            }
            self.weights[j] = nk / n;
            self.components.push(Gaussian::new(mean, cov));
        }
    }

    /// Responsibilities; returns the mean log-likelihood.
    fn e_step(&self, data: &[Vec<f64>], resp: &mut [Vec<f64>]) -> f64 {
        let chols: Vec<DMatrix<f64>> = self
            .components
            .iter()
            .map(|c| chol(&c.cov_matrix()))
            .collect();
        let mut total = 0.0;
        for (x, r) in data.iter().zip(resp.iter_mut()) {
            for (j, (c, l)) in self.components.iter().zip(&chols).enumerate() {
                r[j] = self.weights[j].max(1e-300).ln() + log_pdf_chol(&c.mean, l, x);
            }
            let m = r.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
            let lse = m + r.iter().map(|v| (v - m).exp()).sum::<f64>().ln();
            r.iter_mut().for_each(|v| *v = (*v - lse).exp());
            total += lse;
        }
        total / data.len() as f64
    }
}

fn sq_dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// The mixture's components over the task dimensions, in task coordinates
/// (the extra dimensions, such as ALP-GMM's progress, marginalised out).
pub fn components_in_task_space(g: &Gmm, space: &TaskSpace) -> Vec<crate::belief::Gaussian> {
    let w: Vec<f64> = space.dims.iter().map(|d| d.width()).collect();
    let n = w.len();
    g.weights
        .iter()
        .zip(&g.components)
        .map(|(weight, c)| {
            let d = c.dim();
            crate::belief::Gaussian {
                weight: *weight,
                mean: space.from_unit(&c.mean[..n]),
                cov: (0..n * n)
                    .map(|k| c.cov[(k / n) * d + k % n] * w[k / n] * w[k % n])
                    .collect(),
            }
        })
        .collect()
}

/// A mixture fitted in unit-cube coordinates with `extra` trailing
/// non-task dimensions, reported in task coordinates for plots:
/// `[{weight, mean, cov, extra}]` with the extra dims' means in `extra`.
pub fn in_task_space(g: &Gmm, space: &TaskSpace, extra: usize) -> serde_json::Value {
    let comps = components_in_task_space(g, space)
        .into_iter()
        .zip(&g.components)
        .map(|(b, c)| {
            serde_json::json!({
                "weight": b.weight,
                "mean": b.mean,
                "cov": b.cov,
                "extra": c.mean[c.dim() - extra..].to_vec(),
            })
        })
        .collect();
    serde_json::Value::Array(comps)
}

#[cfg(test)]
mod tests {
    use super::*;
    use trellis_core::rng::seeded;

    #[test]
    fn recovers_two_separated_clusters_and_aic_prefers_two() {
        let mut rng = seeded(4, 0);
        let a = Gaussian::diagonal(vec![0.0, 0.0], &[0.1, 0.1]);
        let b = Gaussian::diagonal(vec![3.0, 1.0], &[0.2, 0.1]);
        let mut data: Vec<Vec<f64>> = (0..200).map(|_| a.sample(&mut rng)).collect();
        data.extend((0..100).map(|_| b.sample(&mut rng)));
        let g = Gmm::fit(&data, 2, &mut rng).unwrap();
        let big = if g.components[0].mean[0] > 1.5 { 0 } else { 1 };
        assert!((g.components[big].mean[0] - 3.0).abs() < 0.1);
        assert!((g.weights[big] - 1.0 / 3.0).abs() < 0.05);
        let best = Gmm::fit_best(&data, &[1, 2, 3, 4], Criterion::Aic, &mut rng).unwrap();
        assert!(
            best.k() >= 2,
            "AIC must not pick a single component for two clusters"
        );
        let one = Gmm::fit(&data, 1, &mut rng).unwrap();
        assert!(g.score(300, Criterion::Bic) < one.score(300, Criterion::Bic));
        assert!(Gmm::fit(&data[..1], 2, &mut rng).is_none());
    }

    #[test]
    fn duplicate_points_do_not_break_the_fit() {
        let data = vec![vec![1.0, 1.0]; 50];
        let g = Gmm::fit(&data, 3, &mut seeded(0, 0)).unwrap();
        assert!(g.mean_log_likelihood.is_finite());
    }
}
