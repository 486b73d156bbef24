//! Teachers against the toy student and against adversarial inputs.

use rand::RngExt;
use trellis_core::rng::seeded;
use trellis_core::{Dim, TaskSpace};
use trellis_teachers::belief::Belief;
use trellis_teachers::registry::checkpoint;
use trellis_teachers::toy::{ToyStudent, make_teacher, run};
use trellis_teachers::{
    Episode, Gaussian, TEACHERS, Teacher, TeacherContext, TeacherError, make, restore,
};

fn toy_score(name: &str, seeds: u64, episodes: usize) -> f64 {
    (0..seeds)
        .map(|seed| {
            let mut student = ToyStudent::new(2, 10, 0.8, seed);
            let mut teacher = make_teacher(name, &student, seed).unwrap();
            run(teacher.as_mut(), &mut student, episodes)
        })
        .sum::<f64>()
        / seeds as f64
}

#[test]
fn learning_progress_teachers_beat_random_when_most_tasks_are_unlearnable() {
    let random = toy_score("random", 3, 4000);
    for name in ["alp-gmm", "covar-gmm", "riac"] {
        let score = toy_score(name, 3, 4000);
        assert!(
            score > random + 15.0,
            "{name} mastered {score:.1}% vs random {random:.1}%"
        );
    }
}

#[test]
fn alp_gmm_concentrates_on_the_learnable_region() {
    let mut student = ToyStudent::new(2, 10, 0.8, 7);
    let mut teacher = make("alp-gmm", &toml::Table::new(), student.context(), 7).unwrap();
    let mut learnable_hits = 0;
    for ep in 0..3000 {
        let task = teacher.sample_task();
        let ret = student.play(&task);
        // A task is in the learnable region iff playing it can raise competence
        // (probed on a fresh student of the same layout).
        if ep >= 2000 && is_learnable(&student, &task) {
            learnable_hits += 1;
        }
        teacher.update(&Episode {
            task: &task,
            ret,
            len: 100,
            success: false,
            value: None,
            scores: None,
        });
    }
    // Random would land in the learnable 20% a fifth of the time.
    assert!(
        learnable_hits > 400,
        "only {learnable_hits}/1000 late samples in learnable cells"
    );
}

/// Whether `task` falls in a learnable cell (its competence can grow).
fn is_learnable(student: &ToyStudent, task: &[f64]) -> bool {
    let mut fresh = ToyStudent::new(student.dims, student.cells, 0.8, 7);
    let first = fresh.play(task);
    (0..3).map(|_| fresh.play(task)).last().unwrap() > first + 1.0
}

fn odd_space() -> TaskSpace {
    TaskSpace::new(vec![
        Dim::new("a", -3.0, 3.0),
        Dim::new("b", 0.0, 9.0),
        Dim::new("c", 10.0, 10.5),
    ])
    .unwrap()
}

/// Context whose expert distribution sits partly outside the space.
fn odd_context() -> TeacherContext {
    TeacherContext::new(odd_space(), (-150.0, 350.0), 230.0)
        .with_initial(Gaussian::diagonal(vec![2.9, 0.1, 10.4], &[1.0, 1.0, 0.5]))
}

#[test]
fn no_teacher_samples_outside_the_bounds() {
    let space = odd_space();
    for d in TEACHERS {
        let (name, cfg) = (d.name, d.quick_config().unwrap());
        let mut t = make(name, &cfg, odd_context(), 3).unwrap();
        let mut rng = seeded(5, 0);
        for _ in 0..1500 {
            let task = t.sample_task();
            space
                .validate(&task)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            // Returns that favour one corner, plus extreme values.
            let ret = 300.0 * (task[0] + 3.0) / 6.0 + rng.random_range(-200.0..200.0);
            t.update(&Episode {
                task: &task,
                ret,
                len: 200,
                success: ret > 230.0,
                value: None,
                scores: None,
            });
        }
        assert!(t.dump().is_object());
        check_belief(name, &t.belief(), &space);
    }
}

/// The shape each teacher draws after 1,500 episodes, every vector in the
/// space's dimensions and every box and task inside its bounds.
fn check_belief(name: &str, belief: &Belief, space: &TaskSpace) {
    let kind = serde_json::to_value(belief).unwrap()["kind"].as_str().unwrap().to_string();
    let expected = match name {
        "random" | "setter-solver" => "nothing",
        "adr" => "box",
        "riac" => "regions",
        "alp-gmm" | "covar-gmm" | "again" => "mixture",
        "spdl" => "gaussian",
        "plr" | "robust-plr" | "accel" | "sfl" | "goal-gan" => "scored",
        other => panic!("{other}: a new teacher; say here which belief it draws"),
    };
    assert_eq!(kind, expected, "{name}'s belief");
    let n = space.len();
    let inside = |v: &[f64]| v.len() == n && space.validate(v).is_ok();
    match belief {
        Belief::Nothing => {}
        Belief::Box { low, high } => assert!(inside(low) && inside(high), "{name}: {belief:?}"),
        Belief::Regions { regions } => {
            assert!(!regions.is_empty(), "{name}: no regions");
            assert!(regions.iter().all(|r| inside(&r.low) && inside(&r.high)), "{name}: {belief:?}");
        }
        Belief::Mixture { components } => {
            assert!(!components.is_empty(), "{name}: no components");
            let total: f64 = components.iter().map(|g| g.weight).sum();
            assert!((total - 1.0).abs() < 1e-6, "{name}: weights sum to {total}");
            assert!(components.iter().all(|g| g.mean.len() == n && g.cov.len() == n * n));
        }
        Belief::Gaussian(g) => assert!(g.mean.len() == n && g.cov.len() == n * n, "{name}: {belief:?}"),
        Belief::Scored { tasks } => {
            assert!(!tasks.is_empty(), "{name}: no scored tasks");
            assert!(tasks.iter().all(|t| inside(&t.task)), "{name}: {belief:?}");
        }
    }
}

#[test]
fn a_restored_teacher_samples_the_same_next_tasks() {
    for d in TEACHERS {
        let (name, cfg) = (d.name, d.quick_config().unwrap());
        let mut student = ToyStudent::new(2, 10, 0.5, 1);
        let mut t = make(name, &cfg, student.expert_context(), 11).unwrap();
        run(t.as_mut(), &mut student, 300);
        let saved = serde_json::to_string(&checkpoint(t.as_ref())).unwrap();
        let mut back = restore(&serde_json::from_str(&saved).unwrap()).unwrap();
        let mut s2 = student.clone();
        let next = |t: &mut dyn Teacher, s: &mut ToyStudent| -> Vec<Vec<f64>> {
            (0..100)
                .map(|_| {
                    let task = t.sample_task();
                    let ret = s.play(&task);
                    t.update(&Episode {
                        task: &task,
                        ret,
                        len: 100,
                        success: false,
                        value: None,
                        scores: None,
                    });
                    task
                })
                .collect()
        };
        assert_eq!(
            next(t.as_mut(), &mut student),
            next(back.as_mut(), &mut s2),
            "{name} diverged after restore"
        );
    }
}

#[test]
fn registry_errors_name_the_problem() {
    let ctx = || ToyStudent::new(2, 4, 0.5, 0).context();
    let e = make("nope", &toml::Table::new(), ctx(), 0)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("unknown teacher `nope`") && e.contains("alp-gmm"),
        "{e}"
    );
    let e = make("alp-gmm", &"fit_rat = 3".parse().unwrap(), ctx(), 0)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("fit_rat"), "{e}");
    let e = make("alp-gmm", &"random_ratio = 1.5".parse().unwrap(), ctx(), 0)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("random_ratio") && e.contains("[0, 1]"), "{e}");
    let e = make("adr", &"queue_len = 0".parse().unwrap(), odd_context(), 0)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("queue_len"), "{e}");
    assert!(restore(&serde_json::json!({"teacher": "riac", "state": {}})).is_err());
}

#[test]
fn adr_expands_on_success_and_shrinks_on_failure() {
    let space = TaskSpace::from_bounds(&[("h", 0.0, 3.0), ("s", 0.0, 6.0)]);
    let ctx = TeacherContext::new(space, (-150.0, 350.0), 230.0)
        .with_initial(Gaussian::diagonal(vec![0.0, 6.0], &[0.1, 0.1]));
    let mut adr = trellis_teachers::adr::Adr::new(ctx, Default::default(), 0).unwrap();
    // Always succeed: the box grows from the single start task.
    for _ in 0..600 {
        let t = adr.sample_task();
        adr.update(&Episode::new(&t, 300.0));
    }
    assert!(
        adr.high[0] > 0.5 && adr.high[0] < 3.0 && adr.low[1] < 5.5,
        "box {:?}..{:?}",
        adr.low,
        adr.high
    );
    let grown = adr.high[0];
    // Always fail: it shrinks back.
    for _ in 0..2000 {
        let t = adr.sample_task();
        adr.update(&Episode::new(&t, -100.0));
    }
    assert!(adr.high[0] < grown, "{} !< {grown}", adr.high[0]);
}

#[test]
fn spdl_moves_towards_the_target_when_the_student_succeeds() {
    let space = TaskSpace::from_bounds(&[("h", 0.0, 3.0), ("s", 0.0, 6.0)]);
    let ctx = TeacherContext::new(space, (-150.0, 350.0), 230.0)
        .with_initial(Gaussian::diagonal(vec![0.0, 6.0], &[0.1, 0.1]));
    let cfg = trellis_teachers::spdl::SpdlConfig {
        update_frequency: 2000,
        update_offset: 2000,
        ..Default::default()
    };
    let mut spdl = trellis_teachers::spdl::Spdl::new(ctx, cfg, 0).unwrap();
    let kl0 = spdl.kl_to_target();
    // 100 episodes per update, 40 updates.
    for _ in 0..4000 {
        let t = spdl.sample_task();
        spdl.update(&Episode {
            task: &t,
            ret: 300.0,
            len: 20,
            success: true,
            value: Some(300.0),
            scores: None,
        });
    }
    let kl1 = spdl.kl_to_target();
    assert!(kl1 < 0.5 * kl0, "KL to target {kl0:.2} -> {kl1:.2}");
}

#[test]
fn riac_splits_where_progress_differs() {
    let mut student = ToyStudent::new(2, 10, 0.8, 2);
    let mut riac =
        trellis_teachers::riac::Riac::new(student.context(), Default::default(), 2).unwrap();
    run(&mut riac, &mut student, 3000);
    assert!(
        riac.regions().len() >= 5,
        "only {} regions",
        riac.regions().len()
    );
}

/// Every table entry is complete: a unique kebab-case name that the teacher
/// reports as its own, a summary, quick settings that parse, and an honest
/// `needs_expert` flag (refused without expert knowledge iff it is set).
#[test]
fn every_teacher_descriptor_is_complete() {
    let n = trellis_core::registry::check_table(
        "teacher",
        TEACHERS.iter().map(|d| (d.name, d.summary)),
    )
    .unwrap();
    for d in TEACHERS {
        let cfg = d.quick_config().unwrap();
        let t = make(d.name, &cfg, odd_context(), 1).unwrap();
        assert_eq!(t.name(), d.name, "the teacher reports another name");
        let plain = TeacherContext::new(odd_space(), (-150.0, 350.0), 230.0);
        match make(d.name, &cfg, plain, 1) {
            Err(TeacherError::NeedsExpert(n)) => {
                assert!(d.needs_expert, "{n} refused a run without expert knowledge")
            }
            Err(e) => panic!("{}: {e}", d.name),
            Ok(_) => assert!(!d.needs_expert, "{} ran without expert knowledge", d.name),
        }
    }
    assert!(n >= 8);
}
