//! Running observation and reward normalisation, as OpenAI Baselines'
//! `VecNormalize` does for the PPO student TeachMyAgent benchmarks: each
//! observation coordinate is standardised by a running mean and variance and
//! clipped to ±10; rewards are divided by the running standard deviation of
//! the discounted return (not centred, so the sign of a reward survives).

use serde::{Deserialize, Serialize};

const EPS: f64 = 1e-8;
const CLIP: f64 = 10.0;

/// Running mean and variance (Chan et al.'s parallel update).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RunningStats {
    /// Per-dimension mean.
    pub mean: Vec<f64>,
    /// Per-dimension variance.
    pub var: Vec<f64>,
    /// Samples seen (starts at a tiny epsilon, as Baselines').
    pub count: f64,
}

impl RunningStats {
    /// No samples yet: mean 0, variance 1.
    pub fn new(dim: usize) -> Self {
        Self {
            mean: vec![0.0; dim],
            var: vec![1.0; dim],
            count: EPS,
        }
    }

    /// Adds one sample.
    pub fn update(&mut self, x: &[f32]) {
        let n = self.count + 1.0;
        for ((m, v), &xi) in self.mean.iter_mut().zip(&mut self.var).zip(x) {
            let delta = xi as f64 - *m;
            *m += delta / n;
            // Combine the old (count, var) with a single sample.
            *v = (*v * self.count + delta * delta * self.count / n) / n;
        }
        self.count = n;
    }

    /// `x` standardised, clipped to ±10.
    pub fn normalise(&self, x: &[f32]) -> Vec<f32> {
        x.iter()
            .zip(self.mean.iter().zip(&self.var))
            .map(|(&xi, (m, v))| ((xi as f64 - m) / (v + EPS).sqrt()).clamp(-CLIP, CLIP) as f32)
            .collect()
    }
}

/// Scales rewards by the running std of each env instance's discounted return.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RewardScaler {
    gamma: f64,
    stats: RunningStats,
    returns: Vec<f64>,
}

impl RewardScaler {
    /// A scaler for returns discounted by `gamma`.
    pub fn new(gamma: f64) -> Self {
        Self {
            gamma,
            stats: RunningStats::new(1),
            returns: Vec::new(),
        }
    }

    /// Scales instance `env`'s reward; `episode_ended` restarts its return.
    pub fn scale(&mut self, env: usize, reward: f32, episode_ended: bool) -> f32 {
        if self.returns.len() <= env {
            self.returns.resize(env + 1, 0.0);
        }
        self.returns[env] = self.returns[env] * self.gamma + reward as f64;
        self.stats.update(&[self.returns[env] as f32]);
        if episode_ended {
            self.returns[env] = 0.0;
        }
        (reward as f64 / (self.stats.var[0] + EPS).sqrt()).clamp(-CLIP, CLIP) as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn running_stats_match_batch_moments() {
        let xs: Vec<f32> = (0..1000)
            .map(|i| (i as f32 * 0.37).sin() * 3.0 + 5.0)
            .collect();
        let mut s = RunningStats::new(1);
        xs.iter().for_each(|&x| s.update(&[x]));
        let mean = xs.iter().map(|&x| x as f64).sum::<f64>() / 1000.0;
        let var = xs.iter().map(|&x| (x as f64 - mean).powi(2)).sum::<f64>() / 1000.0;
        assert!(
            (s.mean[0] - mean).abs() < 1e-6 && (s.var[0] - var).abs() < 1e-4,
            "{s:?} vs {mean} {var}"
        );
        let z = s.normalise(&[mean as f32 + var.sqrt() as f32]);
        assert!((z[0] - 1.0).abs() < 1e-3);
        assert_eq!(s.normalise(&[1e9])[0], 10.0, "clipped");
    }
}
