//! Generated test sets: TeachMyAgent's Stump Tracks grid, and uniform sets elsewhere.

use trellis_envs::registry::make_walker;
use trellis_envs::walker::WalkerConfig;
use trellis_envs::{ContinuousEnv, Env};
use trellis_train::test_set::generate;

fn sorted(mut v: Vec<Vec<f64>>) -> Vec<Vec<f64>> {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v
}

#[test]
fn stump_tracks_test_set_is_teachmyagents_grid() {
    let env = make_walker("stump-tracks", None, WalkerConfig::default()).unwrap();
    let ours = generate(env.task_space(), 100);
    assert_eq!(ours.len(), 100);
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/reference/test_sets/parametric_stumps_test_set.json");
    let Ok(text) = std::fs::read_to_string(&path) else {
        eprintln!("skipped: {} not present", path.display());
        return;
    };
    let theirs: Vec<Vec<f64>> = serde_json::from_str(&text).unwrap();
    for (a, b) in sorted(ours).iter().zip(sorted(theirs)) {
        assert!(
            a.iter().zip(&b).all(|(x, y)| (x - y).abs() < 1e-9),
            "{a:?} vs {b:?}"
        );
    }
}

#[test]
fn other_sizes_are_uniform_inside_the_space() {
    let env = make_walker("hexagon-tracks", None, WalkerConfig::default()).unwrap();
    let space = env.task_space();
    let set = generate(space, 100); // 12-D: no grid fits
    assert_eq!(set, generate(space, 100), "fixed seed");
    assert!(set.iter().all(|t| space.validate(t).is_ok()));
    let mean0 = set.iter().map(|t| t[0]).sum::<f64>() / 100.0;
    let mid = (space.dims[0].low + space.dims[0].high) / 2.0;
    assert!(
        (mean0 - mid).abs() < 0.15 * space.dims[0].width(),
        "{mean0} vs {mid}"
    );
    let _ = env.observation_space();
}
