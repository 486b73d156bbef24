//! A scripted gait for bipeds: no learning, PD control of the joints towards
//! a fixed sine pattern (hips in antiphase, each knee bending as its leg
//! swings forward). It shuffles forward on flat ground and gets stuck or falls
//! at obstacles, which is what tests need from a fixed "student" whose
//! progress reveals terrain difficulty; viewers use it to animate a body.
//! Its defaults were found by a random search over these parameters on flat
//! Stump Tracks.

/// Observation layout of a biped: 4 head values, then per leg hip (angle,
/// speed) and knee (angle + 1, speed, foot contact).
const HEAD: usize = 4;
const PER_LEG: usize = 5;

#[derive(Clone, Debug, PartialEq)]
pub struct SineGait {
    /// Control steps per gait cycle.
    pub period: f32,
    /// Hip swing amplitude (rad).
    pub hip_amp: f32,
    /// Mean observed knee angle and how far it bends during the forward swing.
    pub knee_mean: f32,
    pub knee_amp: f32,
    pub kp: f32,
    pub kd: f32,
    /// Steps since the gait started.
    pub t: u32,
}

impl Default for SineGait {
    fn default() -> Self {
        Self {
            period: 16.0,
            hip_amp: 0.79,
            knee_mean: 0.6,
            knee_amp: 0.6,
            kp: 9.0,
            kd: 0.68,
            t: 0,
        }
    }
}

impl SineGait {
    pub fn reset(&mut self) {
        self.t = 0;
    }

    /// The action for a biped observation (4 motors: hip, knee per leg).
    pub fn act(&mut self, obs: &[f32]) -> Vec<f32> {
        let phase = std::f32::consts::TAU * self.t as f32 / self.period;
        self.t += 1;
        let mut action = Vec::with_capacity(4);
        for leg in 0..2 {
            let p = phase + leg as f32 * std::f32::consts::PI;
            let o = &obs[HEAD + leg * PER_LEG..HEAD + (leg + 1) * PER_LEG];
            let hip_target = self.hip_amp * p.sin();
            let knee_target = self.knee_mean - self.knee_amp * p.cos();
            action.push(self.pd(hip_target, o[0], o[1]));
            action.push(self.pd(knee_target, o[2], o[3]));
        }
        action
    }

    fn pd(&self, target: f32, angle: f32, speed: f32) -> f32 {
        (self.kp * (target - angle) - self.kd * speed).clamp(-1.0, 1.0)
    }
}
