//! How a student picks its actions: to learn, or to be evaluated, and then
//! how. Evaluation protocols differ between learner families in the
//! reference: TeachMyAgent tests SAC with the policy's mean action
//! (`sac_v02`'s `get_action(o, True)`) but PPO with actions *sampled* from
//! the policy (`ppo2`'s `test_agent` calls `model.step`, which draws from the
//! action distribution). A PPO policy's mean can walk worse than its samples
//! (it is trained only through samples, and the noise is part of the gait),
//! so a comparison with the published PPO numbers needs the sampled protocol.

use rand_chacha::ChaCha8Rng;

/// What [`Student::act`](crate::Student::act) is asked for.
#[derive(Debug)]
pub enum Acting<'r> {
    /// Training: sample from the policy (or explore as the learner does),
    /// keep what [`observe`](crate::Student::observe) will need, and learn
    /// first if the schedule says so.
    Explore,
    /// Evaluation with the policy's most likely action; nothing kept.
    Mean,
    /// Evaluation with actions sampled from the policy using the caller's
    /// generator (so an evaluation replays exactly and leaves the training
    /// stream untouched); nothing kept, nothing learnt. Learners without an
    /// action distribution (ES) act as with [`Acting::Mean`].
    Sample(&'r mut ChaCha8Rng),
}

impl Acting<'_> {
    /// An evaluation (no bookkeeping, no learning).
    pub fn evaluates(&self) -> bool {
        !matches!(self, Acting::Explore)
    }
}

/// The evaluation protocol of a run: which [`Acting`] its test episodes use.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EvalPolicy {
    /// The policy's mean action (TeachMyAgent's SAC protocol; trellis's default).
    #[default]
    Mean,
    /// Actions sampled from the policy (TeachMyAgent's PPO protocol).
    Sample,
}

impl EvalPolicy {
    /// Its name in configs and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            EvalPolicy::Mean => "mean",
            EvalPolicy::Sample => "sample",
        }
    }

    /// What it plays, in words (for reports and captions).
    pub fn describe(self) -> &'static str {
        match self {
            EvalPolicy::Mean => "the policy's mean action",
            EvalPolicy::Sample => "actions sampled from the policy",
        }
    }

    /// Every policy, in the order messages list them.
    pub const ALL: [EvalPolicy; 2] = [EvalPolicy::Mean, EvalPolicy::Sample];

    /// The [`Acting`] of one evaluation, drawing from `rng` when sampling.
    pub fn acting(self, rng: &mut ChaCha8Rng) -> Acting<'_> {
        match self {
            EvalPolicy::Mean => Acting::Mean,
            EvalPolicy::Sample => Acting::Sample(rng),
        }
    }
}

impl std::str::FromStr for EvalPolicy {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| format!("eval policy `{s}`: expected `mean` or `sample`"))
    }
}
