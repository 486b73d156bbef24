//! Soft Actor-Critic (Haarnoja et al., 2018) as in Spinning Up, the student
//! TeachMyAgent benchmarks: a tanh-squashed Gaussian actor, twin Q critics
//! with Polyak-averaged targets, a fixed entropy coefficient, and a replay
//! buffer. Like TeachMyAgent's SAC, it takes `gradient_steps` (1) gradient
//! steps every `train_freq` (10) env steps: one update per ten transitions.
//!
//! Speed notes (the update is matmul-bound: ~4.7 GFLOP at batch 1000): the
//! target pass and acting run on the inner backend without autodiff, and the
//! policy step differentiates through frozen copies of the critics so no Q
//! weight gradients are computed there.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::{softplus, tanh};
use burn::tensor::{Device, Tensor};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trellis_nn::blob::Blob;
use trellis_nn::{
    Mlp, NnError, gaussian_noise, load_module, load_optim, matrix, module_bytes, optim_bytes,
    values,
};

use crate::replay::Replay;
use crate::{Acting, EvalPolicy, Student, Transition, UpdateWork};
use crate::registry::{
    Descriptor, Make, Settings, check, check_layers, check_positive, resolve, settings,
};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "sac",
    summary: "Soft actor-critic as in TeachMyAgent (twin Q, fixed alpha, 400/300, batch 1000, 1 update per 10 steps)",
    resolve: |t| resolve::<SacConfig>(DESCRIPTOR.name, t),
    quick: "hidden = [32, 32]\nbatch_size = 64\nstart_steps = 500\nbuffer_size = 10000",
    make: Make::Vectors(|t, obs, act, seed| {
        Ok(Box::new(Sac::new(obs, act, settings(DESCRIPTOR.name, t)?, seed)))
    }),
    // Spinning Up's SAC, as TeachMyAgent runs it, tests on the mean action.
    eval_policy: EvalPolicy::Mean,
};

impl Settings for SacConfig {
    fn validate(&self) -> Result<(), String> {
        check("gamma", self.gamma as f64, 0.0, 1.0)?;
        check("polyak", self.polyak as f64, 0.0, 1.0)?;
        check("alpha", self.alpha as f64, 0.0, 10.0)?;
        check("lr", self.lr, 1e-8, 1.0)?;
        check("adam_epsilon", self.adam_epsilon as f64, 1e-12, 1.0)?;
        check_positive("batch_size", self.batch_size)?;
        check_positive("train_freq", self.train_freq)?;
        check_positive("buffer_size", self.buffer_size)?;
        check_layers("hidden", &self.hidden)
    }
}

const LOG_STD_MIN: f32 = -20.0;
const LOG_STD_MAX: f32 = 2.0;

/// TeachMyAgent's benchmark settings (hidden 400/300, lr 1e-3, batch 1000,
/// train every 10 steps, buffer 2M, alpha 0.005, gamma 0.99, random actions
/// for 10,000 steps, updates from step 1,000, PyTorch's Adam).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SacConfig {
    /// Hidden layer widths of the actor and of each critic.
    pub hidden: Vec<usize>,
    /// Discount factor.
    pub gamma: f32,
    /// Target critics move towards the critics by `1 − polyak` per update.
    pub polyak: f32,
    /// Adam learning rate of the actor and the critics.
    pub lr: f64,
    /// Entropy weight (fixed, as TeachMyAgent's SAC).
    pub alpha: f32,
    /// Transitions per gradient step.
    pub batch_size: usize,
    /// Env steps between two trainings.
    pub train_freq: usize,
    /// Gradient steps every `train_freq` env steps (TeachMyAgent: 1).
    pub gradient_steps: usize,
    /// Uniformly random actions for this many env steps before the policy acts.
    pub start_steps: usize,
    /// Env steps before the first gradient step (Spinning Up's `update_after`;
    /// TeachMyAgent's runs keep its 1,000, so the critics and the policy train
    /// on random-action data while `start_steps` runs). Updates begin at the
    /// earlier of the two, so the policy never acts untrained.
    pub update_after: usize,
    /// Adam's ε for the actor and the critics: PyTorch's default 1e-8, which
    /// TeachMyAgent's SAC uses (burn's default is 1e-5, which damps the steps
    /// of weights whose gradients stay small).
    pub adam_epsilon: f32,
    /// Replay capacity in transitions (the oldest are overwritten).
    pub buffer_size: usize,
    /// Save the replay buffer in checkpoints (up to 430 MB at 2M
    /// transitions); without it a resumed run refills the buffer from scratch.
    pub checkpoint_replay: bool,
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
            gradient_steps: 1,
            start_steps: 10_000,
            update_after: 1_000,
            adam_epsilon: 1e-8,
            buffer_size: 2_000_000,
            checkpoint_replay: true,
        }
    }
}

#[derive(Module, Debug)]
struct Critics {
    q1: Mlp,
    q2: Mlp,
}

impl Critics {
    /// min(Q1, Q2), the two forward passes side by side on the math pool's
    /// threads (each one's products are too small to split well in two).
    fn min_q(&self, obs_act: Tensor<2>) -> Tensor<2> {
        let (q1, q2) = rayon::join(
            || self.q1.forward(obs_act.clone()),
            || self.q2.forward(obs_act.clone()),
        );
        q1.min_pair(q2)
    }
}

/// Squashed action and its log-probability for a batch of observations.
fn policy(
    actor: &Mlp,
    obs: Tensor<2>,
    act_dim: usize,
    noise: Option<Tensor<2>>,
) -> (Tensor<2>, Tensor<2>) {
    let d = act_dim;
    let out = actor.forward(obs);
    let mu = out.clone().narrow(1, 0, d);
    let log_std = out.narrow(1, d, d).clamp(LOG_STD_MIN, LOG_STD_MAX);
    let eps = noise.unwrap_or_else(|| mu.zeros_like());
    let pi = mu + log_std.clone().exp() * eps.clone();
    // log N(pi; mu, std) = -eps²/2 - log std - log √(2π), then the tanh correction
    // written stably: log(1 - tanh²(x)) = 2 (log 2 - x - softplus(-2x)).
    let logp = (eps.square() * -0.5 - log_std - 0.5 * std::f32::consts::TAU.ln()).sum_dim(1);
    let correction =
        ((pi.clone().neg() + std::f32::consts::LN_2) - softplus(pi.clone() * -2.0, 1.0)).sum_dim(1)
            * 2.0;
    (tanh(pi), logp - correction)
}

/// Soft Actor-Critic (see the module docs).
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
    /// Gradient steps taken.
    pub updates: u64,
    work: UpdateWork,
    /// Each instance's current episode, scored on request.
    traces: Vec<EpisodeTrace>,
}

/// One env instance's current episode, kept so the critics can score it
/// when the episode ends (PLR's value-based scores, asked for by teachers).
#[derive(Default)]
struct EpisodeTrace {
    /// Critic inputs, one row (obs ‖ action) per step, row-major.
    inputs: Vec<f32>,
    /// Rewards, one per step.
    rewards: Vec<f32>,
    /// Set when the episode ends: whether by termination (no bootstrap) or
    /// truncation. The next step starts a new trace.
    ended: Option<bool>,
}

impl EpisodeTrace {
    fn record(&mut self, t: &Transition) {
        if self.ended.is_some() {
            *self = Self::default();
        }
        self.inputs.extend_from_slice(t.obs);
        self.inputs.extend_from_slice(t.action);
        self.rewards.push(t.reward);
        if t.episode_ended() {
            self.ended = Some(t.terminal);
        }
    }
}

/// GAE λ for SAC's episode scores (SAC itself has no λ; PPO's 0.95).
const SCORE_LAMBDA: f32 = 0.95;

impl Sac {
    /// A fresh learner; weights and exploration from `seed`.
    pub fn new(obs_dim: usize, act_dim: usize, cfg: SacConfig, seed: u64) -> Self {
        let device = trellis_nn::device();
        let mut rng = trellis_core::rng::seeded(seed, 0);
        let sizes = |i: usize, o: usize| trellis_nn::layer_sizes(i, &cfg.hidden, o);
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
        targets = targets.valid();
        let adam = AdamConfig::new().with_epsilon(cfg.adam_epsilon);
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
            actor_optim: adam.init(),
            critic_optim: adam.init(),
            steps: 0,
            updates: 0,
            work: UpdateWork::default(),
            traces: Vec::new(),
        }
    }

    /// Matrix-product FLOPs of one update with forward passes F_A (actor) and
    /// F_Q (one critic) on a minibatch: target F_A + 2F_Q; critic loss 2F_Q
    /// forward + 4F_Q backward; actor loss 3F_A (forward + backward) + 2F_Q
    /// forward + 2F_Q backward to the action (the critics' weights are
    /// frozen there): 4F_A + 12F_Q.
    fn update_flops(&self) -> f64 {
        let sizes = |i: usize, o: usize| trellis_nn::layer_sizes(i, &self.cfg.hidden, o);
        let b = self.cfg.batch_size;
        let fa = trellis_nn::mlp_flops(&sizes(self.obs_dim, 2 * self.act_dim), b);
        let fq = trellis_nn::mlp_flops(&sizes(self.obs_dim + self.act_dim, 1), b);
        4.0 * fa + 12.0 * fq
    }

    fn noise(&mut self, n: usize, device: &Device) -> Tensor<2> {
        gaussian_noise(n, self.act_dim, &mut self.rng, device)
    }

    /// One Adam step of both critics on Σ_i mean((Q_i(s, a) − backup)²).
    /// The loss is a sum of one term per critic, so each critic's gradient is
    /// its own term's: the two are computed side by side on two threads, and
    /// Adam, whose state is per parameter, steps each with the result of one
    /// step over the sum (`side_by_side_critics_step_as_the_summed_loss`).
    fn critic_step(&mut self, sa: Tensor<2>, backup: Tensor<2>) {
        let critic_grads = |q: &Mlp| {
            let loss = (q.forward(sa.clone()) - backup.clone()).square().mean();
            GradientsParams::from_grads(loss.backward(), q)
        };
        let (g1, g2) = rayon::join(
            || critic_grads(&self.critics.q1),
            || critic_grads(&self.critics.q2),
        );
        for grads in [g1, g2] {
            self.critics = self.critic_optim.step(self.cfg.lr, self.critics.clone(), grads);
        }
    }

    fn update(&mut self) {
        let b = self.replay.sample(self.cfg.batch_size, &mut self.rng);
        let (n, o, a, d) = (b.n, self.obs_dim, self.act_dim, self.act_dim);
        let dev = self.device.clone();
        let obs = matrix(b.obs, n, o, &dev);
        let act = matrix(b.act, n, a, &dev);

        // Critic: regress both Qs on r + γ(1 − d)(min Q_targ(s', a') − α log π(a'|s')),
        // computed without autodiff.
        let backup = {
            let next = matrix(b.next_obs, n, o, &dev).inner();
            let noise = Some(self.noise(n, &dev).inner());
            let (a2, logp2) = policy(&self.actor.valid(), next.clone(), d, noise);
            let q_next =
                self.targets.min_q(Tensor::cat(vec![next, a2], 1)) - logp2 * self.cfg.alpha;
            let (rew, done) = (
                matrix(b.rew, n, 1, &dev).inner(),
                matrix(b.terminal, n, 1, &dev).inner(),
            );
            rew + (done.neg() + 1.0) * q_next * self.cfg.gamma
        };
        self.critic_step(Tensor::cat(vec![obs.clone(), act], 1), backup);

        // Actor: maximise min Q(s, π(s)) − α log π(π(s)|s) through frozen critics.
        let noise = Some(self.noise(n, &dev));
        let (pi, logp) = policy(&self.actor, obs.clone(), d, noise);
        let q_pi = self
            .critics
            .clone()
            .no_grad()
            .min_q(Tensor::cat(vec![obs, pi], 1));
        let pi_loss = (logp * self.cfg.alpha - q_pi).mean();
        let grads = GradientsParams::from_grads(pi_loss.backward(), &self.actor);
        self.actor = self
            .actor_optim
            .step(self.cfg.lr, self.actor.clone(), grads);

        self.targets.q1.polyak(&self.critics.q1, self.cfg.polyak);
        self.targets.q2.polyak(&self.critics.q2, self.cfg.polyak);
        self.updates += 1;
    }
}

impl Student for Sac {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn act(&mut self, obs: &[Vec<f32>], acting: Acting) -> Vec<Vec<f32>> {
        if !acting.evaluates() && (self.steps as usize) < self.cfg.start_steps {
            return obs
                .iter()
                .map(|_| {
                    (0..self.act_dim)
                        .map(|_| self.rng.random_range(-1.0f32..1.0))
                        .collect()
                })
                .collect();
        }
        let flat: Vec<f32> = obs.iter().flatten().copied().collect();
        let x = matrix(flat, obs.len(), self.obs_dim, &self.device).inner();
        let rng = match acting {
            Acting::Mean => None,
            Acting::Sample(rng) => Some(rng),
            Acting::Explore => Some(&mut self.rng),
        };
        let noise = rng.map(|rng| gaussian_noise(obs.len(), self.act_dim, rng, &self.device).inner());
        let (a, _) = policy(&self.actor.valid(), x, self.act_dim, noise);
        values(a)
            .chunks(self.act_dim)
            .map(<[f32]>::to_vec)
            .collect()
    }

    fn observe(&mut self, t: &Transition) {
        if self.traces.len() <= t.env {
            self.traces.resize_with(t.env + 1, Default::default);
        }
        self.traces[t.env].record(t);
        if !t.learn {
            return;
        }
        self.replay.push(t);
        self.steps += 1;
        let f = self.cfg.train_freq.max(1) as u64;
        if self.steps as usize >= self.cfg.update_after.min(self.cfg.start_steps)
            && self.steps % f == 0
            && self.replay.len() >= self.cfg.batch_size
        {
            let t0 = std::time::Instant::now();
            trellis_nn::pool::on_math_pool(|| {
                for _ in 0..self.cfg.gradient_steps {
                    self.update();
                }
            });
            let flops = self.cfg.gradient_steps as f64 * self.update_flops();
            self.work.add(flops, t0);
        }
    }

    /// Scores from the critics: V(s_t) ≈ min Q(s_t, a_t) along the episode
    /// (one batched forward pass when asked), bootstrapped after a
    /// truncation by the last step's own value.
    fn episode_scores(&mut self, env: usize) -> Option<trellis_core::Scores> {
        let trace = self.traces.get_mut(env)?;
        let terminal = trace.ended.take()?;
        let n = trace.rewards.len();
        let inputs = std::mem::take(&mut trace.inputs);
        let x = matrix(inputs, n, self.obs_dim + self.act_dim, &self.device).inner();
        let q = values(self.critics.valid().min_q(x));
        let boot = if terminal { 0.0 } else { q[n - 1] };
        let s = trellis_core::Scores::from_episode(&q, &trace.rewards, boot, self.cfg.gamma, SCORE_LAMBDA);
        trace.rewards.clear();
        Some(s)
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn update_work(&self) -> UpdateWork {
        self.work
    }

    fn save(&self) -> Result<Vec<u8>, NnError> {
        let mut blob = Blob::new();
        blob.put_json("sac.config", &self.cfg)?
            .put_json("sac.counters", &(self.steps, self.updates))?;
        blob.put_json("sac.rng", &self.rng)?;
        blob.put("sac.actor", module_bytes(&self.actor)?)
            .put("sac.critics", module_bytes(&self.critics)?);
        blob.put("sac.targets", module_bytes(&self.targets)?);
        blob.put("sac.actor_optim", optim_bytes(&self.actor_optim)?)
            .put("sac.critic_optim", optim_bytes(&self.critic_optim)?);
        if self.cfg.checkpoint_replay {
            self.replay.save(&mut blob)?;
        }
        Ok(blob.to_bytes())
    }

    fn load(&mut self, bytes: &[u8]) -> Result<(), NnError> {
        let blob = Blob::from_bytes(bytes)?;
        blob.expect_json("sac.config", &self.cfg)?;
        (self.steps, self.updates) = blob.get_json("sac.counters")?;
        self.rng = blob.get_json("sac.rng")?;
        self.actor = load_module(self.actor.clone(), blob.get("sac.actor")?)?;
        self.critics = load_module(self.critics.clone(), blob.get("sac.critics")?)?;
        self.targets = load_module(self.targets.clone(), blob.get("sac.targets")?)?.valid();
        self.actor_optim = load_optim(self.actor_optim.clone(), blob.get("sac.actor_optim")?)?;
        self.critic_optim = load_optim(self.critic_optim.clone(), blob.get("sac.critic_optim")?)?;
        if blob.has("replay.meta") {
            self.replay.load(&blob)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Both critics' values on fixed probes, as bits: equal only if the
    /// critics compute exactly the same function there.
    fn critic_bits(s: &Sac) -> Vec<u32> {
        let probes: Vec<f32> = (0..8 * 7).map(|i| ((i * 3) % 11) as f32 / 5.5 - 1.0).collect();
        let x = matrix(probes, 8, 7, &s.device);
        let q = |m: &Mlp| values(m.forward(x.clone()).inner());
        q(&s.critics.q1).into_iter().chain(q(&s.critics.q2)).map(f32::to_bits).collect()
    }

    /// The critic step as one loss over both critics, one backward pass and
    /// one Adam step: what `critic_step` must equal.
    fn summed_critic_step(s: &mut Sac, sa: Tensor<2>, backup: Tensor<2>) {
        let loss = (s.critics.q1.forward(sa.clone()) - backup.clone()).square().mean()
            + (s.critics.q2.forward(sa) - backup).square().mean();
        let grads = GradientsParams::from_grads(loss.backward(), &s.critics);
        s.critics = s.critic_optim.step(s.cfg.lr, s.critics.clone(), grads);
    }

    #[test]
    fn side_by_side_critics_step_as_the_summed_loss() {
        let cfg = SacConfig { hidden: vec![32, 32], ..SacConfig::default() };
        let (mut a, mut b) = (Sac::new(5, 2, cfg.clone(), 3), Sac::new(5, 2, cfg, 3));
        let dev = a.device.clone();
        for step in 0..3 {
            let n = 16;
            let sa: Vec<f32> = (0..n * 7).map(|i| ((i * 13 + step) % 17) as f32 / 8.5 - 1.0).collect();
            let backup: Vec<f32> = (0..n).map(|i| ((i * 5 + step) % 7) as f32 - 3.0).collect();
            let (sa, backup) = (matrix(sa, n, 7, &dev), matrix(backup, n, 1, &dev).inner());
            a.critic_step(sa.clone(), backup.clone());
            summed_critic_step(&mut b, sa, backup);
            assert!(critic_bits(&a) == critic_bits(&b), "step {step}: the critics differ");
        }
        let fresh = Sac::new(5, 2, SacConfig { hidden: vec![32, 32], ..SacConfig::default() }, 3);
        assert!(critic_bits(&a) != critic_bits(&fresh), "the critics did not learn");
    }
}
