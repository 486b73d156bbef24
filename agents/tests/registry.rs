//! Every student in the table is complete and builds from its own settings.

use trellis_agents::registry::{Make, Reads};
use trellis_agents::{Acting, STUDENTS, descriptor};
use trellis_core::text::TextObs;

#[test]
fn every_student_descriptor_is_complete() {
    trellis_core::registry::check_table("student", STUDENTS.iter().map(|d| (d.name, d.summary)))
        .unwrap();
    for d in STUDENTS {
        let quick: toml::Table = d.quick.parse().unwrap();
        let full = (d.resolve)(&quick).unwrap();
        // Resolving fills every field and keeps the quick values.
        assert!(full.len() >= quick.len().max(3), "{}: {full:?}", d.name);
        for (k, v) in &quick {
            assert_eq!(full.get(k), Some(v), "{}.{k}", d.name);
        }
        // A resolved section resolves to itself.
        assert_eq!((d.resolve)(&full).unwrap(), full, "{}", d.name);
        match d.make {
            Make::Vectors(make) => {
                let mut s = make(&full, 6, 2, 1).unwrap();
                assert_eq!(s.name(), d.name);
                let a = s.act(&[vec![0.1; 6], vec![-0.2; 6]], Acting::Mean);
                assert_eq!(a.len(), 2);
                assert!(
                    a.iter()
                        .all(|x| x.len() == 2 && x.iter().all(|v| v.is_finite()))
                );
            }
            Make::Text(make) => {
                let mut s = make(&full, 1).unwrap();
                assert_eq!(s.name(), d.name);
                let obs = TextObs {
                    feedback: "A room.".into(),
                    goal: "Take the key.".into(),
                    inventory: "You carry nothing.".into(),
                    admissible: vec!["take key".into(), "look".into()],
                };
                let a = s.act(&[obs], Acting::Mean);
                assert!(a.len() == 1 && ["take key", "look"].contains(&a[0].as_str()));
            }
        }
    }
    assert!(STUDENTS.iter().any(|d| d.reads() == Reads::Vectors));
    assert!(STUDENTS.iter().any(|d| d.reads() == Reads::Text));
}

#[test]
fn bad_settings_name_the_field_and_range() {
    let d = descriptor("sac").unwrap();
    let bad: toml::Table = "gamma = 1.5".parse().unwrap();
    let e = (d.resolve)(&bad).unwrap_err();
    assert!(
        e.contains("`sac.gamma` = 1.5") && e.contains("[0, 1]"),
        "{e}"
    );
    let typo: toml::Table = "gama = 0.9".parse().unwrap();
    let e = (d.resolve)(&typo).unwrap_err();
    assert!(e.contains("gama"), "{e}");
    assert!(
        descriptor("dqn")
            .unwrap_err()
            .contains("known students: sac, ppo")
    );
}
