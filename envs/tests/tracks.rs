//! Hexagon Tracks and POET terrain: shapes follow the task, and every body steps on every track.

use rand::RngExt;
use trellis_envs::bodies;
use trellis_envs::registry::{RegistryError, make_walker, terrain};
use trellis_envs::rng::seeded;
use trellis_envs::terrain::TERRAINS;
use trellis_envs::terrain::track;
use trellis_envs::walker::WalkerConfig;
use trellis_envs::{ContinuousEnv, Env};

/// Also checks that each world describes itself truthfully: every
/// observation entry stays inside the range its spec declares.
#[test]
fn every_body_runs_1000_random_steps_on_every_track() {
    for env_name in TERRAINS.iter().map(|w| w.name) {
        for body in bodies::names() {
            let mut env = match make_walker(env_name, Some(body), WalkerConfig::default()) {
                Err(RegistryError::Unsupported { .. }) if env_name != "parkour" => continue,
                r => r.unwrap(),
            };
            let entries = env.spec().observation.entries().to_vec();
            assert_eq!(
                entries.len(),
                env.observation_space().dim(),
                "{env_name}/{body}"
            );
            let n_act = env.action_space().dim();
            let mut rng = seeded(3, 0);
            let space = env.task_space().clone();
            let task: Vec<f64> = space
                .dims
                .iter()
                .map(|d| rng.random_range(d.low..=d.high))
                .collect();
            env.reset(Some(1), Some(&task)).unwrap();
            for _ in 0..1000 {
                let a: Vec<f32> = (0..n_act).map(|_| rng.random_range(-1.0..1.0)).collect();
                let s = env.step(&a);
                assert!(
                    s.obs.iter().all(|v| v.is_finite()) && s.reward.is_finite(),
                    "{env_name}/{body}"
                );
                assert_eq!(
                    s.obs.len(),
                    env.observation_space().dim(),
                    "{env_name}/{body}"
                );
                for (v, e) in s.obs.iter().zip(&entries) {
                    assert!(
                        e.contains(*v),
                        "{env_name}/{body}: {} = {v} outside [{}, {}]",
                        e.name,
                        e.low,
                        e.high
                    );
                }
                if s.done() {
                    env.reset(None, None).unwrap();
                }
            }
        }
    }
}

#[test]
fn hexagon_obstacles_grow_with_the_task() {
    let generator = terrain("hexagon-tracks").unwrap();
    let height = |task: &[f64]| {
        let l = generator.generate(task, 2.0, &mut seeded(0, 0));
        l.obstacles
            .iter()
            .map(|p| p.iter().map(|v| v.y).fold(f32::MIN, f32::max) - track::HEIGHT)
            .sum::<f32>()
            / l.obstacles.len() as f32
    };
    let small = height(&[0.0; 12]);
    let tall = height(&[0.0, 3.0, 0.0, 3.0, 0.0, 3.0, 0.0, 3.0, 0.0, 3.0, 0.0, 3.0]);
    assert!(
        small < 0.7 * track::STEP && tall > 3.0 * track::STEP,
        "{small} {tall}"
    );
}

#[test]
fn poet_zero_is_flat_and_each_knob_adds_its_obstacle() {
    let generator = terrain("poet").unwrap();
    let layout = |task: &[f64]| generator.generate(task, 2.0, &mut seeded(5, 0));
    let flat = layout(&[0.0, 0.0, 0.0, 0.0, 1.0]);
    assert!(flat.obstacles.is_empty());
    assert!(
        flat.ground
            .iter()
            .all(|p| (p.y - track::HEIGHT).abs() < 0.5),
        "zero roughness must stay near the base height"
    );
    let rough = layout(&[10.0, 0.0, 0.0, 0.0, 1.0]);
    let spread = |l: &trellis_envs::terrain::TerrainLayout| {
        l.ground
            .iter()
            .map(|p| (p.y - track::HEIGHT).abs())
            .fold(0.0, f32::max)
    };
    assert!(spread(&rough) > spread(&flat) + 0.2);
    let pits = layout(&[0.0, 5.0, 0.0, 0.0, 1.0]);
    assert!(
        pits.ground
            .iter()
            .any(|p| p.y < track::HEIGHT - 3.0 * track::STEP),
        "pits go below the ground"
    );
    let stumps = layout(&[0.0, 0.0, 2.0, 0.0, 1.0]);
    assert!(!stumps.obstacles.is_empty());
    let stairs = layout(&[0.0, 0.0, 0.0, 1.0, 5.0]);
    assert!(
        spread(&stairs) >= 4.0 * track::STEP,
        "five stairs of one step each"
    );
}
