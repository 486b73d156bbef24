//! Who moves a walker's body outside training, for the viewer and
//! `trellis record` alike: a run's policy (played as its evaluations play
//! it: the mean action, or actions sampled from the policy for PPO, see
//! [`EvalPolicy`]), the scripted walking gait, uniform random actions, or
//! nothing.

use trellis_agents::{EvalPolicy, Student};
use trellis_envs::bodies::BodyKind;
use trellis_envs::gait::Walk;
use trellis_envs::rng::{ChaCha8Rng, seeded, uniform};
use trellis_envs::{ContinuousEnv, WalkerEnv};

/// Which driver acts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Drive {
    /// The run's policy, by its evaluation protocol ([`Drivers::playing`]).
    Policy,
    /// The closed-loop walking controller (bipeds on the tracks).
    Gait,
    /// Uniform actions in [-1, 1].
    Random,
    /// Zero torque (a body falling as it stands).
    Still,
}

impl Drive {
    /// Every driver, in the order the viewer cycles through them.
    pub const ALL: [Drive; 4] = [Drive::Policy, Drive::Gait, Drive::Random, Drive::Still];

    /// Its name on the command line and in the viewer.
    pub fn name(self) -> &'static str {
        match self {
            Drive::Policy => "policy",
            Drive::Gait => "gait",
            Drive::Random => "random",
            Drive::Still => "still",
        }
    }

    /// The driver called `name`.
    pub fn parse(name: &str) -> Result<Self, String> {
        Drive::ALL
            .into_iter()
            .find(|d| d.name() == name)
            .ok_or_else(|| format!("unknown driver `{name}`; known: policy, gait, random, still"))
    }
}

/// Every driver's state, so a viewer can switch between them mid-episode.
pub struct Drivers {
    /// A run's student, when there is one.
    pub policy: Option<Box<dyn Student>>,
    /// How the policy picks its actions. A run is watched as it is tested:
    /// a PPO policy's mean action can walk worse than its samples (see
    /// `docs/learning.md`), so filming the mean would show a different
    /// walker from the one the evaluations scored.
    playing: EvalPolicy,
    gait: Walk,
    rng: ChaCha8Rng,
    /// The noise of sampled policy actions, a stream apart from the random
    /// driver's so switching drivers does not change what the policy does;
    /// restarted each episode, so a take depends on its seed and task alone
    /// (`trellis record --seed 0` films what `report --pictures` filmed).
    noise: ChaCha8Rng,
    seed: u64,
}

/// The ChaCha streams of the random driver and of sampled policy actions.
const RANDOM_STREAM: u64 = 0x5eed_d21e;
const NOISE_STREAM: u64 = 0x5eed_7a1c;


impl Drivers {
    /// The drivers, random actions (and sampled policy actions) drawn from
    /// `seed`'s streams; the policy plays its mean action until
    /// [`playing`](Self::playing) says otherwise.
    pub fn new(policy: Option<Box<dyn Student>>, seed: u64) -> Self {
        Self {
            policy,
            playing: EvalPolicy::Mean,
            gait: Walk::default(),
            rng: seeded(seed, RANDOM_STREAM),
            noise: seeded(seed, NOISE_STREAM),
            seed,
        }
    }

    /// The policy plays by `protocol` (a run's is `RunConfig::eval_policy`).
    pub fn playing(mut self, protocol: EvalPolicy) -> Self {
        self.playing = protocol;
        self
    }

    /// `drive`'s name as a caption shows it: the policy with its protocol
    /// (`policy (sample)`), since the two protocols walk differently.
    pub fn label(&self, drive: Drive) -> String {
        match drive {
            Drive::Policy => format!("{} ({})", drive.name(), self.playing.name()),
            _ => drive.name().to_string(),
        }
    }

    /// The walking controller reads a biped's Stump Tracks observation:
    /// four motors, no Parkour fields.
    pub fn gait_fits(env: &WalkerEnv) -> bool {
        !env.terrain().features().surface_observation && env.body().motors.len() == 4
    }

    /// The best driver available for `env`: the policy, else the gait where
    /// it fits, else random actions.
    pub fn default_for(&self, env: &WalkerEnv) -> Drive {
        if self.policy.is_some() {
            Drive::Policy
        } else if Self::gait_fits(env) {
            Drive::Gait
        } else {
            Drive::Random
        }
    }

    /// Whether `drive` can act on `env` (a policy needs a run, the gait a biped).
    pub fn can(&self, drive: Drive, env: &WalkerEnv) -> bool {
        match drive {
            Drive::Policy => self.policy.is_some(),
            Drive::Gait => Self::gait_fits(env),
            Drive::Random | Drive::Still => true,
        }
    }

    /// A new episode: the gait starts its cycle again, the policy's
    /// sampling noise its stream.
    pub fn reset(&mut self) {
        self.gait.reset();
        self.noise = seeded(self.seed, NOISE_STREAM);
    }

    /// The action `drive` takes on `obs`. Outside the policy's hands,
    /// climbers keep hold of what they grip.
    pub fn action(&mut self, drive: Drive, env: &WalkerEnv, obs: &[f32]) -> Vec<f32> {
        let n = env.action_space().dim();
        let mut a = match drive {
            Drive::Gait => self.gait.act(obs),
            Drive::Random => (0..n).map(|_| uniform(&mut self.rng, -1.0, 1.0) as f32).collect(),
            Drive::Still => vec![0.0; n],
            Drive::Policy => match &mut self.policy {
                Some(p) => p.act(&[obs.to_vec()], self.playing.acting(&mut self.noise)).remove(0),
                None => vec![0.0; n],
            },
        };
        a.resize(n, 0.0);
        if drive != Drive::Policy {
            hold(env, &mut a, false);
        }
        a
    }
}

/// A climber's gripper actions set to hold on (or, with `let_go`, to let go).
pub fn hold(env: &WalkerEnv, a: &mut [f32], let_go: bool) {
    if env.body().kind == BodyKind::Climber {
        let motors = env.body().motors.len();
        a[motors..].fill(if let_go { -1.0 } else { 1.0 });
    }
}
