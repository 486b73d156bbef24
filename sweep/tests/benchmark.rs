//! The benchmark's data files: every experiment plans into valid run
//! configs with the reference's settings.

use std::path::Path;

use trellis_core::Expert;
use trellis_envs::Env;
use trellis_sweep::{Benchmark, Manifest, Selection};

fn bench() -> Benchmark {
    Benchmark::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/benchmark")).unwrap()
}

#[test]
fn the_full_scale_is_the_reference_protocol() {
    let b = bench();
    let m = Manifest::plan(&b, "full", &Selection::default()).unwrap();
    let names: Vec<&str> = b.experiments.iter().map(|e| e.name.as_str()).collect();
    assert_eq!(names.len(), 9, "{names:?}");
    for r in &m.runs {
        let c = r.config().unwrap();
        assert_eq!(
            (c.steps, c.eval_every, c.test_episodes),
            (20_000_000, 500_000, 100)
        );
        assert!(
            c.test_set
                .as_deref()
                .is_some_and(|p| Path::new(p).is_absolute() && Path::new(p).exists()),
            "{}",
            r.id
        );
        match r.cell.experiment.as_str() {
            "stump-unfeasible" => assert_eq!(c.bounds["stump_height"], [0.0, 9.0]),
            "stump-trivial" => assert_eq!(c.bounds["stump_height"], [-3.0, 3.0]),
            "stump-forgetting" => assert_eq!(c.reset_student_every, 7_000_000),
            "stump-rugged" => assert_eq!(c.shuffle.map(|s| (s.cells, s.seed)), Some((4, 21))),
            "stump-students" if r.cell.variant.ends_with("ppo") => {
                assert_eq!(c.student, "ppo");
                assert_eq!(c.student_settings().unwrap()["lr"].as_float(), Some(3e-4));
            }
            e if e.starts_with("parkour") => {
                assert_eq!(r.cell.expert, Expert::Low);
                // The world's path options are resolved against the repository root.
                let w = c.world_options().unwrap();
                let p = w["cppn_weights"].as_str().unwrap();
                assert!(std::path::Path::new(p).exists(), "{p}");
            }
            _ => {}
        }
        if r.teacher == "covar-gmm" {
            assert_eq!(c.teacher_config["max_k"].as_integer(), Some(15));
        }
    }
    // 16 seeds per cell, and the Parkour seeds numbered per body as in the reference.
    let fish: Vec<u64> = m
        .runs
        .iter()
        .filter(|r| r.cell.experiment == "parkour-fish" && r.teacher == "random")
        .map(|r| r.config().unwrap().seed)
        .collect();
    assert_eq!(fish, (32..48).collect::<Vec<_>>());
    // Teachers that need expert knowledge are n/a at level "no", never run.
    assert!(m.not_applicable.iter().all(|n| n.cell.expert == Expert::No));
    assert_eq!(
        m.not_applicable.len(),
        3 * (4 + 4),
        "ADR, GoalGAN, Setter-Solver × 8 no-expert cells"
    );
    assert!(
        !m.runs
            .iter()
            .any(|r| r.teacher == "adr" && r.cell.expert == Expert::No)
    );
}

#[test]
fn parkour_test_sets_play_the_reference_tasks_exactly() {
    let b = bench();
    for exp in ["parkour-walker", "parkour-climber", "parkour-fish"] {
        let m = Manifest::plan(
            &b,
            "smoke",
            &Selection {
                experiments: vec![exp.into()],
                ..Default::default()
            },
        )
        .unwrap();
        let cfg = m.runs[0].config().unwrap();
        let env = trellis_train::world::make(&cfg).unwrap().into_walker().unwrap();
        let tasks = trellis_train::test_set::load(
            Path::new(cfg.test_set.as_ref().unwrap()),
            env.task_limits(),
        )
        .unwrap();
        assert_eq!(tasks.len(), 100);
        assert!(
            tasks.iter().all(|t| t.len() == 8),
            "{exp}: 8 values per task"
        );
        let mut env = env;
        let (obs, _) = env.reset(Some(0), Some(&tasks[0])).unwrap();
        assert_eq!(env.task(), tasks[0].as_slice(), "{exp}: the task as given");
        assert!(obs.iter().all(|v| v.is_finite()));
    }
}

#[test]
fn bad_selections_name_what_exists() {
    let b = bench();
    let e = Manifest::plan(&b, "huge", &Selection::default())
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("unknown scale `huge`") && e.contains("smoke"),
        "{e}"
    );
    let sel = Selection {
        experiments: vec!["moon".into()],
        ..Default::default()
    };
    let e = Manifest::plan(&b, "smoke", &sel).unwrap_err().to_string();
    assert!(
        e.contains("unknown experiment `moon`") && e.contains("stump-rugged"),
        "{e}"
    );
    assert!(trellis_sweep::manifest::parse_shard("3/3").is_err());
    assert_eq!(trellis_sweep::manifest::parse_shard("2/3").unwrap(), (2, 3));
}

#[test]
fn a_sweep_cut_short_leaves_every_teacher_with_the_same_seeds() {
    let b = bench();
    let m = Manifest::plan(&b, "full", &Selection::default()).unwrap();
    // Within a cell, any prefix of the run list holds seed counts that differ
    // by at most one between teachers, and seed k of every teacher comes
    // before seed k + 1 of any.
    let mut seen: std::collections::BTreeMap<String, Vec<(String, u64)>> = Default::default();
    for r in &m.runs {
        seen.entry(r.cell.label()).or_default().push((r.teacher.clone(), r.seed));
    }
    for (cell, runs) in seen {
        let teachers: std::collections::BTreeSet<&str> = runs.iter().map(|(t, _)| t.as_str()).collect();
        assert!(teachers.len() > 1, "{cell}");
        for w in runs.windows(2) {
            assert!(w[0].1 <= w[1].1, "{cell}: seed {} after {}", w[1].1, w[0].1);
        }
        for (i, chunk) in runs.chunks(teachers.len()).enumerate() {
            assert!(chunk.iter().all(|(_, s)| *s as usize == i), "{cell}: {chunk:?}");
        }
    }
}
