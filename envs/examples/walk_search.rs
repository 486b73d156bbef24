//! How `gait::WalkParams::default()` was found, and how to find it again
//! after a physics change: a (1+1) random search over the controller's
//! parameters on flat Stump Tracks, maximising how far the head gets in
//! 2000 steps over SEEDS (default 3) seeded episodes, 5 units off per fall.
//!
//!     cargo run --release -p trellis-envs --example walk_search -- [ITERATIONS] [TASK] [SEEDS]
//!     cargo run --release -p trellis-envs --example walk_search -- eval
//!
//! `eval` prints (mean return, mean distance, fall rate) of the defaults over
//! 10 seeds for stump heights 0 to 2.5.

use rand::{RngExt, SeedableRng};
use trellis_envs::gait::{WALK_PARAMS, Walk, WalkParams};
use trellis_envs::registry::make_walker;
use trellis_envs::walker::{FALL_REWARD, WalkerConfig};
use trellis_envs::{Env, WalkerEnv};

/// (mean return, mean head distance, share of episodes that fell).
fn score(env: &mut WalkerEnv, p: &WalkParams, task: &[f64], seeds: u64) -> (f64, f64, f64) {
    let (mut ret, mut dist, mut falls) = (0.0, 0.0, 0.0);
    for seed in 0..seeds {
        let mut walk = Walk::new(p.clone());
        let (mut obs, _) = env.reset(Some(seed), Some(task)).unwrap();
        let x0 = env.head_position().unwrap().x;
        loop {
            let s = env.step(&walk.act(&obs));
            ret += s.reward;
            if s.done() {
                falls += f64::from(u8::from(s.reward <= FALL_REWARD));
                break;
            }
            obs = s.obs;
        }
        dist += f64::from(env.head_position().unwrap().x - x0);
    }
    let n = seeds as f64;
    (ret / n, dist / n, falls / n)
}

fn main() {
    let mut env = make_walker("stump-tracks", None, WalkerConfig::default()).unwrap();
    let arg = std::env::args().nth(1).unwrap_or_else(|| "300".into());
    if arg == "eval" {
        for h in [0.0, 0.5, 1.0, 1.5, 2.0, 2.5] {
            let s = score(&mut env, &WalkParams::default(), &[h, 3.0], 10);
            println!("stump height {h}: return {:.1}, distance {:.1}, falls {:.0}%", s.0, s.1, 100.0 * s.2);
        }
        return;
    }
    let iterations: usize = arg.parse().expect("ITERATIONS: a whole number");
    let task: Vec<f64> = std::env::args()
        .nth(2)
        .map(|s| s.split(',').map(|v| v.parse().expect("TASK: numbers")).collect())
        .unwrap_or(vec![0.0, 6.0]);
    let seeds: u64 = std::env::args().nth(3).map_or(3, |s| s.parse().expect("SEEDS: a whole number"));
    let objective = |s: (f64, f64, f64)| s.1 - 5.0 * s.2;
    // Step sizes per parameter, in `WalkParams::to_vec` order.
    let scale: [f32; WALK_PARAMS] = [0.2, 0.3, 0.3, 0.2, 4.0, 0.1, 1.0, 0.1, 1.0, 0.1, 2.0, 2.0];
    let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(1);
    let mut best = WalkParams::default();
    let mut best_score = score(&mut env, &best, &task, seeds);
    println!("start {best_score:?}");
    for i in 0..iterations {
        let mut v = best.to_vec();
        // Mostly small moves (3 parameters), every third a move of all.
        let moves = if i % 3 == 0 { WALK_PARAMS } else { 3 };
        for _ in 0..moves {
            let j = rng.random_range(0..WALK_PARAMS);
            v[j] += scale[j] * (rng.random::<f32>() * 2.0 - 1.0);
        }
        let candidate = WalkParams::from_vec(v);
        let s = score(&mut env, &candidate, &task, seeds);
        if objective(s) > objective(best_score) {
            (best, best_score) = (candidate, s);
            println!("{i} {best_score:?} {:?}", best.to_vec());
        }
    }
    println!("best {best_score:?}\n{best:?}");
}
