//! Seeded randomness. Every random draw in trellis comes from a ChaCha8
//! stream created here from an explicit seed, so runs replay bit for bit.

use rand::{RngExt, SeedableRng};
pub use rand_chacha::ChaCha8Rng;

/// A generator for `seed`, on its own `stream` (e.g. the env index in a
/// vectorised env), so parallel consumers never share or race for draws.
pub fn seeded(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut r = ChaCha8Rng::seed_from_u64(seed);
    r.set_stream(stream);
    r
}

/// Uniform in `[low, high)` (`low` when the interval is empty).
pub fn uniform(rng: &mut ChaCha8Rng, low: f64, high: f64) -> f64 {
    if high > low {
        low + (high - low) * rng.random::<f64>()
    } else {
        low
    }
}

/// A standard normal draw (Box–Muller), so trellis needs no extra
/// distribution crate and the draw sequence is fixed by this code alone.
pub fn standard_normal(rng: &mut ChaCha8Rng) -> f64 {
    let u1 = 1.0 - rng.random::<f64>(); // (0, 1]: ln is finite
    let u2 = rng.random::<f64>();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// A normal draw with this mean and standard deviation.
pub fn normal(rng: &mut ChaCha8Rng, mean: f64, std: f64) -> f64 {
    mean + std * standard_normal(rng)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<f64> = (0..4).map(|_| seeded(7, 0).random()).collect();
        assert!(a.windows(2).all(|w| w[0] == w[1]));
        let (mut x, mut y) = (seeded(7, 0), seeded(7, 1));
        assert_ne!(x.random::<u64>(), y.random::<u64>());
    }

    #[test]
    fn normal_has_the_right_moments() {
        let mut r = seeded(1, 0);
        let xs: Vec<f64> = (0..20_000).map(|_| normal(&mut r, 2.0, 0.5)).collect();
        let m = xs.iter().sum::<f64>() / xs.len() as f64;
        let v = xs.iter().map(|x| (x - m).powi(2)).sum::<f64>() / xs.len() as f64;
        assert!(
            (m - 2.0).abs() < 0.02 && (v.sqrt() - 0.5).abs() < 0.02,
            "{m} {v}"
        );
    }
}
