//! The policy POET evolves: a small MLP with tanh on every layer (the
//! paper's 40-40 network; actions in [-1, 1] without clipping), its
//! weights one flat vector so an evolution strategy can perturb and move
//! them as a point in parameter space.
//!
//! Plain `f32` loops, not burn: the network is ~3k parameters and is run
//! one observation at a time inside an episode, where a tensor library's
//! per-call overhead would cost more than the arithmetic.

use rand_chacha::ChaCha8Rng;
use trellis_core::rng::standard_normal;

/// The shape of a tanh MLP: layer widths from input to output.
#[derive(Clone, Debug, PartialEq)]
pub struct TanhMlp {
    sizes: Vec<usize>,
}

impl TanhMlp {
    /// `obs` inputs, the `hidden` widths, `act` outputs.
    pub fn new(obs: usize, hidden: &[usize], act: usize) -> Self {
        let mut sizes = vec![obs];
        sizes.extend_from_slice(hidden);
        sizes.push(act);
        Self { sizes }
    }

    /// How many parameters a flat vector for this shape holds: each layer's
    /// weights (input-major) then its biases.
    pub fn params(&self) -> usize {
        self.sizes.windows(2).map(|w| w[0] * w[1] + w[1]).sum()
    }

    /// Initial parameters as POET draws them: every entry N(0, `std`).
    pub fn random(&self, std: f64, rng: &mut ChaCha8Rng) -> Vec<f32> {
        (0..self.params())
            .map(|_| (std * standard_normal(rng)) as f32)
            .collect()
    }

    /// The action for one observation under parameters `theta`; `scratch`
    /// is reused between calls so an episode allocates nothing per step.
    pub fn act(&self, theta: &[f32], obs: &[f32], scratch: &mut Scratch) -> Vec<f32> {
        debug_assert_eq!(theta.len(), self.params());
        scratch.a.clear();
        scratch.a.extend_from_slice(obs);
        let mut at = 0;
        for w in self.sizes.windows(2) {
            let (n_in, n_out) = (w[0], w[1]);
            let (weights, rest) = theta[at..].split_at(n_in * n_out);
            let bias = &rest[..n_out];
            at += n_in * n_out + n_out;
            scratch.b.clear();
            scratch.b.extend_from_slice(bias);
            for (x, row) in scratch.a.iter().zip(weights.chunks_exact(n_out)) {
                for (o, wij) in scratch.b.iter_mut().zip(row) {
                    *o += x * wij;
                }
            }
            scratch.b.iter_mut().for_each(|o| *o = o.tanh());
            std::mem::swap(&mut scratch.a, &mut scratch.b);
        }
        scratch.a.clone()
    }
}

/// Working memory for [`TanhMlp::act`].
#[derive(Clone, Debug, Default)]
pub struct Scratch {
    a: Vec<f32>,
    b: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use trellis_core::rng::seeded;

    #[test]
    fn counts_and_computes_a_known_network() {
        // 2 → 1 → 1: w1 = [0.5, -1], b1 = 0.25, w2 = 2, b2 = 0.
        let net = TanhMlp::new(2, &[1], 1);
        assert_eq!(net.params(), 2 + 1 + 1 + 1);
        let theta = [0.5, -1.0, 0.25, 2.0, 0.0];
        let h = (0.5f32 * 1.0 - 1.0 * 2.0 + 0.25).tanh();
        let a = net.act(&theta, &[1.0, 2.0], &mut Scratch::default());
        assert!((a[0] - (2.0 * h).tanh()).abs() < 1e-6, "{a:?}");
    }

    #[test]
    fn poets_network_has_its_size_and_bounded_actions() {
        let net = TanhMlp::new(24, &[40, 40], 4);
        assert_eq!(net.params(), 24 * 40 + 40 + 40 * 40 + 40 + 40 * 4 + 4);
        let theta = net.random(3.0, &mut seeded(1, 0));
        let a = net.act(&theta, &[10.0; 24], &mut Scratch::default());
        assert!(a.iter().all(|x| x.abs() <= 1.0));
    }
}
