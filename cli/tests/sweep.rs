//! The benchmark layer end to end with the real binary: a sweep killed
//! mid-way and re-run recomputes nothing that had finished and ends with the
//! very results of an uninterrupted sweep; the smoke scale of every
//! experiment with every teacher runs and its report names them all.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant, SystemTime};

fn trellis() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_trellis"));
    // The benchmark's data lives in the repository's assets/.
    c.env(
        "TRELLIS_ASSETS",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../assets/benchmark"),
    );
    c
}

fn ok(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap();
    assert!(
        out.status.success(),
        "{:?} failed: {}\n{}",
        cmd,
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn tmp(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("trellis-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Every run dir under `sweep/runs` with the files that mark its state.
fn run_dirs(sweep: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![sweep.join("runs")];
    while let Some(d) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.join("config.toml").exists() {
                out.push(p);
            } else if p.is_dir() {
                stack.push(p);
            }
        }
    }
    out.sort();
    out
}

fn mtime(p: &Path) -> SystemTime {
    std::fs::metadata(p).unwrap().modified().unwrap()
}

/// eval.csv without its wall-clock columns (time and steps/s differ run to run).
fn eval_rows(run: &Path) -> Vec<String> {
    std::fs::read_to_string(run.join("eval.csv"))
        .unwrap()
        .lines()
        .map(|l| l.split(',').take(5).collect::<Vec<_>>().join(","))
        .collect()
}

#[test]
fn a_killed_sweep_reruns_to_the_uninterrupted_results() {
    let dir = tmp("sweep-kill");
    let manifest = dir.join("manifest.json");
    ok(trellis()
        .args([
            "sweep",
            "plan",
            "--scale",
            "smoke",
            "--experiments",
            "stump-rugged",
        ])
        .args([
            "--teachers",
            "random,alp-gmm",
            "--expert",
            "low",
            "--seeds",
            "2",
            "--out",
        ])
        .arg(&manifest));
    let run = |out: &Path| {
        let mut c = trellis();
        c.args(["sweep", "run", "--quiet", "--jobs", "1", "--manifest"])
            .arg(&manifest)
            .arg("--out")
            .arg(out);
        c
    };
    let whole = dir.join("whole");
    ok(&mut run(&whole));
    assert_eq!(run_dirs(&whole).len(), 4);

    // Kill the second sweep once one run finished and another has checkpointed.
    let broken = dir.join("broken");
    let mut child = run(&broken)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let t0 = Instant::now();
    let killed_at = loop {
        let runs = run_dirs(&broken);
        let done: Vec<&PathBuf> = runs
            .iter()
            .filter(|r| r.join("summary.json").exists())
            .collect();
        let midway = runs
            .iter()
            .any(|r| r.join("checkpoint.bin").exists() && !r.join("summary.json").exists());
        if !done.is_empty() && midway {
            child.kill().unwrap();
            child.wait().unwrap();
            break done
                .iter()
                .map(|r| (r.to_path_buf(), mtime(&r.join("summary.json"))))
                .collect::<Vec<_>>();
        }
        assert!(
            child.try_wait().unwrap().is_none(),
            "the sweep ended before it could be interrupted"
        );
        assert!(
            t0.elapsed() < Duration::from_secs(600),
            "no checkpoint appeared"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    // The killed sweep took its training process with it: nothing changes now.
    std::thread::sleep(Duration::from_millis(500));
    let unfinished = run_dirs(&broken)
        .iter()
        .filter(|r| !r.join("summary.json").exists())
        .count();
    assert!(unfinished >= 1);

    let rerun = ok(&mut run(&broken));
    assert!(
        rerun.contains(&format!("{} already finished", killed_at.len())),
        "{rerun}"
    );
    for (r, t) in &killed_at {
        assert_eq!(
            mtime(&r.join("summary.json")),
            *t,
            "{} was recomputed",
            r.display()
        );
    }
    let (a, b) = (run_dirs(&whole), run_dirs(&broken));
    assert_eq!(a.len(), b.len());
    for (ra, rb) in a.iter().zip(&b) {
        assert_eq!(
            ra.strip_prefix(&whole).unwrap(),
            rb.strip_prefix(&broken).unwrap()
        );
        let episodes = |r: &Path| std::fs::read_to_string(r.join("episodes.csv")).unwrap();
        assert_eq!(
            episodes(ra),
            episodes(rb),
            "{}: episodes differ",
            rb.display()
        );
        assert_eq!(
            eval_rows(ra),
            eval_rows(rb),
            "{}: evaluations differ",
            rb.display()
        );
    }
}

#[test]
fn every_experiment_at_smoke_scale_and_its_report() {
    let dir = tmp("sweep-smoke");
    let manifest = dir.join("manifest.json");
    let plan = ok(trellis()
        .args(["sweep", "plan", "--scale", "smoke", "--out"])
        .arg(&manifest));
    assert!(plan.contains("runs at scale smoke"), "{plan}");
    let out = dir.join("sweep");
    ok(trellis()
        .args(["sweep", "run", "--quiet", "--jobs", "2", "--manifest"])
        .arg(&manifest)
        .arg("--out")
        .arg(&out));
    let report = ok(trellis().arg("report").arg(&out));
    assert!(report.contains("0 runs not finished"), "{report}");
    let md = std::fs::read_to_string(out.join("report/report.md")).unwrap();
    let listing = ok(trellis().arg("experiments"));
    for line in listing.lines().skip(1).take_while(|l| l.starts_with("  ")) {
        let exp = line.split_whitespace().next().unwrap();
        assert!(
            md.contains(&format!("| {exp}")),
            "experiment {exp} missing from the report"
        );
    }
    for t in [
        "random",
        "adr",
        "alp-gmm",
        "covar-gmm",
        "riac",
        "goal-gan",
        "setter-solver",
        "spdl",
        "plr",
        "robust-plr",
        "accel",
        "sfl",
        "again",
    ] {
        assert!(
            md.contains(&format!(" {t} |")),
            "teacher {t} missing from the report"
        );
    }
    assert!(
        md.contains("n/a"),
        "teachers needing expert knowledge are n/a at level no"
    );
    assert!(md.contains("published"), "the Parkour reference table");
    // Smoke runs master nothing, so Random's score is 0 everywhere and the
    // profile's ratios are undefined: the report says so instead of drawing.
    assert!(
        md.contains("![profile](profile.png)")
            || md.contains("Needs at least 3 cells where Random mastered"),
        "{md}"
    );
    let curves = std::fs::read_dir(out.join("report/curves"))
        .unwrap()
        .count();
    assert!(curves >= 2 * 8, "one PNG and one SVG per cell: {curves}");
}
