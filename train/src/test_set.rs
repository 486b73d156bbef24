//! The fixed tasks a student is evaluated on.
//!
//! TeachMyAgent's Stump Tracks test set is the 10×10 grid over its 2-D space;
//! trellis generates the same kind of set for any space: a regular grid when
//! the size is a perfect power of the dimension (with ≥ 2 points per axis),
//! otherwise uniform draws from a fixed, documented seed. A JSON file with a
//! list of task vectors can replace it.

use std::path::Path;

use rand::RngExt;
use trellis_envs::TaskSpace;

use crate::TrainError;

/// Seed of the uniform test sets (only used when no grid fits).
pub const TEST_SET_SEED: u64 = 0x7e57_5e7;

/// `n` test tasks over `space`: TeachMyAgent's grid for 2-D spaces with a square `n`, uniform draws from a fixed seed otherwise.
pub fn generate(space: &TaskSpace, n: usize) -> Vec<Vec<f64>> {
    let d = space.len().max(1) as u32;
    let k = (n as f64).powf(1.0 / d as f64).round() as usize;
    if k >= 2 && k.checked_pow(d) == Some(n) {
        return (0..n)
            .map(|mut i| {
                let unit: Vec<f64> = (0..d)
                    .map(|_| {
                        let j = i % k;
                        i /= k;
                        j as f64 / (k - 1) as f64
                    })
                    .collect();
                space.from_unit(&unit)
            })
            .collect();
    }
    let mut rng = trellis_envs::rng::seeded(TEST_SET_SEED, 0);
    (0..n)
        .map(|_| space.from_unit(&(0..d).map(|_| rng.random::<f64>()).collect::<Vec<_>>()))
        .collect()
}

/// Reads a JSON list of task vectors and checks each against `space`.
pub fn load(path: &Path, space: &TaskSpace) -> Result<Vec<Vec<f64>>, TrainError> {
    let text = std::fs::read_to_string(path).map_err(|e| TrainError::io(path, e))?;
    let tasks: Vec<Vec<f64>> = serde_json::from_str(&text).map_err(|e| {
        TrainError::Config(format!(
            "test_set {}: expected a JSON list of task vectors: {e}",
            path.display()
        ))
    })?;
    for (i, t) in tasks.iter().enumerate() {
        space.validate(t).map_err(|e| {
            TrainError::Config(format!("test_set {} task {i}: {e}", path.display()))
        })?;
    }
    if tasks.is_empty() {
        return Err(TrainError::Config(format!(
            "test_set {} is empty",
            path.display()
        )));
    }
    Ok(tasks)
}
