//! How an environment's encoding mutates: every dimension moves by a
//! uniform step of at most a fixed fraction of its range, clamped to the
//! range, and the result is rounded to a grid of half a step so that
//! near-identical children count as duplicates (POET rounds roughness to
//! 0.1 and moves pits by fixed increments for the same reason).

use rand_chacha::ChaCha8Rng;
use trellis_core::TaskSpace;
use trellis_core::rng::uniform;

/// A child of `parent` in `space`; `step` is the fraction of each range.
pub fn mutate(parent: &[f64], space: &TaskSpace, step: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
    parent
        .iter()
        .zip(&space.dims)
        .map(|(&x, d)| {
            let s = step * d.width();
            let moved = (x + uniform(rng, -s, s)).clamp(d.low, d.high);
            let grid = 0.5 * s;
            if grid > 0.0 {
                let snapped = (d.low + ((moved - d.low) / grid).round() * grid).clamp(d.low, d.high);
                // Without the float noise of the multiplication (0.8999999999999999),
                // so logs read as the grid and equal points compare equal.
                (snapped * 1e9).round() / 1e9
            } else {
                moved
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use trellis_core::rng::seeded;

    #[test]
    fn children_stay_in_range_and_near_their_parent() {
        let space = TaskSpace::from_bounds(&[("a", 0.0, 10.0), ("b", 1.0, 9.0)]);
        let mut rng = seeded(4, 0);
        let mut x = vec![0.0, 9.0];
        for _ in 0..200 {
            let c = mutate(&x, &space, 0.06, &mut rng);
            space.validate(&c).unwrap();
            assert!((c[0] - x[0]).abs() <= 0.6 + 0.15 && (c[1] - x[1]).abs() <= 0.48 + 0.12, "{x:?} -> {c:?}");
            x = c;
        }
    }
}
