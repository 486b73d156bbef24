//! The Gymnasium-like contract every trellis world implements.
//!
//! Differences from Gymnasium are deliberate and few: `reset` takes the task
//! vector (that is how a teacher talks to the world), rewards are `f64`
//! (episodic returns are summed over thousands of steps), and `info` is a typed
//! struct instead of a dictionary so the hot loop does not allocate a map.

use crate::space::{BoxSpace, TaskError, TaskSpace};
use crate::spec::EnvSpec;

/// What `step` returns: Gymnasium's `(obs, reward, terminated, truncated, info)`.
#[derive(Clone, Debug, PartialEq)]
pub struct Step<O> {
    /// The next observation.
    pub obs: O,
    /// The step's reward.
    pub reward: f64,
    /// The episode ended inside the MDP (fall, goal reached, drowned): do not bootstrap.
    pub terminated: bool,
    /// The episode was cut by the step limit: bootstrap from `obs`.
    pub truncated: bool,
    /// Extras: the finished episode's summary, physics errors.
    pub info: Info,
}

impl<O> Step<O> {
    /// The episode ended (terminated or truncated).
    pub fn done(&self) -> bool {
        self.terminated || self.truncated
    }
}

/// Typed side information about a step.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Info {
    /// The world's own success criterion so far (e.g. walker return > 230).
    pub success: bool,
    /// The episode ended because the physics produced non-finite or absurd values.
    pub physics_error: bool,
    /// Set on the last step of an episode.
    pub episode: Option<EpisodeStats>,
}

/// Summary of a finished episode, reported on its last step.
#[derive(Clone, Debug, PartialEq)]
pub struct EpisodeStats {
    /// Episodic return.
    pub ret: f64,
    /// Steps taken.
    pub len: u32,
    /// The world's success criterion was met.
    pub success: bool,
    /// The task played.
    pub task: Vec<f64>,
}

/// A procedurally generated world.
pub trait Env: Send {
    /// Observation type (a vector for walkers, text for text worlds).
    type Obs: Clone + Send + Sync;
    /// Action type.
    type Act: Clone + Send + Sync;

    /// The space of task vectors `reset` accepts.
    fn task_space(&self) -> &TaskSpace;

    /// Every task `reset` accepts; may be wider than [`Env::task_space`],
    /// the training bounds (Parkour's test sets set dimensions training
    /// keeps fixed).
    fn task_limits(&self) -> &TaskSpace {
        self.task_space()
    }

    /// The world's easiest task: where expert knowledge centres the
    /// teacher's initial distribution.
    fn default_task(&self) -> Vec<f64>;

    /// What the world says about itself: observation and action entries,
    /// reward range, success criterion, step limit.
    fn spec(&self) -> &EnvSpec;

    /// Starts an episode. `seed: None` continues the env's own RNG stream;
    /// `task: None` keeps the previous task (the space's default before the first).
    fn reset(
        &mut self,
        seed: Option<u64>,
        task: Option<&[f64]>,
    ) -> Result<(Self::Obs, Info), TaskError>;

    /// Advances one control step. Calling it after the episode ended without a
    /// `reset` returns a terminated step with zero reward.
    fn step(&mut self, action: &Self::Act) -> Step<Self::Obs>;

    /// The task the current episode was generated from.
    fn task(&self) -> &[f64];
}

/// Worlds with continuous observations and actions.
pub trait ContinuousEnv: Env<Obs = Vec<f32>, Act = Vec<f32>> {
    /// Bounds of each observation entry.
    fn observation_space(&self) -> &BoxSpace;
    /// Bounds of each action entry.
    fn action_space(&self) -> &BoxSpace;
}
