//! Students by name. Each student's file declares a [`Descriptor`]; the table
//! [`STUDENTS`](crate::STUDENTS) in `lib.rs` lists them. Run configs keep a
//! student's settings in a section named after it (`[sac]`, `[ppo]`,
//! `[text-ac]`), parsed, checked and filled in by the descriptor, so the
//! training crate, the CLI and config validation never name a student.
//!
//! Adding a student: write `src/<name>.rs` with the student, its settings
//! type (implementing [`Settings`]) and its `pub const DESCRIPTOR`, then add
//! its module name to the `students!` line.

use serde::Serialize;
use serde::de::DeserializeOwned;
use trellis_core::EnvSpec;
use trellis_core::text::TextObs;

use crate::{EvalPolicy, Student};

/// A student's settings: serde with defaults for every field, plus range checks.
pub trait Settings: Serialize + DeserializeOwned + Default {
    /// Checks every field with a range; the error names the field (without
    /// the section) and its allowed range.
    fn validate(&self) -> Result<(), String>;
}

/// What observations a student reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reads {
    /// Float vectors with float-vector actions (the walkers).
    Vectors,
    /// Text observations with a command to type (the text worlds).
    Text,
}

/// Builds a student for float-vector worlds: settings, observation size,
/// action size, seed.
pub type VectorMakeFn = fn(&toml::Table, usize, usize, u64) -> Result<Box<dyn Student>, String>;
/// Builds a student for text worlds: settings, seed.
pub type TextMakeFn = fn(&toml::Table, u64) -> Result<Box<dyn Student<TextObs, String>>, String>;

/// How a student is built, by what it reads.
#[derive(Clone, Copy, Debug)]
pub enum Make {
    /// See [`VectorMakeFn`].
    Vectors(VectorMakeFn),
    /// See [`TextMakeFn`].
    Text(TextMakeFn),
}

impl Make {
    /// What the student reads.
    pub fn reads(&self) -> Reads {
        match self {
            Make::Vectors(_) => Reads::Vectors,
            Make::Text(_) => Reads::Text,
        }
    }
}

/// An observation type that students are built for: ties a world's
/// observation and action types to the constructors of the students that
/// read them, so the training loop builds a student for whichever world a
/// run names (inside `trellis_envs::with_env!`) without naming a family.
pub trait Readable<A>: Sized + 'static {
    /// What a student must read to play a world with these observations.
    const READS: Reads;
    /// The student `make` builds for a world with this spec, or None when
    /// `make` builds a student that reads something else.
    fn student(
        make: Make,
        settings: &toml::Table,
        spec: &EnvSpec,
        seed: u64,
    ) -> Option<Result<Box<dyn Student<Self, A>>, String>>;
}

impl Readable<Vec<f32>> for Vec<f32> {
    const READS: Reads = Reads::Vectors;
    fn student(
        make: Make,
        settings: &toml::Table,
        spec: &EnvSpec,
        seed: u64,
    ) -> Option<Result<Box<dyn Student>, String>> {
        let (obs, act) = (spec.observation.entries().len(), spec.action.entries().len());
        match make {
            Make::Vectors(f) => Some(f(settings, obs, act, seed)),
            Make::Text(_) => None,
        }
    }
}

impl Readable<String> for TextObs {
    const READS: Reads = Reads::Text;
    fn student(
        make: Make,
        settings: &toml::Table,
        _: &EnvSpec,
        seed: u64,
    ) -> Option<Result<Box<dyn Student<TextObs, String>>, String>> {
        match make {
            Make::Text(f) => Some(f(settings, seed)),
            Make::Vectors(_) => None,
        }
    }
}

/// Everything trellis needs to know about a student besides its code.
#[derive(Clone, Copy, Debug)]
pub struct Descriptor {
    /// The registry name and the name of its config section.
    pub name: &'static str,
    /// One line for `--help`, the README and reports.
    pub summary: &'static str,
    /// Parses the student's section (missing fields defaulted), checks it and
    /// returns it with every field filled in, for the run dir's config.
    pub resolve: fn(&toml::Table) -> Result<toml::Table, String>,
    /// Settings (TOML) small enough that a few thousand steps of training run
    /// in seconds: tests and the benchmark's smoke scale use them.
    pub quick: &'static str,
    /// See [`Make`].
    pub make: Make,
    /// How a run evaluates it unless its config says otherwise: the
    /// reference's protocol for this learner (TeachMyAgent tests SAC on
    /// the mean action, PPO on sampled actions).
    pub eval_policy: EvalPolicy,
}

impl Descriptor {
    /// What the student reads.
    pub fn reads(&self) -> Reads {
        self.make.reads()
    }
}

/// Parses and checks a section into `S`; errors name `section.field`.
pub fn settings<S: Settings>(section: &str, t: &toml::Table) -> Result<S, String> {
    let s: S = toml::Value::Table(t.clone()).try_into().map_err(|e: toml::de::Error| {
        let msg = e.to_string().trim().replace('\n', " ");
        // serde names the field last ("... in `lr`"): lead with `section.field`.
        match msg.rsplit_once(" in `") {
            Some((what, field)) if field.ends_with('`') => {
                format!("`{section}.{field}: {what}")
            }
            _ => format!("[{section}]: {msg}"),
        }
    })?;
    s.validate().map_err(|e| format!("`{section}.{e}"))?;
    Ok(s)
}

/// A [`Descriptor::resolve`] for settings type `S`.
pub fn resolve<S: Settings>(section: &str, t: &toml::Table) -> Result<toml::Table, String> {
    let s: S = settings(section, t)?;
    let mut table = toml::Table::try_from(&s).map_err(|e| format!("[{section}]: {e}"))?;
    table.iter_mut().for_each(|(_, v)| tidy_float(v));
    Ok(table)
}

/// `f32` settings reach TOML widened to f64, and a run dir's config.toml
/// would read `alpha = 0.004999999888241291`. A float that is exactly an
/// f32 becomes the shortest decimal that reads back as that f32 (`0.005`),
/// as a person would type it; the setting it gives back is the same.
fn tidy_float(v: &mut toml::Value) {
    match v {
        toml::Value::Float(x) if (*x as f32) as f64 == *x => {
            *x = (*x as f32).to_string().parse().unwrap_or(*x);
        }
        toml::Value::Array(items) => items.iter_mut().for_each(tidy_float),
        _ => {}
    }
}

/// The names of every student, in table order.
pub fn names() -> Vec<&'static str> {
    crate::STUDENTS.iter().map(|d| d.name).collect()
}

/// The descriptor of the student called `name`.
pub fn descriptor(name: &str) -> Result<&'static Descriptor, String> {
    crate::STUDENTS
        .iter()
        .copied()
        .find(|d| d.name == name)
        .ok_or_else(|| {
            format!(
                "unknown student `{name}`; known students: {}",
                names().join(", ")
            )
        })
}

/// Range checks shared by the settings types: `field` = `v` must lie in
/// `[lo, hi]`; the message starts with the field name (the section is added
/// by [`settings`]).
pub fn check(field: &str, v: f64, lo: f64, hi: f64) -> Result<(), String> {
    if v.is_finite() && v >= lo && v <= hi {
        Ok(())
    } else {
        Err(format!(
            "{field}` = {} is outside its allowed range [{}, {}]",
            show(v),
            show(lo),
            show(hi)
        ))
    }
}

/// A bound as a reader writes it: 1e-8, not 0.00000001.
fn show(x: f64) -> String {
    if x != 0.0 && (x.abs() < 1e-3 || x.abs() >= 1e6) { format!("{x:e}") } else { format!("{x}") }
}

/// `field` must be at least 1.
pub fn check_positive(field: &str, v: usize) -> Result<(), String> {
    if v == 0 {
        Err(format!("{field}` = 0 is outside its allowed range [1, ∞)"))
    } else {
        Ok(())
    }
}

/// Hidden layer sizes: at least one layer, each of at least one unit.
pub fn check_layers(field: &str, v: &[usize]) -> Result<(), String> {
    if v.is_empty() || v.contains(&0) {
        Err(format!(
            "{field}` = {v:?} needs at least one layer, each of at least 1 unit"
        ))
    } else {
        Ok(())
    }
}
