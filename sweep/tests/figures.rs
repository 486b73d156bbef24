//! The report's figures render to real PNG and SVG files.

use trellis_sweep::plots::{Curve, Curves, Density, DensityGrid, Measure, Profile, Radar, save};

fn tmp(name: &str) -> std::path::PathBuf {
    let d = std::env::temp_dir().join(format!("trellis-fig-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// A PNG whose pixels are not all the background.
fn drawn(png: &std::path::Path) -> bool {
    let bytes = std::fs::read(png).unwrap();
    bytes.starts_with(b"\x89PNG") && bytes.len() > 3000
}

#[test]
fn radar_curves_and_densities_render() {
    let dir = tmp("all");
    let radar = Radar {
        axes: ["unfeasible", "trivial", "forgetting", "rugged", "students"]
            .map(String::from)
            .to_vec(),
        profiles: vec![
            Profile {
                name: "alp-gmm".into(),
                colour: 1,
                values: vec![
                    Some((1.8, true)),
                    Some((1.1, false)),
                    Some((2.2, true)),
                    None,
                    Some((0.7, false)),
                ],
            },
            Profile {
                name: "adr".into(),
                colour: 2,
                values: vec![Some((0.4, false)); 5],
            },
        ],
    };
    save(&radar, &dir.join("profile")).unwrap();
    assert!(drawn(&dir.join("profile.png")));
    let svg = std::fs::read_to_string(dir.join("profile.svg")).unwrap();
    assert!(
        svg.contains("alp-gmm") && svg.contains("rugged"),
        "labels in the SVG"
    );
    let curves = Curves {
        title: "stump-rugged/low".into(),
        measure: Measure::Mastered,
        curves: vec![Curve {
            name: "random".into(),
            colour: 0,
            points: vec![(0.0, 0.0, 0.0), (1e5, 10.0, 2.0), (2e5, 25.0, 4.0)],
        }],
    };
    save(&curves, &dir.join("curves")).unwrap();
    assert!(drawn(&dir.join("curves.png")));
    let grid = DensityGrid {
        cols: 2,
        panels: (0..4)
            .map(|q| Density {
                title: format!("q{q}"),
                axes: [
                    ("stump_height".into(), 0.0, 3.0),
                    ("stump_spacing".into(), 0.0, 6.0),
                ],
                samples: (0..200)
                    .map(|i| ((i % 30) as f64 / 10.0, (i % 60) as f64 / 10.0))
                    .collect(),
                mastered: vec![(0.3, 5.0)],
            })
            .collect(),
    };
    save(&grid, &dir.join("density")).unwrap();
    assert!(drawn(&dir.join("density.png")));
    assert!(
        save(
            &Radar {
                axes: vec!["a".into(), "b".into()],
                profiles: vec![]
            },
            &dir.join("bad")
        )
        .is_err()
    );
}
