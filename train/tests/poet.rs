//! POET and Enhanced POET as runs: the population grows, a run cut and
//! resumed writes exactly what an uninterrupted one does, and bad settings
//! are refused by field before anything is written.

use std::path::{Path, PathBuf};

use trellis_train::RunConfig;
use trellis_train::open_ended::{EVENTS, PAIRS, POPULATION, Population};

mod common;
use common::quick;

fn tmp(name: &str) -> PathBuf {
    let p = std::env::temp_dir().join(format!("trellis-poet-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&p);
    p
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap()
}

#[test]
fn the_population_grows_and_a_resumed_run_matches_an_uninterrupted_one() {
    for teacher in ["poet", "enhanced-poet"] {
        let (whole, cut) = (tmp(&format!("{teacher}-whole")), tmp(&format!("{teacher}-cut")));
        trellis_train::start(quick(teacher, 60_000), &whole, false).unwrap();
        trellis_train::start(quick(teacher, 25_000), &cut, false).unwrap();
        let outcome = trellis_train::resume(&cut, Some(60_000), false).unwrap();
        assert_eq!(outcome.progress.resumes, 1);
        for f in [PAIRS, EVENTS, POPULATION] {
            assert_eq!(read(&whole.join(f)), read(&cut.join(f)), "{teacher}: {f} differs after a resume");
        }
        let pop = Population::read(&whole).unwrap();
        assert!(pop.active.len() + pop.archive.len() >= 3, "{teacher}: {pop:?}");
        assert!(pop.active.len() <= 4, "max_active = 4 holds");
        assert!(read(&whole.join(EVENTS)).contains("\"event\":\"admitted\""));
        // Every pair's encoding stays in the world's space.
        let space = trellis_envs::registry::make("poet", &Default::default()).unwrap();
        let space = trellis_envs::with_env!(space, e => trellis_envs::Env::task_space(&e).clone());
        for p in pop.active.iter().chain(&pop.archive) {
            space.validate(&p.env).unwrap();
        }
        // A population is not one student to evaluate.
        let e = trellis_train::evaluate_run(&whole, None).unwrap_err().to_string();
        assert!(e.contains("population"), "{e}");
        for d in [whole, cut] {
            std::fs::remove_dir_all(d).unwrap();
        }
    }
}

#[test]
fn bad_poet_settings_are_refused_by_field_before_the_disk_is_touched() {
    let cases: Vec<(RunConfig, &str)> = vec![
        (
            {
                let mut c = quick("poet", 1_000);
                c.teacher_config.insert("mc_low".into(), toml::Value::Float(500.0));
                c
            },
            "teacher_config.mc_low",
        ),
        (RunConfig { student: "ppo".into(), ..quick("poet", 1_000) }, "`student` = `ppo`"),
        (RunConfig { env: "text-world".into(), ..quick("poet", 1_000) }, "`env` = `text-world`"),
        (
            {
                let mut c = quick("enhanced-poet", 1_000);
                let start = [0.0, 99.0, 0.0, 0.0, 1.0].map(toml::Value::Float).to_vec();
                c.teacher_config.insert("start".into(), toml::Value::Array(start));
                c
            },
            "teacher_config.start",
        ),
        (
            {
                let mut c = quick("poet", 1_000);
                c.set("es.directions", "0").unwrap();
                c
            },
            "es.directions",
        ),
    ];
    for (cfg, field) in cases {
        let out = tmp("bad");
        let e = trellis_train::start(cfg, &out, false).unwrap_err().to_string();
        assert!(e.contains(field), "expected {field} in: {e}");
        assert!(!out.exists(), "{field}: the run dir was created");
    }
}
