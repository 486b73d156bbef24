//! Soft Actor-Critic (Haarnoja et al., 2018) as in Spinning Up, the student
//! TeachMyAgent benchmarks: a tanh-squashed Gaussian actor, twin Q critics
//! with Polyak-averaged targets, a fixed entropy coefficient, and a replay
//! buffer; `train_freq` gradient steps every `train_freq` env steps.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::{softplus, tanh};
use burn::tensor::{Device, Tensor};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trellis_nn::{Mlp, gaussian_noise, matrix, values};

use crate::replay::Replay;
use crate::{Student, Transition};

const LOG_STD_MIN: f32 = -20.0;
const LOG_STD_MAX: f32 = 2.0;

/// TeachMyAgent's benchmark settings (hidden 400/300, lr 1e-3, batch 1000,
/// train every 10 steps, buffer 2M, alpha 0.005, gamma 0.99).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SacConfig {
    pub hidden: Vec<usize>,
    pub gamma: f32,
    pub polyak: f32,
    pub lr: f64,
    pub alpha: f32,
    pub batch_size: usize,
    pub train_freq: usize,
    pub start_steps: usize,
    pub buffer_size: usize,
}

impl Default for SacConfig {
    fn default() -> Self {
        Self {
            hidden: vec![400, 300],
            gamma: 0.99,
            polyak: 0.995,
            lr: 1e-3,
            alpha: 0.005,
            batch_size: 1000,
            train_freq: 10,
            start_steps: 10_000,
            buffer_size: 2_000_000,
        }
    }
}

#[derive(Module, Debug)]
struct Critics {
    q1: Mlp,
    q2: Mlp,
}

impl Critics {
    fn min_q(&self, obs_act: Tensor<2>) -> Tensor<2> {
        self.q1.forward(obs_act.clone()).min_pair(self.q2.forward(obs_act))
    }
}

pub struct Sac {
    cfg: SacConfig,
    obs_dim: usize,
    act_dim: usize,
    device: Device,
    rng: ChaCha8Rng,
    actor: Mlp,
    critics: Critics,
    targets: Critics,
    actor_optim: ModuleOptimizer,
    critic_optim: ModuleOptimizer,
    replay: Replay,
    steps: u64,
    pub updates: u64,
}

impl Sac {
    pub fn new(obs_dim: usize, act_dim: usize, cfg: SacConfig, seed: u64) -> Self {
        let device = trellis_nn::device();
        let mut rng = trellis_envs::rng::seeded(seed, 0);
        let sizes = |i: usize, o: usize| [vec![i], cfg.hidden.clone(), vec![o]].concat();
        let actor = Mlp::new(&sizes(obs_dim, 2 * act_dim), &device, &mut rng);
        let critics = Critics {
            q1: Mlp::new(&sizes(obs_dim + act_dim, 1), &device, &mut rng),
            q2: Mlp::new(&sizes(obs_dim + act_dim, 1), &device, &mut rng),
        };
        let mut targets = Critics {
            q1: Mlp::new(&sizes(obs_dim + act_dim, 1), &device, &mut rng),
            q2: Mlp::new(&sizes(obs_dim + act_dim, 1), &device, &mut rng),
        };
        targets.q1.polyak(&critics.q1, 0.0);
        targets.q2.polyak(&critics.q2, 0.0);
        Self {
            replay: Replay::new(obs_dim, act_dim, cfg.buffer_size),
            cfg,
            obs_dim,
            act_dim,
            device,
            rng,
            actor,
            critics,
            targets,
            actor_optim: AdamConfig::new().init(),
            critic_optim: AdamConfig::new().init(),
            steps: 0,
            updates: 0,
        }
    }

    /// Squashed action and its log-probability for a batch of observations.
    fn policy(&mut self, obs: Tensor<2>, deterministic: bool) -> (Tensor<2>, Tensor<2>) {
        let [n, _] = obs.dims();
        let d = self.act_dim;
        let out = self.actor.forward(obs);
        let mu = out.clone().narrow(1, 0, d);
        let log_std = out.narrow(1, d, d).clamp(LOG_STD_MIN, LOG_STD_MAX);
        let eps = if deterministic { mu.zeros_like() } else { gaussian_noise(n, d, &mut self.rng, &self.device) };
        let pi = mu + log_std.clone().exp() * eps.clone();
        // log N(pi; mu, std) = -eps²/2 - log std - log √(2π), then the tanh correction
        // written stably: log(1 - tanh²(x)) = 2 (log 2 - x - softplus(-2x)).
        let logp = (eps.square() * -0.5 - log_std - 0.5 * std::f32::consts::TAU.ln()).sum_dim(1);
        let correction = ((pi.clone().neg() + std::f32::consts::LN_2) - softplus(pi.clone() * -2.0, 1.0)).sum_dim(1) * 2.0;
        (tanh(pi), logp - correction)
    }

    fn update(&mut self) {
        let b = self.replay.sample(self.cfg.batch_size, &mut self.rng);
        let (n, o, a) = (b.n, self.obs_dim, self.act_dim);
        let dev = self.device.clone();
        let obs = matrix(b.obs, n, o, &dev);
        let act = matrix(b.act, n, a, &dev);
        let rew = matrix(b.rew, n, 1, &dev);
        let next = matrix(b.next_obs, n, o, &dev);
        let done = matrix(b.terminal, n, 1, &dev);

        // Critic: regress both Qs on r + γ(1 − d)(min Q_targ(s', a') − α log π(a'|s')).
        let (a2, logp2) = self.policy(next.clone(), false);
        let q_next = self.targets.min_q(Tensor::cat(vec![next, a2], 1)) - logp2 * self.cfg.alpha;
        let backup = (rew + (done.neg() + 1.0) * q_next * self.cfg.gamma).detach();
        let sa = Tensor::cat(vec![obs.clone(), act], 1);
        let q_loss = (self.critics.q1.forward(sa.clone()) - backup.clone()).square().mean()
            + (self.critics.q2.forward(sa) - backup).square().mean();
        let grads = GradientsParams::from_grads(q_loss.backward(), &self.critics);
        self.critics = self.critic_optim.step(self.cfg.lr, self.critics.clone(), grads);

        // Actor: maximise min Q(s, π(s)) − α log π(π(s)|s).
        let (pi, logp) = self.policy(obs.clone(), false);
        let q_pi = self.critics.min_q(Tensor::cat(vec![obs, pi], 1));
        let pi_loss = (logp * self.cfg.alpha - q_pi).mean();
        let grads = GradientsParams::from_grads(pi_loss.backward(), &self.actor);
        self.actor = self.actor_optim.step(self.cfg.lr, self.actor.clone(), grads);

        self.targets.q1.polyak(&self.critics.q1, self.cfg.polyak);
        self.targets.q2.polyak(&self.critics.q2, self.cfg.polyak);
        self.updates += 1;
    }
}

impl Student for Sac {
    fn act(&mut self, obs: &[Vec<f32>], deterministic: bool) -> Vec<Vec<f32>> {
        if !deterministic && (self.steps as usize) < self.cfg.start_steps {
            return obs.iter().map(|_| (0..self.act_dim).map(|_| self.rng.random_range(-1.0f32..1.0)).collect()).collect();
        }
        let flat: Vec<f32> = obs.iter().flatten().copied().collect();
        let (a, _) = self.policy(matrix(flat, obs.len(), self.obs_dim, &self.device), deterministic);
        values(a.detach()).chunks(self.act_dim).map(<[f32]>::to_vec).collect()
    }

    fn observe(&mut self, t: &Transition) {
        self.replay.push(t);
        self.steps += 1;
        let f = self.cfg.train_freq.max(1) as u64;
        if self.steps as usize >= self.cfg.start_steps && self.steps % f == 0 && self.replay.len() >= self.cfg.batch_size {
            for _ in 0..f {
                self.update();
            }
        }
    }
}
