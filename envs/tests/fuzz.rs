//! Whatever a teacher, a student or a file hands the worlds: never a panic,
//! never a NaN in an observation, never a hang; bad input is an error that
//! names the dimension or the file.

use proptest::prelude::*;
use rand::RngExt;
use trellis_envs::Env;
use trellis_envs::bodies::BODIES;
use trellis_envs::registry::{WorldRequest, make_walker, worlds};
use trellis_envs::terrain::cppn::Cppn;
use trellis_envs::text::TextWorldEnv;
use trellis_envs::walker::{WalkerConfig, WalkerEnv};

fn walker_worlds() -> Vec<&'static str> {
    worlds()
        .filter(|w| (w.make)(&WorldRequest::default()).is_ok_and(|e| e.family() == "walker"))
        .map(|w| w.name)
        .collect()
}

/// Actions a student may emit: uniform, bang-bang (±1), and garbage
/// (NaN, ±inf, huge) mixed with valid values.
fn action(policy: usize, dim: usize, rng: &mut rand_chacha::ChaCha8Rng) -> Vec<f32> {
    (0..dim)
        .map(|_| match policy {
            0 => rng.random_range(-1.0..1.0),
            1 => {
                if rng.random::<bool>() {
                    1.0
                } else {
                    -1.0
                }
            }
            _ => [f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 1e30, -1e30, 0.5][rng.random_range(0..6)],
        })
        .collect()
}

/// Every walker world × every body it accepts, tasks at the corners and
/// uniform over the whole bounds, three action policies: observations and
/// rewards stay finite, a physics failure ends the episode with its flag,
/// and every episode ends within the world's step limit.
#[test]
fn physics_never_yields_nan_or_runs_past_its_limit() {
    let mut rng = trellis_envs::rng::seeded(7, 0);
    let mut episodes = 0;
    for world in walker_worlds() {
        for body in BODIES {
            let Ok(mut env) = make_walker(world, Some(body.name), WalkerConfig::default()) else {
                continue; // refused with an error (not every world takes every body)
            };
            let dims = env.task_space().dims.clone();
            let limit = env.spec().max_steps.expect("walkers have a step limit") as usize;
            for k in 0..4 {
                let task: Vec<f64> = dims
                    .iter()
                    .map(|d| match k {
                        0 => d.low,
                        1 => d.high,
                        _ => rng.random_range(d.low..=d.high),
                    })
                    .collect();
                let policy = k % 3;
                // Short episodes for the slow combinations, whole ones for some.
                let cap = if k == 3 { limit + 1 } else { 150 };
                run_episode(&mut env, &task, policy, cap, limit, &mut rng, world, body.name);
                episodes += 1;
            }
        }
    }
    assert!(episodes >= 4 * BODIES.len(), "only {episodes} episodes: bodies refused by every world?");
}

#[allow(clippy::too_many_arguments)]
fn run_episode(
    env: &mut WalkerEnv,
    task: &[f64],
    policy: usize,
    cap: usize,
    limit: usize,
    rng: &mut rand_chacha::ChaCha8Rng,
    world: &str,
    body: &str,
) {
    let what = format!("{world} / {body} / task {task:?} / policy {policy}");
    let (obs, _) = env.reset(Some(rng.random()), Some(task)).unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(obs.iter().all(|v| v.is_finite()), "{what}: reset observation {obs:?}");
    let dim = trellis_envs::ContinuousEnv::action_space(env).dim();
    for t in 1..=cap {
        let s = env.step(&action(policy, dim, rng));
        assert!(s.obs.iter().all(|v| v.is_finite()), "{what}: step {t} observation {:?}", s.obs);
        assert!(s.reward.is_finite(), "{what}: step {t} reward {}", s.reward);
        if s.info.physics_error {
            assert!(s.terminated, "{what}: a physics error must end the episode");
        }
        if s.terminated || s.truncated {
            return;
        }
        assert!(t < limit, "{what}: no end after the step limit {limit}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Any vector (NaN, ±inf, huge, any length) is accepted only when it
    /// fits the world's limits (wider than its default space, so that runs
    /// may widen `bounds`, e.g. Stump Tracks' height to [-3, 3] or [0, 9]);
    /// otherwise the error names a dimension or the length.
    #[test]
    fn task_vectors_are_checked(task in prop::collection::vec(prop_oneof![
        Just(f64::NAN), Just(f64::INFINITY), Just(f64::NEG_INFINITY), Just(1e300),
        -20.0f64..20.0, any::<f64>()], 0..14), w in 0usize..4) {
        let world = walker_worlds()[w % walker_worlds().len()];
        let mut env = make_walker(world, None, WalkerConfig::default()).unwrap();
        let space = env.task_limits().clone();
        let fits = task.len() == space.dims.len()
            && task.iter().zip(&space.dims).all(|(v, d)| v.is_finite() && *v >= d.low && *v <= d.high);
        match env.reset(Some(1), Some(&task)) {
            Ok((obs, _)) => {
                prop_assert!(fits, "{world}: accepted {task:?}");
                prop_assert!(obs.iter().all(|v| v.is_finite()));
            }
            Err(e) => {
                prop_assert!(!fits, "{world}: refused a valid task {task:?}: {e}");
                let msg = e.to_string();
                prop_assert!(msg.contains("task vector has") || space.dims.iter().any(|d| msg.contains(&format!("`{}`", d.name))), "{msg}");
            }
        }
    }

    /// Text worlds take any command text, whatever its bytes.
    #[test]
    fn text_world_takes_any_command(bytes in prop::collection::vec(any::<u8>(), 0..200), seed in 0u64..1000) {
        let mut env = TextWorldEnv::new();
        let task = env.default_task();
        env.reset(Some(seed), Some(&task)).unwrap();
        let cmd = String::from_utf8_lossy(&bytes).into_owned();
        for _ in 0..3 {
            let s = env.step(&cmd);
            if s.terminated || s.truncated { break; }
        }
    }

    /// CPPN weight files: arbitrary text, and well-formed JSON with
    /// matrices of the wrong shape, are errors that name the file.
    #[test]
    fn cppn_weight_files_never_panic(text in ".{0,200}", rows in 0usize..5, cols in 0usize..5, v in -1e6f64..1e6) {
        let dir = std::env::temp_dir().join(format!("trellis-cppn-fuzz-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        // Garbage: refused (it is never a weights file) with the file named.
        let garbage = dir.join("garbage.json");
        std::fs::write(&garbage, &text).unwrap();
        if let Err(e) = Cppn::load(&garbage) {
            prop_assert!(e.to_string().contains(&garbage.display().to_string()), "{e}");
        }
        // Every layer `rows` × `cols`: a chain only when square and non-empty;
        // otherwise refused naming the file and the first layer that breaks it.
        let m = serde_json::to_string(&vec![vec![v; cols]; rows]).unwrap();
        let shaped = dir.join("shaped.json");
        std::fs::write(&shaped, format!(r#"{{"h1": {m}, "h2": {m}, "h3": {m}, "h4": {m}, "output": {m}}}"#)).unwrap();
        match (Cppn::load(&shaped), rows, cols) {
            (Ok(c), r, k) => {
                prop_assert!(r == k && r > 0, "{r}x{k} layers cannot chain, yet they loaded");
                prop_assert_eq!((c.input_dim(), c.outputs()), (r - 1, k));
            }
            (Err(e), r, k) => {
                let (msg, layer) = (e.to_string(), if r == 0 || k == 0 { "h1" } else { "h2" });
                prop_assert!(r != k || r == 0, "square {r}x{r} layers refused: {msg}");
                prop_assert!(msg.contains(&shaped.display().to_string()) && msg.contains(&format!("layer `{layer}`")), "{msg}");
            }
        }
    }
}
