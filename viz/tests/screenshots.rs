//! Renders each world to a PNG without a display (under Xvfb, Mesa's
//! software Vulkan) and checks what is in the picture: not a blank window,
//! the body's hull (TeachMyAgent's colour, as `trellis record` films it)
//! near the middle, where the camera follows it, and the terrain's fill. `viz/screenshots.sh` installs Xvfb and Mesa, then runs this;
//! the PNGs stay in `artifacts/screenshots/` (or `$TRELLIS_SCREENSHOTS`).

use std::path::{Path, PathBuf};
use std::process::Command;

const WIDTH: u32 = 1280;
const HEIGHT: u32 = 720;
/// The hull's fill (`trellis_envs::scene::palette::HULL`), in air and under water.
const BODY: [[u8; 3]; 2] = [[128, 102, 230], [106, 111, 234]];
/// The ground's and the ceiling's fills, in air and (the ground) under water.
const TERRAIN: [[u8; 3]; 3] = [[102, 153, 77], [128, 128, 128], [89, 144, 135]];

struct Shot<'a> {
    name: &'a str,
    args: &'a [&'a str],
    has_body: bool,
}

const SHOTS: &[Shot<'static>] = &[
    Shot {
        name: "stump-tracks",
        args: &["--env", "stump-tracks", "--task", "1.5,2"],
        has_body: true,
    },
    Shot {
        name: "hexagon-tracks",
        args: &["--env", "hexagon-tracks"],
        has_body: true,
    },
    Shot {
        name: "poet",
        args: &["--env", "poet", "--task", "3,2,1,0.5,3"],
        has_body: true,
    },
    Shot {
        name: "parkour-walker",
        args: &[
            "--env",
            "parkour",
            "--task",
            "-0.15,0.8,0.1,0.81,0.25,2,1,10",
        ],
        has_body: true,
    },
    Shot {
        name: "parkour-spider",
        args: &["--env", "parkour", "--body", "spider"],
        has_body: true,
    },
    Shot {
        name: "parkour-fish",
        args: &[
            "--env",
            "parkour",
            "--body",
            "fish",
            "--task",
            "-0.15,0.8,0.1,1,0.25,1,2,10",
        ],
        has_body: true,
    },
    Shot {
        name: "parkour-climber",
        args: &[
            "--env",
            "parkour",
            "--body",
            "climbing_profile_chimpanzee",
            "--task",
            "-0.15,0.8,0.1,0,0.25,2,1,10",
        ],
        has_body: true,
    },
    Shot {
        name: "text-world",
        args: &["--env", "text-world", "--task", "4,6,5,0.5,0.5,2"],
        has_body: false,
    },
];

fn out_dir() -> PathBuf {
    let dir = std::env::var_os("TRELLIS_SCREENSHOTS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../artifacts/screenshots"));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn render(shot: &Shot, path: &Path) {
    let bin = env!("CARGO_BIN_EXE_trellis-viz");
    let size = [format!("{WIDTH}"), format!("{HEIGHT}")];
    let mut viz: Vec<String> = shot.args.iter().map(|s| s.to_string()).collect();
    viz.extend([
        "--screenshot".into(),
        path.display().to_string(),
        "--frames".into(),
        "40".into(),
    ]);
    viz.extend([
        "--width".into(),
        size[0].clone(),
        "--height".into(),
        size[1].clone(),
    ]);
    let status = if std::env::var_os("DISPLAY").is_some() {
        Command::new(bin).args(&viz).status()
    } else {
        Command::new("xvfb-run")
            .args(["-a", "-s", &format!("-screen 0 {WIDTH}x{HEIGHT}x24")])
            .arg(bin)
            .args(&viz)
            .status()
    }
    .expect("no display and no xvfb-run: run viz/screenshots.sh, which installs Xvfb and Mesa");
    assert!(
        status.success(),
        "{}: trellis-viz exited with {status}",
        shot.name
    );
}

/// Pixels as RGB triples.
fn pixels(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    let px = buf[..info.buffer_size()]
        .chunks(step)
        .map(|c| [c[0], c[1], c[2]])
        .collect();
    (info.width, info.height, px)
}

/// Renders `shot` and checks the picture; returns its pixels and a summary line.
fn check(shot: &Shot, dir: &Path) -> (Vec<[u8; 3]>, String) {
    let path = dir.join(format!("{}.png", shot.name));
    let _ = std::fs::remove_file(&path);
    render(shot, &path);
    let (w, h, px) = pixels(&path);
    assert_eq!((w, h), (WIDTH, HEIGHT), "{}", shot.name);
    let mut counts = std::collections::HashMap::new();
    for p in &px {
        *counts.entry(*p).or_insert(0usize) += 1;
    }
    let commonest = counts.values().copied().max().unwrap_or(0);
    assert!(
        counts.len() >= 3 && commonest < px.len() * 995 / 1000,
        "{}: the picture is (almost) blank",
        shot.name
    );
    let body: Vec<(u32, u32)> = px
        .iter()
        .enumerate()
        .filter(|(_, p)| BODY.iter().any(|&c| near(p, c)))
        .map(|(i, _)| (i as u32 % w, i as u32 / w))
        .collect();
    if shot.has_body {
        let terrain = px.iter().filter(|p| TERRAIN.iter().any(|&c| near(p, c))).count();
        assert!(terrain > 2000, "{}: only {terrain} terrain pixels", shot.name);
        assert!(
            body.len() >= 40,
            "{}: only {} body pixels",
            shot.name,
            body.len()
        );
        let cx = body.iter().map(|p| p.0 as f64).sum::<f64>() / body.len() as f64;
        let cy = body.iter().map(|p| p.1 as f64).sum::<f64>() / body.len() as f64;
        assert!(
            (cx - f64::from(w) / 2.0).abs() < f64::from(w) / 6.0
                && (cy - f64::from(h) / 2.0).abs() < f64::from(h) / 4.0,
            "{}: the body is off-centre at ({cx:.0}, {cy:.0})",
            shot.name
        );
    } else {
        let ink = px.iter().filter(|p| p.iter().all(|&c| c < 90)).count();
        assert!(ink > 800, "{}: only {ink} text pixels", shot.name);
    }
    let line = format!(
        "{}: {} colours, {} body pixels",
        shot.name,
        counts.len(),
        body.len()
    );
    (px, line)
}

fn near(p: &[u8; 3], colour: [u8; 3]) -> bool {
    p.iter().zip(colour).all(|(&a, b)| a.abs_diff(b) <= 12)
}

#[test]
fn every_world_renders_with_its_body_in_view() {
    let dir = out_dir();
    let report: Vec<String> = SHOTS.iter().map(|shot| check(shot, &dir).1).collect();
    eprintln!("screenshots in {}:\n{}", dir.display(), report.join("\n"));
}

/// `teacher_panel::BELIEF` in 8-bit sRGB.
const BELIEF: [u8; 3] = [26, 77, 230];

#[test]
fn a_run_replays_its_policy_with_the_teacher_panel() {
    let run = std::env::temp_dir().join(format!("trellis-viz-run-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&run);
    let mut cfg = trellis_train::RunConfig {
        steps: 4_000,
        eval_every: 4_000,
        checkpoint_every: 2_000,
        dump_every: 2_000,
        test_episodes: 3,
        student: "sac".into(),
        ..Default::default()
    };
    for (k, v) in [
        ("sac.hidden", "[32, 32]"),
        ("sac.batch_size", "32"),
        ("sac.start_steps", "1000"),
        ("sac.buffer_size", "5000"),
    ] {
        cfg.set(k, v).unwrap();
    }
    cfg.teacher = "riac".into();
    trellis_train::start(cfg, &run, false).unwrap();
    let dumps = std::fs::read_to_string(run.join("teacher.jsonl")).unwrap();
    assert!(
        dumps.lines().last().unwrap().contains("\"regions\""),
        "RIAC dumps its regions: {dumps}"
    );
    let run_arg = run.display().to_string();
    let shot = Shot {
        name: "stump-tracks-run",
        args: &["--run", &run_arg],
        has_body: true,
    };
    let (px, line) = check(&shot, &out_dir());
    let belief = px.iter().filter(|p| near(p, BELIEF)).count();
    assert!(belief > 500, "RIAC's regions are drawn ({belief} pixels)");
    eprintln!("{line}, {belief} belief pixels");
}

#[test]
fn a_poet_run_shows_its_population_with_an_agent_driving() {
    let run = std::env::temp_dir().join(format!("trellis-viz-poet-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&run);
    // The quick POET run, with a criterion that admits more children so a
    // population shows within 30k steps.
    let mut cfg = trellis_train::open_ended::quick("poet", 30_000).unwrap();
    cfg.set("teacher_config.repro_threshold", "-150.0").unwrap();
    trellis_train::start(cfg, &run, false).unwrap();
    let run_arg = run.display().to_string();
    let shot = Shot { name: "poet-population", args: &["--run", &run_arg], has_body: true };
    let (_, line) = check(&shot, &out_dir());
    eprintln!("{line}");
    std::fs::remove_dir_all(&run).unwrap();
}
