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

/// `trellis sweep run` of `manifest` into `out`, one run at a time.
fn sweep_run(manifest: &Path, out: &Path) -> Command {
    let mut c = trellis();
    c.args(["sweep", "run", "--quiet", "--jobs", "1", "--manifest"]).arg(manifest).arg("--out").arg(out);
    c
}

/// Plans a smoke sweep of `stump-rugged` at expert level `low` with
/// `teachers` and `seeds` into `dir/manifest.json`; returns its path.
fn plan_rugged(dir: &Path, teachers: &str, seeds: u32) -> PathBuf {
    let manifest = dir.join("manifest.json");
    ok(trellis()
        .args(["sweep", "plan", "--scale", "smoke", "--experiments", "stump-rugged"])
        .args(["--teachers", teachers, "--expert", "low", "--seeds", &seeds.to_string(), "--out"])
        .arg(&manifest));
    manifest
}

/// Two sweeps of one manifest hold the same runs with the same episodes and
/// evaluations (wall-clock columns aside).
fn assert_same_results(a_dir: &Path, b_dir: &Path) {
    let (a, b) = (run_dirs(a_dir), run_dirs(b_dir));
    assert_eq!(a.len(), b.len());
    for (ra, rb) in a.iter().zip(&b) {
        assert_eq!(ra.strip_prefix(a_dir).unwrap(), rb.strip_prefix(b_dir).unwrap());
        let episodes = |r: &Path| std::fs::read_to_string(r.join("episodes.csv")).unwrap();
        assert_eq!(episodes(ra), episodes(rb), "{}: episodes differ", rb.display());
        assert_eq!(eval_rows(ra), eval_rows(rb), "{}: evaluations differ", rb.display());
    }
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
    let run = |out: &Path| sweep_run(&manifest, out);
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
    assert_same_results(&whole, &broken);
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
    // Every teacher that ran against Random gets its p and effect size.
    assert!(
        md.contains("## Against Random") && md.contains("| alp-gmm | 0.0 / 0.0 |"),
        "{md}"
    );
    // The table as data: one row per cell and teacher, n/a rows flagged, and
    // every finished run counted.
    let csv = std::fs::read_to_string(out.join("report/summary.csv")).unwrap();
    let mut lines = csv.lines();
    assert_eq!(
        lines.next(),
        Some("experiment,variant,expert,teacher,planned,finished,mean,std,sem,welch_t,welch_p,hedges_g,area,area_welch_p,area_hedges_g,not_applicable")
    );
    let rows: Vec<Vec<&str>> = lines.map(|l| l.split(',').collect()).collect();
    assert!(rows.iter().any(|r| r[3] == "adr" && r[2] == "no" && r[15] == "true"), "{csv}");
    let finished: usize = rows.iter().map(|r| r[5].parse::<usize>().unwrap()).sum();
    let planned: usize = rows.iter().map(|r| r[4].parse::<usize>().unwrap()).sum();
    assert_eq!(finished, planned, "{csv}");
    assert!(planned > 13 * 8, "{planned} runs in the summary");
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

/// `report --pictures` on a sweep: seed 0 of every cell and teacher gets
/// its curriculum thumbnails and policy GIFs, shown in the report.
#[test]
fn a_sweeps_report_pictures_each_teachers_curriculum_and_policy() {
    let dir = tmp("sweep-pictures");
    let manifest = plan_rugged(&dir, "random,alp-gmm", 2);
    let out = dir.join("sweep");
    ok(&mut sweep_run(&manifest, &out));
    let pics = ok(trellis().arg("report").arg(&out).arg("--out").arg(dir.join("pictured")).arg("--pictures"));
    assert!(pics.contains("2 runs pictured"), "{pics}");
    let pictured = std::fs::read_to_string(dir.join("pictured/report.md")).unwrap();
    assert!(pictured.contains("## Pictures"), "{pictured}");
    for teacher in ["random", "alp-gmm"] {
        let to = dir.join("pictured/pictures/stump-rugged-low").join(teacher);
        for q in 1..=4 {
            let thumb = to.join(format!("curriculum-q{q}.png"));
            assert!(thumb.exists(), "{}", thumb.display());
        }
        for gif in ["policy-best.gif", "policy-worst.gif"] {
            let bytes = std::fs::read(to.join(gif)).unwrap();
            assert!(bytes.starts_with(b"GIF89a"), "{gif} of {teacher} is a GIF");
            assert!(pictured.contains(&format!("pictures/stump-rugged-low/{teacher}/{gif}")), "{pictured}");
        }
    }
    assert!(pictured.contains("2 runs pictured, 0 skipped"), "{pictured}");
}

/// SIGTERM to `sweep run` (as SLURM sends before a time limit) is forwarded
/// once to the run in progress, which checkpoints and stops; no new run
/// starts; the sweep exits 75 (stopped, resumable) and the same command then
/// finishes it with the results of an uninterrupted sweep.
#[test]
fn a_signalled_sweep_stops_its_runs_resumably_and_finishes_on_the_next_call() {
    let dir = tmp("sweep-signal");
    let manifest = plan_rugged(&dir, "random", 2);
    // Longer runs of one env instance (exact resume), checkpointed only when stopped.
    let text = std::fs::read_to_string(&manifest).unwrap();
    let text = text
        .replace("steps = 3000\\n", "steps = 30000\\n")
        .replace("checkpoint_every = 1500", "checkpoint_every = 10000000")
        .replace("envs = 2\\n", "envs = 1\\n");
    assert!(text.contains("steps = 30000"), "the smoke manifest changed shape: {text}");
    std::fs::write(&manifest, text).unwrap();
    let run = |out: &Path| sweep_run(&manifest, out);
    let whole = dir.join("whole");
    ok(&mut run(&whole));
    let cut = dir.join("cut");
    let mut child = run(&cut).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let t0 = Instant::now();
    loop {
        let started = run_dirs(&cut).iter().any(|r| {
            std::fs::read_to_string(r.join("episodes.csv")).is_ok_and(|s| s.lines().count() > 20)
        });
        if started {
            break;
        }
        assert!(child.try_wait().unwrap().is_none(), "the sweep ended before it could be signalled");
        assert!(t0.elapsed() < Duration::from_secs(300), "no run started");
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(Command::new("kill").args(["-TERM", &child.id().to_string()]).status().unwrap().success());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(75), "{err}");
    assert!(err.contains("sweep stopped on request: 1 runs checkpointed"), "{err}");
    let dirs = run_dirs(&cut);
    assert_eq!(dirs.len(), 1, "no second run started after the signal");
    assert!(dirs[0].join("checkpoint.bin").exists() && !dirs[0].join("summary.json").exists());
    ok(&mut run(&cut));
    assert_same_results(&whole, &cut);
}

/// Many array tasks on one results dir (a shared file system, tasks sharing
/// a shard, a `sweep run` started twice by hand): 32 sweeps of one manifest
/// at once. The run dirs' locks decide who trains what; nobody deletes or
/// clobbers another's run, nothing is marked failed, and the results are
/// those of one sweep alone.
#[test]
fn thirty_two_sweeps_on_one_dir_lose_nothing() {
    let dir = tmp("sweep-many");
    let manifest = plan_rugged(&dir, "random,alp-gmm", 3);
    let run = |out: &Path| sweep_run(&manifest, out);
    let alone = dir.join("alone");
    ok(&mut run(&alone));
    let shared = dir.join("shared");
    let children: Vec<_> = (0..32)
        .map(|_| run(&shared).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap())
        .collect();
    for c in children {
        let o = c.wait_with_output().unwrap();
        let (out, err) = (String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{out}\n{err}");
        assert!(out.contains("0 failed"), "{out}");
    }
    let logs = std::fs::read_dir(shared.join("logs")).unwrap();
    for e in logs.flatten() {
        assert!(!e.file_name().to_string_lossy().ends_with(".failed"), "{:?} marked failed", e.path());
    }
    assert_eq!(run_dirs(&alone).len(), 6);
    for rb in run_dirs(&shared) {
        assert!(rb.join("summary.json").exists(), "{} unfinished", rb.display());
    }
    assert_same_results(&alone, &shared);
}
