//! A closed-loop walking controller for bipeds: no learning, a two-phase
//! step cycle with PD control of the joints, in the family of SIMBICON-style
//! controllers (a finite-state machine of target poses, the stance hip
//! keeping the hull level, foot placement from the speed).
//!
//! One leg stands while the other swings forward with a bent knee; once the
//! swing hip is forward it straightens and reaches for the ground; when its
//! foot touches, the legs swap roles. The stance hip is driven so that both
//! hips together apply a PD torque that holds the hull level (whatever the
//! swing hip does to the hull, the stance hip cancels), and the swing leg
//! lands further ahead the faster the body moves, which keeps the speed in
//! check. It walks the flat track to its end and stumbles at obstacles,
//! which is what tests need from a fixed "student" whose progress reveals
//! terrain difficulty, and what the viewer shows when nobody drives the body.
//! Its defaults were found by a random search on flat Stump Tracks
//! (`envs/examples/walk_search.rs`, 12 seeds, redone when the body started
//! crouched as Box2D leaves it): 10 seeds walk 44 units in 2000 steps on
//! flat ground (20% fall), 10 over stumps of 0.5, 4 over stumps of 2.5.
//! `bench/box2d_compare.py` plays the same controller in the Box2D original.

/// Observation layout of a biped: 4 head values (hull angle, angular
/// velocity, horizontal and vertical velocity), then per leg (back, front)
/// hip (angle, speed) and knee (angle + 1, speed, foot contact).
const HEAD: usize = 4;
const PER_LEG: usize = 5;

/// The controller's gains and target poses. Angles in radians: knees as
/// observed (angle + 1: a straight knee reads 0.9, a fully bent one -0.6);
/// the swing leg's angle is measured from the vertical in the world, not
/// from the hull, so that a pitching hull does not move where the foot lands.
#[derive(Clone, Debug, PartialEq)]
pub struct WalkParams {
    /// World angle of the swinging thigh (positive: forward).
    pub swing_angle: f32,
    /// Extra swing angle per unit of observed forward speed: the faster the
    /// body goes, the further ahead the foot lands, which brakes it.
    pub speed_gain: f32,
    /// Knee target of the swinging leg while it is carried forward: bent,
    /// so the foot clears the ground.
    pub swing_knee: f32,
    /// Knee target of the standing leg and of the reaching one.
    pub stance_knee: f32,
    /// Steps the swing leg is carried before it reaches for the ground.
    pub swing_steps: f32,
    /// Hull pitch the standing hip holds (negative: leaning forward, which is
    /// what makes the body fall into its next step).
    pub lean: f32,
    /// Hip proportional gain: action per radian of error to the target.
    pub hip_kp: f32,
    /// Hip damping: action per unit of observed hip speed.
    pub hip_kd: f32,
    /// Knee proportional gain: action per radian of error to the target.
    pub knee_kp: f32,
    /// Knee damping: action per unit of observed knee speed.
    pub knee_kd: f32,
    /// Standing hip's gain on hull pitch error (pitch − lean): the torso is
    /// balanced through the leg on the ground, as in SIMBICON.
    pub torso_kp: f32,
    /// Standing hip's damping on the hull's observed angular velocity.
    pub torso_kd: f32,
}

/// The parameters a search varies, in [`WalkParams::to_vec`] order.
pub const WALK_PARAMS: usize = 12;

/// The best parameters `envs/examples/walk_search.rs` found on the flat track
/// (random search, 3,400 candidates on 4 seeds, searched again after the
/// solver change of `physics::PhysicsConfig`; 10 seeds: 35.9 units in
/// 2,000 steps, 20% falls). Another body or engine needs its own search.
impl Default for WalkParams {
    fn default() -> Self {
        Self::from_vec([0.247, 0.916, 0.773, 0.0906, 18.85, -0.0858, -0.308, 0.219, 4.27, -0.0266, 13.88, -10.25])
    }
}

impl WalkParams {
    /// The parameters as a vector (for searches) and back.
    pub fn to_vec(&self) -> [f32; WALK_PARAMS] {
        [
            self.swing_angle,
            self.speed_gain,
            self.swing_knee,
            self.stance_knee,
            self.swing_steps,
            self.lean,
            self.hip_kp,
            self.hip_kd,
            self.knee_kp,
            self.knee_kd,
            self.torso_kp,
            self.torso_kd,
        ]
    }

    /// Inverse of [`WalkParams::to_vec`].
    pub fn from_vec(v: [f32; WALK_PARAMS]) -> Self {
        let [
            swing_angle,
            speed_gain,
            swing_knee,
            stance_knee,
            swing_steps,
            lean,
            hip_kp,
            hip_kd,
            knee_kp,
            knee_kd,
            torso_kp,
            torso_kd,
        ] = v;
        Self {
            swing_angle,
            speed_gain,
            swing_knee,
            stance_knee,
            swing_steps,
            lean,
            hip_kp,
            hip_kd,
            knee_kp,
            knee_kd,
            torso_kp,
            torso_kd,
        }
    }
}

/// Where the step cycle is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Phase {
    /// The free leg is carried forward with a bent knee.
    Swing,
    /// It straightens and reaches for the ground.
    Reach,
}

/// The controller's state: which leg stands and where the other is.
#[derive(Clone, Debug, PartialEq)]
pub struct Walk {
    /// Gains and poses; searches edit them between episodes.
    pub params: WalkParams,
    stance: usize,
    phase: Phase,
    /// Steps since the phase began.
    t: u32,
}

impl Default for Walk {
    fn default() -> Self {
        Self::new(WalkParams::default())
    }
}

impl Walk {
    /// A controller at the start of its cycle.
    pub fn new(params: WalkParams) -> Self {
        Self {
            params,
            stance: 0,
            phase: Phase::Swing,
            t: 0,
        }
    }

    /// Back to the start of a step cycle (the back leg stands first).
    pub fn reset(&mut self) {
        self.stance = 0;
        self.phase = Phase::Swing;
        self.t = 0;
    }

    /// Which leg stands (0 back, 1 front) and the phase, for traces.
    pub fn state(&self) -> (usize, &'static str) {
        let phase = match self.phase {
            Phase::Swing => "swing",
            Phase::Reach => "reach",
        };
        (self.stance, phase)
    }

    /// The action for a biped observation (4 motors: hip and knee per leg).
    pub fn act(&mut self, obs: &[f32]) -> Vec<f32> {
        let p = &self.params;
        let leg = |i: usize| &obs[HEAD + i * PER_LEG..HEAD + (i + 1) * PER_LEG];
        self.t += 1;
        match self.phase {
            Phase::Swing if self.t as f32 >= p.swing_steps => {
                (self.phase, self.t) = (Phase::Reach, 0);
            }
            Phase::Reach if self.t > 2 && leg(1 - self.stance)[4] > 0.5 => {
                (self.stance, self.phase, self.t) = (1 - self.stance, Phase::Swing, 0);
            }
            _ => {}
        }
        let (st, sw) = (leg(self.stance), leg(1 - self.stance));
        let (pitch, spin, speed) = (obs[0], obs[1], obs[2]);
        let pd = |kp: f32, kd: f32, target: f32, o: &[f32], i: usize| {
            kp * (target - o[i]) - kd * o[i + 1]
        };
        // The swing thigh's hip target puts it at a world angle.
        let swing_target = p.swing_angle + p.speed_gain * speed - pitch;
        let swing_knee = match self.phase {
            Phase::Swing => p.swing_knee,
            Phase::Reach => p.stance_knee,
        };
        let swing_hip = pd(p.hip_kp, p.hip_kd, swing_target, sw, 0).clamp(-1.0, 1.0);
        // Both hips act on the hull: the standing one supplies the pitch
        // correction and cancels what the swinging one does to the hull (a
        // positive hip action pushes the hull nose down, and pitch > 0 is
        // nose up).
        let torso = p.torso_kp * (pitch - p.lean) + p.torso_kd * spin;
        let stance_hip = (torso - swing_hip).clamp(-1.0, 1.0);
        let mut action = vec![0.0; 4];
        let (i, j) = (2 * self.stance, 2 * (1 - self.stance));
        action[i] = stance_hip;
        action[i + 1] = pd(p.knee_kp, p.knee_kd, p.stance_knee, st, 2).clamp(-1.0, 1.0);
        action[j] = swing_hip;
        action[j + 1] = pd(p.knee_kp, p.knee_kd, swing_knee, sw, 2).clamp(-1.0, 1.0);
        action
    }
}
