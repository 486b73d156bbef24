//! What a student can tell a teacher about an episode besides its return:
//! how much it still has to learn there. Replay-based curricula (PLR, robust
//! PLR, ACCEL) rank tasks by these scores.

use serde::{Deserialize, Serialize};

/// Learning-potential scores of one finished episode, from the student's own
/// value estimates along it (Jiang et al., 2021, "Prioritized Level Replay").
/// Both come from the same pass over the episode's generalised advantage
/// estimates (GAE), so a student computes them together.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Scores {
    /// Mean over the episode's steps of max(GAE, 0): where the student did
    /// better than it expected (PLR's "positive value loss").
    pub positive_value_loss: f64,
    /// Mean |GAE|: how wrong the value estimates were either way (PLR's
    /// "value L1").
    pub value_l1: f64,
}

/// Which score a teacher ranks tasks by.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ScoreKind {
    /// [`Scores::positive_value_loss`] (the default of PLR and ACCEL on the bipedal walker).
    #[default]
    PositiveValueLoss,
    /// [`Scores::value_l1`].
    ValueL1,
}

impl Scores {
    /// The scores of an episode with per-step value estimates `values`,
    /// rewards `rewards`, and the value to bootstrap from after the last step
    /// (0 when the episode terminated): GAE(γ, λ) backwards over the episode,
    /// then the two means.
    pub fn from_episode(values: &[f32], rewards: &[f32], bootstrap: f32, gamma: f32, lambda: f32) -> Self {
        let n = values.len().min(rewards.len());
        if n == 0 {
            return Self::default();
        }
        let (mut gae, mut next, mut pos, mut abs) = (0.0f64, bootstrap as f64, 0.0, 0.0);
        for k in (0..n).rev() {
            let delta = rewards[k] as f64 + gamma as f64 * next - values[k] as f64;
            gae = delta + (gamma * lambda) as f64 * gae;
            next = values[k] as f64;
            pos += gae.max(0.0);
            abs += gae.abs();
        }
        Self {
            positive_value_loss: pos / n as f64,
            value_l1: abs / n as f64,
        }
    }

    /// The score of this kind.
    pub fn get(&self, kind: ScoreKind) -> f64 {
        match kind {
            ScoreKind::PositiveValueLoss => self.positive_value_loss,
            ScoreKind::ValueL1 => self.value_l1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_surprise_scores_and_a_perfect_critic_does_not() {
        // A critic that predicts the discounted return exactly: every TD error is 0.
        let rewards = [1.0f32, 1.0, 1.0];
        let g = 0.5f32;
        let values = [1.0 + g + g * g, 1.0 + g, 1.0];
        let s = Scores::from_episode(&values, &rewards, 0.0, g, 0.9);
        assert!(s.positive_value_loss < 1e-6 && s.value_l1 < 1e-6, "{s:?}");
        // A pessimistic critic (all zeros): positive advantages everywhere.
        let s = Scores::from_episode(&[0.0; 3], &rewards, 0.0, g, 0.9);
        assert!(s.positive_value_loss > 0.5 && (s.value_l1 - s.positive_value_loss).abs() < 1e-9);
        // An optimistic one: only the L1 score sees it.
        let s = Scores::from_episode(&[5.0; 3], &rewards, 0.0, g, 0.9);
        assert_eq!(s.positive_value_loss, 0.0);
        assert!(s.value_l1 > 1.0);
        assert_eq!(s.get(ScoreKind::ValueL1), s.value_l1);
    }
}
