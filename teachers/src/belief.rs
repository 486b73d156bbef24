//! What a teacher believes about the task space, as a shape in task
//! coordinates: the part of a teacher's state that can be drawn over the
//! space (the viewer's teacher panel) or plotted. Typed, so a reader matches
//! on the kind of shape instead of guessing from the keys of a JSON dump; the
//! teacher's other statistics (losses, counters) stay in `Teacher::dump`.
//!
//! Serialised with a `kind` tag (`{"kind": "box", "low": [..], "high": [..]}`)
//! into every line of a run's `teacher.jsonl`, beside the dump.

use serde::{Deserialize, Serialize};

/// A teacher's belief over the task space, in task coordinates.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Belief {
    /// Nothing to draw over the space (Random; generators whose belief is a
    /// network's weights).
    #[default]
    Nothing,
    /// One box of the space: the tasks currently offered (ADR).
    Box {
        /// Lower corner.
        low: Vec<f64>,
        /// Upper corner.
        high: Vec<f64>,
    },
    /// Boxes that split the space, each with its learning progress (RIAC's
    /// leaf regions).
    Regions {
        /// The boxes.
        regions: Vec<Region>,
    },
    /// A Gaussian mixture the teacher samples from (ALP-GMM, Covar-GMM).
    Mixture {
        /// The components, weights summing to one.
        components: Vec<Gaussian>,
    },
    /// One Gaussian the teacher samples from (SPDL).
    Gaussian(Gaussian),
    /// Tasks the teacher keeps, each with its score (the level buffers of
    /// PLR, robust PLR, ACCEL and SFL; GoalGAN's recent successes).
    Scored {
        /// The tasks, highest score first where the teacher ranks them.
        tasks: Vec<ScoredTask>,
    },
}

/// A box of the space with a score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Region {
    /// Lower corner.
    pub low: Vec<f64>,
    /// Upper corner.
    pub high: Vec<f64>,
    /// The teacher's score for it (RIAC: absolute learning progress).
    pub score: f64,
}

/// A Gaussian in task coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Gaussian {
    /// Mixture weight (1 for a lone Gaussian).
    pub weight: f64,
    /// Mean, one value per dimension.
    pub mean: Vec<f64>,
    /// Covariance, row-major, n × n.
    pub cov: Vec<f64>,
}

/// A task with a score.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ScoredTask {
    /// The task vector.
    pub task: Vec<f64>,
    /// The teacher's score for it (PLR: regret estimate; SFL: learnability;
    /// GoalGAN: 1 for a success).
    pub score: f64,
}

impl Belief {
    /// The belief written in a `teacher.jsonl` line (`belief` key); a line
    /// without one (run dirs from before beliefs were typed) or with a kind
    /// this build does not know reads as `Nothing`.
    pub fn from_line(line: &serde_json::Value) -> Belief {
        line.get("belief")
            .and_then(|b| serde_json::from_value(b.clone()).ok())
            .unwrap_or_default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_with_a_kind_tag_and_reads_back() {
        let g = Gaussian { weight: 1.0, mean: vec![0.5, 2.0], cov: vec![1.0, 0.0, 0.0, 4.0] };
        let cases = [
            (Belief::Nothing, r#"{"kind":"nothing"}"#),
            (Belief::Box { low: vec![0.0], high: vec![1.0] }, r#"{"kind":"box","low":[0.0],"high":[1.0]}"#),
            (
                Belief::Gaussian(g.clone()),
                r#"{"kind":"gaussian","weight":1.0,"mean":[0.5,2.0],"cov":[1.0,0.0,0.0,4.0]}"#,
            ),
        ];
        for (belief, json) in cases {
            assert_eq!(serde_json::to_string(&belief).unwrap(), json);
            assert_eq!(serde_json::from_str::<Belief>(json).unwrap(), belief);
        }
        let mix = Belief::Mixture { components: vec![g] };
        let line = serde_json::json!({ "step": 10, "belief": mix });
        assert_eq!(Belief::from_line(&line), mix);
    }

    #[test]
    fn old_or_unknown_lines_read_as_nothing() {
        let old = serde_json::json!({ "step": 10, "teacher": "adr", "dump": { "low": [0.0], "high": [1.0] } });
        assert_eq!(Belief::from_line(&old), Belief::Nothing);
        let future = serde_json::json!({ "belief": { "kind": "hypercube-swarm" } });
        assert_eq!(Belief::from_line(&future), Belief::Nothing);
    }
}
