//! A fixed, made-up stream of transitions for tests that compare students
//! computed two ways (two backends, two kernel families): no env, the point
//! is the maths, and both sides must see exactly the same data.

use trellis_agents::{Acting, Student, Transition};

/// Observation width of the stream.
pub const OBS: usize = 6;
/// Action width of the stream.
pub const ACT: usize = 2;

/// The stream's `i`-th observation.
pub fn observation(i: usize) -> Vec<f32> {
    (0..OBS).map(|j| ((i * 7 + j * 3) % 11) as f32 / 5.5 - 1.0).collect()
}

/// Feeds `steps` transitions. Acting advances the student's schedule (PPO
/// updates in `act`); the action fed back is fixed so both sides see the
/// same data whatever the policy does.
pub fn feed(student: &mut dyn Student, steps: usize) {
    for i in 0..steps {
        let obs = observation(i);
        let _ = student.act(std::slice::from_ref(&obs), Acting::Explore);
        let action: Vec<f32> = (0..ACT).map(|k| ((i + k) % 5) as f32 / 2.5 - 1.0).collect();
        let next = observation(i + 1);
        student.observe(&Transition {
            env: 0,
            obs: &obs,
            action: &action,
            reward: action[0] * obs[0] - 0.1 * action[1].abs(),
            next_obs: &next,
            terminal: i % 97 == 96,
            truncated: i % 50 == 49,
            learn: true,
        });
    }
}

/// The deterministic actions on eight probe observations, concatenated.
pub fn policy(student: &mut dyn Student) -> Vec<f32> {
    let probes: Vec<Vec<f32>> = (0..8).map(|i| observation(3 * i + 1)).collect();
    student.act(&probes, Acting::Mean).concat()
}
