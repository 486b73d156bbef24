//! Proximal Policy Optimisation (Schulman et al., 2017) as in OpenAI
//! Baselines' `ppo2`, the PPO student TeachMyAgent benchmarks: a Gaussian
//! policy with a state-independent log-std and a value head sharing one MLP
//! trunk, GAE(λ), the clipped surrogate with a clipped value loss, minibatch
//! epochs over each rollout, and `VecNormalize`-style observation and reward
//! normalisation.
//!
//! Rollouts are kept per env instance. The update runs at the start of the
//! `act` call that follows the transition completing a rollout, so every
//! instance has observed the same step and its last value can bootstrap.
//! A time-limit truncation is bootstrapped by folding γ·V(final obs) into the
//! last reward (the final observation is in the transition).

use burn::module::{Module, Param};
use burn::optim::grad_clipping::GradientClippingConfig;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trellis_nn::blob::Blob;
use trellis_nn::{
    Activation, Init, Mlp, NnError, clip_global_norm, gaussian_noise, load_module, load_optim, matrix, module_bytes, optim_bytes,
    values,
};

use crate::normalizer::{RewardScaler, RunningStats};
use crate::{Acting, EvalPolicy, Student, Transition, UpdateWork};
use crate::registry::{
    Descriptor, Make, Settings, check, check_layers, check_positive, resolve, settings,
};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "ppo",
    summary: "PPO as in Baselines ppo2 (shared trunk, GAE 0.95, clip 0.2, 20k-step rollouts, 5 epochs)",
    resolve: |t| resolve::<PpoConfig>(DESCRIPTOR.name, t),
    quick: "hidden = [32, 32]\nrollout = 1000\nminibatch = 250\nepochs = 2",
    make: Make::Vectors(|t, obs, act, seed| {
        Ok(Box::new(Ppo::new(obs, act, settings(DESCRIPTOR.name, t)?, seed)))
    }),
    // Baselines' ppo2, as TeachMyAgent runs it, tests with `model.step`,
    // which samples from the action distribution.
    eval_policy: EvalPolicy::Sample,
};

impl Settings for PpoConfig {
    fn validate(&self) -> Result<(), String> {
        check("gamma", self.gamma as f64, 0.0, 1.0)?;
        check("lambda", self.lambda as f64, 0.0, 1.0)?;
        check("lr", self.lr, 1e-8, 1.0)?;
        check("clip", self.clip as f64, 0.0, 1.0)?;
        check_positive("rollout", self.rollout)?;
        check_positive("minibatch", self.minibatch)?;
        check_positive("epochs", self.epochs)?;
        check_layers("hidden", &self.hidden)
    }
}

/// TeachMyAgent's PPO settings: 400/300 shared trunk, 20,000-step rollouts,
/// minibatches of 1,000, 5 epochs, lr 3e-4 (its robustness experiment), clip
/// 0.2, value coefficient 0.5, no entropy bonus, gradient norm 0.5, λ 0.95.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PpoConfig {
    /// Hidden layer widths of the shared trunk (policy and value heads on top).
    pub hidden: Vec<usize>,
    /// Discount factor.
    pub gamma: f32,
    /// GAE's λ.
    pub lambda: f32,
    /// Adam learning rate.
    pub lr: f64,
    /// Transitions (over all env instances) per update.
    pub rollout: usize,
    /// Transitions per gradient step.
    pub minibatch: usize,
    /// Passes over each rollout.
    pub epochs: usize,
    /// Probability-ratio clip range (±).
    pub clip: f32,
    /// Weight of the value loss.
    pub vf_coef: f32,
    /// Weight of the entropy bonus.
    pub ent_coef: f32,
    /// Gradient clipping by norm (burn clips each parameter tensor's norm;
    /// Baselines clips the global norm).
    pub max_grad_norm: f32,
    /// Standardise observations by running statistics (VecNormalize).
    pub normalize_obs: bool,
    /// Scale rewards by the running std of the discounted return (VecNormalize).
    pub normalize_reward: bool,
    /// The trunk's nonlinearity. `tanh` is Baselines' `custom_mlp`, which
    /// TeachMyAgent's PPO runs used; trellis keeps `relu`: on flat Stump
    /// Tracks it learned at least as fast in the learning-parity runs, and
    /// burn's tanh costs twice the steps/s (docs/learning.md).
    pub activation: Activation,
    /// Initial weights: `uniform` is PyTorch's default; `orthogonal` is
    /// Baselines' (gain √2 in the trunk, 0.01 for the mean head, 1 for the
    /// value head, zero biases: a fresh policy acts near zero torque).
    pub init: Init,
    /// Clip the norm of all gradients together (Baselines,
    /// `clip_by_global_norm`); false (the default) clips each tensor on its
    /// own with `max_grad_norm` (burn's clipping), a looser bound.
    pub global_grad_clip: bool,
}

impl Default for PpoConfig {
    fn default() -> Self {
        Self {
            hidden: vec![400, 300],
            gamma: 0.99,
            lambda: 0.95,
            lr: 3e-4,
            rollout: 20_000,
            minibatch: 1_000,
            epochs: 5,
            clip: 0.2,
            vf_coef: 0.5,
            ent_coef: 0.0,
            max_grad_norm: 0.5,
            normalize_obs: true,
            normalize_reward: true,
            activation: Activation::Relu,
            init: Init::Uniform,
            global_grad_clip: false,
        }
    }
}

#[derive(Module, Debug)]
struct ActorCritic {
    /// obs → [action mean (act_dim), value (1)].
    net: Mlp,
    log_std: Param<Tensor<1>>,
}

impl ActorCritic {
    /// (mean, log_std broadcast to the batch, value).
    fn forward(&self, obs: Tensor<2>, act_dim: usize, act: Activation) -> (Tensor<2>, Tensor<2>, Tensor<2>) {
        let [n, _] = obs.dims();
        let out = self.net.forward_with(obs, act);
        let mean = out.clone().narrow(1, 0, act_dim);
        let value = out.narrow(1, act_dim, 1);
        let log_std = self
            .log_std
            .val()
            .reshape([1, act_dim])
            .expand([n, act_dim]);
        (mean, log_std, value)
    }
}

/// Diagonal Gaussian log-density of `a`, summed over action dims: `[n, 1]`.
fn log_prob(mean: Tensor<2>, log_std: Tensor<2>, a: Tensor<2>) -> Tensor<2> {
    let z = (a - mean) / log_std.clone().exp();
    (z.square() * -0.5 - log_std - 0.5 * std::f32::consts::TAU.ln()).sum_dim(1)
}

/// What `act` computed for one instance, waiting for its transition.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Pending {
    obs: Vec<f32>,
    action: Vec<f32>,
    logp: f32,
    value: f32,
}

/// One stored step of an instance's trajectory.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Stored {
    p: Pending,
    reward: f32,
    ended: bool,
    /// Part of the loss (steps of episodes played only to be scored are not).
    #[serde(default = "yes")]
    learn: bool,
}

fn yes() -> bool {
    true
}

/// The current episode of one instance, for its scores: values from
/// acting and (scaled) rewards, so scoring costs no extra forward pass.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Trace {
    values: Vec<f32>,
    rewards: Vec<f32>,
    scores: Option<trellis_core::Scores>,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
struct Rollout {
    steps: Vec<Stored>,
    /// Normalised next observation after the last stored step.
    last_next: Vec<f32>,
}

/// PPO (see the module docs).
pub struct Ppo {
    cfg: PpoConfig,
    obs_dim: usize,
    act_dim: usize,
    device: Device,
    rng: ChaCha8Rng,
    model: ActorCritic,
    optim: ModuleOptimizer,
    obs_stats: RunningStats,
    rewards: RewardScaler,
    pending: Vec<Option<Pending>>,
    rollouts: Vec<Rollout>,
    stored: usize,
    updates: u64,
    work: UpdateWork,
    traces: Vec<Trace>,
}

impl Ppo {
    /// A fresh learner; weights and sampling from `seed`.
    pub fn new(obs_dim: usize, act_dim: usize, cfg: PpoConfig, seed: u64) -> Self {
        let device = trellis_nn::device();
        let mut rng = trellis_core::rng::seeded(seed, 0);
        let sizes = trellis_nn::layer_sizes(obs_dim, &cfg.hidden, act_dim + 1);
        // Output columns: the action mean (gain 0.01), then the value (1).
        let gains: Vec<f32> = (0..act_dim).map(|_| 0.01).chain([1.0]).collect();
        let model = ActorCritic {
            net: Mlp::with_init(&sizes, cfg.init, &gains, &device, &mut rng),
            log_std: Param::from_tensor(Tensor::zeros([act_dim], &device)),
        };
        let per_tensor = (!cfg.global_grad_clip).then(|| GradientClippingConfig::Norm(cfg.max_grad_norm));
        let optim = AdamConfig::new()
            .with_epsilon(1e-5)
            .with_grad_clipping(per_tensor)
            .init();
        Self {
            rewards: RewardScaler::new(cfg.gamma as f64),
            cfg,
            obs_dim,
            act_dim,
            device,
            rng,
            model,
            optim,
            obs_stats: RunningStats::new(obs_dim),
            pending: Vec::new(),
            rollouts: Vec::new(),
            stored: 0,
            updates: 0,
            work: UpdateWork::default(),
            traces: Vec::new(),
        }
    }

    fn normalise(&self, obs: &[f32]) -> Vec<f32> {
        if self.cfg.normalize_obs {
            self.obs_stats.normalise(obs)
        } else {
            obs.to_vec()
        }
    }

    /// Values of normalised observations, without autodiff.
    fn values_of(&self, rows: &[&[f32]]) -> Vec<f32> {
        if rows.is_empty() {
            return Vec::new();
        }
        let flat: Vec<f32> = rows.iter().flat_map(|r| r.iter().copied()).collect();
        let (_, _, v) = self.model.valid().forward(
            matrix(flat, rows.len(), self.obs_dim, &self.device).inner(),
            self.act_dim,
            self.cfg.activation,
        );
        values(v)
    }

    /// One PPO update: advantages for every stored step, then `epochs`
    /// passes over them in shuffled minibatches.
    fn update(&mut self) {
        let lasts: Vec<&[f32]> = self.rollouts.iter().map(|r| r.last_next.as_slice()).collect();
        let bootstrap_values = self.values_of(&lasts);
        let mut batch = Batch::default();
        for (rollout, &bootstrap) in self.rollouts.iter().zip(&bootstrap_values) {
            let advantages = gae(&rollout.steps, bootstrap, self.cfg.gamma, self.cfg.lambda);
            batch.extend(&rollout.steps, &advantages);
        }
        let mut order: Vec<usize> = (0..batch.len()).collect();
        let epochs = if batch.len() == 0 { 0 } else { self.cfg.epochs };
        for _ in 0..epochs {
            order.shuffle(&mut self.rng);
            for chunk in order.chunks(self.cfg.minibatch.max(1)) {
                let minibatch = batch.select(chunk, self.obs_dim, self.act_dim);
                let loss = self.loss(minibatch);
                let mut grads = GradientsParams::from_grads(loss.backward(), &self.model);
                if self.cfg.global_grad_clip {
                    clip_global_norm(&mut grads, &self.model, self.cfg.max_grad_norm);
                }
                self.model = self.optim.step(self.cfg.lr, self.model.clone(), grads);
                self.updates += 1;
            }
        }
        for r in &mut self.rollouts {
            r.steps.clear();
        }
        self.stored = 0;
    }

    /// PPO's loss on one minibatch: the clipped surrogate, the clipped value
    /// loss and the entropy bonus, as ppo2 combines them.
    fn loss(&self, mb: Batch) -> Tensor<1> {
        let (m, d, dev, clip) = (mb.len(), self.act_dim, &self.device, self.cfg.clip);
        let column = |v: Vec<f32>| matrix(v, m, 1, dev);
        let (mean, log_std, value) =
            self.model.forward(matrix(mb.obs, m, self.obs_dim, dev), d, self.cfg.activation);

        // Policy: the probability ratio against the policy that acted,
        // clipped to [1 - clip, 1 + clip]; the pessimistic of the two terms.
        let new_logp = log_prob(mean, log_std.clone(), matrix(mb.actions, m, d, dev));
        let ratio = (new_logp - column(mb.logp)).exp();
        let advantage = column(normalised(mb.advantages));
        let policy_loss = (advantage.clone() * ratio.clone())
            .min_pair(advantage * ratio.clamp(1.0 - clip, 1.0 + clip))
            .mean()
            .neg();

        // Value: the new value may move at most `clip` from the old one
        // unless that does worse (ppo2's clipped value loss).
        let (old_value, target) = (column(mb.values), column(mb.returns));
        let value_clipped = old_value.clone() + (value.clone() - old_value).clamp(-clip, clip);
        let value_loss = (value - target.clone())
            .square()
            .max_pair((value_clipped - target).square())
            .mean()
            * 0.5;

        // Entropy of a diagonal Gaussian: Σ log σ + d/2·log(2πe); the
        // constant does not move the gradient.
        let entropy = log_std.mean() * d as f32;
        policy_loss + value_loss * self.cfg.vf_coef - entropy * self.cfg.ent_coef
    }
}

/// Generalised advantage estimation (Schulman et al., 2016) over one
/// instance's stored steps, oldest first: δ_t = r_t + γ·V(s_t+1) − V(s_t),
/// A_t = δ_t + γλ·A_t+1, restarting where an episode ended (a time-limit end
/// was already bootstrapped into its reward). `bootstrap` is the value of
/// the observation after the last step.
fn gae(steps: &[Stored], bootstrap: f32, gamma: f32, lambda: f32) -> Vec<f32> {
    let mut advantages = vec![0.0; steps.len()];
    let (mut next_value, mut next_advantage) = (bootstrap, 0.0f32);
    for (t, step) in steps.iter().enumerate().rev() {
        if step.ended {
            (next_value, next_advantage) = (0.0, 0.0);
        }
        let delta = step.reward + gamma * next_value - step.p.value;
        advantages[t] = delta + gamma * lambda * next_advantage;
        (next_value, next_advantage) = (step.p.value, advantages[t]);
    }
    advantages
}

/// Advantages normalised to zero mean and unit spread within a minibatch, as ppo2 does.
fn normalised(mut a: Vec<f32>) -> Vec<f32> {
    let n = a.len() as f32;
    let mean = a.iter().sum::<f32>() / n;
    let std = (a.iter().map(|x| (x - mean).powi(2)).sum::<f32>() / n).sqrt();
    a.iter_mut().for_each(|x| *x = (*x - mean) / (std + 1e-8));
    a
}

/// Learning steps of an update (all of them, or a minibatch), flattened row by row.
#[derive(Default)]
struct Batch {
    obs: Vec<f32>,
    actions: Vec<f32>,
    logp: Vec<f32>,
    values: Vec<f32>,
    advantages: Vec<f32>,
    /// Value targets: advantage + the value the step was played with.
    returns: Vec<f32>,
}

impl Batch {
    fn len(&self) -> usize {
        self.logp.len()
    }

    /// Adds a rollout's steps that learn (steps played only to be scored do not).
    fn extend(&mut self, steps: &[Stored], advantages: &[f32]) {
        for (s, &a) in steps.iter().zip(advantages).filter(|(s, _)| s.learn) {
            self.obs.extend_from_slice(&s.p.obs);
            self.actions.extend_from_slice(&s.p.action);
            self.logp.push(s.p.logp);
            self.values.push(s.p.value);
            self.advantages.push(a);
            self.returns.push(a + s.p.value);
        }
    }

    /// The rows one gradient step uses.
    fn select(&self, rows: &[usize], obs_dim: usize, act_dim: usize) -> Batch {
        let pick = |src: &[f32], w: usize| -> Vec<f32> {
            rows.iter().flat_map(|&i| src[i * w..(i + 1) * w].iter().copied()).collect()
        };
        Batch {
            obs: pick(&self.obs, obs_dim),
            actions: pick(&self.actions, act_dim),
            logp: pick(&self.logp, 1),
            values: pick(&self.values, 1),
            advantages: pick(&self.advantages, 1),
            returns: pick(&self.returns, 1),
        }
    }
}

impl Student for Ppo {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn act(&mut self, obs: &[Vec<f32>], acting: Acting) -> Vec<Vec<f32>> {
        let explore = !acting.evaluates();
        if explore && self.stored >= self.cfg.rollout {
            let t0 = std::time::Instant::now();
            // Forward and backward (3 forward passes' worth) of the network on
            // every stored transition, once per epoch.
            let sizes = trellis_nn::layer_sizes(self.obs_dim, &self.cfg.hidden, self.act_dim + 1);
            let flops = 3.0 * self.cfg.epochs as f64 * trellis_nn::mlp_flops(&sizes, self.stored);
            trellis_nn::pool::on_math_pool(|| self.update());
            self.work.add(flops, t0);
        }
        if explore && self.cfg.normalize_obs {
            obs.iter().for_each(|o| self.obs_stats.update(o));
        }
        let (n, d) = (obs.len(), self.act_dim);
        let normed: Vec<Vec<f32>> = obs.iter().map(|o| self.normalise(o)).collect();
        let x = matrix(normed.concat(), n, self.obs_dim, &self.device).inner();
        let (mean, log_std, v) = self.model.valid().forward(x, d, self.cfg.activation);
        let clipped = |a: Vec<f32>| -> Vec<Vec<f32>> {
            a.chunks(d).map(|a| a.iter().map(|x| x.clamp(-1.0, 1.0)).collect()).collect()
        };
        let rng = match acting {
            Acting::Mean => return clipped(values(mean)),
            Acting::Sample(rng) => rng,
            Acting::Explore => &mut self.rng,
        };
        let a = mean.clone() + log_std.clone().exp() * gaussian_noise(n, d, rng, &self.device).inner();
        if !explore {
            return clipped(values(a));
        }
        let lp = values(log_prob(mean, log_std, a.clone()));
        let (a, v) = (values(a), values(v));
        self.pending.resize(n.max(self.pending.len()), None);
        let mut out = Vec::with_capacity(n);
        for (i, o) in normed.into_iter().enumerate() {
            let action = a[i * d..(i + 1) * d].to_vec();
            // The env sees the action clipped to its box; the update uses the raw sample.
            out.push(action.iter().map(|x| x.clamp(-1.0, 1.0)).collect());
            self.pending[i] = Some(Pending {
                obs: o,
                action,
                logp: lp[i],
                value: v[i],
            });
        }
        out
    }

    fn observe(&mut self, t: &Transition) {
        let Some(p) = self.pending.get_mut(t.env).and_then(Option::take) else {
            return;
        };
        let mut reward = if self.cfg.normalize_reward {
            self.rewards.scale(t.env, t.reward, t.episode_ended())
        } else {
            t.reward
        };
        let next = self.normalise(t.next_obs);
        if t.truncated && !t.terminal {
            reward += self.cfg.gamma * self.values_of(&[&next])[0];
        }
        // Sized separately: a learner resumed from a checkpoint older than
        // saved traces has its rollouts back but no traces.
        if self.rollouts.len() <= t.env {
            self.rollouts.resize_with(t.env + 1, Rollout::default);
        }
        if self.traces.len() <= t.env {
            self.traces.resize_with(t.env + 1, Trace::default);
        }
        let trace = &mut self.traces[t.env];
        trace.values.push(p.value);
        trace.rewards.push(reward);
        if t.episode_ended() {
            // A truncation's bootstrap is already folded into the last reward.
            let (g, lam) = (self.cfg.gamma, self.cfg.lambda);
            trace.scores = Some(trellis_core::Scores::from_episode(&trace.values, &trace.rewards, 0.0, g, lam));
            trace.values.clear();
            trace.rewards.clear();
        }
        let r = &mut self.rollouts[t.env];
        r.steps.push(Stored {
            p,
            reward,
            ended: t.episode_ended(),
            learn: t.learn,
        });
        r.last_next = next;
        self.stored += 1;
    }

    fn episode_scores(&mut self, env: usize) -> Option<trellis_core::Scores> {
        self.traces.get_mut(env).and_then(|t| t.scores.take())
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn update_work(&self) -> UpdateWork {
        self.work
    }

    fn save(&self) -> Result<Vec<u8>, NnError> {
        let mut blob = Blob::new();
        blob.put_json("ppo.config", &self.cfg)?
            .put_json("ppo.updates", &self.updates)?;
        blob.put_json("ppo.rng", &self.rng)?
            .put_json("ppo.obs_stats", &self.obs_stats)?
            .put_json("ppo.rewards", &self.rewards)?;
        blob.put_json(
            "ppo.rollouts",
            &(&self.rollouts, &self.pending, self.stored),
        )?;
        blob.put_json("ppo.traces", &self.traces)?;
        blob.put("ppo.model", module_bytes(&self.model)?)
            .put("ppo.optim", optim_bytes(&self.optim)?);
        Ok(blob.to_bytes())
    }

    fn load(&mut self, bytes: &[u8]) -> Result<(), NnError> {
        let blob = Blob::from_bytes(bytes)?;
        blob.expect_json("ppo.config", &self.cfg)?;
        self.updates = blob.get_json("ppo.updates")?;
        self.rng = blob.get_json("ppo.rng")?;
        self.obs_stats = blob.get_json("ppo.obs_stats")?;
        self.rewards = blob.get_json("ppo.rewards")?;
        (self.rollouts, self.pending, self.stored) = blob.get_json("ppo.rollouts")?;
        // Checkpoints from before traces were saved resume with empty ones:
        // only the interrupted episode's scores are then partial.
        self.traces = if blob.has("ppo.traces") {
            blob.get_json("ppo.traces")?
        } else {
            Vec::new()
        };
        self.model = load_module(self.model.clone(), blob.get("ppo.model")?)?;
        self.optim = load_optim(self.optim.clone(), blob.get("ppo.optim")?)?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn step(reward: f32, value: f32, ended: bool) -> Stored {
        let p = Pending { obs: vec![], action: vec![], logp: 0.0, value };
        Stored { p, reward, ended, learn: true }
    }

    /// GAE by hand: an episode's end cuts both the value and the advantage
    /// carried back from the next episode; the last step bootstraps.
    #[test]
    fn gae_restarts_at_an_episode_end_and_bootstraps_the_open_one() {
        let (g, l) = (0.9f32, 0.5f32);
        let steps = [step(1.0, 0.5, false), step(2.0, 1.0, true), step(0.0, 2.0, false)];
        let a = gae(&steps, 4.0, g, l);
        let a2 = 0.0 + g * 4.0 - 2.0; // open episode: bootstrapped from V = 4
        let a1 = 2.0 - 1.0; // ended: nothing after it counts
        let a0 = (1.0 + g * 1.0 - 0.5) + g * l * a1;
        for (got, want) in a.iter().zip([a0, a1, a2]) {
            assert!((got - want).abs() < 1e-6, "{a:?} vs {:?}", [a0, a1, a2]);
        }
        let n = normalised(vec![1.0, 3.0]);
        assert!((n[0] + 1.0).abs() < 1e-6 && (n[1] - 1.0).abs() < 1e-6, "{n:?}");
    }
}
