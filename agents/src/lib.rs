//! trellis students: deep-RL agents on burn's CPU backend.
//!
//! A [`Student`] acts on a batch of observations (one per env instance),
//! is shown every transition and learns on its own schedule; the training
//! loop, evaluation and viewers only see this trait, so SAC, PPO and the text
//! policy are interchangeable there.

#![deny(missing_docs)]

pub mod acting;
pub mod normalizer;
pub mod registry;
pub mod replay;

pub use acting::{Acting, EvalPolicy};
pub use registry::{Descriptor, Reads, descriptor, names};

/// Declares each student's module and lists its [`Descriptor`] in
/// [`STUDENTS`]: the one line a new student adds to.
macro_rules! students {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every student, in the order lists show them.
        pub const STUDENTS: &[&Descriptor] = &[$(&$module::DESCRIPTOR),*];
    };
}

students![sac, ppo, text_policy, es];

pub use trellis_nn::NnError;

/// What gradient steps cost: the floating-point operations their matrix
/// products need at minimum (forward 2·rows·in·out per layer, backward twice
/// that where gradients are needed; elementwise work not counted) and the
/// seconds they took.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct UpdateWork {
    /// Matrix-product FLOPs.
    pub flops: f64,
    /// Wall time spent in updates.
    pub seconds: f64,
}

impl UpdateWork {
    /// Adds the cost of one timed piece of learning.
    pub fn add(&mut self, flops: f64, since: std::time::Instant) {
        self.flops += flops;
        self.seconds += since.elapsed().as_secs_f64();
    }
}

/// One environment transition of env instance `env`, as the learner sees it.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition<'a, O = Vec<f32>, A = Vec<f32>> {
    /// Which env instance (on-policy learners keep one trajectory per instance).
    pub env: usize,
    /// The observation acted on.
    pub obs: &'a O,
    /// The action taken.
    pub action: &'a A,
    /// The reward received.
    pub reward: f32,
    /// The true next observation (the final one when the episode ended).
    pub next_obs: &'a O,
    /// The MDP ended (fall, win): do not bootstrap past it.
    pub terminal: bool,
    /// A time limit cut the episode: bootstrap from `next_obs`, but the next
    /// transition of this instance starts a new episode.
    pub truncated: bool,
    /// Learn from it. False for episodes a teacher only wants played (robust
    /// PLR's new tasks, probes): the student acts and tracks the episode (to
    /// score it) but stores and trains on nothing.
    pub learn: bool,
}

impl<O, A> Transition<'_, O, A> {
    /// The instance's episode ended here (terminated or truncated).
    pub fn episode_ended(&self) -> bool {
        self.terminal || self.truncated
    }
}

/// A learner that acts in env instances and learns from their transitions.
pub trait Student<O = Vec<f32>, A = Vec<f32>>: Send {
    /// The registry name ("sac", "ppo", ...).
    fn name(&self) -> &'static str;
    /// Actions for a batch of observations, one per env instance, in
    /// instance order: to learn from ([`Acting::Explore`]) or to evaluate
    /// (no exploration schedule, no learning-side bookkeeping).
    fn act(&mut self, obs: &[O], acting: Acting) -> Vec<A>;
    /// Records the transitions that followed the last stochastic `act`;
    /// learns when its schedule says so.
    fn observe(&mut self, t: &Transition<O, A>);
    /// The learning-potential scores of the episode that just ended on
    /// instance `env` (PLR's value losses from the student's own value
    /// estimates), taken once; `None` for students without a critic.
    fn episode_scores(&mut self, _env: usize) -> Option<trellis_core::Scores> {
        None
    }
    /// Gradient steps taken so far.
    fn updates(&self) -> u64;
    /// The arithmetic and wall time of the gradient steps this process took
    /// (not checkpointed): what `trellis bench students` divides and compares
    /// with the machine's GEMM rate. Students that do not count report zero.
    fn update_work(&self) -> UpdateWork {
        UpdateWork::default()
    }
    /// The complete learning state (networks, optimisers, RNG, counters and,
    /// if configured, the replay buffer) for checkpoints.
    fn save(&self) -> Result<Vec<u8>, NnError>;
    /// Restores what [`save`](Student::save) wrote; the config must match.
    fn load(&mut self, bytes: &[u8]) -> Result<(), NnError>;
}
