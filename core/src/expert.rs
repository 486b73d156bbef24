//! Expert knowledge: how much a run tells its teacher about where the easy
//! tasks are, at TeachMyAgent's three levels.

use serde::{Deserialize, Deserializer, Serialize};

/// The levels of expert knowledge. `low` and `high` give the teachers that
/// use it an easy initial distribution (a Gaussian on the world's easiest
/// task, σ = 10% of each range); some teachers use it only at `high`
/// (ALP-GMM, Covar-GMM), and some cannot run at `no` (ADR, GoalGAN,
/// Setter-Solver). Each teacher's descriptor says which.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Expert {
    /// Nothing is known about the space.
    No,
    /// The easy initial distribution, for teachers that use it from `low`.
    Low,
    /// The easy initial distribution, for every teacher that uses it.
    #[default]
    High,
}

impl Expert {
    /// All levels, in order.
    pub const ALL: [Expert; 3] = [Expert::No, Expert::Low, Expert::High];

    /// The level's name in configs.
    pub fn name(self) -> &'static str {
        match self {
            Expert::No => "no",
            Expert::Low => "low",
            Expert::High => "high",
        }
    }
}

impl<'de> Deserialize<'de> for Expert {
    /// `"no"`, `"low"`, `"high"`; run dirs from before the levels hold a
    /// bool (`true` gave every teacher the initial distribution: `high`).
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        #[derive(Deserialize)]
        #[serde(untagged)]
        enum Repr {
            Bool(bool),
            Name(String),
        }
        match Repr::deserialize(d)? {
            Repr::Bool(true) => Ok(Expert::High),
            Repr::Bool(false) => Ok(Expert::No),
            Repr::Name(n) => Expert::ALL
                .into_iter()
                .find(|e| e.name() == n)
                .ok_or_else(|| {
                    serde::de::Error::custom(format!(
                        "`expert` = \"{n}\" is not a level; the levels are no, low, high"
                    ))
                }),
        }
    }
}
