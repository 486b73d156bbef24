//! Text worlds: solvable, deterministic, harder along the task vector, robust to bad input.

use rand::RngExt;
use trellis_envs::Env;
use trellis_envs::rng::seeded;
use trellis_envs::text::TextWorldEnv;

fn random_task(env: &TextWorldEnv, rng: &mut trellis_envs::rng::ChaCha8Rng) -> Vec<f64> {
    env.task_space()
        .dims
        .iter()
        .map(|d| rng.random_range(d.low..=d.high))
        .collect()
}

/// Plays the generator's gold path through the public text interface.
fn play_gold(env: &mut TextWorldEnv) -> (f64, bool, usize) {
    let gold = env.gold_commands();
    let mut ret = 0.0;
    for (i, cmd) in gold.iter().enumerate() {
        let s = env.step(cmd);
        ret += s.reward;
        if s.done() {
            return (ret, s.terminated && s.info.success, i + 1);
        }
    }
    (ret, false, gold.len())
}

#[test]
fn the_gold_path_wins_across_the_whole_space() {
    let mut env = TextWorldEnv::new();
    let mut rng = seeded(0, 3);
    for seed in 0..500 {
        let task = random_task(&env, &mut rng);
        env.reset(Some(seed), Some(&task)).unwrap();
        let quest = env.game().unwrap().quest.len() as f64;
        let (ret, won, n) = play_gold(&mut env);
        assert!(
            won,
            "task {task:?} seed {seed}: gold path of {n} commands did not win"
        );
        assert_eq!(ret, 2.0 * quest, "one point per sub-goal plus the bonus");
    }
}

#[test]
fn harder_vectors_have_longer_gold_paths() {
    let mut env = TextWorldEnv::new();
    let mean_gold = |env: &mut TextWorldEnv, task: &[f64]| {
        (0..50)
            .map(|s| {
                env.reset(Some(s), Some(task)).unwrap();
                env.gold_commands().len() as f64
            })
            .sum::<f64>()
            / 50.0
    };
    let easy = mean_gold(&mut env, &[1.0, 0.0, 1.0, 0.0, 1.0, 5.0]);
    let longer_quest = mean_gold(&mut env, &[1.0, 0.0, 6.0, 0.0, 1.0, 5.0]);
    let more_rooms = mean_gold(&mut env, &[8.0, 0.0, 6.0, 0.0, 1.0, 5.0]);
    assert!(
        easy < longer_quest && longer_quest < more_rooms,
        "{easy} {longer_quest} {more_rooms}"
    );
}

#[test]
fn same_seed_and_task_give_the_same_game_and_transcript() {
    let transcript = |seed: u64| {
        let mut env = TextWorldEnv::new();
        let (obs, _) = env
            .reset(Some(seed), Some(&[6.0, 8.0, 5.0, 0.5, 0.5, 2.0]))
            .unwrap();
        let mut rng = seeded(seed, 1);
        let mut out = vec![obs.render()];
        let mut obs = obs;
        for _ in 0..60 {
            let cmd = obs.admissible[rng.random_range(0..obs.admissible.len())].clone();
            let s = env.step(&cmd);
            out.push(s.obs.render());
            let done = s.done();
            obs = s.obs;
            if done {
                break;
            }
        }
        out
    };
    assert_eq!(transcript(4), transcript(4));
    assert_ne!(transcript(4), transcript(5));
}

#[test]
fn malformed_commands_get_feedback_not_panics() {
    let mut env = TextWorldEnv::new();
    env.reset(Some(1), Some(&[3.0, 5.0, 4.0, 1.0, 1.0, 1.0]))
        .unwrap();
    for cmd in [
        "",
        "   ",
        "dance",
        "take",
        "take the unicorn",
        "unlock chest",
        "put in",
        "go up",
        "🦀",
        "x x x x",
        "unlock a with b with c",
    ] {
        let s = env.step(&cmd.to_string());
        assert!(!s.obs.feedback.is_empty(), "{cmd:?}");
        assert_eq!(s.reward, 0.0, "{cmd:?}");
    }
    let s = env.step(&"dance".to_string());
    assert!(
        s.obs.feedback.contains("I don't understand"),
        "{}",
        s.obs.feedback
    );
}

#[test]
fn every_admissible_command_parses_back_to_itself() {
    let mut env = TextWorldEnv::new();
    let mut rng = seeded(2, 2);
    for seed in 0..50 {
        let task = random_task(&env, &mut rng);
        let (mut obs, _) = env.reset(Some(seed), Some(&task)).unwrap();
        for _ in 0..30 {
            let cmd = obs.admissible[rng.random_range(0..obs.admissible.len())].clone();
            let s = env.step(&cmd);
            assert!(
                !s.obs.feedback.starts_with("I don't understand")
                    && !s.obs.feedback.starts_with("Which"),
                "{cmd}: {}",
                s.obs.feedback
            );
            let done = s.done();
            obs = s.obs;
            if done {
                break;
            }
        }
    }
}

#[test]
fn an_unsolved_game_is_truncated() {
    let mut env = TextWorldEnv::new();
    env.reset(Some(0), Some(&[4.0, 2.0, 3.0, 0.0, 1.0, 3.0]))
        .unwrap();
    let mut n = 0;
    loop {
        n += 1;
        let s = env.step(&"look".to_string());
        if s.done() {
            assert!(s.truncated && !s.terminated);
            break;
        }
    }
    assert_eq!(n, 4 * env.gold_commands().len() + 20);
}
