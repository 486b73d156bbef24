//! Small neural-network helpers shared by the students (SAC, PPO) and the
//! teachers that learn generators (GoalGAN, Setter-Solver), on burn's CPU
//! backend with autodiff.
//!
//! Weights are initialised from the teacher's own ChaCha8 stream, never from
//! a backend-global RNG: two teachers built with the same seed get the same
//! networks even when tests build many teachers on parallel threads.

#![deny(missing_docs)]

use burn::module::{Module, Param};
use burn::nn::{Linear, LinearConfig};
use burn::optim::ModuleOptimizer;
use burn::store::ModuleRecord;
use burn::tensor::{Bytes, Device, Tensor, TensorData};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;

/// The named-section container checkpoints are written in.
pub mod blob;
/// Baselines-style network pieces: activation choice, orthogonal init, global-norm clipping.
pub mod ppo2_style;
/// Where the network maths runs: on the math pool's own threads.
pub mod pool;

pub use ppo2_style::{Activation, Init, clip_global_norm};

/// A network or optimiser state that could not be saved or restored.
#[derive(Debug, thiserror::Error)]
#[error("network state: {0}")]
pub struct NnError(pub String);

/// A CPU backend of burn, as chosen by `TRELLIS_BACKEND`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Backend {
    /// burn's pure-Rust `flex` backend (gemm kernels): the default, the
    /// fastest measured for SAC and PPO (`trellis bench students`).
    Flex,
    /// burn's `ndarray` backend (cargo feature `ndarray`).
    NdArray,
}

impl Backend {
    /// Its name, as `TRELLIS_BACKEND` spells it.
    pub fn name(self) -> &'static str {
        match self {
            Backend::Flex => "flex",
            Backend::NdArray => "ndarray",
        }
    }

    /// Backends this build compiled.
    pub fn available() -> Vec<Backend> {
        let mut v = Vec::new();
        if cfg!(feature = "flex") {
            v.push(Backend::Flex);
        }
        if cfg!(feature = "ndarray") {
            v.push(Backend::NdArray);
        }
        v
    }

    /// The backend `TRELLIS_BACKEND` names (unset: flex, or the only one
    /// compiled); an unknown or uncompiled name is an error naming the choices.
    pub fn from_env() -> Result<Backend, NnError> {
        let available = Backend::available();
        let names: Vec<&str> = available.iter().map(|b| b.name()).collect();
        match std::env::var("TRELLIS_BACKEND") {
            Err(_) => available
                .first()
                .copied()
                .ok_or_else(|| NnError("no CPU backend compiled: enable trellis-nn's `flex` or `ndarray` feature".into())),
            Ok(v) => available.iter().copied().find(|b| b.name() == v).ok_or_else(|| {
                NnError(format!(
                    "TRELLIS_BACKEND = {v:?}: this build has {} (ndarray needs cargo feature `trellis-nn/ndarray`)",
                    names.join(", ")
                ))
            }),
        }
    }

    /// Its device, with autodiff.
    #[allow(deprecated, unreachable_patterns)]
    pub fn device(self) -> Device {
        match self {
            #[cfg(feature = "flex")]
            Backend::Flex => Device::flex().autodiff(),
            #[cfg(feature = "ndarray")]
            Backend::NdArray => Device::ndarray().autodiff(),
            _ => panic!("the {} backend is not compiled into this build", self.name()),
        }
    }
}

/// The device every network lives on: the backend `TRELLIS_BACKEND` picks
/// ([`Backend::from_env`]; the CLI checks it before a run starts).
pub fn device() -> Device {
    match Backend::from_env() {
        Ok(b) => b.device(),
        Err(e) => panic!("{e}"),
    }
}

/// The layer sizes of an MLP: `input`, the `hidden` widths, `output`.
pub fn layer_sizes(input: usize, hidden: &[usize], output: usize) -> Vec<usize> {
    [&[input][..], hidden, &[output]].concat()
}

/// FLOPs of one forward pass of an MLP with these layer `sizes` on `rows`
/// inputs: 2·rows·in·out per layer (a multiply and an add per weight).
pub fn mlp_flops(sizes: &[usize], rows: usize) -> f64 {
    sizes
        .windows(2)
        .map(|w| 2.0 * rows as f64 * w[0] as f64 * w[1] as f64)
        .sum()
}

/// The name of the backend [`device`] picks (for benches and logs).
pub fn backend_name() -> &'static str {
    Backend::from_env().map_or("?", Backend::name)
}

/// A ReLU multilayer perceptron with a linear output layer.
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
}

impl Mlp {
    /// `sizes` = [input, hidden..., output]; weights and biases uniform in
    /// ±1/√fan_in (PyTorch's default for linear layers).
    pub fn new(sizes: &[usize], device: &Device, rng: &mut ChaCha8Rng) -> Self {
        Self::with_init(sizes, Init::Uniform, &[], device, rng)
    }

    /// `sizes` as in [`Mlp::new`], initialised by `init`; with
    /// [`Init::Orthogonal`], hidden layers get gain √2 and output column `c`
    /// gets `out_gains[c]` (1 where `out_gains` is shorter).
    pub fn with_init(
        sizes: &[usize],
        init: Init,
        out_gains: &[f32],
        device: &Device,
        rng: &mut ChaCha8Rng,
    ) -> Self {
        if init == Init::Orthogonal {
            let last = sizes.len() - 2;
            let layers = sizes
                .windows(2)
                .enumerate()
                .map(|(i, w)| {
                    let (fan_in, fan_out) = (w[0], w[1]);
                    let gains: Vec<f32> = (0..fan_out)
                        .map(|c| if i < last { 2f32.sqrt() } else { out_gains.get(c).copied().unwrap_or(1.0) })
                        .collect();
                    let mut layer = LinearConfig::new(fan_in, fan_out).init(device);
                    let weights = ppo2_style::orthogonal_weight(fan_in, &gains, rng);
                    layer.weight = Param::from_tensor(Tensor::from_data(
                        TensorData::new(weights, [fan_in, fan_out]),
                        device,
                    ));
                    layer.bias = Some(Param::from_tensor(Tensor::zeros([fan_out], device)));
                    layer
                })
                .collect();
            return Self { layers };
        }
        let layers = sizes
            .windows(2)
            .map(|w| {
                let (fan_in, fan_out) = (w[0], w[1]);
                let bound = 1.0 / (fan_in as f32).sqrt();
                let mut layer = LinearConfig::new(fan_in, fan_out).init(device);
                let weights: Vec<f32> = (0..fan_in * fan_out)
                    .map(|_| rng.random_range(-bound..bound))
                    .collect();
                let bias: Vec<f32> = (0..fan_out)
                    .map(|_| rng.random_range(-bound..bound))
                    .collect();
                layer.weight = Param::from_tensor(Tensor::from_data(
                    TensorData::new(weights, [fan_in, fan_out]),
                    device,
                ));
                layer.bias = Some(Param::from_tensor(Tensor::from_data(
                    TensorData::new(bias, [fan_out]),
                    device,
                )));
                layer
            })
            .collect();
        Self { layers }
    }

    /// Moves every weight towards `online`'s: w ← tau·w + (1 − tau)·w_online
    /// (target networks). The result lives on the inner (non-autodiff)
    /// backend: targets are only ever evaluated, so they should not pay for
    /// graph bookkeeping.
    pub fn polyak(&mut self, online: &Mlp, tau: f32) {
        for (t, o) in self.layers.iter_mut().zip(&online.layers) {
            let w = t.weight.val().inner() * tau + o.weight.val().inner() * (1.0 - tau);
            t.weight = Param::from_tensor(w);
            if let (Some(tb), Some(ob)) = (&t.bias, &o.bias) {
                let b = tb.val().inner() * tau + ob.val().inner() * (1.0 - tau);
                t.bias = Some(Param::from_tensor(b));
            }
        }
    }

    /// Applies every layer (ReLU between hidden layers).
    pub fn forward(&self, x: Tensor<2>) -> Tensor<2> {
        self.forward_with(x, Activation::Relu)
    }

    /// Applies every layer with `act` between hidden layers.
    pub fn forward_with(&self, mut x: Tensor<2>, act: Activation) -> Tensor<2> {
        let last = self.layers.len() - 1;
        for (i, l) in self.layers.iter().enumerate() {
            x = l.forward(x);
            if i < last {
                x = act.apply(x);
            }
        }
        x
    }
}

/// A `[rows, cols]` tensor from row-major data.
pub fn matrix(data: Vec<f32>, rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    Tensor::from_data(TensorData::new(data, [rows, cols]), device)
}

/// Row-major values of a 2-D tensor.
pub fn values(t: Tensor<2>) -> Vec<f32> {
    t.into_data().try_into_vec::<f32>().expect("float tensor")
}

/// A scalar loss as f64 (for logs and dumps).
pub fn scalar(t: Tensor<1>) -> f64 {
    t.into_data()
        .try_into_vec::<f32>()
        .map_or(f64::NAN, |v| v.first().copied().unwrap_or(f32::NAN) as f64)
}

/// A module's weights as bytes (for checkpoints).
pub fn module_bytes<M: Module>(m: &M) -> Result<Vec<u8>, NnError> {
    m.clone()
        .into_record()
        .into_bytes()
        .map(|b| b.to_vec())
        .map_err(|e| NnError(e.to_string()))
}

/// `m` with the weights [`module_bytes`] wrote.
pub fn load_module<M: Module>(m: M, bytes: &[u8]) -> Result<M, NnError> {
    let record = ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| NnError(e.to_string()))?;
    m.try_load_record(record)
        .map_err(|e| NnError(e.to_string()))
}

/// An optimiser's state (moments, step counts) as bytes.
pub fn optim_bytes(o: &ModuleOptimizer) -> Result<Vec<u8>, NnError> {
    o.into_bytes()
        .map(|b| b.to_vec())
        .map_err(|e| NnError(e.to_string()))
}

/// `o` with the state [`optim_bytes`] wrote.
pub fn load_optim(o: ModuleOptimizer, bytes: &[u8]) -> Result<ModuleOptimizer, NnError> {
    o.from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(|e| NnError(e.to_string()))
}

/// Standard normal noise as a `[rows, cols]` tensor, drawn from the teacher's RNG.
pub fn gaussian_noise(
    rows: usize,
    cols: usize,
    rng: &mut ChaCha8Rng,
    device: &Device,
) -> Tensor<2> {
    let v: Vec<f32> = (0..rows * cols)
        .map(|_| trellis_core::rng::standard_normal(rng) as f32)
        .collect();
    matrix(v, rows, cols, device)
}
