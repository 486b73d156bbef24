//! `trellis record`: an episode to a GIF (frame count, size, the body in
//! view), a still PNG, and refusals that name the bad flag.

use std::path::PathBuf;
use std::process::Command;

fn trellis() -> Command {
    Command::new(env!("CARGO_BIN_EXE_trellis"))
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trellis-record-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// The hull's fill, TeachMyAgent's (0.5, 0.4, 0.9).
const HULL: [u8; 3] = [128, 102, 230];

#[test]
fn an_episode_becomes_a_gif_with_the_body_in_view() {
    let dir = tmp("gif");
    let out = dir.join("walk.gif");
    let o = trellis()
        .args(["record", "--task", "0.5,3", "--steps", "120", "--every", "2", "--width", "300", "--height", "200"])
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("driver gait"));
    let mut opts = gif::DecodeOptions::new();
    opts.set_color_output(gif::ColorOutput::RGBA);
    let mut d = opts.read_info(std::fs::File::open(&out).unwrap()).unwrap();
    assert_eq!((d.width(), d.height()), (300, 200));
    let mut frames = 0;
    while let Some(f) = d.read_next_frame().unwrap() {
        frames += 1;
        assert_eq!(f.delay, 4, "two steps at 50 steps/s");
        // The camera follows the head: hull pixels near (width / 3, 0.55 height).
        let hull = f
            .buffer
            .chunks(4)
            .enumerate()
            .filter(|(_, p)| p[..3] == HULL)
            .filter(|(i, _)| {
                let (x, y) = ((i % 300) as i32, (i / 300) as i32);
                (x - 100).abs() < 40 && (y - 110).abs() < 40
            })
            .count();
        assert!(hull > 20, "frame {frames}: {hull} hull pixels near the focus");
    }
    assert_eq!(frames, 61, "the first frame and one every 2 of 120 steps");
    let still = dir.join("last.png");
    let o = trellis()
        .args(["record", "--env", "parkour", "--body", "fish", "--steps", "10", "--lidar", "--out"])
        .arg(&still)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(std::fs::metadata(&still).unwrap().len() > 1000);
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn bad_flags_are_refused_by_name_and_write_nothing() {
    let dir = tmp("bad");
    for (args, needle) in [
        (vec!["--out", "x.mp4"], "`.mp4`"),
        (vec!["--out", "x.gif", "--driver", "policy"], "needs --run"),
        (vec!["--out", "x.gif", "--driver", "walk"], "unknown driver `walk`"),
        (vec!["--out", "x.gif", "--env", "text-world"], "walker worlds"),
        (vec!["--out", "x.gif", "--every", "0"], "--every 0"),
        (vec!["--out", "x.gif", "--eval-policy", "mean"], "--run"),
    ] {
        let o = trellis().current_dir(&dir).arg("record").args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(needle), "{args:?}: {err}");
    }
    assert_eq!(std::fs::read_dir(&dir).unwrap().count(), 0, "nothing written");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_runs_pictures_show_its_curriculum_and_its_final_policy() {
    let dir = tmp("pictures");
    let run = dir.join("run");
    let o = trellis()
        .args(["train", "--quiet", "--steps", "1200", "--set", "eval_every=1200", "--set", "test_episodes=2"])
        .args(["--set", "ppo.hidden=[8]", "--set", "ppo.rollout=200", "--set", "ppo.minibatch=100", "--out"])
        .arg(&run)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let pics = dir.join("pics");
    let o = trellis().arg("report").arg(&run).arg("--pictures").arg(&pics).output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let out = pics.join("run");
    let md = std::fs::read_to_string(out.join("pictures.md")).unwrap();
    for q in 1..=4 {
        let png = out.join(format!("curriculum-q{q}.png"));
        assert!(std::fs::metadata(&png).unwrap().len() > 500, "{}", png.display());
        assert!(md.contains(&format!("(curriculum-q{q}.png)")), "{md}");
    }
    for label in ["best", "worst"] {
        let gif = out.join(format!("policy-{label}.gif"));
        let d = gif::DecodeOptions::new().read_info(std::fs::File::open(&gif).unwrap()).unwrap();
        assert_eq!((d.width(), d.height()), (360, 240));
        assert!(md.contains(&format!("{label} test task")), "{md}");
    }
    assert!(md.contains("actions sampled from the policy"), "a PPO run is filmed as it is tested: {md}");
    // `trellis record` plays the run's protocol too (PPO: sampled, the noise
    // from --seed, so a take replays), and --eval-policy overrides it.
    let take = |extra: &[&str]| {
        let o = trellis()
            .args(["record", "--run"])
            .arg(&run)
            .args(extra)
            .arg("--out")
            .arg(dir.join("take.png"))
            .output()
            .unwrap();
        assert!(o.status.success(), "{extra:?}: {}", String::from_utf8_lossy(&o.stderr));
        let out = String::from_utf8_lossy(&o.stdout).into_owned();
        out[out.find("driver").unwrap()..].to_string()
    };
    let sampled = take(&["--steps", "300"]);
    assert!(sampled.contains("driver policy (sample)"), "{sampled}");
    assert_eq!(take(&["--steps", "300", "--eval-policy", "sample"]), sampled, "a sampled take replays");
    let mean = take(&["--steps", "300", "--eval-policy", "mean"]);
    assert!(mean.contains("driver policy (mean)"), "{mean}");
    assert_ne!(mean.replace("(mean)", ""), sampled.replace("(sample)", ""), "the mean action walks otherwise");
    // Each take restarts its noise: the second GIF of the pictures (the
    // worst test task) is what `trellis record` films on that task.
    let worst = md.lines().find(|l| l.starts_with("worst test task ")).unwrap();
    let k = worst.split_whitespace().nth(3).unwrap();
    let (ret, steps) = worst.split("this episode ").nth(1).unwrap().split_once(" in ").unwrap();
    let steps = steps.split_whitespace().next().unwrap();
    let filmed = take(&["--steps", "2000", "--test-task", k]);
    assert!(filmed.contains(&format!(" · {steps} steps · return {ret}")), "{filmed} against {worst}");
    let o = trellis().args(["record", "--eval-policy", "best", "--out", "x.gif", "--run"]).arg(&run).output().unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("--eval-policy") && err.contains("eval policy `best`: expected `mean` or `sample`"), "{err}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_poet_runs_report_draws_every_pair_and_films_the_active_agents() {
    let dir = tmp("poet");
    let run = dir.join("run");
    let o = trellis()
        .args(["train", "--quiet", "--env", "poet", "--teacher", "poet", "--steps", "50000"])
        .args(["--set", "es.hidden=[8]", "--set", "es.directions=3", "--set", "es.eval_episodes=1"])
        .args(["--set", "teacher_config.reproduce_every=2", "--set", "teacher_config.repro_threshold=-150.0"])
        .args(["--set", "teacher_config.mc_low=-150.0", "--set", "teacher_config.mc_high=400.0", "--out"])
        .arg(&run)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert!(String::from_utf8_lossy(&o.stdout).contains("active pairs"));
    let out = dir.join("report");
    let o = trellis().arg("report").arg(&run).arg("--out").arg(&out).arg("--pictures").output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let pop: serde_json::Value = serde_json::from_slice(&std::fs::read(run.join("population.json")).unwrap()).unwrap();
    let active = pop["active"].as_array().unwrap();
    assert!(active.len() >= 2, "{pop}");
    for p in active {
        let id = p["id"].as_u64().unwrap();
        assert!(std::fs::metadata(out.join(format!("pair-{id}.png"))).unwrap().len() > 500);
        let gif = out.join(format!("pair-{id}.gif"));
        let d = gif::DecodeOptions::new().read_info(std::fs::File::open(&gif).unwrap()).unwrap();
        assert_eq!((d.width(), d.height()), (360, 240));
        assert!(md.contains(&format!("(pair-{id}.gif)")), "{md}");
    }
    assert!(out.join("scores.png").exists() && md.contains("## Transfers"), "{md}");
    std::fs::remove_dir_all(&dir).unwrap();
}
