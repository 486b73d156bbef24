//! Multivariate normal distributions (full covariance), on nalgebra.

use nalgebra::{DMatrix, DVector};
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trellis_core::rng::standard_normal;

/// Smallest variance added to a covariance before factorising it, so a
/// degenerate (collapsed) distribution is still usable.
pub const JITTER: f64 = 1e-9;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
/// A multivariate normal distribution (full covariance).
pub struct Gaussian {
    /// The mean.
    pub mean: Vec<f64>,
    /// Row-major `d × d` covariance.
    pub cov: Vec<f64>,
}

impl Gaussian {
    /// A Gaussian from its mean and row-major covariance (panics unless `cov` is d×d).
    pub fn new(mean: Vec<f64>, cov: Vec<f64>) -> Self {
        assert_eq!(cov.len(), mean.len() * mean.len(), "covariance must be d×d");
        Self { mean, cov }
    }

    /// Independent dimensions with the given standard deviations.
    pub fn diagonal(mean: Vec<f64>, std: &[f64]) -> Self {
        let d = mean.len();
        let mut cov = vec![0.0; d * d];
        for (i, s) in std.iter().enumerate() {
            cov[i * d + i] = s * s;
        }
        Self { mean, cov }
    }

    /// Number of dimensions.
    pub fn dim(&self) -> usize {
        self.mean.len()
    }

    /// The covariance as a matrix.
    pub fn cov_matrix(&self) -> DMatrix<f64> {
        DMatrix::from_row_slice(self.dim(), self.dim(), &self.cov)
    }

    /// Lower Cholesky factor, adding jitter until the covariance factorises.
    pub fn cholesky(&self) -> DMatrix<f64> {
        chol(&self.cov_matrix())
    }

    /// One draw.
    pub fn sample(&self, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let l = self.cholesky();
        let z = DVector::from_iterator(self.dim(), (0..self.dim()).map(|_| standard_normal(rng)));
        let x = l * z;
        self.mean.iter().zip(x.iter()).map(|(m, v)| m + v).collect()
    }

    /// The distribution of the first `d` dimensions (dropping the rest).
    pub fn marginal(&self, d: usize) -> Gaussian {
        let n = self.dim();
        let cov = (0..d).flat_map(|i| (0..d).map(move |j| (i, j))).map(|(i, j)| self.cov[i * n + j]).collect();
        Gaussian::new(self.mean[..d].to_vec(), cov)
    }

    /// Log density at `x`.
    pub fn log_pdf(&self, x: &[f64]) -> f64 {
        let l = self.cholesky();
        log_pdf_chol(&self.mean, &l, x)
    }

    /// KL(self || other).
    pub fn kl(&self, other: &Gaussian) -> f64 {
        let d = self.dim() as f64;
        let (l0, l1) = (self.cholesky(), other.cholesky());
        let s1_inv = cholesky_inverse(&l1);
        let s0 = &l0 * l0.transpose();
        let dm = DVector::from_iterator(
            self.dim(),
            other.mean.iter().zip(&self.mean).map(|(a, b)| a - b),
        );
        let trace = (&s1_inv * s0).trace();
        let maha = (dm.transpose() * &s1_inv * &dm)[(0, 0)];
        0.5 * (trace + maha - d + log_det_chol(&l1) - log_det_chol(&l0))
    }
}

/// Lower Cholesky factor of a symmetric matrix, with growing jitter on failure.
pub fn chol(m: &DMatrix<f64>) -> DMatrix<f64> {
    let n = m.nrows();
    let sym = (m + m.transpose()) * 0.5;
    let mut jitter = JITTER;
    for _ in 0..40 {
        if let Some(c) = (sym.clone() + DMatrix::identity(n, n) * jitter).cholesky() {
            return c.l();
        }
        jitter *= 10.0;
    }
    DMatrix::identity(n, n) * jitter.sqrt()
}

/// Log determinant of `L Lᵀ` from its Cholesky factor `L`.
pub fn log_det_chol(l: &DMatrix<f64>) -> f64 {
    l.diagonal()
        .iter()
        .map(|v| v.abs().max(1e-300).ln())
        .sum::<f64>()
        * 2.0
}

/// Inverse of `L Lᵀ` from its Cholesky factor `L`.
pub fn cholesky_inverse(l: &DMatrix<f64>) -> DMatrix<f64> {
    let n = l.nrows();
    let linv = l
        .clone()
        .solve_lower_triangular(&DMatrix::identity(n, n))
        .unwrap_or_else(|| DMatrix::identity(n, n));
    linv.transpose() * linv
}

/// log N(x; mean, L Lᵀ).
pub fn log_pdf_chol(mean: &[f64], l: &DMatrix<f64>, x: &[f64]) -> f64 {
    let d = mean.len();
    let diff = DVector::from_iterator(d, x.iter().zip(mean).map(|(a, b)| a - b));
    let z = l
        .solve_lower_triangular(&diff)
        .unwrap_or_else(|| DVector::from_element(d, f64::INFINITY));
    -0.5 * (z.norm_squared() + d as f64 * (std::f64::consts::TAU).ln() + log_det_chol(l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use trellis_core::rng::seeded;

    #[test]
    fn samples_match_the_moments_and_kl_is_sane() {
        let g = Gaussian::new(vec![1.0, -2.0], vec![4.0, 1.0, 1.0, 1.0]);
        let mut rng = seeded(0, 0);
        let xs: Vec<Vec<f64>> = (0..20_000).map(|_| g.sample(&mut rng)).collect();
        let n = xs.len() as f64;
        let m0 = xs.iter().map(|x| x[0]).sum::<f64>() / n;
        let c01 = xs.iter().map(|x| (x[0] - 1.0) * (x[1] + 2.0)).sum::<f64>() / n;
        assert!(
            (m0 - 1.0).abs() < 0.05 && (c01 - 1.0).abs() < 0.1,
            "{m0} {c01}"
        );
        assert!(g.kl(&g).abs() < 1e-9);
        let h = Gaussian::diagonal(vec![0.0, 0.0], &[1.0, 1.0]);
        assert!(g.kl(&h) > 0.0 && h.kl(&g) > 0.0);
        // 1-D check against the closed form: KL(N(0,1) || N(1,4)) = ln 2 + (1 + 1)/8 - 1/2.
        let (a, b) = (
            Gaussian::diagonal(vec![0.0], &[1.0]),
            Gaussian::diagonal(vec![1.0], &[2.0]),
        );
        let kl = a.kl(&b);
        assert!((kl - (2f64.ln() + 0.25 - 0.5)).abs() < 1e-6, "{kl}");
        assert!((a.log_pdf(&[0.0]) + 0.5 * std::f64::consts::TAU.ln()).abs() < 1e-9);
    }
}
