//! GoalGAN (Florensa et al., 2018): a generator proposes goals of
//! intermediate difficulty (GOID: success rate in `[goid_lb, goid_ub]` over
//! `n_rollouts` attempts), trained as a least-squares GAN whose discriminator
//! is told which of the recently attempted goals were GOID. A share `p_old`
//! of tasks replays goals the student already succeeds at, with a little
//! noise, against forgetting. With expert knowledge the GAN is first
//! pretrained on samples of the initial (easy) distribution.
//!
//! Networks (TeachMyAgent's sizes): generator 256-256 with tanh output in
//! [-1, 1]^d mapped onto the task space, discriminator 128-128; 250 Adam
//! iterations of 64 goals at each update.

use std::collections::{BTreeMap, VecDeque};

use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::Device;
use burn::tensor::activation::tanh;
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
    name: "goal-gan",
    summary: "LSGAN generating goals of intermediate difficulty",
    needs_expert: true,
    initial_from: Expert::Low,
    quick: "gan_iterations = 5\nupdate_size = 20",
    make: |cfg, ctx, seed| Ok(Box::new(GoalGan::new(ctx, config(DESCRIPTOR.name, cfg)?, seed)?)),
    restore: |v| Ok(Box::new(GoalGan::from_state(v)?)),
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// GoalGAN's settings (defaults: TeachMyAgent's benchmark runs).
pub struct GoalGanConfig {
    /// Noise added to generated goals, as a fraction of each dimension's range.
    pub state_noise_level: f64,
    /// Replayed successful goals closer than this (fraction of the space's diagonal) are not stored twice.
    pub success_distance_threshold: f64,
    /// Labelled goals per GAN update.
    pub update_size: usize,
    /// Attempts per generated goal before it is labelled.
    pub n_rollouts: usize,
    /// Goals of intermediate difficulty succeed at least this often (GOID lower bound).
    pub goid_lb: f64,
    /// ... and at most this often (GOID upper bound).
    pub goid_ub: f64,
    /// Share of tasks replayed from the success buffer.
    pub p_old: f64,
    /// Pretrain on the initial distribution when the context has one.
    pub use_pretrained_samples: bool,
    /// Generator/discriminator steps per GAN update.
    pub gan_iterations: usize,
    /// Goals per GAN minibatch.
    pub batch_size: usize,
    /// Adam learning rate of both networks.
    pub learning_rate: f64,
}

impl Default for GoalGanConfig {
    fn default() -> Self {
        Self {
            state_noise_level: 0.01,
            success_distance_threshold: 0.01,
            update_size: 100,
            n_rollouts: 2,
            goid_lb: 0.25,
            goid_ub: 0.75,
            p_old: 0.2,
            use_pretrained_samples: true,
            gan_iterations: 250,
            batch_size: 64,
            learning_rate: 1e-3,
        }
    }
}

impl GoalGanConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("state_noise_level", self.state_noise_level, 0.0, 1.0)?;
        check_range("update_size", self.update_size as f64, 1.0, 1e7)?;
        check_range("n_rollouts", self.n_rollouts as f64, 1.0, 1e4)?;
        check_range("goid_lb", self.goid_lb, 0.0, 1.0)?;
        check_range("goid_ub", self.goid_ub, self.goid_lb, 1.0)?;
        check_range("p_old", self.p_old, 0.0, 1.0)?;
        check_range("batch_size", self.batch_size as f64, 1.0, 1e6)?;
        check_range("learning_rate", self.learning_rate, 1e-9, 1.0)
    }
}

/// Everything but the networks, serialised as is.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Data {
    cfg: GoalGanConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    /// Goals still to be attempted again (the remaining rollouts of a generated goal).
    queue: VecDeque<Vec<f64>>,
    /// Outcomes of generated goals awaiting labels, keyed by the task's exact bits.
    pending: BTreeMap<String, Vec<Vec<bool>>>,
    /// Labelled goals (in [-1, 1] coordinates) since the last update.
    goals: Vec<Vec<f64>>,
    labels: Vec<bool>,
    /// Goals the student masters (unit coordinates), for replay.
    successes: Vec<Vec<f64>>,
    episodes: u64,
    updates: u64,
    last_losses: Option<(f64, f64)>,
}

#[derive(Serialize, Deserialize)]
struct Snapshot {
    data: Data,
    generator: Vec<u8>,
    discriminator: Vec<u8>,
    gen_optim: Vec<u8>,
    disc_optim: Vec<u8>,
}

/// The GoalGAN teacher (see the module docs).
pub struct GoalGan {
    data: Data,
    device: Device,
    generator: Mlp,
    discriminator: Mlp,
    gen_optim: ModuleOptimizer,
    disc_optim: ModuleOptimizer,
}

fn key(task: &[f64]) -> String {
    task.iter()
        .map(|v| format!("{:016x}", v.to_bits()))
        .collect::<Vec<_>>()
        .join(":")
}

impl GoalGan {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, cfg: GoalGanConfig, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        let mut rng = trellis_core::rng::seeded(seed, 0);
        let device = nn::device();
        let d = ctx.space.len();
        let generator = Mlp::new(&[d, 256, 256, d], &device, &mut rng);
        let discriminator = Mlp::new(&[d, 128, 128, 1], &device, &mut rng);
        let pretrain = cfg
            .use_pretrained_samples
            .then(|| ctx.initial.clone())
            .flatten();
        let mut gg = Self {
            data: Data {
                cfg,
                ctx,
                rng,
                queue: VecDeque::new(),
                pending: BTreeMap::new(),
                goals: Vec::new(),
                labels: Vec::new(),
                successes: Vec::new(),
                episodes: 0,
                updates: 0,
                last_losses: None,
            },
            device,
            generator,
            discriminator,
            gen_optim: AdamConfig::new().init(),
            disc_optim: AdamConfig::new().init(),
        };
        if let Some(initial) = pretrain {
            let samples: Vec<Vec<f64>> = (0..1000)
                .map(|_| {
                    let mut t = initial.sample(&mut gg.data.rng);
                    gg.data.ctx.space.clamp(&mut t);
                    gg.to_gan(&t)
                })
                .collect();
            let labels = vec![true; samples.len()];
            gg.train(&samples, &labels);
        }
        Ok(gg)
    }

    /// Task → generator coordinates in [-1, 1].
    fn to_gan(&self, task: &[f64]) -> Vec<f64> {
        self.data
            .ctx
            .space
            .to_unit(task)
            .iter()
            .map(|u| 2.0 * u - 1.0)
            .collect()
    }

    fn from_gan(&self, g: &[f64]) -> Vec<f64> {
        let unit: Vec<f64> = g.iter().map(|v| (v + 1.0) / 2.0).collect();
        let mut t = self.data.ctx.space.from_unit(&unit);
        self.data.ctx.space.clamp(&mut t);
        t
    }

    fn generate(&mut self, n: usize) -> Vec<Vec<f64>> {
        let d = self.data.ctx.space.len();
        let z = gaussian_noise(n, d, &mut self.data.rng, &self.device);
        let g = values(tanh(self.generator.forward(z)).detach());
        g.chunks(d)
            .map(|r| r.iter().map(|&v| v as f64).collect())
            .collect()
    }

    /// LSGAN updates: the discriminator scores GOID goals 1, others and
    /// generated goals −1; the generator pushes its goals' scores to 0.
    fn train(&mut self, goals: &[Vec<f64>], labels: &[bool]) {
        let d = self.data.ctx.space.len();
        let (n, lr) = (self.data.cfg.batch_size, self.data.cfg.learning_rate);
        let (mut dl, mut gl) = (f64::NAN, f64::NAN);
        for _ in 0..self.data.cfg.gan_iterations {
            let idx: Vec<usize> = (0..n)
                .map(|_| self.data.rng.random_range(0..goals.len()))
                .collect();
            let x = matrix(
                idx.iter()
                    .flat_map(|&i| goals[i].iter().map(|&v| v as f32))
                    .collect(),
                n,
                d,
                &self.device,
            );
            let y = matrix(
                idx.iter()
                    .map(|&i| if labels[i] { 1.0 } else { 0.0 })
                    .collect(),
                n,
                1,
                &self.device,
            );
            let z = gaussian_noise(n, d, &mut self.data.rng, &self.device);
            let fake = tanh(self.generator.forward(z.clone())).detach();
            let dx = self.discriminator.forward(x);
            let real_loss = (y.clone() * (dx.clone() - 1.0).square()
                + (y.neg() + 1.0) * (dx + 1.0).square())
            .mean();
            let fake_loss = (self.discriminator.forward(fake) + 1.0).square().mean();
            let d_loss = real_loss + fake_loss;
            dl = nn::scalar(d_loss.clone().detach());
            let grads = GradientsParams::from_grads(d_loss.backward(), &self.discriminator);
            self.discriminator = self.disc_optim.step(lr, self.discriminator.clone(), grads);

            let g_loss = self
                .discriminator
                .forward(tanh(self.generator.forward(z)))
                .square()
                .mean();
            gl = nn::scalar(g_loss.clone().detach());
            let grads = GradientsParams::from_grads(g_loss.backward(), &self.generator);
            self.generator = self.gen_optim.step(lr, self.generator.clone(), grads);
        }
        self.data.last_losses = Some((dl, gl));
        self.data.updates += 1;
    }

    fn remember_success(&mut self, task: &[f64]) {
        let unit = self.data.ctx.space.to_unit(task);
        let thr = self.data.cfg.success_distance_threshold * (unit.len() as f64).sqrt();
        let far = self.data.successes.iter().all(|s| {
            s.iter()
                .zip(&unit)
                .map(|(a, b)| (a - b).powi(2))
                .sum::<f64>()
                .sqrt()
                > thr
        });
        if far {
            self.data.successes.push(unit);
        }
    }

    /// A teacher restored from its checkpoint (`Teacher::state`), networks included.
    pub fn from_state(v: &serde_json::Value) -> Result<Self, TeacherError> {
        let s: Snapshot =
            serde_json::from_value(v.clone()).map_err(|e| TeacherError::BadState(e.to_string()))?;
        let mut gg = Self::new(
            s.data.ctx.clone(),
            GoalGanConfig {
                use_pretrained_samples: false,
                ..s.data.cfg.clone()
            },
            0,
        )?;
        gg.generator = nn::load_module(gg.generator, &s.generator)?;
        gg.discriminator = nn::load_module(gg.discriminator, &s.discriminator)?;
        gg.gen_optim = nn::load_optim(gg.gen_optim, &s.gen_optim)?;
        gg.disc_optim = nn::load_optim(gg.disc_optim, &s.disc_optim)?;
        gg.data = s.data;
        Ok(gg)
    }

    fn snapshot(&self) -> Result<Snapshot, TeacherError> {
        Ok(Snapshot {
            data: self.data.clone(),
            generator: nn::module_bytes(&self.generator)?,
            discriminator: nn::module_bytes(&self.discriminator)?,
            gen_optim: nn::optim_bytes(&self.gen_optim)?,
            disc_optim: nn::optim_bytes(&self.disc_optim)?,
        })
    }
}

impl Teacher for GoalGan {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        if let Some(t) = self.data.queue.pop_front() {
            return t;
        }
        let replay =
            !self.data.successes.is_empty() && self.data.rng.random::<f64>() < self.data.cfg.p_old;
        if replay {
            let i = self.data.rng.random_range(0..self.data.successes.len());
            let noise = self.data.cfg.state_noise_level;
            let unit: Vec<f64> = self.data.successes[i]
                .clone()
                .iter()
                .map(|u| trellis_core::rng::normal(&mut self.data.rng, *u, noise))
                .collect();
            let mut t = self.data.ctx.space.from_unit(&unit);
            self.data.ctx.space.clamp(&mut t);
            return t;
        }
        let mut g = self.generate(1).remove(0);
        let noise = 2.0 * self.data.cfg.state_noise_level;
        for v in g.iter_mut() {
            *v = trellis_core::rng::normal(&mut self.data.rng, *v, noise);
        }
        let task = self.from_gan(&g);
        self.data
            .pending
            .entry(key(&task))
            .or_default()
            .push(Vec::new());
        for _ in 1..self.data.cfg.n_rollouts {
            self.data.queue.push_back(task.clone());
        }
        task
    }

    fn update(&mut self, ep: &Episode) {
        self.data.episodes += 1;
        let k = key(ep.task);
        let mut labelled = None;
        if let Some(runs) = self.data.pending.get_mut(&k) {
            runs[0].push(ep.success);
            if runs[0].len() >= self.data.cfg.n_rollouts {
                let rate = runs[0].iter().filter(|&&s| s).count() as f64 / runs[0].len() as f64;
                runs.remove(0);
                if runs.is_empty() {
                    self.data.pending.remove(&k);
                }
                labelled = Some(rate);
            }
        }
        if let Some(rate) = labelled {
            let goid = rate >= self.data.cfg.goid_lb && rate <= self.data.cfg.goid_ub;
            self.data.goals.push(self.to_gan(ep.task));
            self.data.labels.push(goid);
            if rate > self.data.cfg.goid_ub {
                self.remember_success(ep.task);
            }
        }
        if self.data.goals.len() >= self.data.cfg.update_size {
            let (goals, labels) = (
                std::mem::take(&mut self.data.goals),
                std::mem::take(&mut self.data.labels),
            );
            // Without a single GOID goal there is nothing to imitate: skip, as the original.
            if labels.iter().any(|&l| l) {
                self.train(&goals, &labels);
            }
        }
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self.snapshot().expect("GoalGAN networks serialise"))
            .expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        let tasks = self
            .data
            .successes
            .iter()
            .map(|u| crate::belief::ScoredTask { task: self.data.ctx.space.from_unit(u), score: 1.0 })
            .collect();
        crate::belief::Belief::Scored { tasks }
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::json!({
            "teacher": "goal-gan",
            "episodes": self.data.episodes,
            "updates": self.data.updates,
            "losses": self.data.last_losses,
            "successes": self.data.successes.iter().map(|u| self.data.ctx.space.from_unit(u)).collect::<Vec<_>>(),
        })
    }
}
