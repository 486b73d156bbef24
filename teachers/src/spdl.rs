//! SPDL, Self-Paced Deep RL (Klink et al., 2020): tasks come from a Gaussian
//! context distribution that moves from an easy initial distribution towards
//! the target one. Every `update_frequency` env steps it maximises
//!
//!   E_{c~p_old}[ p(c)/p_old(c) · V(c) ] − α · KL(p ‖ target)
//!   subject to KL(p_old ‖ p) ≤ max_kl,
//!
//! over the mean and Cholesky factor of p, where V(c) is the student's value
//! of the episode's initial state (or its return when the student gives no
//! value) and α = zeta · mean(V) / KL(p ‖ target) once `alpha_offset`
//! updates have passed (the paper's "percentage" schedule: the KL term weighs
//! `zeta` of the performance term).
//!
//! The original takes one natural-gradient (conjugate-gradient) step with a
//! line search; trellis takes one plain-gradient step (finite differences),
//! as long as the trust region allows, with the same backtracking: the same
//! constrained problem without autodiff, fast for the small parameter counts
//! of task spaces. The expected value is estimated with self-normalised
//! importance weights (consistent, far less noisy with ~100 contexts per
//! update: with plain weights the optimiser mostly fitted sampling noise). It works in unit-cube coordinates, where KL and importance
//! ratios are unchanged (both are invariant under affine maps).

use nalgebra::DMatrix;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::gaussian::Gaussian;
use crate::util::check_range;
use crate::{Episode, Teacher, TeacherContext, TeacherError};
use trellis_core::Expert;

use crate::registry::{Descriptor, config, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "spdl",
    summary: "Gaussian context distribution, KL-constrained towards the target",
    needs_expert: false,
    initial_from: Expert::Low,
    quick: "update_frequency = 1000\nupdate_offset = 1000",
    make: |cfg, ctx, seed| Ok(Box::new(Spdl::new(ctx, config(DESCRIPTOR.name, cfg)?, seed)?)),
    restore: restore_serde::<Spdl>,
};

/// Bisection steps for the KL-bounded step length, and backtracking steps.
const ASCENT_ITERS: usize = 40;
const LINE_SEARCH_STEPS: usize = 10;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// SPDL's settings (defaults: TeachMyAgent's benchmark runs).
pub struct SpdlConfig {
    /// Env steps between two updates of the context distribution.
    pub update_frequency: u64,
    /// Env steps before the first update.
    pub update_offset: u64,
    /// Env steps before the KL penalty towards the target distribution starts.
    pub alpha_offset: u64,
    /// Weight of that penalty relative to the expected return (SPDL's ζ).
    pub zeta: f64,
    /// Largest KL divergence between two successive context distributions.
    pub max_kl: f64,
    /// Contexts kept per update (the most recent).
    pub max_buffer: usize,
    /// Std (unit-cube coordinates) of the initial distribution when the env gives no expert one.
    pub initial_std: f64,
}

impl Default for SpdlConfig {
    fn default() -> Self {
        Self {
            update_frequency: 100_000,
            update_offset: 200_000,
            alpha_offset: 0,
            zeta: 0.05,
            max_kl: 0.8,
            max_buffer: 1000,
            initial_std: 0.05,
        }
    }
}

impl SpdlConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("update_frequency", self.update_frequency as f64, 1.0, 1e12)?;
        check_range("zeta", self.zeta, 0.0, 1e6)?;
        check_range("max_kl", self.max_kl, 1e-9, 1e6)?;
        check_range("max_buffer", self.max_buffer as f64, 1.0, 1e7)?;
        check_range("initial_std", self.initial_std, 1e-6, 10.0)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The SPDL teacher (see the module docs).
pub struct Spdl {
    cfg: SpdlConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    /// Current and target distributions in unit-cube coordinates.
    pub dist: Gaussian,
    target: Gaussian,
    contexts: Vec<Vec<f64>>,
    values: Vec<f64>,
    steps: u64,
    next_update: u64,
    iterations: u64,
    alpha: f64,
    episodes: u64,
}

/// Maps a task-space Gaussian into unit-cube coordinates.
fn to_unit(g: &Gaussian, ctx: &TeacherContext) -> Gaussian {
    let w: Vec<f64> = ctx
        .space
        .dims
        .iter()
        .map(|d| d.width().max(1e-12))
        .collect();
    let d = w.len();
    let cov = (0..d * d)
        .map(|k| g.cov[k] / (w[k / d] * w[k % d]))
        .collect();
    Gaussian::new(ctx.space.to_unit(&g.mean), cov)
}

/// Parameters: mean, then the lower Cholesky factor row by row with log diagonal.
fn pack(g: &Gaussian) -> Vec<f64> {
    let l = g.cholesky();
    let d = g.dim();
    let mut p = g.mean.clone();
    for i in 0..d {
        for j in 0..=i {
            p.push(if i == j {
                l[(i, j)].max(1e-12).ln()
            } else {
                l[(i, j)]
            });
        }
    }
    p
}

fn unpack(p: &[f64], d: usize) -> Gaussian {
    let mut l = DMatrix::zeros(d, d);
    let mut k = d;
    for i in 0..d {
        for j in 0..=i {
            l[(i, j)] = if i == j {
                p[k].clamp(-30.0, 30.0).exp()
            } else {
                p[k]
            };
            k += 1;
        }
    }
    let cov = &l * l.transpose();
    Gaussian::new(p[..d].to_vec(), cov.transpose().as_slice().to_vec())
}

impl Spdl {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, cfg: SpdlConfig, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        let mut rng = trellis_core::rng::seeded(seed, 0);
        let d = ctx.space.len();
        let dist = match &ctx.initial {
            Some(g) => to_unit(g, &ctx),
            None => Gaussian::diagonal(
                crate::util::uniform_in(&vec![0.0; d], &vec![1.0; d], &mut rng),
                &vec![cfg.initial_std; d],
            ),
        };
        // Without a target, aim at the whole space: a Gaussian with the uniform's moments.
        let target = match &ctx.target {
            Some(g) => to_unit(g, &ctx),
            None => Gaussian::diagonal(vec![0.5; d], &vec![(1.0f64 / 12.0).sqrt(); d]),
        };
        Ok(Self {
            next_update: cfg.update_offset.max(cfg.update_frequency),
            cfg,
            ctx,
            rng,
            dist,
            target,
            contexts: Vec::new(),
            values: Vec::new(),
            steps: 0,
            iterations: 0,
            alpha: 0.0,
            episodes: 0,
        })
    }

    /// Current context distribution in task coordinates.
    pub fn distribution(&self) -> Gaussian {
        let w: Vec<f64> = self.ctx.space.dims.iter().map(|d| d.width()).collect();
        let d = w.len();
        let cov = (0..d * d)
            .map(|k| self.dist.cov[k] * w[k / d] * w[k % d])
            .collect();
        Gaussian::new(self.ctx.space.from_unit(&self.dist.mean), cov)
    }

    /// KL divergence from the current context distribution to the target one.
    pub fn kl_to_target(&self) -> f64 {
        self.dist.kl(&self.target)
    }

    fn optimise(&mut self) {
        let d = self.dist.dim();
        let old = self.dist.clone();
        let old_logp: Vec<f64> = self.contexts.iter().map(|c| old.log_pdf(c)).collect();
        let mean_v = self.values.iter().sum::<f64>() / self.values.len() as f64;
        let kl_now = self.dist.kl(&self.target);
        self.iterations += 1;
        self.alpha = if self.iterations <= self.cfg.alpha_offset || mean_v <= 0.0 || kl_now <= 1e-12
        {
            0.0
        } else {
            self.cfg.zeta * mean_v / kl_now
        };
        let (contexts, values, alpha, target) =
            (&self.contexts, &self.values, self.alpha, &self.target);
        let objective = |p: &[f64]| {
            let g = unpack(p, d);
            let l = g.cholesky();
            // Self-normalised importance sampling: the same expectation, but a
            // constant value gives no gradient, so sampling noise cannot pull
            // the distribution onto the few contexts of the last batch.
            let (mut num, mut den) = (0.0, 0.0);
            for ((c, v), lo) in contexts.iter().zip(values).zip(&old_logp) {
                let w = (crate::gaussian::log_pdf_chol(&g.mean, &l, c) - lo)
                    .clamp(-50.0, 50.0)
                    .exp();
                num += w * v;
                den += w;
            }
            let perf = if den > 0.0 { num / den } else { 0.0 };
            perf - alpha * g.kl(target)
        };
        // One trust-region step, as the original: the gradient direction, the
        // longest step along it that keeps KL(old ‖ new) ≤ max_kl, then
        // backtracking until the objective improves.
        let p0 = pack(&old);
        let base = objective(&p0);
        let h = 1e-5;
        let grad: Vec<f64> = (0..p0.len())
            .map(|k| {
                let (mut a, mut b) = (p0.clone(), p0.clone());
                a[k] += h;
                b[k] -= h;
                (objective(&a) - objective(&b)) / (2.0 * h)
            })
            .collect();
        let norm = grad.iter().map(|g| g * g).sum::<f64>().sqrt();
        let along = |t: f64| -> Vec<f64> {
            p0.iter()
                .zip(&grad)
                .map(|(x, g)| x + t * g / norm.max(1e-300))
                .collect()
        };
        let kl_at = |t: f64| old.kl(&unpack(&along(t), d));
        let mut p = p0.clone();
        if norm > 1e-12 {
            // Bracket then bisect the step length where the KL reaches its bound.
            let (mut lo, mut hi) = (0.0, 1e-3);
            while kl_at(hi) < self.cfg.max_kl && hi < 1e3 {
                lo = hi;
                hi *= 2.0;
            }
            for _ in 0..ASCENT_ITERS {
                let mid = 0.5 * (lo + hi);
                if kl_at(mid) < self.cfg.max_kl {
                    lo = mid
                } else {
                    hi = mid
                }
            }
            let mut t = lo;
            for _ in 0..LINE_SEARCH_STEPS {
                if objective(&along(t)) > base {
                    p = along(t);
                    break;
                }
                t *= 0.5;
            }
        }
        self.dist = unpack(&p, d);
        self.contexts.clear();
        self.values.clear();
    }
}

impl Teacher for Spdl {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        let x = self.dist.sample(&mut self.rng);
        let mut task = self.ctx.space.from_unit(&x);
        self.ctx.space.clamp(&mut task);
        task
    }

    fn update(&mut self, ep: &Episode) {
        self.episodes += 1;
        self.steps += u64::from(ep.len);
        self.contexts.push(self.ctx.space.to_unit(ep.task));
        self.values.push(ep.value.unwrap_or(ep.ret));
        if self.contexts.len() > self.cfg.max_buffer {
            self.contexts.remove(0);
            self.values.remove(0);
        }
        if self.steps >= self.next_update {
            self.next_update = self.steps + self.cfg.update_frequency;
            if !self.contexts.is_empty() {
                self.optimise();
            }
        }
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        let g = self.distribution();
        crate::belief::Belief::Gaussian(crate::belief::Gaussian { weight: 1.0, mean: g.mean, cov: g.cov })
    }

    fn dump(&self) -> serde_json::Value {
        let g = self.distribution();
        serde_json::json!({
            "teacher": "spdl",
            "episodes": self.episodes,
            "steps": self.steps,
            "mean": g.mean,
            "cov": g.cov,
            "alpha": self.alpha,
            "kl_to_target": self.kl_to_target(),
        })
    }
}
