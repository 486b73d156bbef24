//! SAC learns a small continuous control task well above a random policy.

use rand::RngExt;
use trellis_agents::sac::{Sac, SacConfig};
use trellis_agents::{Student, Transition};
use trellis_envs::rng::seeded;

/// A point on a line must reach a target: obs [x, target], x += 0.1·a, reward −|x − target|, 50 steps.
struct Reach {
    x: f32,
    target: f32,
    t: u32,
}

impl Reach {
    fn reset(&mut self, rng: &mut trellis_envs::rng::ChaCha8Rng) -> Vec<f32> {
        self.x = 0.0;
        self.target = rng.random_range(-1.0..1.0);
        self.t = 0;
        vec![self.x, self.target]
    }

    fn step(&mut self, a: f32) -> (Vec<f32>, f32, bool) {
        self.x = (self.x + 0.1 * a.clamp(-1.0, 1.0)).clamp(-2.0, 2.0);
        self.t += 1;
        (vec![self.x, self.target], -(self.x - self.target).abs(), self.t >= 50)
    }
}

fn mean_return(student: &mut dyn Student, deterministic: bool, episodes: u64) -> f32 {
    let mut env = Reach { x: 0.0, target: 0.0, t: 0 };
    let mut rng = seeded(99, 0);
    let mut total = 0.0;
    for _ in 0..episodes {
        let mut obs = env.reset(&mut rng);
        loop {
            let a = student.act(&[obs.clone()], deterministic)[0][0];
            let (next, r, done) = env.step(a);
            total += r;
            obs = next;
            if done {
                break;
            }
        }
    }
    total / episodes as f32
}

#[test]
fn sac_beats_random_on_reach() {
    let cfg = SacConfig { hidden: vec![64, 64], batch_size: 64, start_steps: 500, train_freq: 1, ..Default::default() };
    let mut sac = Sac::new(2, 1, cfg, 0);
    let random = mean_return(&mut sac, false, 20); // still in the random warm-up phase
    let mut env = Reach { x: 0.0, target: 0.0, t: 0 };
    let mut rng = seeded(1, 0);
    let mut obs = env.reset(&mut rng);
    for _ in 0..4000 {
        let a = sac.act(&[obs.clone()], false).remove(0);
        let (next, r, done) = env.step(a[0]);
        // The time limit is a truncation: bootstrap through it.
        sac.observe(&Transition { obs: &obs, action: &a, reward: r, next_obs: &next, terminal: false });
        obs = if done { env.reset(&mut rng) } else { next };
    }
    let trained = mean_return(&mut sac, true, 20);
    assert!(sac.updates > 3000);
    assert!(trained > random + 10.0 && trained > -12.0, "random {random:.1} trained {trained:.1}");
}
