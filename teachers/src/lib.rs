//! trellis teachers: automatic curriculum learning algorithms.
//!
//! A teacher proposes task vectors from a bounded [`TaskSpace`], is told the
//! outcome of each episode, and adapts. Every teacher owns a seeded ChaCha8
//! RNG, serialises its whole state for checkpoints ([`Teacher::state`]) and
//! reports what it believes for plots ([`Teacher::dump`]). The
//! [`registry`] builds any of them from a name and a TOML/JSON config whose
//! defaults are TeachMyAgent's benchmark settings.

pub mod gaussian;
pub mod gmm;
pub mod gmm_curriculum;
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
    spdl
];

use serde::{Deserialize, Serialize};
pub use trellis_core::TaskSpace;

pub use gaussian::Gaussian;
pub use registry::{Descriptor, TeacherError, descriptor, make, names, restore};

/// What a teacher learns after an episode.
#[derive(Clone, Debug, PartialEq)]
pub struct Episode<'a> {
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
}

impl<'a> Episode<'a> {
    pub fn new(task: &'a [f64], ret: f64) -> Self {
        Self {
            task,
            ret,
            len: 1,
            success: false,
            value: None,
        }
    }
}

/// Everything a teacher may know about the world besides episodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TeacherContext {
    pub space: TaskSpace,
    /// Range of episodic returns (for normalisation): Stump Tracks [-150, 350].
    pub reward_range: (f64, f64),
    /// Return above which an episode counts as mastered/successful.
    pub success_return: f64,
    /// Expert knowledge: where easy tasks are (ADR's start point, SPDL's initial distribution).
    pub initial: Option<Gaussian>,
    /// The distribution one finally wants to master (SPDL); uniform over the space when `None`.
    pub target: Option<Gaussian>,
}

impl TeacherContext {
    pub fn new(space: TaskSpace, reward_range: (f64, f64), success_return: f64) -> Self {
        Self {
            space,
            reward_range,
            success_return,
            initial: None,
            target: None,
        }
    }

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
    /// Learns from a finished episode.
    fn update(&mut self, episode: &Episode);
    /// The complete state (config, data, RNG) as JSON; [`restore`] rebuilds
    /// a teacher that continues exactly where this one is.
    fn state(&self) -> serde_json::Value;
    /// What the teacher currently believes (GMM components, ADR box,
    /// regions...), for plots and the viewer.
    fn dump(&self) -> serde_json::Value;
}
