//! Setter-Solver (Racanière et al., 2020): a *setter* generates goals
//! conditioned on a desired feasibility f ∈ (0, 1), a *judge* predicts the
//! probability that the student (the solver) succeeds at a goal. Every
//! `update_frequency` episodes the judge is fitted to the observed
//! successes and the setter is trained on three losses:
//! - validity: achieved goals should be likely under the setter (given the
//!   feasibility they were asked with), with a little noise on the goals;
//! - feasibility: the judge should rate a goal asked with feasibility f as f;
//! - coverage: the setter's entropy should be high (minimise E[log p]).
//!
//! The setter is a conditional Real NVP flow (TeachMyAgent: 3 coupling blocks
//! of 3 layers, hidden size 128) ending in a clipped sigmoid, so goals live in
//! the unit cube and map onto the task space; the judge is a 64-64-64 MLP.

use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::{log_sigmoid, sigmoid, softplus, tanh};
use burn::tensor::{Device, Tensor};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::util::check_range;
use crate::{Episode, Teacher, TeacherContext, TeacherError};
use trellis_nn::{self as nn, Mlp, gaussian_noise, matrix, values};
use trellis_core::Expert;

use crate::registry::{Descriptor, config};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "setter-solver",
    summary: "conditional Real NVP setter + judge",
    needs_expert: true,
    initial_from: Expert::Low,
    quick: "train_steps = 3\nupdate_frequency = 30",
    make: |cfg, ctx, seed| Ok(Box::new(SetterSolver::new(ctx, config(DESCRIPTOR.name, cfg)?, seed)?)),
    restore: |v| Ok(Box::new(SetterSolver::from_state(v)?)),
};

/// Goals are kept this far inside the unit cube so logits stay finite.
const EPS: f32 = 1e-5;
const BLOCKS: usize = 3;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// Setter-Solver's settings (defaults: TeachMyAgent's benchmark runs).
pub struct SetterSolverConfig {
    /// Episodes between two trainings of judge and setter.
    pub update_frequency: usize,
    /// Upper bound of the uniform noise added to achieved goals in the validity loss.
    pub setter_loss_noise_ub: f64,
    /// Width of the setter's and the judge's hidden layers.
    pub setter_hidden_size: usize,
    /// Adam steps per training, for each network.
    pub train_steps: usize,
    /// Goals per training minibatch.
    pub batch_size: usize,
    /// Adam learning rate of both networks.
    pub learning_rate: f64,
}

impl Default for SetterSolverConfig {
    fn default() -> Self {
        Self {
            update_frequency: 100,
            setter_loss_noise_ub: 0.05,
            setter_hidden_size: 128,
            train_steps: 50,
            batch_size: 64,
            learning_rate: 1e-3,
        }
    }
}

impl SetterSolverConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("update_frequency", self.update_frequency as f64, 1.0, 1e7)?;
        check_range("setter_loss_noise_ub", self.setter_loss_noise_ub, 0.0, 0.5)?;
        check_range(
            "setter_hidden_size",
            self.setter_hidden_size as f64,
            1.0,
            4096.0,
        )?;
        check_range("train_steps", self.train_steps as f64, 1.0, 1e6)?;
        check_range("batch_size", self.batch_size as f64, 1.0, 1e6)?;
        check_range("learning_rate", self.learning_rate, 1e-9, 1.0)
    }
}

/// A conditional Real NVP: each block transforms the dimensions its mask
/// leaves free with a scale and shift computed from the others and f.
#[derive(burn::module::Module, Debug)]
struct Flow {
    couplings: Vec<Mlp>,
}

impl Flow {
    fn new(d: usize, hidden: usize, device: &Device, rng: &mut ChaCha8Rng) -> Self {
        Self {
            couplings: (0..BLOCKS)
                .map(|_| Mlp::new(&[d + 1, hidden, hidden, hidden, 2 * d], device, rng))
                .collect(),
        }
    }

    /// Mask of the dimensions block `b` keeps (1) and transforms (0).
    fn mask(b: usize, d: usize, device: &Device) -> Tensor<2> {
        matrix(
            (0..d)
                .map(|i| if (i + b) % 2 == 0 { 1.0 } else { 0.0 })
                .collect(),
            1,
            d,
            device,
        )
    }

    /// Scale (bounded by tanh) and shift of block `b`, zero on kept dimensions.
    fn scale_shift(
        &self,
        b: usize,
        x: &Tensor<2>,
        f: &Tensor<2>,
        device: &Device,
    ) -> (Tensor<2>, Tensor<2>) {
        let d = x.dims()[1];
        let m = Self::mask(b, d, device);
        let free = m.clone().neg() + 1.0;
        let out = self.couplings[b].forward(Tensor::cat(vec![x.clone() * m, f.clone()], 1));
        let s = tanh(out.clone().narrow(1, 0, d)) * free.clone();
        let t = out.narrow(1, d, d) * free;
        (s, t)
    }

    /// z → goal in (0, 1)^d, with log p(goal | f).
    fn forward(&self, z: Tensor<2>, f: Tensor<2>, device: &Device) -> (Tensor<2>, Tensor<2>) {
        let mut logdet = z.clone().sum_dim(1) * 0.0;
        let base = log_normal(&z);
        let mut x = z;
        for b in 0..BLOCKS {
            let (s, t) = self.scale_shift(b, &x, &f, device);
            x = x * s.clone().exp() + t;
            logdet = logdet + s.sum_dim(1);
        }
        logdet = logdet + (log_sigmoid(x.clone()) + log_sigmoid(x.clone().neg())).sum_dim(1);
        (sigmoid(x), base - logdet)
    }

    /// log p(goal | f) of given goals in (0, 1)^d.
    fn log_prob(&self, y: Tensor<2>, f: Tensor<2>, device: &Device) -> Tensor<2> {
        let y = y.clamp(EPS, 1.0 - EPS);
        let mut x = y.clone().log() - (y.neg() + 1.0).log();
        let mut logdet = (log_sigmoid(x.clone()) + log_sigmoid(x.clone().neg())).sum_dim(1);
        for b in (0..BLOCKS).rev() {
            let (s, t) = self.scale_shift(b, &x, &f, device);
            x = (x - t) * s.clone().neg().exp();
            logdet = logdet + s.sum_dim(1);
        }
        log_normal(&x) - logdet
    }
}

/// log N(z; 0, I) per row, as a `[n, 1]` tensor.
fn log_normal(z: &Tensor<2>) -> Tensor<2> {
    let d = z.dims()[1] as f32;
    z.clone().square().sum_dim(1) * -0.5 - 0.5 * d * std::f32::consts::TAU.ln()
}

/// Binary cross-entropy of logits against (soft) targets, averaged.
fn bce_logits(logits: Tensor<2>, target: Tensor<2>) -> Tensor<1> {
    (softplus(logits.clone(), 1.0) - target * logits).mean()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Data {
    cfg: SetterSolverConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    /// The feasibility each sampled task was asked with, keyed by position in `asked`.
    asked: Vec<(Vec<f64>, f64)>,
    /// (goal in unit cube, feasibility, success) since the last training.
    buffer: Vec<(Vec<f64>, f64, bool)>,
    episodes: u64,
    last_losses: Option<(f64, f64)>,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    data: Data,
    setter: Vec<u8>,
    judge: Vec<u8>,
    setter_optim: Vec<u8>,
    judge_optim: Vec<u8>,
}

/// The Setter-Solver teacher (see the module docs).
pub struct SetterSolver {
    data: Data,
    device: Device,
    setter: Flow,
    judge: Mlp,
    setter_optim: ModuleOptimizer,
    judge_optim: ModuleOptimizer,
}

impl SetterSolver {
    /// A fresh teacher over `ctx`'s task space; random draws and network weights from `seed`.
    pub fn new(
        ctx: TeacherContext,
        cfg: SetterSolverConfig,
        seed: u64,
    ) -> Result<Self, TeacherError> {
        cfg.validate()?;
        let mut rng = trellis_core::rng::seeded(seed, 0);
        let device = nn::device();
        let d = ctx.space.len();
        let setter = Flow::new(d, cfg.setter_hidden_size, &device, &mut rng);
        let judge = Mlp::new(&[d, 64, 64, 64, 1], &device, &mut rng);
        Ok(Self {
            data: Data {
                cfg,
                ctx,
                rng,
                asked: Vec::new(),
                buffer: Vec::new(),
                episodes: 0,
                last_losses: None,
            },
            device,
            setter,
            judge,
            setter_optim: AdamConfig::new().init(),
            judge_optim: AdamConfig::new().init(),
        })
    }

    fn train(&mut self) {
        let dev = self.device.clone();
        let d = self.data.ctx.space.len();
        let buf = std::mem::take(&mut self.data.buffer);
        let (lr, n) = (self.data.cfg.learning_rate, self.data.cfg.batch_size);
        let goals = matrix(
            buf.iter()
                .flat_map(|(g, _, _)| g.iter().map(|&v| v as f32))
                .collect(),
            buf.len(),
            d,
            &dev,
        );
        let success = matrix(
            buf.iter().map(|b| if b.2 { 1.0 } else { 0.0 }).collect(),
            buf.len(),
            1,
            &dev,
        );
        let wins: Vec<&(Vec<f64>, f64, bool)> = buf.iter().filter(|b| b.2).collect();
        let (mut jl, mut sl) = (f64::NAN, f64::NAN);
        for _ in 0..self.data.cfg.train_steps {
            let loss = bce_logits(self.judge.forward(goals.clone()), success.clone());
            jl = nn::scalar(loss.clone().detach());
            let grads = GradientsParams::from_grads(loss.backward(), &self.judge);
            self.judge = self.judge_optim.step(lr, self.judge.clone(), grads);
        }
        for _ in 0..self.data.cfg.train_steps {
            let z = gaussian_noise(n, d, &mut self.data.rng, &dev);
            let f = matrix(
                (0..n)
                    .map(|_| self.data.rng.random_range(1e-8f32..1.0))
                    .collect(),
                n,
                1,
                &dev,
            );
            let (y, log_p) = self.setter.forward(z, f.clone(), &dev);
            let feasibility = bce_logits(self.judge.forward(y), f);
            let coverage = log_p.mean();
            let mut loss = feasibility + coverage;
            if !wins.is_empty() {
                let ub = self.data.cfg.setter_loss_noise_ub;
                let noisy: Vec<f32> = wins
                    .iter()
                    .flat_map(|w| {
                        w.0.iter()
                            .map(|&v| (v + self.data.rng.random_range(0.0..=ub)) as f32)
                            .collect::<Vec<_>>()
                    })
                    .collect();
                let fw = matrix(
                    wins.iter().map(|w| w.1 as f32).collect(),
                    wins.len(),
                    1,
                    &dev,
                );
                let validity = self
                    .setter
                    .log_prob(matrix(noisy, wins.len(), d, &dev), fw, &dev)
                    .mean()
                    .neg();
                loss = loss + validity;
            }
            sl = nn::scalar(loss.clone().detach());
            let grads = GradientsParams::from_grads(loss.backward(), &self.setter);
            self.setter = self.setter_optim.step(lr, self.setter.clone(), grads);
        }
        self.data.last_losses = Some((jl, sl));
    }

    /// A teacher restored from its checkpoint (`Teacher::state`), networks included.
    pub fn from_state(v: &serde_json::Value) -> Result<Self, TeacherError> {
        let s: Snapshot =
            serde_json::from_value(v.clone()).map_err(|e| TeacherError::BadState(e.to_string()))?;
        let mut t = Self::new(s.data.ctx.clone(), s.data.cfg.clone(), 0)?;
        t.setter = nn::load_module(t.setter, &s.setter)?;
        t.judge = nn::load_module(t.judge, &s.judge)?;
        t.setter_optim = nn::load_optim(t.setter_optim, &s.setter_optim)?;
        t.judge_optim = nn::load_optim(t.judge_optim, &s.judge_optim)?;
        t.data = s.data;
        Ok(t)
    }

    fn snapshot(&self) -> Result<Snapshot, TeacherError> {
        Ok(Snapshot {
            data: self.data.clone(),
            setter: nn::module_bytes(&self.setter)?,
            judge: nn::module_bytes(&self.judge)?,
            setter_optim: nn::optim_bytes(&self.setter_optim)?,
            judge_optim: nn::optim_bytes(&self.judge_optim)?,
        })
    }
}

impl Teacher for SetterSolver {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        let d = self.data.ctx.space.len();
        let f = self.data.rng.random_range(1e-8..1.0);
        let z = gaussian_noise(1, d, &mut self.data.rng, &self.device);
        let (y, _) =
            self.setter
                .forward(z, matrix(vec![f as f32], 1, 1, &self.device), &self.device);
        let unit: Vec<f64> = values(y.detach())
            .iter()
            .map(|&v| v.clamp(EPS, 1.0 - EPS) as f64)
            .collect();
        let mut task = self.data.ctx.space.from_unit(&unit);
        self.data.ctx.space.clamp(&mut task);
        self.data.asked.push((task.clone(), f));
        task
    }

    fn update(&mut self, ep: &Episode) {
        self.data.episodes += 1;
        // The feasibility the task was asked with (latest match), or 0.5 for foreign tasks.
        let f = match self
            .data
            .asked
            .iter()
            .rposition(|(t, _)| t.as_slice() == ep.task)
        {
            Some(i) => self.data.asked.remove(i).1,
            None => 0.5,
        };
        if self.data.asked.len() > 10_000 {
            self.data.asked.drain(..5_000);
        }
        self.data
            .buffer
            .push((self.data.ctx.space.to_unit(ep.task), f, ep.success));
        if self.data.episodes % self.data.cfg.update_frequency as u64 == 0 {
            self.train();
        }
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self.snapshot().expect("Setter-Solver networks serialise"))
            .expect("teacher state serialises")
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::json!({ "teacher": "setter-solver", "episodes": self.data.episodes, "losses": self.data.last_losses })
    }
}
