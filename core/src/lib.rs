//! trellis-core: the small contract the other crates share.
//!
//! Teachers, students and the network helpers need task spaces and seeded
//! random streams but not physics; keeping these here means none of them
//! compiles rapier2d, and a teacher can be written against this crate alone.
//!
//! - [`space`]: task spaces (what a teacher samples) and box spaces.
//! - [`expert`]: levels of expert knowledge given to teachers.
//! - [`rng`]: every random draw, from explicit seeds.
//! - [`task_map`]: what a teacher sees of a world's task space.
//! - [`text`]: the observation of text worlds.
//! - [`fs`]: atomic file writes.
//! - [`score`]: what a student reports of an episode besides its return.
//! - [`spec`]: how a world describes itself (observation and action layout,
//!   reward range, success criterion).

#![deny(missing_docs)]

pub mod expert;
pub mod fs;
pub mod registry;
pub mod rng;
pub mod score;
pub mod space;
pub mod spec;
pub mod task_map;
pub mod text;

pub use expert::Expert;
pub use score::{ScoreKind, Scores};
pub use space::{BoxSpace, Dim, TaskError, TaskSpace};
pub use spec::{Entry, EnvSpec, Layout, Success};
pub use task_map::{Shuffle, TaskMap};
