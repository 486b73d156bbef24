//! The training loop end to end on Stump Tracks: reproducibility, config
//! errors that leave the disk alone, and a student that actually learns.

use std::path::{Path, PathBuf};

use trellis_train::RunConfig;

fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("trellis-train-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

/// A small, fast SAC run (learning starts early, small nets and batches).
fn small(steps: u64) -> RunConfig {
    let mut cfg = RunConfig {
        steps,
        envs: 2,
        eval_every: steps,
        checkpoint_every: steps / 2,
        dump_every: steps / 2,
        test_episodes: 4,
        student: "sac".into(),
        ..Default::default()
    };
    for (k, v) in [
        ("sac.hidden", "[32, 32]"),
        ("sac.batch_size", "64"),
        ("sac.start_steps", "500"),
        ("sac.buffer_size", "10000"),
    ] {
        cfg.set(k, v).unwrap();
    }
    cfg.teacher_config
        .insert("fit_rate".into(), toml::Value::Integer(20));
    cfg
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn same_seed_gives_identical_episodes() {
    let cfg = small(4_000);
    let (a, b, c) = (tmp("same-a"), tmp("same-b"), tmp("same-c"));
    trellis_train::start(cfg.clone(), &a, false).unwrap();
    trellis_train::start(cfg.clone(), &b, false).unwrap();
    let eps = read(&a.join("episodes.csv"));
    assert!(
        eps.lines().count() > 8,
        "a 4k-step run has episodes to compare (random and early SAC actions keep the walker up for 40 to 900 steps):\n{eps}"
    );
    assert!(
        eps.starts_with("step,env,return,length,success,stump_height,stump_spacing"),
        "{}",
        eps.lines().next().unwrap()
    );
    assert_eq!(
        eps,
        read(&b.join("episodes.csv")),
        "same seed and threads, same episodes"
    );
    // Another seed gives another curriculum.
    trellis_train::start(RunConfig { seed: 1, ..cfg }, &c, false).unwrap();
    assert_ne!(eps, read(&c.join("episodes.csv")));
    // Every file of a run dir is there.
    for f in [
        "config.toml",
        "test_set.json",
        "eval.csv",
        "teacher.jsonl",
        "checkpoint.bin",
    ] {
        assert!(a.join(f).exists(), "{f}");
    }
    let evals = read(&a.join("eval.csv"));
    assert_eq!(
        evals.lines().count(),
        2,
        "header + one evaluation at the end:\n{evals}"
    );
    for d in [a, b, c] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn bad_configs_are_refused_before_touching_the_disk() {
    let out = tmp("bad");
    let cases: Vec<(RunConfig, &str)> = vec![
        (
            RunConfig {
                teacher: "alp-gnn".into(),
                ..small(1000)
            },
            "alp-gnn",
        ),
        (
            RunConfig {
                student: "dqn".into(),
                ..small(1000)
            },
            "dqn",
        ),
        (
            RunConfig {
                env: "moon".into(),
                ..small(1000)
            },
            "moon",
        ),
        (
            RunConfig {
                envs: 0,
                ..small(1000)
            },
            "`envs` = 0",
        ),
        (
            {
                let mut c = small(1000);
                let sac = c.sections.get_mut("sac").unwrap().as_table_mut().unwrap();
                sac.insert("gamma".into(), toml::Value::Float(1.5));
                c
            },
            "sac.gamma",
        ),
        (
            {
                let mut c = small(1000);
                c.bounds.insert("stump_height".into(), [3.0, 1.0]);
                c
            },
            "bounds.stump_height",
        ),
        (
            {
                let mut c = small(1000);
                c.bounds.insert("stump_width".into(), [0.0, 1.0]);
                c
            },
            "stump_width",
        ),
        (
            {
                let mut c = small(1000);
                c.teacher_config
                    .insert("fit_rate".into(), toml::Value::Integer(-3));
                c
            },
            "fit_rate",
        ),
    ];
    for (cfg, needle) in cases {
        let err = trellis_train::start(cfg, &out, false)
            .unwrap_err()
            .to_string();
        assert!(err.contains(needle), "error `{err}` should name `{needle}`");
        assert!(
            !out.exists(),
            "a refused config must not create the run dir ({needle})"
        );
    }
    // A teacher written in Python needs the Python package; a bad spec is named.
    let py = RunConfig {
        teacher: "mine".into(),
        teacher_python: Some("my_teachers:Mine".into()),
        ..small(1000)
    };
    let err = trellis_train::start(py.clone(), &out, false).unwrap_err();
    assert!(matches!(err, trellis_train::TrainError::NeedsPython(_)), "{err}");
    assert!(err.to_string().contains("python -m trellis train"), "{err}");
    let err = RunConfig {
        teacher_python: Some("no-class".into()),
        ..py
    }
    .validate()
    .unwrap_err()
    .to_string();
    assert!(err.contains("teacher_python") && err.contains("module:Class"), "{err}");
    assert!(!out.exists());
    // TOML errors name the field.
    let err = RunConfig::from_toml("stepz = 3").unwrap_err().to_string();
    assert!(err.contains("stepz"), "{err}");
    // An existing run is never overwritten.
    std::fs::create_dir_all(&out).unwrap();
    std::fs::write(out.join("episodes.csv"), "precious").unwrap();
    let err = trellis_train::start(small(1000), &out, false)
        .unwrap_err()
        .to_string();
    assert!(err.contains("--resume"), "{err}");
    assert_eq!(read(&out.join("episodes.csv")), "precious");
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn resume_continues_from_the_checkpoint() {
    let out = tmp("resume");
    let cfg = RunConfig {
        checkpoint_every: 1_000,
        ..small(2_000)
    };
    trellis_train::start(cfg, &out, false).unwrap();
    let before = read(&out.join("episodes.csv"));
    // To 6k: 2,000 more steps for each of the two envs, the episode step
    // limit, so each ends an episode whatever the policy does (by 2k the
    // student may already stand through a 1,000-step extension).
    let outcome = trellis_train::resume(&out, Some(6_000), false).unwrap();
    assert_eq!(outcome.progress.step, 6_000);
    assert_eq!(outcome.progress.resumes, 1);
    let after = read(&out.join("episodes.csv"));
    assert!(
        after.starts_with(&before) && after.len() > before.len(),
        "rows are appended after the checkpoint's"
    );
    let steps: Vec<u64> = after
        .lines()
        .skip(1)
        .map(|l| l.split(',').next().unwrap().parse().unwrap())
        .collect();
    assert!(
        steps.windows(2).all(|w| w[0] <= w[1]),
        "steps never go back"
    );
    let (_, p, r) = trellis_train::evaluate_run(&out, None).unwrap();
    assert_eq!((p.step, r.returns.len()), (6_000, 4));
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn a_run_is_evaluated_as_the_reference_evaluates_its_student_unless_told() {
    use trellis_agents::EvalPolicy::{Mean, Sample};
    let resolved = |student: &str, eval_policy| {
        RunConfig { student: student.into(), eval_policy, ..Default::default() }.resolved().unwrap()
    };
    // TeachMyAgent tests PPO on sampled actions, SAC on the mean.
    assert_eq!(resolved("ppo", None).eval_policy, Some(Sample));
    assert_eq!(resolved("sac", None).eval_policy, Some(Mean));
    assert_eq!(resolved("ppo", Some(Mean)).eval_policy, Some(Mean));
    // The run dir's config names it; one written before the setting existed
    // was evaluated on the mean and stays so.
    assert!(resolved("ppo", None).to_toml().contains("eval_policy = \"sample\""));
    assert_eq!(RunConfig::from_toml("student = \"ppo\"").unwrap().eval_policy(), Mean);
    let err = RunConfig::from_toml("eval_policy = \"stochastic\"").unwrap_err().to_string();
    assert!(err.contains("eval_policy") || err.contains("`mean`"), "{err}");
}

/// `eval.csv`'s mean test returns, in order.
fn eval_returns(dir: &Path) -> Vec<f64> {
    read(&dir.join("eval.csv"))
        .lines()
        .skip(1)
        .map(|l| l.split(',').nth(3).unwrap().parse().unwrap())
        .collect()
}

#[test]
fn a_sampled_evaluation_replays_and_leaves_the_run_as_it_was() {
    // Two runs that differ only in how they are evaluated (the Random
    // teacher ignores test returns): the same episodes, since evaluating
    // never draws from the learner's stream, but other test returns; and
    // `trellis eval` on the sampled run plays its last evaluation again.
    let mut mean = RunConfig {
        eval_every: 1_000,
        teacher: "random".into(),
        eval_policy: Some(trellis_agents::EvalPolicy::Mean),
        ..small(3_000)
    };
    mean.teacher_config.clear();
    let sample = RunConfig { eval_policy: Some(trellis_agents::EvalPolicy::Sample), ..mean.clone() };
    let (a, b) = (tmp("eval-mean"), tmp("eval-sample"));
    trellis_train::start(mean, &a, false).unwrap();
    trellis_train::start(sample, &b, false).unwrap();
    assert_eq!(read(&a.join("episodes.csv")), read(&b.join("episodes.csv")));
    let (ra, rb) = (eval_returns(&a), eval_returns(&b));
    assert_eq!((ra.len(), rb.len()), (3, 3));
    assert!(ra.iter().zip(&rb).all(|(x, y)| x != y), "mean {ra:?} vs sampled {rb:?}");
    let (cfg, p, r) = trellis_train::evaluate_run(&b, None).unwrap();
    assert_eq!((cfg.eval_policy(), p.step), (trellis_agents::EvalPolicy::Sample, 3_000));
    assert!((r.mean_return - rb[2]).abs() < 1e-3, "{} vs {}", r.mean_return, rb[2]);
    // Either run's checkpoint evaluated by the other protocol plays what the
    // other run's evaluation played: one run gives the paired comparison.
    let other = |dir: &Path, p| trellis_train::evaluate_run(dir, Some(p)).unwrap();
    let (cfg, _, r) = other(&b, trellis_agents::EvalPolicy::Mean);
    assert_eq!(cfg.eval_policy(), trellis_agents::EvalPolicy::Mean);
    assert!((r.mean_return - ra[2]).abs() < 1e-3, "{} vs {}", r.mean_return, ra[2]);
    let (_, _, r) = other(&a, trellis_agents::EvalPolicy::Sample);
    assert!((r.mean_return - rb[2]).abs() < 1e-3, "{} vs {}", r.mean_return, rb[2]);
    for d in [a, b] {
        std::fs::remove_dir_all(d).unwrap();
    }
}

#[test]
fn a_fish_trains_and_is_evaluated_in_parkour() {
    let mut cfg = small(3_000);
    cfg.env = "parkour".into();
    cfg.body = Some("fish".into());
    // TeachMyAgent's walking test set uses CPPN inputs beyond the "medium" box.
    cfg.bounds.insert("cppn_0".into(), [-1.0, 1.0]);
    let dir = tmp("parkour-fish");
    trellis_train::start(cfg.clone(), &dir, false).unwrap();
    let tests: Vec<Vec<f64>> = serde_json::from_str(&read(&dir.join("test_set.json"))).unwrap();
    assert!(tests.iter().all(|t| (-1.0..=1.0).contains(&t[0])));
    assert!(
        tests.iter().any(|t| !(-0.35..=0.05).contains(&t[0])),
        "the test set spans the widened bounds: {tests:?}"
    );
    let eps = read(&dir.join("episodes.csv"));
    assert!(
        eps.starts_with("step,env,return,length,success,cppn_0,cppn_1,cppn_2,water_level,creepers_width,creepers_height,creepers_spacing,cppn_scale\n"),
        "{eps}"
    );
    assert_eq!(
        read(&dir.join("eval.csv")).lines().count(),
        2,
        "one evaluation at the end"
    );
    // A missing CPPN weights file is refused before the run dir exists.
    let bad = tmp("parkour-bad-cppn");
    cfg.set("parkour.cppn_weights", "/nonexistent/cppn.json").unwrap();
    let e = trellis_train::start(cfg, &bad, false)
        .unwrap_err()
        .to_string();
    assert!(e.contains("/nonexistent/cppn.json"), "{e}");
    assert!(!bad.exists());
}

#[test]
fn set_overrides_any_field_and_unknown_fields_are_refused() {
    let mut c = RunConfig {
        student: "sac".into(),
        ..RunConfig::default()
    };
    c.set("sac.lr", "1e-4").unwrap();
    c.set("bounds.stump_height", "[0, 9]").unwrap();
    c.set("teacher", "riac").unwrap();
    c.set("teacher_config.max_region_size", "30").unwrap();
    assert_eq!(c.teacher, "riac");
    assert_eq!(c.bounds["stump_height"], [0.0, 9.0]);
    assert_eq!(c.student_settings().unwrap()["lr"].as_float(), Some(1e-4));
    assert_eq!(c.teacher_config["max_region_size"].as_integer(), Some(30));
    for (key, value, want) in [
        ("stpes", "5", "unknown field `stpes`"),
        ("sac.gamma", "2", "`sac.gamma` = 2"),
        ("sac.gama", "0.9", "gama"),
        ("steps", "0", "`steps` = 0"),
        ("teacher", "oracle", "unknown teacher `oracle`"),
    ] {
        // Keys and types are refused by `set`, values when the config is resolved.
        let mut d = c.clone();
        let e = d.set(key, value).and_then(|()| d.resolved().map(drop)).unwrap_err().to_string();
        assert!(e.contains(want), "--set {key}={value}: {e}");
    }
    let back = RunConfig::from_toml(&c.to_toml()).unwrap();
    assert_eq!(back, c);
    // The run dir's copy carries every setting of the run's student.
    let full = c.resolved().unwrap();
    let sac = full.sections["sac"].as_table().unwrap();
    assert_eq!(sac["lr"].as_float(), Some(1e-4));
    assert_eq!(sac["batch_size"].as_integer(), Some(1000));
    // f32 settings read as typed (not 0.004999999888241291), and give back the same f32.
    assert_eq!(sac["alpha"].as_float(), Some(0.005));
    let again = RunConfig::from_toml(&full.to_toml()).unwrap();
    assert_eq!(again, full, "the run dir's config reads back as the run's");
}

/// The last teacher dump of a run dir.
fn last_dump(dir: &Path) -> serde_json::Value {
    let dumps = read(&dir.join("teacher.jsonl"));
    serde_json::from_str(dumps.lines().last().unwrap()).unwrap()
}

#[test]
fn replay_teachers_get_student_scores_and_robust_plr_learns_from_replays_only() {
    let mut updates = Vec::new();
    for teacher in ["plr", "robust-plr"] {
        let mut cfg = small(8_000);
        cfg.teacher = teacher.into();
        // Value L1: early SAC critics are optimistic about falls, so the
        // positive value loss is often 0; |GAE| shows the scores arrive.
        cfg.teacher_config = "buffer_size = 4\nscore = \"value_l1\"".parse().unwrap();
        let dir = tmp(teacher);
        trellis_train::start(cfg, &dir, false).unwrap();
        let dump = last_dump(&dir);
        let buffer = &dump["dump"]["buffer"];
        assert!(buffer["replays"].as_u64().unwrap() > 0, "{teacher}: {dump}");
        // SAC scored the episodes from its critics.
        let top = buffer["top"].as_array().unwrap();
        assert!(top.iter().any(|e| e["score"].as_f64().unwrap() > 0.0), "{teacher}: {dump}");
        let eval = read(&dir.join("eval.csv"));
        let last = eval.lines().last().unwrap();
        updates.push(last.split(',').nth(2).unwrap().parse::<u64>().unwrap());
    }
    // Robust PLR stores no transition of a new task, so fewer updates fall due.
    assert!(updates[1] < updates[0], "updates plr {} vs robust-plr {}", updates[0], updates[1]);
}

/// A run cut before its first checkpoint (a preemption in its first minutes)
/// is no dead end: `resume` starts it again from its saved config and it ends
/// exactly as an uninterrupted run.
#[test]
fn a_run_cut_before_its_first_checkpoint_resumes_from_its_config() {
    let cfg = small(3_000);
    let (whole, cut) = (tmp("whole"), tmp("cut"));
    trellis_train::start(cfg.clone(), &whole, false).unwrap();
    trellis_train::start(cfg, &cut, false).unwrap();
    // What a kill before the first checkpoint leaves: config, test set and
    // some rows, no checkpoint and no summary.
    std::fs::remove_file(cut.join("checkpoint.bin")).unwrap();
    std::fs::remove_file(cut.join("summary.json")).unwrap();
    let eps = read(&cut.join("episodes.csv"));
    let half: String = eps.lines().take(3).map(|l| format!("{l}\n")).collect();
    std::fs::write(cut.join("episodes.csv"), half).unwrap();
    assert!(trellis_train::evaluate_run(&cut, None)
        .unwrap_err()
        .to_string()
        .contains("--resume"));
    let out = trellis_train::resume(&cut, None, false).unwrap();
    assert_eq!(out.progress.step, 3_000);
    assert_eq!(read(&whole.join("episodes.csv")), read(&cut.join("episodes.csv")));
    assert_eq!(read(&whole.join("eval.csv")).lines().count(), read(&cut.join("eval.csv")).lines().count());
}

/// A teacher from outside trellis (as Python's are) that fails at its
/// `fail_at`-th update: the trainer stops with its error before writing
/// anything that depends on the call, and the last checkpoint stays whole.
struct Flaky {
    inner: Box<dyn trellis_teachers::Teacher>,
    updates: u32,
    fail_at: u32,
    failed: Option<trellis_teachers::TeacherError>,
}

impl trellis_teachers::Teacher for Flaky {
    fn name(&self) -> &'static str {
        "flaky"
    }
    fn sample_task(&mut self) -> Vec<f64> {
        self.inner.sample_task()
    }
    fn update(&mut self, episode: &trellis_teachers::Episode) {
        self.updates += 1;
        if self.updates == self.fail_at {
            self.failed = Some(trellis_teachers::TeacherError::Failed {
                name: "flaky".into(),
                message: "raised on purpose".into(),
            });
        }
        self.inner.update(episode);
    }
    fn state(&self) -> serde_json::Value {
        serde_json::json!({ "inner": trellis_teachers::registry::checkpoint(self.inner.as_ref()), "updates": self.updates })
    }
    fn dump(&self) -> serde_json::Value {
        serde_json::Value::Null
    }
    fn failure(&mut self) -> Option<trellis_teachers::TeacherError> {
        self.failed.take()
    }
}

struct FlakySource(u32);

impl trellis_train::TeacherSource for FlakySource {
    fn gets_initial(&self, _: &RunConfig) -> Result<bool, trellis_train::TrainError> {
        Ok(false)
    }
    fn make(
        &self,
        cfg: &RunConfig,
        ctx: trellis_teachers::TeacherContext,
    ) -> Result<Box<dyn trellis_teachers::Teacher>, trellis_train::TrainError> {
        Ok(Box::new(Flaky {
            inner: trellis_teachers::make("random", &toml::Table::new(), ctx, cfg.seed)?,
            updates: 0,
            fail_at: self.0,
            failed: None,
        }))
    }
    fn restore(
        &self,
        _cfg: &RunConfig,
        _ctx: trellis_teachers::TeacherContext,
        checkpoint: &serde_json::Value,
    ) -> Result<Box<dyn trellis_teachers::Teacher>, trellis_train::TrainError> {
        let state = &checkpoint["state"];
        Ok(Box::new(Flaky {
            inner: trellis_teachers::restore(&state["inner"])?,
            updates: state["updates"].as_u64().unwrap() as u32,
            fail_at: self.0,
            failed: None,
        }))
    }
}

#[test]
fn a_teacher_that_fails_stops_the_run_and_leaves_the_last_checkpoint() {
    let out = tmp("flaky");
    let cfg = RunConfig {
        envs: 1,
        checkpoint_every: 100,
        ..small(6_000)
    };
    // A checkpoint falls due at 100 steps and is taken at the end of the
    // episode then running (the first or second: the early, random-action
    // episodes fall after 55-110 steps): the third update fails after it.
    let err = trellis_train::start_with(&FlakySource(3), cfg, &out, false).unwrap_err();
    assert!(err.to_string().contains("raised on purpose"), "{err}");
    let ckpt = out.join("checkpoint.bin");
    let before = std::fs::read(&ckpt).expect("checkpointed before the failure");
    assert!(!out.join("summary.json").exists());
    // The episodes played are logged up to the one whose update failed; no
    // episode is played on a task proposed after it.
    let episodes = read(&out.join("episodes.csv")).lines().count() - 1;
    assert_eq!(episodes, 3);
    // Resuming rebuilds the teacher from the checkpoint; it fails again at
    // its third update overall, and the checkpoint is untouched.
    let err = trellis_train::resume_with(&FlakySource(3), &out, None, false).unwrap_err();
    assert!(err.to_string().contains("raised on purpose"), "{err}");
    assert_eq!(std::fs::read(&ckpt).unwrap(), before);
    // A teacher that does not fail finishes the same run.
    trellis_train::resume_with(&FlakySource(u32::MAX), &out, None, false).unwrap();
    assert!(out.join("summary.json").exists());
    std::fs::remove_dir_all(&out).unwrap();
}

#[test]
fn world_options_live_in_the_worlds_section_and_old_configs_still_load() {
    // A config written before worlds owned their options: top-level CPPN weights.
    let old = "env = \"parkour\"\ncppn_weights = \"w.json\"\n";
    let c = RunConfig::from_toml(old).unwrap();
    assert_eq!(c.world_options().unwrap()["cppn_weights"].as_str(), Some("w.json"));
    assert!(!c.to_toml().starts_with("cppn_weights"), "{}", c.to_toml());
    // ... and for a world without options, where it was ignored, it is dropped.
    let c = RunConfig::from_toml("env = \"stump-tracks\"\ncppn_weights = \"w.json\"\n").unwrap();
    assert!(c.world_options().unwrap().is_empty());
    // A section that is neither a student's nor a world's is refused, naming both lists.
    let e = RunConfig::from_toml("[moon]\ngravity = 1.6\n").unwrap_err().to_string();
    assert!(e.contains("`moon`") && e.contains("parkour") && e.contains("sac"), "{e}");
    // A world's section is checked by the world when the run starts, before the dir exists.
    let mut cfg = small(3_000);
    cfg.env = "parkour".into();
    cfg.set("parkour.ceiling_offset", "-1").unwrap();
    let bad = tmp("parkour-bad-option");
    let e = trellis_train::start(cfg, &bad, false).unwrap_err().to_string();
    assert!(e.contains("parkour.ceiling_offset") && e.contains("[0, 1000]"), "{e}");
    assert!(!bad.exists());
}
