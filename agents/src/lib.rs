//! trellis students: deep-RL agents on burn's CPU backend.
//!
//! A [`Student`] acts on a batch of observations (one per env instance),
//! stores transitions and learns; the training loop, evaluation and viewers
//! only see this trait.

pub mod replay;
pub mod sac;

/// One environment transition, as the learner stores it.
#[derive(Clone, Debug, PartialEq)]
pub struct Transition<'a> {
    pub obs: &'a [f32],
    pub action: &'a [f32],
    pub reward: f32,
    pub next_obs: &'a [f32],
    /// True only for `terminated` (not for time-limit truncation): no bootstrap.
    pub terminal: bool,
}

pub trait Student: Send {
    /// Actions for a batch of observations; `deterministic` for evaluation.
    fn act(&mut self, obs: &[Vec<f32>], deterministic: bool) -> Vec<Vec<f32>>;
    /// Records a transition; learns when its schedule says so.
    fn observe(&mut self, t: &Transition);
}
