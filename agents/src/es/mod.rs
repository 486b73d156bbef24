//! `es`: the evolution-strategies student POET trains (Wang et al., 2019):
//! a 40-40 tanh policy ([`policy`]) moved by OpenAI-ES ([`optimiser`]).
//!
//! In POET's loop (`trellis_train::open_ended`) each niche owns an
//! [`OpenAiEs`] and plays whole perturbation episodes on all cores. As an
//! ordinary [`Student`](crate::Student) — any teacher, any walker world —
//! each env instance plays one perturbation per episode, so a step of the
//! strategy is taken once `2 × directions` episodes have ended, on whatever
//! tasks the teacher chose for them.

pub mod optimiser;
pub mod policy;
mod student;

use serde::{Deserialize, Serialize};

pub use optimiser::{Mirrored, OpenAiEs, centred_ranks};
pub use policy::{Scratch, TanhMlp};
pub use student::EsStudent;

use crate::EvalPolicy;
use crate::registry::{Descriptor, Make, Settings, check, check_layers, check_positive, resolve, settings};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "es",
    summary: "OpenAI-ES as in POET (40-40 tanh policy, mirrored noise σ 0.1, centred ranks, Adam 0.01)",
    resolve: |t| resolve::<EsConfig>(DESCRIPTOR.name, t),
    quick: "hidden = [16]\ndirections = 4",
    make: Make::Vectors(|t, obs, act, seed| {
        Ok(Box::new(EsStudent::new(obs, act, settings(DESCRIPTOR.name, t)?, seed)))
    }),
    // A deterministic policy: POET evaluates the parameter mean.
    eval_policy: EvalPolicy::Mean,
};

/// POET's ES settings (its public launch script for the Bipedal Walker
/// niches): 40-40 tanh, 256 mirrored directions per step (512 episodes),
/// σ 0.1 decaying ×0.999 to 0.01, learning rate 0.01 decaying ×0.9999 to
/// 0.001, gradients divided by σ, L2 coefficient 0.01, 5 evaluation episodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EsConfig {
    /// Hidden layer widths (tanh on every layer, the output's too).
    pub hidden: Vec<usize>,
    /// Mirrored perturbation pairs per step: 2× this many episodes.
    pub directions: usize,
    /// Initial perturbation scale σ.
    pub noise_std: f64,
    /// σ is multiplied by this after each step...
    pub noise_decay: f64,
    /// ...down to this floor.
    pub noise_limit: f64,
    /// Adam's initial learning rate.
    pub lr: f64,
    /// The learning rate is multiplied by this after each step...
    pub lr_decay: f64,
    /// ...down to this floor.
    pub lr_limit: f64,
    /// L2 weight decay added to the gradient (λθ).
    pub l2_coeff: f64,
    /// Divide the gradient estimate by σ (POET does).
    pub grads_by_noise_std: bool,
    /// Episodes averaged to score an agent (self-evaluation, transfers,
    /// the minimal criterion).
    pub eval_episodes: usize,
    /// Standard deviation of the initial parameters (POET: N(0, 0.1)).
    pub init_std: f64,
}

impl Default for EsConfig {
    fn default() -> Self {
        Self {
            hidden: vec![40, 40],
            directions: 256,
            noise_std: 0.1,
            noise_decay: 0.999,
            noise_limit: 0.01,
            lr: 0.01,
            lr_decay: 0.9999,
            lr_limit: 0.001,
            l2_coeff: 0.01,
            grads_by_noise_std: true,
            eval_episodes: 5,
            init_std: 0.1,
        }
    }
}

impl Settings for EsConfig {
    fn validate(&self) -> Result<(), String> {
        check_layers("hidden", &self.hidden)?;
        check_positive("directions", self.directions)?;
        check("noise_std", self.noise_std, 1e-6, 10.0)?;
        check("noise_decay", self.noise_decay, 0.0, 1.0)?;
        check("noise_limit", self.noise_limit, 0.0, self.noise_std)?;
        check("lr", self.lr, 1e-8, 1.0)?;
        check("lr_decay", self.lr_decay, 0.0, 1.0)?;
        check("lr_limit", self.lr_limit, 0.0, self.lr)?;
        check("l2_coeff", self.l2_coeff, 0.0, 1.0)?;
        check_positive("eval_episodes", self.eval_episodes)?;
        check("init_std", self.init_std, 0.0, 10.0)
    }
}

impl EsConfig {
    /// The policy for a world with `obs` observations and `act` actions.
    pub fn policy(&self, obs: usize, act: usize) -> TanhMlp {
        TanhMlp::new(obs, &self.hidden, act)
    }
}
