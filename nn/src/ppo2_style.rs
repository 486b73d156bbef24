//! The pieces OpenAI Baselines' networks are built from, for learners that
//! should match it (PPO as TeachMyAgent benchmarks it): tanh between layers,
//! orthogonal initial weights with per-layer gains, and gradient clipping by
//! the *global* norm of every gradient together.
//!
//! Why they exist: to measure, rather than assume, what trellis's own choices
//! (ReLU, PyTorch's uniform initialisation, burn's gradient clipping, which
//! works tensor by tensor and so lets the whole step grow up to √(tensors)
//! times the bound) change against Baselines'. The learning-parity runs found
//! no difference on flat Stump Tracks (docs/learning.md), so trellis's PPO
//! keeps its own by default and offers these as options.

use burn::module::{Module, ModuleVisitor, Param};
use burn::optim::GradientsParams;
use burn::tensor::Tensor;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

/// The nonlinearity between an MLP's hidden layers.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Activation {
    /// max(0, x): trellis's SAC (as Spinning Up's).
    #[default]
    Relu,
    /// tanh: Baselines' `mlp`/`custom_mlp` (TeachMyAgent's PPO).
    Tanh,
}

impl Activation {
    /// Applies it elementwise.
    pub fn apply(self, x: Tensor<2>) -> Tensor<2> {
        match self {
            Activation::Relu => burn::tensor::activation::relu(x),
            Activation::Tanh => x.tanh(),
        }
    }
}

/// How an MLP's weights start.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Init {
    /// Weights and biases uniform in ±1/√fan_in (PyTorch's linear default).
    #[default]
    Uniform,
    /// Orthogonal weights scaled by a gain (√2 for hidden layers, the head's
    /// own for the output: Baselines' `ortho_init`), zero biases.
    Orthogonal,
}

/// A `rows × cols` matrix whose columns (rows ≥ cols) or rows (rows < cols)
/// are orthonormal, scaled by `gain`: Gram–Schmidt on a standard normal
/// matrix, which draws it uniformly (Haar) as Baselines' SVD does.
pub fn orthogonal(rows: usize, cols: usize, gain: f32, rng: &mut ChaCha8Rng) -> Vec<f32> {
    let (n, k) = if rows >= cols { (rows, cols) } else { (cols, rows) };
    // k vectors of length n, made orthonormal in turn.
    let mut v: Vec<Vec<f64>> = (0..k)
        .map(|_| (0..n).map(|_| trellis_core::rng::standard_normal(rng)).collect())
        .collect();
    for i in 0..k {
        for j in 0..i {
            let dot: f64 = v[i].iter().zip(&v[j]).map(|(a, b)| a * b).sum();
            let vj = v[j].clone();
            v[i].iter_mut().zip(&vj).for_each(|(a, b)| *a -= dot * b);
        }
        let norm = v[i].iter().map(|a| a * a).sum::<f64>().sqrt().max(1e-12);
        v[i].iter_mut().for_each(|a| *a /= norm);
    }
    let mut out = vec![0.0f32; rows * cols];
    for r in 0..rows {
        for c in 0..cols {
            let x = if rows >= cols { v[c][r] } else { v[r][c] };
            out[r * cols + c] = gain * x as f32;
        }
    }
    out
}

/// A `[fan_in, fan_out]` weight of orthogonal columns, column `c` scaled by
/// `gains[c]` (so one output layer can hold heads of different gains, as a
/// policy mean at 0.01 beside a value at 1).
pub fn orthogonal_weight(fan_in: usize, gains: &[f32], rng: &mut ChaCha8Rng) -> Vec<f32> {
    let fan_out = gains.len();
    let mut w = orthogonal(fan_in, fan_out, 1.0, rng);
    for r in 0..fan_in {
        for (c, g) in gains.iter().enumerate() {
            w[r * fan_out + c] *= g;
        }
    }
    w
}

struct SquaredNorm<'a> {
    grads: &'a GradientsParams,
    total: f64,
}

impl ModuleVisitor for SquaredNorm<'_> {
    fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.get::<D>(p.id) {
            let v: Vec<f32> = g.into_data().try_into_vec().expect("float gradient");
            self.total += v.iter().map(|&x| (x as f64) * (x as f64)).sum::<f64>();
        }
    }
}

struct Scale<'a> {
    grads: &'a mut GradientsParams,
    by: f32,
}

impl ModuleVisitor for Scale<'_> {
    fn visit_float<const D: usize>(&mut self, p: &Param<Tensor<D>>) {
        if let Some(g) = self.grads.remove::<D>(p.id) {
            self.grads.register::<D>(p.id, g * self.by);
        }
    }
}

/// Scales every gradient of `module` by min(1, max_norm / global norm), the
/// global norm being that of all gradients together (TensorFlow's
/// `clip_by_global_norm`, PyTorch's `clip_grad_norm_`). Returns the norm
/// before clipping.
pub fn clip_global_norm<M: Module>(grads: &mut GradientsParams, module: &M, max_norm: f32) -> f32 {
    let mut sq = SquaredNorm { grads, total: 0.0 };
    module.visit(&mut sq);
    let norm = sq.total.sqrt() as f32;
    if norm > max_norm {
        module.visit(&mut Scale { grads, by: max_norm / (norm + 1e-6) });
    }
    norm
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Mlp, device, matrix};
    use burn::optim::GradientsParams;

    fn gram(w: &[f32], rows: usize, cols: usize, by_columns: bool) -> Vec<Vec<f64>> {
        let n = if by_columns { cols } else { rows };
        let at = |i: usize, k: usize| if by_columns { w[k * cols + i] } else { w[i * cols + k] } as f64;
        let len = if by_columns { rows } else { cols };
        (0..n).map(|i| (0..n).map(|j| (0..len).map(|k| at(i, k) * at(j, k)).sum()).collect()).collect()
    }

    #[test]
    fn orthogonal_weights_have_orthonormal_columns_or_rows_times_the_gain() {
        let mut rng = trellis_core::rng::seeded(1, 0);
        for (rows, cols, by_columns) in [(40, 7, true), (6, 30, false), (9, 9, true)] {
            let w = orthogonal(rows, cols, 2.0, &mut rng);
            let g = gram(&w, rows, cols, by_columns);
            for (i, row) in g.iter().enumerate() {
                for (j, &x) in row.iter().enumerate() {
                    let want = if i == j { 4.0 } else { 0.0 };
                    assert!((x - want).abs() < 1e-4, "{rows}x{cols}: gram[{i}][{j}] = {x}");
                }
            }
        }
    }

    #[test]
    fn per_column_gains_scale_the_heads() {
        let mut rng = trellis_core::rng::seeded(2, 0);
        let w = orthogonal_weight(50, &[0.01, 0.01, 1.0], &mut rng);
        let norm = |c: usize| (0..50).map(|r| (w[r * 3 + c] as f64).powi(2)).sum::<f64>().sqrt();
        assert!((norm(0) - 0.01).abs() < 1e-6 && (norm(1) - 0.01).abs() < 1e-6);
        assert!((norm(2) - 1.0).abs() < 1e-5);
    }

    /// The global norm of all gradients, after clipping, is the bound (and
    /// each tensor alone was below it: per-tensor clipping would have left
    /// the step √tensors times larger).
    #[test]
    fn global_clipping_bounds_the_norm_of_all_gradients_together() {
        let dev = device();
        let mut rng = trellis_core::rng::seeded(3, 0);
        let net = Mlp::with_init(&[4, 16, 16, 2], Init::Orthogonal, &[1.0, 1.0], &dev, &mut rng);
        let x = matrix((0..32).map(|i| (i as f32 * 0.37).sin() * 5.0).collect(), 8, 4, &dev);
        let loss = net.forward_with(x, Activation::Tanh).square().sum();
        let mut grads = GradientsParams::from_grads(loss.backward(), &net);
        let before = clip_global_norm(&mut grads, &net, f32::INFINITY);
        assert!(before > 1.0, "the test needs a large gradient: {before}");
        let bound = before / 10.0;
        clip_global_norm(&mut grads, &net, bound);
        let after = clip_global_norm(&mut grads, &net, f32::INFINITY);
        assert!((after - bound).abs() < 1e-3 * bound, "{after} vs {bound}");
    }

    #[test]
    fn tanh_networks_differ_from_relu_ones() {
        let dev = device();
        let mut rng = trellis_core::rng::seeded(4, 0);
        let net = Mlp::with_init(&[3, 8, 1], Init::Orthogonal, &[1.0], &dev, &mut rng);
        let x = || matrix(vec![1.0, -2.0, 0.5], 1, 3, &dev);
        let (a, b) = (crate::values(net.forward_with(x(), Activation::Tanh)), crate::values(net.forward(x())));
        assert_ne!(a, b);
    }
}
