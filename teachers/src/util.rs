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
