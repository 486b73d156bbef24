//! The Parkour terrain's CPPN: a fixed-weight network that maps a position
//! along the track and a 3-D input vector to the ground and ceiling heights.
//!
//! Layers as in TeachMyAgent: `[x, v1, v2, v3]` → 64 tanh → 64 softplus →
//! 64 tanh → 64 softplus → outputs, no biases, every weight drawn from a
//! normal of std 2 truncated at two std. trellis draws its own weights from
//! [`BUILTIN_SEED`]; the original's weights load from a JSON file in the
//! layout of `shared/reference/cppn/` (`h1`..`h4`, `output`, each a
//! row-major `[in][out]` matrix) so its terrains can be reproduced.

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::rng::{seeded, standard_normal};

/// Seed of trellis's own CPPN weights.
pub const BUILTIN_SEED: u64 = 0x7E11_15C9;
const HIDDEN: usize = 64;
const WEIGHT_STD: f64 = 2.0;

#[derive(Clone, Debug, PartialEq, thiserror::Error)]
/// Why CPPN weights could not be used.
pub enum CppnError {
    #[error("cannot read CPPN weights {path}: {msg}")]
    /// The file could not be read or parsed.
    Read {
        /// The weights file.
        path: String,
        /// What went wrong.
        msg: String,
    },
    #[error("CPPN weights {path}: layer `{layer}` is {got}, expected {want}")]
    /// A layer has the wrong shape.
    Shape {
        /// The weights file.
        path: String,
        /// The layer's name.
        layer: String,
        /// Its shape in the file.
        got: String,
        /// The shape the generator needs.
        want: String,
    },
}

/// Weights as stored on disk.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
struct WeightsFile {
    h1: Vec<Vec<f32>>,
    h2: Vec<Vec<f32>>,
    h3: Vec<Vec<f32>>,
    h4: Vec<Vec<f32>>,
    output: Vec<Vec<f32>>,
}

/// A dense layer without bias: `rows` inputs × `cols` outputs, row-major.
#[derive(Clone, Debug, PartialEq)]
struct Layer {
    rows: usize,
    cols: usize,
    w: Vec<f32>,
}

impl Layer {
    fn forward(&self, x: &[f32], out: &mut Vec<f32>) {
        out.clear();
        out.resize(self.cols, 0.0);
        for (xi, row) in x.iter().zip(self.w.chunks_exact(self.cols)) {
            for (o, w) in out.iter_mut().zip(row) {
                *o += xi * w;
            }
        }
    }
}

#[derive(Clone, Debug, PartialEq)]
/// The CPPN that draws Parkour's ground and ceiling: fixed weights, evaluated
/// at every x of the track for the task's 3-D input vector.
pub struct Cppn {
    layers: Vec<Layer>,
}

fn softplus(x: f32) -> f32 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

impl Cppn {
    /// trellis's own weights for `input_dim` inputs and `outputs` heights.
    pub fn builtin(input_dim: usize, outputs: usize) -> Self {
        let mut rng = seeded(BUILTIN_SEED, outputs as u64);
        let mut layer = |rows: usize, cols: usize| Layer {
            rows,
            cols,
            w: (0..rows * cols)
                .map(|_| {
                    loop {
                        let z = standard_normal(&mut rng);
                        if z.abs() <= 2.0 {
                            break (WEIGHT_STD * z) as f32;
                        }
                    }
                })
                .collect(),
        };
        let layers = vec![
            layer(input_dim + 1, HIDDEN),
            layer(HIDDEN, HIDDEN),
            layer(HIDDEN, HIDDEN),
            layer(HIDDEN, HIDDEN),
            layer(HIDDEN, outputs),
        ];
        Self { layers }
    }

    /// Weights from a JSON file in the reference layout.
    pub fn load(path: &Path) -> Result<Self, CppnError> {
        let p = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| CppnError::Read {
            path: p.clone(),
            msg: e.to_string(),
        })?;
        let f: WeightsFile = serde_json::from_str(&text).map_err(|e| CppnError::Read {
            path: p.clone(),
            msg: e.to_string(),
        })?;
        let mut layers = Vec::new();
        let mut rows_expected = None;
        for (name, m) in [
            ("h1", &f.h1),
            ("h2", &f.h2),
            ("h3", &f.h3),
            ("h4", &f.h4),
            ("output", &f.output),
        ] {
            let rows = m.len();
            let cols = m.first().map_or(0, Vec::len);
            let want_rows = rows_expected.unwrap_or(rows);
            if rows == 0
                || cols == 0
                || rows != want_rows
                || m.iter().any(|r| r.len() != cols)
                || m.iter().flatten().any(|v| !v.is_finite())
            {
                return Err(CppnError::Shape {
                    path: p,
                    layer: name.into(),
                    got: format!("{rows} rows of {cols}"),
                    want: format!("{want_rows} equal rows of finite numbers"),
                });
            }
            rows_expected = Some(cols);
            layers.push(Layer {
                rows,
                cols,
                w: m.iter().flatten().copied().collect(),
            });
        }
        Ok(Self { layers })
    }

    /// Size of the input vector (without x).
    pub fn input_dim(&self) -> usize {
        self.layers[0].rows - 1
    }

    /// Values produced per x (ground, ceiling).
    pub fn outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.cols)
    }

    /// Outputs at `n` positions x = i / (n - 1) for the input vector `v`,
    /// one row of [`Self::outputs`] values per position.
    pub fn generate(&self, v: &[f64], n: usize) -> Vec<Vec<f32>> {
        let (mut a, mut b) = (Vec::with_capacity(HIDDEN), Vec::with_capacity(HIDDEN));
        (0..n)
            .map(|i| {
                a.clear();
                a.push(if n > 1 {
                    i as f32 / (n - 1) as f32
                } else {
                    0.0
                });
                a.extend(v.iter().map(|&x| x as f32));
                a.resize(self.layers[0].rows, 0.0);
                for (k, layer) in self.layers.iter().enumerate() {
                    layer.forward(&a, &mut b);
                    let last = k + 1 == self.layers.len();
                    if !last {
                        let f = if k % 2 == 0 { f32::tanh } else { softplus };
                        b.iter_mut().for_each(|x| *x = f(*x));
                    }
                    std::mem::swap(&mut a, &mut b);
                }
                a.clone()
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_weights_are_fixed_and_shaped() {
        let (a, b) = (Cppn::builtin(3, 2), Cppn::builtin(3, 2));
        assert_eq!(a, b);
        assert_eq!((a.input_dim(), a.outputs()), (3, 2));
        let w: Vec<f32> = a.layers.iter().flat_map(|l| l.w.iter().copied()).collect();
        let std = (w.iter().map(|x| x * x).sum::<f32>() / w.len() as f32).sqrt();
        // A normal(0, 2) truncated at ±2σ has std ≈ 1.76, as the reference weights do.
        assert!((std - 1.76).abs() < 0.05, "{std}");
        assert!(w.iter().all(|x| x.abs() <= 4.0));
    }

    #[test]
    fn softplus_is_stable() {
        assert_eq!(softplus(100.0), 100.0);
        assert!(softplus(-100.0) >= 0.0 && softplus(-100.0) < 1e-30);
        assert!((softplus(0.0) - std::f32::consts::LN_2).abs() < 1e-6);
    }
}
