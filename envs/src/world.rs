//! What a world is to the rest of trellis: a [`WorldDescriptor`] (name,
//! summary, and how to build it from a [`WorldRequest`]) and the env it
//! builds, an [`AnyEnv`]. The training loop, the CLI and the Python package
//! build worlds through [`crate::registry::make`] and reach the concrete env
//! through [`with_env!`](crate::with_env), so none of them names a world or
//! a family: a world owns its options (its own section of the run config,
//! parsed into a typed struct by its `make`) and its defaults.
//!
//! Adding a world of an existing family is one module with its `WORLD` and
//! one line in a table (`terrain/mod.rs`'s `terrains!` for walkers,
//! [`crate::registry::worlds`] for the rest). Adding a family is one module
//! for its env and one variant of [`AnyEnv`]; the compiler then asks for its
//! arm in `with_env!` and in [`AnyEnv::spec`].

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;

use crate::Env;
use crate::bodies;
use crate::spec::EnvSpec;
use crate::terrain::cppn::CppnError;
use crate::text::TextWorldEnv;
use crate::walker::WalkerEnv;

/// A world in the table.
#[derive(Clone, Copy, Debug)]
pub struct WorldDescriptor {
    /// The name configs and the command line use, and the name of the run
    /// config's section holding the world's options (`[parkour]`).
    pub name: &'static str,
    /// One line for `--help` and the docs.
    pub summary: &'static str,
    /// The world's options (the keys of its section of the run config),
    /// for `trellis describe` and for tools that resolve paths; empty when
    /// it has none.
    pub options: &'static [OptionDoc],
    /// Builds the world for a run: its body, bound overrides and options,
    /// each refused with a message naming the field when the world cannot
    /// honour it.
    pub make: fn(&WorldRequest) -> Result<AnyEnv, RegistryError>,
    /// The first run a newcomer gets from `trellis train` without a config
    /// when this is the default world: bound overrides and a budget that
    /// show learning within minutes (see [`FirstRun`]).
    pub first_run: Option<FirstRun>,
}

/// One key of a world's options section.
#[derive(Clone, Copy, Debug)]
pub struct OptionDoc {
    /// The key.
    pub key: &'static str,
    /// Its default, as shown to users.
    pub default: &'static str,
    /// What it does and its allowed range.
    pub doc: &'static str,
    /// The value is a file path: experiment files give it relative to the
    /// repository root, and the benchmark resolves it before the run.
    pub path: bool,
}

/// A small first run on a world: the task space narrowed to what a student
/// learns in a few million steps, so the newcomer's first curve rises.
#[derive(Clone, Copy, Debug)]
pub struct FirstRun {
    /// Bound overrides, `(dimension, low, high)`.
    pub bounds: &'static [(&'static str, f64, f64)],
    /// Env steps.
    pub steps: u64,
}

/// What a run asks of its world besides the name.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WorldRequest {
    /// The body (walker worlds); the world's benchmark body when None.
    pub body: Option<String>,
    /// Task-space bounds narrower than the world's (`stump_height = [0, 9]`
    /// is wider than training's default but inside what it can generate);
    /// low == high fixes a dimension.
    pub bounds: BTreeMap<String, [f64; 2]>,
    /// The world's own options (the run config's section named after it).
    pub options: toml::Table,
}

/// A built world, whichever family it belongs to: what the one factory
/// ([`crate::registry::make`]) returns. Code that needs the concrete env
/// (to pair it with a student of the right observation type) writes its
/// body once inside [`with_env!`](crate::with_env).
pub enum AnyEnv {
    /// A body on generated terrain.
    Walker(WalkerEnv),
    /// A procedurally generated text adventure.
    Text(TextWorldEnv),
}

/// Runs `$body` with `$e` bound to the concrete env inside an [`AnyEnv`]:
/// the body is compiled once per family, so it may call anything every
/// family's env offers (the [`Env`] contract, or a trait the caller's crate
/// implements for each observation type).
#[macro_export]
macro_rules! with_env {
    ($env:expr, $e:ident => $body:expr) => {
        match $env {
            $crate::world::AnyEnv::Walker($e) => $body,
            $crate::world::AnyEnv::Text($e) => $body,
        }
    };
}

impl AnyEnv {
    /// What the world says about itself.
    pub fn spec(&self) -> &EnvSpec {
        with_env!(self, e => e.spec())
    }

    /// The family's name (`walker`, `text`): which kind of env this is, for
    /// bindings that expose each kind as its own class.
    pub fn family(&self) -> &'static str {
        match self {
            AnyEnv::Walker(_) => "walker",
            AnyEnv::Text(_) => "text",
        }
    }

    /// The space of task vectors the world trains on.
    pub fn task_space(&self) -> &crate::TaskSpace {
        with_env!(self, e => e.task_space())
    }

    /// The walker env, for code that drives a body (the viewer, the Python
    /// package's `Walker`); the error names the world.
    pub fn into_walker(self) -> Result<WalkerEnv, RegistryError> {
        match self {
            AnyEnv::Walker(w) => Ok(w),
            other => Err(RegistryError::NotWalker(other.spec().name.clone())),
        }
    }

    /// The env as a text game (text observations, typed commands), for code
    /// that plays one in a terminal; None for worlds that are not text.
    pub fn into_text(
        self,
    ) -> Option<Box<dyn Env<Obs = trellis_core::text::TextObs, Act = String>>> {
        match self {
            AnyEnv::Text(t) => Some(Box::new(t)),
            _ => None,
        }
    }
}

/// Why a world or body could not be built.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum RegistryError {
    /// No world of that name.
    #[error("unknown env `{name}`; known envs: {known}")]
    UnknownEnv {
        /// The name asked for.
        name: String,
        /// The known names, comma-separated.
        known: String,
    },
    /// No body of that name.
    #[error("unknown body `{0}`; known bodies: {known}", known = bodies::names().join(", "))]
    UnknownBody(String),
    /// The world is not a walker world.
    #[error("env `{0}` has no body: it is not a walker world")]
    NotWalker(String),
    /// The body needs something the world does not have.
    #[error("body `{body}` needs {needs}, which `{env}` does not have (parkour has both)")]
    Unsupported {
        /// The body's name.
        body: String,
        /// The world's name.
        env: String,
        /// "a ceiling to climb" or "water to swim in".
        needs: &'static str,
    },
    /// A field of the world's options section, a bound override or the
    /// body is refused; the message names it and what is allowed.
    #[error("{0}")]
    Request(String),
    /// The CPPN weights file could not be read.
    #[error(transparent)]
    Cppn(#[from] CppnError),
    /// The CPPN weights have the wrong shape for the world.
    #[error(
        "CPPN weights {path} map {inputs} inputs to {outputs} heights; parkour needs 3 inputs and 2 heights (ground, ceiling)"
    )]
    CppnShape {
        /// The weights file.
        path: String,
        /// Its input size.
        inputs: usize,
        /// Its output size.
        outputs: usize,
    },
}

/// A world's options section parsed into its typed options `T` (serde with
/// defaults for every field, unknown fields refused); errors name the
/// section (`[parkour]`) and the field.
pub fn options<T: DeserializeOwned>(world: &str, t: &toml::Table) -> Result<T, RegistryError> {
    toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| {
        RegistryError::Request(format!(
            "[{world}]: {}",
            e.message().trim().replace('\n', " ")
        ))
    })
}

/// The options of a world that has none: an empty section, or an error
/// naming the first key.
pub fn no_options(world: &str, t: &toml::Table) -> Result<(), RegistryError> {
    match t.keys().next() {
        None => Ok(()),
        Some(k) => Err(RegistryError::Request(format!(
            "`{world}.{k}`: `{world}` has no options"
        ))),
    }
}
