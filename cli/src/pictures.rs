//! `trellis report RUN --pictures DIR`: what a run's curriculum and its
//! final policy look like. The world of one training task from each quarter
//! of the run (the episode nearest the quarter's middle), and GIFs of the
//! last checkpointed policy on the test tasks where it did best and worst,
//! filmed by `trellis record`'s episode function.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rayon::prelude::*;
use trellis_train::drive::{Drive, Drivers};

use crate::record::{Film, episode};

/// A thumbnail: 40 world units across (a quarter of a track), 160 px high.
pub const THUMB: Film = Film { width: 480, height: 160, every: 1, steps: 1, lidar: false };
/// A policy GIF: the reference's view at 360×240, 12.5 frames a second.
pub const POLICY: Film = Film { width: 360, height: 240, every: 4, steps: 2000, lidar: false };

/// Writes the pictures of run `run` into `out`; returns its pictures.md.
pub fn run(run: &Path, out: &Path) -> Result<PathBuf> {
    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let rep = trellis_train::load_walker_replay(run)?;
    let mut env = rep.env;
    let protocol = rep.config.eval_policy();
    let mut drivers = Drivers::new(Some(rep.student), 0).playing(protocol);
    let mut md = format!("# {}\n\n", run.display());
    let (_, rows) = trellis_train::rows::read_episodes(&run.join("episodes.csv"))?;
    if let Some(last) = rows.last().map(|r| r.step) {
        md += "## The curriculum: a training task from each quarter of the run\n\n";
        for q in 0..4u64 {
            let mid = last * (2 * q + 1) / 8;
            let row = rows
                .iter()
                .min_by_key(|r| r.step.abs_diff(mid))
                .expect("rows is not empty");
            let name = format!("curriculum-q{}.png", q + 1);
            episode(&mut env, &mut drivers, Drive::Still, &row.task, 0, THUMB, &out.join(&name))?;
            let _ = writeln!(
                md,
                "![quarter {}]({name})\n\nquarter {} · step {} · task {} · return {:.1}\n",
                q + 1,
                q + 1,
                row.step,
                fmt_task(&row.task),
                row.ret
            );
        }
    }
    let summary: Option<trellis_train::Summary> = std::fs::read(run.join("summary.json"))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok());
    match summary.and_then(|s| s.eval) {
        Some(eval) if !eval.returns.is_empty() => {
            let _ = writeln!(
                md,
                "## The final policy (last checkpoint, played as its evaluations play it: {})\n",
                protocol.describe()
            );
            let order = |better: bool| {
                (0..eval.returns.len())
                    .max_by(|&a, &b| {
                        let o = eval.returns[a].total_cmp(&eval.returns[b]);
                        if better { o } else { o.reverse() }
                    })
                    .expect("returns is not empty")
            };
            for (label, k) in [("best", order(true)), ("worst", order(false))] {
                let task = &rep.test_set[k];
                let name = format!("policy-{label}.gif");
                let take = episode(&mut env, &mut drivers, Drive::Policy, task, 0, POLICY, &out.join(&name))?;
                let _ = writeln!(
                    md,
                    "![{label} test task]({name})\n\n{label} test task {k} · task {} · evaluation return {:.1} · this episode {:.1} in {} steps{}\n",
                    fmt_task(task),
                    eval.returns[k],
                    take.ret,
                    take.steps,
                    if take.success { " · mastered" } else { "" }
                );
            }
        }
        _ => md += "No final evaluation yet (summary.json is written when the run reaches its budget): no policy GIFs.\n",
    }
    let path = out.join("pictures.md");
    std::fs::write(&path, md).with_context(|| format!("writing {}", path.display()))?;
    Ok(path)
}

/// Pictures of seed 0 of every cell and teacher of the sweep in `sweep`,
/// under `out/<cell>/<teacher>/`, and a section appended to `markdown` (the
/// report) that shows the curriculum thumbnails and links the GIFs. Runs
/// that are not walker runs or have no checkpoint yet are skipped.
pub fn sweep(sweep: &Path, out: &Path, markdown: &Path) -> Result<()> {
    let manifest = trellis_sweep::manifest::Manifest::of_sweep(sweep)?;
    let base = markdown.parent().unwrap_or(Path::new("."));
    let mut md = String::from(
        "\n## Pictures: what each teacher's curriculum looked like (seed 0)\n\n\
         A training task's world from each quarter of the run, and the final policy on its best and worst test task.\n",
    );
    // Each run's pictures are independent (own world, own policy): draw them
    // on rayon's pool, then write the section in the manifest's order.
    let runs: Vec<_> = manifest.runs.iter().filter(|r| r.seed == 0).collect();
    let drawn: Vec<(PathBuf, bool)> = runs
        .par_iter()
        .map(|run| {
            let dir = trellis_sweep::execute::run_dir(sweep, run);
            let to = out.join(run.cell.label().replace('/', "-")).join(&run.teacher);
            let ok = trellis_train::has_checkpoint(&dir) && self::run(&dir, &to).is_ok();
            (to, ok)
        })
        .collect();
    let mut cell = None;
    let (mut made, mut skipped) = (0, 0);
    for (run, (to, ok)) in runs.iter().zip(drawn) {
        let label = run.cell.label();
        if !ok {
            skipped += 1;
            continue;
        }
        made += 1;
        if cell.as_ref() != Some(&label) {
            let _ = write!(md, "\n### {label}\n\n| teacher | quarter 1 | quarter 2 | quarter 3 | quarter 4 | final policy |\n|---|---|---|---|---|---|\n");
            cell = Some(label);
        }
        let rel = to.strip_prefix(base).unwrap_or(&to).display().to_string();
        let mut row = format!("| {} |", run.teacher);
        for q in 1..=4 {
            let _ = write!(row, " ![q{q}]({rel}/curriculum-q{q}.png) |");
        }
        let gifs = if to.join("policy-best.gif").exists() {
            format!(" [best]({rel}/policy-best.gif) · [worst]({rel}/policy-worst.gif) |")
        } else {
            " not finished |".into()
        };
        md += &row;
        md += &gifs;
        md.push('\n');
    }
    let _ = writeln!(md, "\n{made} runs pictured, {skipped} skipped (no checkpoint yet, or not a walker world).");
    let mut text = std::fs::read_to_string(markdown).with_context(|| format!("reading {}", markdown.display()))?;
    text += &md;
    std::fs::write(markdown, text).with_context(|| format!("writing {}", markdown.display()))?;
    println!("{made} runs pictured in {}", out.display());
    Ok(())
}

pub fn fmt_task(t: &[f64]) -> String {
    let v: Vec<String> = t.iter().map(|x| format!("{x:.2}")).collect();
    format!("[{}]", v.join(", "))
}
