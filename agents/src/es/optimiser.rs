//! OpenAI-ES (Salimans et al., 2017) as POET runs it: mirrored Gaussian
//! perturbations θ ± σε, returns replaced by their centred ranks, the
//! gradient estimate Σ (r⁺ − r⁻) ε / (2n σ), L2 weight decay, Adam, and σ
//! and the learning rate decaying each step towards their floors.
//!
//! Perturbation `i` of step `t` is drawn from its own seeded stream (the
//! run's seed, `t`, `i`), so any worker can rebuild it from two integers and
//! the results do not depend on which thread played which episode.

use serde::{Deserialize, Serialize};
use trellis_core::rng::{seeded, standard_normal};

use super::EsConfig;

/// Adam's moment decay rates and ε as in OpenAI-ES.
const BETA1: f64 = 0.9;
const BETA2: f64 = 0.999;
const ADAM_EPS: f64 = 1e-8;

/// One evolution strategy's state: the parameters, Adam's moments, the
/// decayed σ and learning rate, and how many steps it has taken.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct OpenAiEs {
    /// The current parameters (the policy the pair's agent plays).
    pub theta: Vec<f32>,
    m: Vec<f64>,
    v: Vec<f64>,
    /// Updates taken (Adam's bias correction, and the noise streams).
    pub steps: u64,
    /// The perturbation scale now.
    pub sigma: f64,
    /// The learning rate now.
    pub lr: f64,
    seed: u64,
}

/// One mirrored pair's returns: (θ + σε, θ − σε).
pub type Mirrored = (f64, f64);

impl OpenAiEs {
    /// A fresh optimiser at `theta`; its noise streams derive from `seed`.
    pub fn new(theta: Vec<f32>, cfg: &EsConfig, seed: u64) -> Self {
        let n = theta.len();
        Self {
            theta,
            m: vec![0.0; n],
            v: vec![0.0; n],
            steps: 0,
            sigma: cfg.noise_std,
            lr: cfg.lr,
            seed,
        }
    }

    /// The same agent with Adam's moments and the decays started afresh
    /// (POET resets the optimiser of an agent that moves to another niche).
    pub fn reset_optimiser(&mut self, cfg: &EsConfig) {
        *self = Self::new(std::mem::take(&mut self.theta), cfg, self.seed ^ self.steps.rotate_left(17));
    }

    /// Perturbation `i` of the next step: ε ~ N(0, I).
    pub fn noise(&self, i: usize) -> Vec<f32> {
        let mut rng = seeded(self.seed.wrapping_add(self.steps.wrapping_mul(0x9e37_79b9_7f4a_7c15)), i as u64);
        (0..self.theta.len())
            .map(|_| standard_normal(&mut rng) as f32)
            .collect()
    }

    /// The parameters of perturbation `i` with sign `+1` or `-1`.
    pub fn perturbed(&self, i: usize, positive: bool) -> Vec<f32> {
        let s = if positive { self.sigma } else { -self.sigma } as f32;
        self.theta
            .iter()
            .zip(self.noise(i))
            .map(|(t, e)| t + s * e)
            .collect()
    }

    /// Takes one step from the returns of the perturbations `0..n` (mirrored pairs).
    pub fn tell(&mut self, returns: &[Mirrored], cfg: &EsConfig) {
        let step = self.step_from(returns, cfg);
        self.apply(step, cfg);
    }

    /// The parameters one step would reach, leaving this optimiser as it is
    /// (POET's proposal transfer: a candidate fine-tuned for one step in the
    /// target niche, with Adam continuing from the target's moments).
    pub fn propose(&self, returns: &[Mirrored], cfg: &EsConfig) -> Vec<f32> {
        let mut copy = self.clone();
        copy.tell(returns, cfg);
        copy.theta
    }

    /// The gradient of the objective to minimise: −ĝ + λθ.
    fn step_from(&self, returns: &[Mirrored], cfg: &EsConfig) -> Vec<f64> {
        let n = returns.len();
        let flat: Vec<f64> = returns.iter().flat_map(|&(p, m)| [p, m]).collect();
        let ranks = centred_ranks(&flat);
        let mut g = vec![0.0f64; self.theta.len()];
        for i in 0..n {
            let w = ranks[2 * i] - ranks[2 * i + 1];
            if w == 0.0 {
                continue;
            }
            for (gj, e) in g.iter_mut().zip(self.noise(i)) {
                *gj += w * e as f64;
            }
        }
        let scale = 1.0 / (2 * n.max(1)) as f64 / if cfg.grads_by_noise_std { self.sigma } else { 1.0 };
        g.iter()
            .zip(&self.theta)
            .map(|(gj, &t)| -gj * scale + cfg.l2_coeff * t as f64)
            .collect()
    }

    /// Adam on the minimisation gradient, then the decays.
    fn apply(&mut self, grad: Vec<f64>, cfg: &EsConfig) {
        self.steps += 1;
        let t = self.steps as i32;
        let a = self.lr * (1.0 - BETA2.powi(t)).sqrt() / (1.0 - BETA1.powi(t));
        for (((th, m), v), g) in self.theta.iter_mut().zip(&mut self.m).zip(&mut self.v).zip(grad) {
            *m = BETA1 * *m + (1.0 - BETA1) * g;
            *v = BETA2 * *v + (1.0 - BETA2) * g * g;
            *th -= (a * *m / (v.sqrt() + ADAM_EPS)) as f32;
        }
        self.sigma = (self.sigma * cfg.noise_decay).max(cfg.noise_limit);
        self.lr = (self.lr * cfg.lr_decay).max(cfg.lr_limit);
    }
}

/// Returns replaced by their ranks scaled to [−0.5, 0.5] (ties broken by
/// position, so the result is deterministic): fitness shaping that makes
/// the step invariant to the return's scale and robust to outliers.
pub fn centred_ranks(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    if n < 2 {
        return vec![0.0; n];
    }
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| x[a].total_cmp(&x[b]).then(a.cmp(&b)));
    let mut r = vec![0.0; n];
    for (rank, &i) in order.iter().enumerate() {
        r[i] = rank as f64 / (n - 1) as f64 - 0.5;
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg() -> EsConfig {
        EsConfig { l2_coeff: 0.0, ..EsConfig::default() }
    }

    #[test]
    fn centred_ranks_span_minus_half_to_half() {
        assert_eq!(centred_ranks(&[10.0, -3.0, 5.0]), vec![0.5, -0.5, 0.0]);
    }

    #[test]
    fn climbs_a_quadratic() {
        // Maximise −|θ − 1|²: every coordinate should move towards 1.
        let cfg = cfg();
        let mut es = OpenAiEs::new(vec![0.0; 8], &cfg, 3);
        let f = |th: &[f32]| -th.iter().map(|x| (x - 1.0).powi(2) as f64).sum::<f64>();
        let start = f(&es.theta);
        for _ in 0..300 {
            let r: Vec<Mirrored> = (0..16)
                .map(|i| (f(&es.perturbed(i, true)), f(&es.perturbed(i, false))))
                .collect();
            es.tell(&r, &cfg);
        }
        assert!(f(&es.theta) > 0.1 * start, "{} vs {start}", f(&es.theta));
        assert!(es.sigma < cfg.noise_std && es.sigma >= cfg.noise_limit);
    }

    #[test]
    fn propose_leaves_the_optimiser_unchanged() {
        let cfg = cfg();
        let es = OpenAiEs::new(vec![0.5; 4], &cfg, 1);
        let before = es.clone();
        let p = es.propose(&[(1.0, 0.0), (0.0, 1.0)], &cfg);
        assert_eq!(es, before);
        assert_ne!(p, es.theta);
    }
}
