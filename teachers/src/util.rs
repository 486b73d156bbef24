//! Small helpers shared by several teachers.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use trellis_core::TaskSpace;

/// Uniform task over the whole space.
pub fn uniform_task(space: &TaskSpace, rng: &mut ChaCha8Rng) -> Vec<f64> {
    space
        .dims
        .iter()
        .map(|d| d.low + d.width() * rng.random::<f64>())
        .collect()
}

/// Uniform task in a sub-box `[low, high]`.
pub fn uniform_in(low: &[f64], high: &[f64], rng: &mut ChaCha8Rng) -> Vec<f64> {
    low.iter()
        .zip(high)
        .map(|(l, h)| l + (h - l) * rng.random::<f64>())
        .collect()
}

/// Index drawn with probability proportional to `weights`; uniform when
/// they sum to zero (as the original's `proportional_choice`).
pub fn proportional_choice(weights: &[f64], rng: &mut ChaCha8Rng) -> usize {
    let total: f64 = weights.iter().map(|w| w.max(0.0)).sum();
    if !(total > 0.0) {
        return rng.random_range(0..weights.len().max(1));
    }
    let mut x = rng.random::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        x -= w.max(0.0);
        if x < 0.0 {
            return i;
        }
    }
    weights.len() - 1
}

/// Checks a config number is in `[low, high]`, naming the field otherwise.
pub fn check_range(
    field: &str,
    value: f64,
    low: f64,
    high: f64,
) -> Result<(), crate::TeacherError> {
    if value.is_finite() && value >= low && value <= high {
        Ok(())
    } else {
        Err(crate::TeacherError::BadConfig(format!(
            "`{field}` = {value} is outside its allowed range [{low}, {high}]"
        )))
    }
}

/// Whether `a` and `b` are the same task up to the rounding of a task map
/// (squared distance within 1e-12 of 1 + |b|²).
pub fn same_task(a: &[f64], b: &[f64]) -> bool {
    let d2: f64 = a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum();
    d2 <= 1e-12 * (1.0 + b.iter().map(|x| x * x).sum::<f64>())
}

/// Tasks proposed and not yet returned as episodes, each with what the
/// teacher needs to remember about it (replayed or new, which probe...).
/// With several env instances, episodes come back in another order than
/// they were proposed; an episode is matched to its proposal by its task
/// (the nearest one, which is exact up to the rounding of a task map).
#[derive(Clone, Debug, serde::Serialize, serde::Deserialize)]
pub struct InFlight<T> {
    items: Vec<(Vec<f64>, T)>,
}

impl<T> Default for InFlight<T> {
    fn default() -> Self {
        Self { items: Vec::new() }
    }
}

impl<T> InFlight<T> {
    /// Most proposals that can be outstanding (one per env instance in
    /// practice); older ones are forgotten.
    const MAX: usize = 4096;

    /// Remembers a proposal.
    pub fn push(&mut self, task: Vec<f64>, tag: T) {
        if self.items.len() >= Self::MAX {
            self.items.remove(0);
        }
        self.items.push((task, tag));
    }

    /// The tag of the proposal whose task is `task`, forgotten afterwards;
    /// `None` for a task this teacher did not propose.
    pub fn take(&mut self, task: &[f64]) -> Option<T> {
        let d2 = |t: &[f64]| -> f64 { t.iter().zip(task).map(|(a, b)| (a - b) * (a - b)).sum() };
        let (i, _) = self
            .items
            .iter()
            .enumerate()
            .map(|(i, (t, _))| (i, d2(t)))
            .min_by(|a, b| a.1.total_cmp(&b.1))?;
        same_task(&self.items[i].0, task).then(|| self.items.remove(i).1)
    }
}
