//! trellis teachers: automatic curriculum learning algorithms.
//!
//! A teacher proposes task vectors from a bounded [`TaskSpace`], is told the
//! outcome of each episode, and adapts. Every teacher owns a seeded ChaCha8
//! RNG, serialises its whole state for checkpoints ([`Teacher::state`]) and
//! reports what it believes for plots ([`Teacher::dump`]). The
//! [`registry`] builds any of them from a name and a TOML/JSON config whose
//! defaults are TeachMyAgent's benchmark settings.

#![deny(missing_docs)]

/// What a teacher believes about the task space, typed: the shape a viewer draws.
pub mod belief;
pub mod classroom;
pub mod gaussian;
pub mod gmm;
pub mod gmm_curriculum;
pub mod level_buffer;
pub mod open_ended;
pub mod registry;
pub mod toy;
mod util;

/// Declares each teacher's module and lists its [`Descriptor`] in
/// [`TEACHERS`]: the one line a new teacher adds to.
macro_rules! teachers {
    ($($module:ident),* $(,)?) => {
        $(pub mod $module;)*
        /// Every teacher, in the order lists and reports show them.
        pub const TEACHERS: &[&Descriptor] = &[$(&$module::DESCRIPTOR),*];
    };
}

teachers![
    random,
    adr,
    alp_gmm,
    covar_gmm,
    riac,
    goal_gan,
    setter_solver,
    spdl,
    plr,
    robust_plr,
    accel,
    sfl,
    again
];

use serde::{Deserialize, Serialize};
pub use trellis_core::{ScoreKind, Scores, TaskSpace};

pub use gaussian::Gaussian;
pub use registry::{Descriptor, TeacherError, descriptor, make, names, restore};

/// What a teacher learns after an episode.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode<'a> {
    /// The task played.
    pub task: &'a [f64],
    /// Episodic return.
    pub ret: f64,
    /// Environment steps the episode took (teachers that update every N steps count them).
    pub len: u32,
    /// The environment's own success criterion (e.g. return > 230).
    pub success: bool,
    /// The student's value estimate of the episode's initial state, for
    /// teachers that use it (SPDL); `None` falls back to the return.
    pub value: Option<f64>,
    /// The student's learning-potential scores of the episode (PLR's value
    /// losses), given to teachers whose [`Teacher::wants_scores`] says so.
    pub scores: Option<Scores>,
}

impl<'a> Episode<'a> {
    /// An episode known only by its task and return (one step, no success, no scores).
    pub fn new(task: &'a [f64], ret: f64) -> Self {
        Self {
            task,
            ret,
            len: 1,
            success: false,
            value: None,
            scores: None,
        }
    }
}

/// A teacher's proposal for the next episode.
#[derive(Clone, Debug, PartialEq)]
pub struct Proposal {
    /// The task, inside the task space.
    pub task: Vec<f64>,
    /// Whether the student learns from the episode. Robust PLR and ACCEL
    /// only look at new tasks (to score them) and train on replayed ones;
    /// AGAIN's and SFL's probe episodes only measure.
    pub learn: bool,
}

impl Proposal {
    /// A task the student plays and learns from.
    pub fn learn(task: Vec<f64>) -> Self {
        Self { task, learn: true }
    }

    /// A task the student plays without learning from it.
    pub fn evaluate(task: Vec<f64>) -> Self {
        Self { task, learn: false }
    }
}

/// Everything a teacher may know about the world besides episodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeacherContext {
    /// The task space the teacher proposes in.
    pub space: TaskSpace,
    /// Range of episodic returns (for normalisation): Stump Tracks [-150, 350].
    pub reward_range: (f64, f64),
    /// Return above which an episode counts as mastered/successful.
    pub success_return: f64,
    /// Expert knowledge: where easy tasks are (ADR's start point, SPDL's initial distribution).
    pub initial: Option<Gaussian>,
    /// The distribution one finally wants to master (SPDL); uniform over the space when `None`.
    pub target: Option<Gaussian>,
    /// Who is taught (student and body, e.g. `sac/spider`), for records that
    /// outlive the run such as AGAIN's classroom.
    #[serde(default)]
    pub learner: String,
}

impl TeacherContext {
    /// A context without expert knowledge, target or learner name.
    pub fn new(space: TaskSpace, reward_range: (f64, f64), success_return: f64) -> Self {
        Self {
            space,
            reward_range,
            success_return,
            initial: None,
            target: None,
            learner: String::new(),
        }
    }

    /// The same context with expert knowledge: easy tasks around `g`.
    pub fn with_initial(mut self, g: Gaussian) -> Self {
        self.initial = Some(g);
        self
    }

    /// Return mapped to [0, 1] by the reward range (clamped).
    pub fn normalise_return(&self, ret: f64) -> f64 {
        let (lo, hi) = self.reward_range;
        if hi > lo {
            ((ret - lo) / (hi - lo)).clamp(0.0, 1.0)
        } else {
            0.0
        }
    }
}

/// An automatic curriculum: proposes tasks and learns from episodes.
pub trait Teacher: Send {
    /// The registry name.
    fn name(&self) -> &'static str;
    /// The next task, always inside the task space.
    fn sample_task(&mut self) -> Vec<f64>;
    /// The next episode: its task and whether the student learns from it.
    /// Teachers that always let the student learn keep this default.
    fn propose(&mut self) -> Proposal {
        Proposal::learn(self.sample_task())
    }
    /// Learns from a finished episode.
    fn update(&mut self, episode: &Episode);
    /// Whether episodes should carry the student's [`Scores`] (computing
    /// them costs a value pass over the episode, so only on request).
    fn wants_scores(&self) -> bool {
        false
    }
    /// The returns of a periodic evaluation on the run's fixed test set, in
    /// test-set order (AGAIN's pre-test and classroom record read them).
    fn on_evaluation(&mut self, _returns: &[f64]) {}
    /// The complete state (config, data, RNG) as JSON; [`restore`] rebuilds
    /// a teacher that continues exactly where this one is.
    fn state(&self) -> serde_json::Value;
    /// The teacher's statistics (episodes, losses, counters...) as JSON,
    /// written to the run's `teacher.jsonl` beside [`Teacher::belief`].
    fn dump(&self) -> serde_json::Value;
    /// What the teacher believes about the task space, as a shape in task
    /// coordinates (a box, regions, a mixture, scored tasks): what the
    /// viewer draws. Teachers with nothing to draw keep the default.
    fn belief(&self) -> belief::Belief {
        belief::Belief::Nothing
    }
    /// The error raised by the last call, for teachers backed by code that
    /// can fail (a teacher written in Python raises exceptions and may
    /// return a task outside the space). Such a teacher answers a failed
    /// call with a harmless placeholder and reports the failure here; the
    /// trainer asks after every call and stops before anything that depends
    /// on the call is written. trellis's own teachers never fail.
    fn failure(&mut self) -> Option<TeacherError> {
        None
    }
}
