//! The reading student learns to win easy text games.

use rand::RngExt;
use trellis_agents::text_policy::{TextPolicy, TextPolicyConfig};
use trellis_agents::{Acting, Student, Transition};
use trellis_envs::Env;
use trellis_envs::text::TextWorldEnv;

/// Two rooms, four distractors, a three-step quest, open containers, a detailed goal.
const EASY: [f64; 6] = [2.0, 4.0, 3.0, 0.0, 1.0, 5.0];

/// Share of games won over `games` seeds, with the policy or (if `None`) uniformly random admissible commands.
fn win_rate(student: Option<&mut TextPolicy>, games: u64) -> f64 {
    let mut env = TextWorldEnv::new();
    let mut rng = trellis_envs::rng::seeded(5, 0);
    let mut student = student;
    let mut won = 0;
    for g in 0..games {
        let (mut obs, _) = env.reset(Some(10_000 + g), Some(&EASY)).unwrap();
        loop {
            let cmd = match student.as_deref_mut() {
                Some(s) => s.act(std::slice::from_ref(&obs), Acting::Mean).remove(0),
                None => obs.admissible[rng.random_range(0..obs.admissible.len())].clone(),
            };
            let s = env.step(&cmd);
            if s.done() {
                won += s.info.success as u32;
                break;
            }
            obs = s.obs;
        }
    }
    won as f64 / games as f64
}

#[test]
fn text_policy_wins_most_easy_games() {
    let cfg = TextPolicyConfig {
        buckets: 256,
        batch: 128,
        ..Default::default()
    };
    let mut student = TextPolicy::new(cfg, 0);
    let mut env = TextWorldEnv::new();
    let (mut obs, _) = env.reset(Some(0), Some(&EASY)).unwrap();
    let mut seed = 1;
    for _ in 0..25_000 {
        let cmd = student.act(std::slice::from_ref(&obs), Acting::Explore).remove(0);
        let s = env.step(&cmd);
        let t = Transition {
            env: 0,
            obs: &obs,
            action: &cmd,
            reward: s.reward as f32,
            next_obs: &s.obs,
            terminal: s.terminated,
            truncated: s.truncated && !s.terminated,
            learn: true,
        };
        student.observe(&t);
        obs = if s.done() {
            seed += 1;
            env.reset(Some(seed), Some(&EASY)).unwrap().0
        } else {
            s.obs
        };
    }
    let random = win_rate(None, 100);
    let trained = win_rate(Some(&mut student), 100);
    eprintln!("easy games won: random commands {random:.2}, trained policy {trained:.2}");
    assert!(
        trained >= 0.6 && trained > random + 0.4,
        "random {random:.2}, trained {trained:.2}"
    );
}
