//! trellis worlds: procedurally generated environments for curriculum learning.
//!
//! - [`space`]: task spaces (what a teacher samples) and box spaces.
//! - [`env`]: the Gymnasium-like [`Env`](env::Env) contract.
//! - [`vec_env`]: many instances on CPU threads with autoreset and task feeding.
//! - [`physics`], [`bodies`], [`terrain`]: rapier2d worlds built from data.
//! - [`walker`]: a body on a generated track (Stump Tracks and friends).
//! - [`world`]: what a world is to the rest of trellis (descriptor, request,
//!   the built [`AnyEnv`]); [`registry`]: worlds and bodies by name.

#![deny(missing_docs)]

pub use trellis_core::{rng, space, spec};

pub mod bodies;
pub mod env;
pub mod gait;
pub mod observation;
pub mod physics;
pub mod registry;
pub mod scene;
pub mod spin_pool;
pub mod terrain;
pub mod text;
pub mod vec_env;
pub mod walker;
pub mod walker_family;
pub mod world;

pub use env::{ContinuousEnv, Env, EpisodeStats, Info, Step};
pub use trellis_core::{BoxSpace, Dim, EnvSpec, TaskError, TaskSpace};
pub use vec_env::{AutoStep, SeedState, VecEnv};
pub use walker::WalkerEnv;
pub use world::{AnyEnv, WorldRequest};
