//! Every world and body in the tables is complete and describes itself.

use trellis_envs::Env;
use trellis_envs::bodies::{BODIES, by_name};
use trellis_envs::registry::{RegistryError, WorldRequest, names, world, worlds};
use trellis_envs::world::AnyEnv;
use trellis_envs::spec::Layout;
use trellis_envs::walker::WalkerConfig;

#[test]
fn every_world_descriptor_is_complete_and_matches_its_spec() {
    let n = trellis_envs::registry::check_table("world", worlds().map(|w| (w.name, w.summary)))
        .unwrap();
    for w in worlds() {
        let built = (w.make)(&WorldRequest::default()).unwrap();
        assert!(!built.task_space().dims.is_empty(), "{}", w.name);
        if let AnyEnv::Walker(env) = &built {
            let body = env.spec().body.clone().unwrap();
            assert!(by_name(&body).is_some(), "{}: {body}", w.name);
            assert_eq!(env.spec().name, env.terrain().name());
            assert_eq!(*env.config(), WalkerConfig::default());
        }
        for o in w.options {
            assert!(!o.key.is_empty() && !o.default.is_empty() && !o.doc.is_empty(), "{}: {o:?}", w.name);
        }
        if let Some(first) = w.first_run {
            assert!(first.steps > 0);
            let mut req = WorldRequest::default();
            for &(name, lo, hi) in first.bounds {
                req.bounds.insert(name.into(), [lo, hi]);
            }
            (w.make)(&req).unwrap_or_else(|e| panic!("{}'s first run: {e}", w.name));
        }
        let spec = built.spec().clone();
        assert_eq!(spec.name, w.name, "the world reports another name");
        let (lo, hi) = spec.reward_range;
        assert!(lo.is_finite() && hi.is_finite() && lo < hi, "{}", w.name);
        if let Layout::Vector(entries) = &spec.observation {
            let mut names = std::collections::BTreeSet::new();
            for e in entries {
                assert!(e.low <= e.high, "{}: {}", w.name, e.name);
                assert!(names.insert(&e.name), "{}: entry {} twice", w.name, e.name);
            }
        }
        assert!(spec.markdown().contains(w.name));
    }
    assert_eq!(names().len(), n);
    assert!(matches!(world("moon"), Err(RegistryError::UnknownEnv { .. })));
}

#[test]
fn every_body_entry_builds_under_each_of_its_names() {
    trellis_envs::registry::check_table("body", BODIES.iter().map(|b| (b.name, "-"))).unwrap();
    for b in BODIES {
        let spec = (b.build)();
        assert!(
            !spec.parts.is_empty() && !spec.motors.is_empty(),
            "{}",
            b.name
        );
        assert_eq!(spec.name, b.name, "the body calls itself another name");
        assert_eq!(by_name(b.name).unwrap().name, spec.name, "{}", b.name);
        for alias in b.aliases {
            assert_eq!(by_name(alias).unwrap().name, spec.name, "{alias}");
        }
    }
    assert!(by_name("wheelchair").is_some());
}
