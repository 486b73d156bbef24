//! Bounded spaces: the task space a teacher samples from, and the box spaces of
//! observations and actions.
//!
//! A task vector crosses a trust boundary (it comes from a teacher, a config
//! file or the command line), so [`TaskSpace::validate`] rejects anything that
//! is not a finite vector of the right length inside the bounds, naming the
//! offending dimension and its allowed range.

use serde::{Deserialize, Serialize};

/// One named, closed interval `[low, high]` of a task space.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Dim {
    /// The dimension's name (config keys, CSV columns, plots).
    pub name: String,
    /// Smallest value.
    pub low: f64,
    /// Largest value.
    pub high: f64,
}

impl Dim {
    /// A dimension `name` spanning `[low, high]`.
    pub fn new(name: impl Into<String>, low: f64, high: f64) -> Self {
        Self {
            name: name.into(),
            low,
            high,
        }
    }

    /// `high - low`.
    pub fn width(&self) -> f64 {
        self.high - self.low
    }
}

/// Why a task vector or a task space was refused.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum TaskError {
    /// The vector has the wrong number of values.
    #[error("task vector has {got} values, the task space has {want} ({names})")]
    WrongLength {
        /// Values given.
        got: usize,
        /// Values expected.
        want: usize,
        /// The dimensions' names, comma-separated.
        names: String,
    },
    /// A value lies outside its dimension's bounds.
    #[error("task dimension `{name}` = {value} is outside its allowed range [{low}, {high}]")]
    OutOfBounds {
        /// The dimension.
        name: String,
        /// The value given.
        value: f64,
        /// Its lower bound.
        low: f64,
        /// Its upper bound.
        high: f64,
    },
    /// A value is NaN or infinite.
    #[error("task dimension `{name}` is {value}, which is not a finite number")]
    NotFinite {
        /// The dimension.
        name: String,
        /// The value given.
        value: f64,
    },
    /// A dimension's bounds are not finite or inverted.
    #[error(
        "task space dimension `{name}` has bounds [{low}, {high}]: they must be finite with low <= high"
    )]
    BadBounds {
        /// The dimension.
        name: String,
        /// Its lower bound.
        low: f64,
        /// Its upper bound.
        high: f64,
    },
    /// No dimension has that name.
    #[error("task space has no dimension named `{0}`")]
    UnknownDim(String),
}

/// A box of named dimensions: what a teacher may sample.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskSpace {
    /// The dimensions, in task-vector order.
    pub dims: Vec<Dim>,
}

impl TaskSpace {
    /// Builds a space, checking every dimension's bounds.
    pub fn new(dims: Vec<Dim>) -> Result<Self, TaskError> {
        for d in &dims {
            if !(d.low.is_finite() && d.high.is_finite() && d.low <= d.high) {
                return Err(TaskError::BadBounds {
                    name: d.name.clone(),
                    low: d.low,
                    high: d.high,
                });
            }
        }
        Ok(Self { dims })
    }

    /// Shorthand for spaces defined in code, whose bounds are known to be valid.
    pub fn from_bounds(bounds: &[(&str, f64, f64)]) -> Self {
        Self::new(bounds.iter().map(|&(n, l, h)| Dim::new(n, l, h)).collect())
            .expect("task space defined in code has valid bounds")
    }

    /// Number of dimensions.
    pub fn len(&self) -> usize {
        self.dims.len()
    }

    /// No dimensions at all?
    pub fn is_empty(&self) -> bool {
        self.dims.is_empty()
    }

    /// Lower bounds, in order.
    pub fn low(&self) -> Vec<f64> {
        self.dims.iter().map(|d| d.low).collect()
    }

    /// Upper bounds, in order.
    pub fn high(&self) -> Vec<f64> {
        self.dims.iter().map(|d| d.high).collect()
    }

    /// Dimension names, in order.
    pub fn names(&self) -> Vec<&str> {
        self.dims.iter().map(|d| d.name.as_str()).collect()
    }

    /// Position of the dimension called `name`.
    pub fn index_of(&self, name: &str) -> Result<usize, TaskError> {
        self.dims
            .iter()
            .position(|d| d.name == name)
            .ok_or_else(|| TaskError::UnknownDim(name.into()))
    }

    /// Replaces the bounds of one dimension (e.g. a benchmark's "max stump height 9").
    pub fn with_bounds(mut self, name: &str, low: f64, high: f64) -> Result<Self, TaskError> {
        let i = self.index_of(name)?;
        self.dims[i].low = low;
        self.dims[i].high = high;
        Self::new(self.dims)
    }

    /// Accepts the vector only if it has one finite value per dimension, each inside its bounds.
    pub fn validate(&self, task: &[f64]) -> Result<(), TaskError> {
        if task.len() != self.dims.len() {
            return Err(TaskError::WrongLength {
                got: task.len(),
                want: self.dims.len(),
                names: self.names().join(", "),
            });
        }
        for (d, &v) in self.dims.iter().zip(task) {
            if !v.is_finite() {
                return Err(TaskError::NotFinite {
                    name: d.name.clone(),
                    value: v,
                });
            }
            if v < d.low || v > d.high {
                return Err(TaskError::OutOfBounds {
                    name: d.name.clone(),
                    value: v,
                    low: d.low,
                    high: d.high,
                });
            }
        }
        Ok(())
    }

    /// Clamps each value into its dimension's bounds (NaN goes to the low bound),
    /// for teachers whose proposals can overshoot (Gaussian samples, GAN outputs).
    pub fn clamp(&self, task: &mut [f64]) {
        for (d, v) in self.dims.iter().zip(task.iter_mut()) {
            *v = if v.is_nan() {
                d.low
            } else {
                v.clamp(d.low, d.high)
            };
        }
    }

    /// Maps a vector of the unit cube `[0,1]^n` into the space.
    pub fn from_unit(&self, unit: &[f64]) -> Vec<f64> {
        self.dims
            .iter()
            .zip(unit)
            .map(|(d, u)| d.low + u * d.width())
            .collect()
    }

    /// Maps a task into the unit cube (a zero-width dimension maps to 0).
    pub fn to_unit(&self, task: &[f64]) -> Vec<f64> {
        self.dims
            .iter()
            .zip(task)
            .map(|(d, v)| {
                if d.width() > 0.0 {
                    (v - d.low) / d.width()
                } else {
                    0.0
                }
            })
            .collect()
    }

    /// Parses `"1.5,3"` into a validated task vector.
    pub fn parse(&self, text: &str) -> Result<Vec<f64>, String> {
        let task = text
            .split(',')
            .map(|s| {
                s.trim()
                    .parse::<f64>()
                    .map_err(|e| format!("`{}` in task `{text}`: {e}", s.trim()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        self.validate(&task).map_err(|e| e.to_string())?;
        Ok(task)
    }
}

/// A box of `f32` values, Gymnasium's `Box` space, for observations and actions.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct BoxSpace {
    /// Lower bound of each entry.
    pub low: Vec<f32>,
    /// Upper bound of each entry.
    pub high: Vec<f32>,
}

impl BoxSpace {
    /// `n` entries, all in `[low, high]`.
    pub fn uniform(n: usize, low: f32, high: f32) -> Self {
        Self {
            low: vec![low; n],
            high: vec![high; n],
        }
    }

    /// Number of entries.
    pub fn dim(&self) -> usize {
        self.low.len()
    }

    /// Is `x` of the right length and inside the bounds?
    pub fn contains(&self, x: &[f32]) -> bool {
        x.len() == self.dim()
            && x.iter()
                .zip(&self.low)
                .zip(&self.high)
                .all(|((v, l), h)| v >= l && v <= h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stumps() -> TaskSpace {
        TaskSpace::from_bounds(&[("stump_height", 0.0, 3.0), ("stump_spacing", 0.0, 6.0)])
    }

    #[test]
    fn validate_names_the_dimension_and_range() {
        let s = stumps();
        assert!(s.validate(&[1.0, 6.0]).is_ok());
        let e = s.validate(&[3.5, 1.0]).unwrap_err().to_string();
        assert!(e.contains("stump_height") && e.contains("[0, 3]"), "{e}");
        let e = s.validate(&[1.0, f64::NAN]).unwrap_err().to_string();
        assert!(
            e.contains("stump_spacing") && e.contains("not a finite"),
            "{e}"
        );
        let e = s.validate(&[1.0]).unwrap_err().to_string();
        assert!(e.contains("1 values") && e.contains("has 2"), "{e}");
    }

    #[test]
    fn bad_bounds_are_refused() {
        assert!(TaskSpace::new(vec![Dim::new("a", 1.0, 0.0)]).is_err());
        assert!(TaskSpace::new(vec![Dim::new("a", 0.0, f64::INFINITY)]).is_err());
        assert!(stumps().with_bounds("stump_height", 0.0, 9.0).is_ok());
        assert!(stumps().with_bounds("nope", 0.0, 9.0).is_err());
    }

    #[test]
    fn serde_round_trip_and_unit_maps() {
        let s = stumps();
        let back: TaskSpace = serde_json::from_str(&serde_json::to_string(&s).unwrap()).unwrap();
        assert_eq!(s, back);
        let t = s.from_unit(&[0.5, 0.25]);
        assert_eq!(t, vec![1.5, 1.5]);
        assert_eq!(s.to_unit(&t), vec![0.5, 0.25]);
        let mut c = vec![-1.0, f64::NAN];
        s.clamp(&mut c);
        assert_eq!(c, vec![0.0, 0.0]);
        assert_eq!(s.parse("1, 2").unwrap(), vec![1.0, 2.0]);
        assert!(s.parse("1,x").is_err());
    }
}
