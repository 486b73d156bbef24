//! The statistics of the comparison: means, sample standard deviations and
//! standard errors over seeds, Welch's unequal-variance t-test against
//! Random (the reference's test, significant at p < 0.05), and Hedges' g,
//! the effect size: a p-value says how sure, g says how large a difference
//! is in units of the seeds' spread, which is what carries across sample
//! sizes. The t distribution comes from statrs.

use statrs::distribution::{ContinuousCDF, StudentsT};

/// Significance level of the comparison with Random.
pub const ALPHA: f64 = 0.05;

/// Mean of `x` (NaN when empty).
pub fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

/// Sample standard deviation (n − 1); 0 for fewer than two values.
pub fn std(x: &[f64]) -> f64 {
    if x.len() < 2 {
        return 0.0;
    }
    let m = mean(x);
    (x.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (x.len() - 1) as f64).sqrt()
}

/// Standard error of the mean.
pub fn sem(x: &[f64]) -> f64 {
    if x.is_empty() {
        0.0
    } else {
        std(x) / (x.len() as f64).sqrt()
    }
}

/// Welch's t-test of `a` against `b`, two-sided: `(t, p)`. None when either
/// sample has fewer than two values (no variance to estimate).
pub fn welch(a: &[f64], b: &[f64]) -> Option<(f64, f64)> {
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let (va, vb) = (
        std(a).powi(2) / a.len() as f64,
        std(b).powi(2) / b.len() as f64,
    );
    let diff = mean(a) - mean(b);
    let se2 = va + vb;
    if se2 == 0.0 {
        // Both samples constant: equal means are no evidence, different ones certain.
        return Some(if diff == 0.0 {
            (0.0, 1.0)
        } else {
            (diff.signum() * f64::INFINITY, 0.0)
        });
    }
    let t = diff / se2.sqrt();
    let df = se2.powi(2) / (va.powi(2) / (a.len() - 1) as f64 + vb.powi(2) / (b.len() - 1) as f64);
    let dist = StudentsT::new(0.0, 1.0, df).ok()?;
    Some((t, 2.0 * (1.0 - dist.cdf(t.abs()))))
}

/// Hedges' g of `a` against `b`: the difference of the means over the pooled
/// standard deviation, times the small-sample correction 1 − 3 / (4(n₁ + n₂) − 9)
/// (Cohen's d is biased upwards at a few seeds a side). None when either sample
/// has fewer than two values, or when neither varies and the means differ
/// (no spread to measure the difference in); 0 when neither varies and the
/// means agree.
pub fn hedges_g(a: &[f64], b: &[f64]) -> Option<f64> {
    let (na, nb) = (a.len() as f64, b.len() as f64);
    if a.len() < 2 || b.len() < 2 {
        return None;
    }
    let pooled = (((na - 1.0) * std(a).powi(2) + (nb - 1.0) * std(b).powi(2)) / (na + nb - 2.0)).sqrt();
    let diff = mean(a) - mean(b);
    if pooled == 0.0 {
        return (diff == 0.0).then_some(0.0);
    }
    Some(diff / pooled * (1.0 - 3.0 / (4.0 * (na + nb) - 9.0)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn welch_matches_a_known_value() {
        // Computed independently (Python statistics + mpmath's regularised
        // incomplete beta): t = -2.074015, df = 10.2092, p = 0.064280.
        let a = [19.8, 20.4, 19.6, 17.8, 18.5, 18.9, 18.3, 18.9, 19.5, 22.0];
        let b = [28.2, 26.6, 20.1, 23.3, 25.2, 22.1, 17.7, 27.6, 20.6, 13.7];
        let (t, p) = welch(&a, &b).unwrap();
        assert!((t + 2.074_015).abs() < 1e-5, "t = {t}");
        assert!((p - 0.064_280).abs() < 1e-5, "p = {p}");
        // numpy, pooled variance with ddof = 1: d = -0.927528, g = -0.888336.
        let g = hedges_g(&a, &b).unwrap();
        assert!((g + 0.888_336).abs() < 1e-5, "g = {g}");
        assert!((hedges_g(&b, &a).unwrap() - 0.888_336).abs() < 1e-5);
    }

    #[test]
    fn degenerate_samples() {
        assert_eq!(welch(&[1.0], &[2.0, 3.0]), None);
        assert_eq!(welch(&[1.0, 1.0], &[1.0, 1.0]), Some((0.0, 1.0)));
        assert_eq!(welch(&[2.0, 2.0], &[1.0, 1.0]).unwrap().1, 0.0);
        assert_eq!(std(&[3.0]), 0.0);
        assert_eq!(hedges_g(&[1.0], &[2.0, 3.0]), None);
        assert_eq!(hedges_g(&[1.0, 1.0], &[1.0, 1.0]), Some(0.0));
        assert_eq!(hedges_g(&[2.0, 2.0], &[1.0, 1.0]), None);
        assert!((std(&[1.0, 3.0]) - 2f64.sqrt()).abs() < 1e-12);
    }
}
