//! The results report of a sweep: one Markdown file linking PNG/SVG
//! figures. Per cell (experiment × variant × expert level): % mastered per
//! teacher at the last evaluation, mean ± std over seeds, Welch's t-test
//! against Random; the profile (radar) chart; learning curves; where
//! teachers sampled; the published Parkour table beside trellis's numbers;
//! and every run that is missing, running or failed, by name.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use trellis_core::spec::Success;
use trellis_train::Summary;

use crate::benchmark::Benchmark;
use crate::execute::{State, run_dir};
use crate::manifest::{Cell, Manifest};
use crate::plots::{self, Curve, Curves, Density, DensityGrid, Measure, Profile, Radar};
use crate::results::{RunResult, collect, read_tasks};
use crate::stats::{ALPHA, mean, sem, std, welch};

/// The report's table as CSV, beside `report.md`.
pub const SUMMARY_CSV: &str = "summary.csv";

/// The baseline every teacher is compared with.
pub const BASELINE: &str = "random";

/// Final scores of one teacher in one cell.
#[derive(Clone, Debug, Default)]
pub struct Scores {
    /// % mastered of each finished seed.
    pub finals: Vec<f64>,
    /// Runs planned.
    pub planned: usize,
}

/// What the report computed, for tests and the CLI.
#[derive(Clone, Debug)]
pub struct Report {
    /// The Markdown file.
    pub markdown: PathBuf,
    /// Cells in order.
    pub cells: Vec<Cell>,
    /// Teachers in order.
    pub teachers: Vec<String>,
    /// Scores by (cell, teacher).
    pub scores: BTreeMap<(Cell, String), Scores>,
    /// Figures written (PNG paths; SVGs sit beside them).
    pub figures: Vec<PathBuf>,
    /// Runs not finished, with their state.
    pub unfinished: Vec<(String, State)>,
}

/// The cells, teachers and final scores of a sweep's runs.
struct Tally {
    cells: Vec<Cell>,
    teachers: Vec<String>,
    scores: BTreeMap<(Cell, String), Scores>,
}

fn tally(manifest: &Manifest, results: &[RunResult]) -> Tally {
    let mut cells: Vec<Cell> = Vec::new();
    let mut teachers: Vec<String> = manifest.teachers.clone();
    let mut scores: BTreeMap<(Cell, String), Scores> = BTreeMap::new();
    for r in results {
        if !cells.contains(&r.run.cell) {
            cells.push(r.run.cell.clone());
        }
        if !teachers.contains(&r.run.teacher) {
            teachers.push(r.run.teacher.clone());
        }
        let s = scores
            .entry((r.run.cell.clone(), r.run.teacher.clone()))
            .or_default();
        s.planned += 1;
        if let Some(f) = r.final_mastered() {
            s.finals.push(f);
        }
    }
    for na in &manifest.not_applicable {
        if !teachers.contains(&na.teacher) {
            teachers.push(na.teacher.clone());
        }
    }
    Tally {
        cells,
        teachers,
        scores,
    }
}

/// One teacher in one cell: the numbers of the report's table, as data
/// (`summary.csv` beside `report.md`; `trellis.load_sweep` in Python).
#[derive(Clone, Debug, PartialEq, serde::Serialize)]
pub struct SummaryRow {
    /// The cell's experiment.
    pub experiment: String,
    /// Its variant.
    pub variant: String,
    /// Its expert level.
    pub expert: String,
    /// The teacher.
    pub teacher: String,
    /// Runs planned.
    pub planned: usize,
    /// Runs finished (their final scores below).
    pub finished: usize,
    /// Mean % mastered at the last evaluation over finished seeds.
    pub mean: Option<f64>,
    /// Their standard deviation (n − 1; 0 for a single seed, as the table shows it).
    pub std: Option<f64>,
    /// Their standard error.
    pub sem: Option<f64>,
    /// Welch's t against Random in the same cell (positive: ahead).
    pub welch_t: Option<f64>,
    /// Its two-sided p-value.
    pub welch_p: Option<f64>,
    /// The teacher cannot run in this cell (needs expert knowledge).
    pub not_applicable: bool,
}

/// The report's table of the sweep in `sweep` as rows (cells in report
/// order, teachers in benchmark order), computed as the report computes it.
pub fn summary(sweep: &Path) -> Result<Vec<SummaryRow>> {
    let manifest = Manifest::load(&sweep.join("manifest.json"))
        .with_context(|| format!("{} is not a sweep dir (no manifest.json)", sweep.display()))?;
    let results = collect(&manifest, sweep)?;
    Ok(summary_rows(&manifest, &tally(&manifest, &results)))
}

fn summary_rows(manifest: &Manifest, t: &Tally) -> Vec<SummaryRow> {
    let mut rows = Vec::new();
    for c in &t.cells {
        let base = t.scores.get(&(c.clone(), BASELINE.to_string()));
        for teacher in &t.teachers {
            let na = manifest
                .not_applicable
                .iter()
                .any(|n| &n.cell == c && &n.teacher == teacher);
            let s = t.scores.get(&(c.clone(), teacher.clone()));
            if s.is_none() && !na {
                continue;
            }
            let finals = s.map(|s| s.finals.as_slice()).unwrap_or_default();
            let some = |v: f64| (!finals.is_empty()).then_some(v);
            let test = (teacher != BASELINE)
                .then(|| base.and_then(|b| welch(finals, &b.finals)))
                .flatten();
            rows.push(SummaryRow {
                experiment: c.experiment.clone(),
                variant: c.variant.clone(),
                expert: c.expert.name().into(),
                teacher: teacher.clone(),
                planned: s.map_or(0, |s| s.planned),
                finished: finals.len(),
                mean: some(mean(finals)),
                std: some(std(finals)),
                sem: some(sem(finals)),
                welch_t: test.map(|(tv, _)| tv),
                welch_p: test.map(|(_, p)| p),
                not_applicable: na,
            });
        }
    }
    rows
}

fn flat(s: &str) -> String {
    s.replace('/', "__")
}

/// Writes the report of the sweep in `sweep` into `out` (default
/// `sweep/report`). `bench` adds the published reference numbers.
pub fn write(sweep: &Path, out: Option<&Path>, bench: Option<&Benchmark>) -> Result<Report> {
    let manifest = Manifest::load(&sweep.join("manifest.json"))
        .with_context(|| format!("{} is not a sweep dir (no manifest.json)", sweep.display()))?;
    let out = out.map_or_else(|| sweep.join("report"), Path::to_path_buf);
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let results = collect(&manifest, sweep)?;
    let tallied = tally(&manifest, &results);
    let summary = summary_rows(&manifest, &tallied);
    let Tally {
        cells,
        teachers,
        scores,
    } = tallied;
    let colour_of = |t: &str| teachers.iter().position(|x| x == t).unwrap_or(0);
    let na = |c: &Cell, t: &str| {
        manifest
            .not_applicable
            .iter()
            .any(|n| &n.cell == c && n.teacher == t)
    };

    let mut md = String::new();
    let done = results.iter().filter(|r| r.state == State::Done).count();
    writeln!(
        md,
        "# trellis benchmark report\n\nSweep `{}` at scale `{}`: {} runs planned, {done} finished.\n\n\
         Scores are the % of the test set mastered (return above the world's bar, 230 for walkers) at \
         each run's last evaluation, mean ± std over seeds (n = finished seeds). `*` marks a teacher \
         whose mean differs from Random's with Welch's t-test p < {ALPHA} (↑ better, ↓ worse); n/a: \
         the teacher cannot run without expert knowledge.\n",
        sweep.display(),
        manifest.scale,
        manifest.runs.len()
    )?;

    // The table: one row per cell, one column per teacher.
    writeln!(md, "## % mastered\n")?;
    write!(md, "| cell |")?;
    for t in &teachers {
        write!(md, " {t} |")?;
    }
    writeln!(md)?;
    writeln!(md, "|---|{}", "---|".repeat(teachers.len()))?;
    let mut figures = Vec::new();
    for c in &cells {
        write!(md, "| {} |", c.label())?;
        let base = scores.get(&(c.clone(), BASELINE.to_string()));
        for t in &teachers {
            if na(c, t) {
                write!(md, " n/a |")?;
                continue;
            }
            let Some(s) = scores.get(&(c.clone(), t.clone())) else {
                write!(md, " – |")?;
                continue;
            };
            if s.finals.is_empty() {
                write!(md, " – (0/{}) |", s.planned)?;
                continue;
            }
            let mark = match (
                t.as_str() != BASELINE,
                base.and_then(|b| welch(&s.finals, &b.finals)),
            ) {
                (true, Some((tv, p))) if p < ALPHA => {
                    if tv > 0.0 {
                        " *↑"
                    } else {
                        " *↓"
                    }
                }
                _ => "",
            };
            let partial = if s.finals.len() < s.planned {
                format!(", {}/{} seeds", s.finals.len(), s.planned)
            } else {
                format!(", n={}", s.finals.len())
            };
            write!(
                md,
                " {:.1} ± {:.1}{mark} ({}) |",
                mean(&s.finals),
                std(&s.finals),
                partial.trim_start_matches(", ")
            )?;
        }
        writeln!(md)?;
    }

    // The profile chart: teacher mean / Random mean per cell. Where Random
    // mastered nothing the ratio is parity (1×) for a teacher that did not
    // either, and the outer ring for one that did.
    let axes: Vec<&Cell> = cells
        .iter()
        .filter(|c| {
            scores
                .get(&((*c).clone(), BASELINE.to_string()))
                .is_some_and(|b| !b.finals.is_empty())
        })
        .collect();
    writeln!(md, "\n## Profile against Random\n")?;
    if axes.len() >= 3 {
        let profiles = teachers
            .iter()
            .filter(|t| t.as_str() != BASELINE)
            .map(|t| Profile {
                name: t.clone(),
                colour: colour_of(t),
                values: axes
                    .iter()
                    .map(|c| {
                        let b = &scores[&((*c).clone(), BASELINE.to_string())].finals;
                        let s = scores.get(&((*c).clone(), t.clone()))?;
                        if s.finals.is_empty() {
                            return None;
                        }
                        let better =
                            welch(&s.finals, b).is_some_and(|(tv, p)| p < ALPHA && tv > 0.0);
                        Some((ratio(mean(&s.finals), mean(b)), better))
                    })
                    .collect(),
            })
            .collect();
        let radar = Radar {
            axes: axes.iter().map(|c| c.label()).collect(),
            profiles,
        };
        let stem = out.join("profile");
        plots::save(&radar, &stem)?;
        figures.push(stem.with_extension("png"));
        writeln!(
            md,
            "![profile](profile.png) ([SVG](profile.svg))\n\nOne axis per cell; a teacher's value is its mean % mastered divided by Random's (the thick ring is 1×, parity); `*` where it is significantly better. Where Random mastered nothing, a teacher that mastered nothing either sits at 1× and one that mastered something on the outer ring."
        )?;
    } else {
        writeln!(
            md,
            "Needs at least 3 cells with finished Random runs; {} here.",
            axes.len()
        )?;
    }

    // Learning curves.
    writeln!(
        md,
        "\n## Learning curves\n\n% mastered over training steps, mean ± standard error over seeds.\n"
    )?;
    std::fs::create_dir_all(out.join("curves"))?;
    for c in &cells {
        let curves: Vec<Curve> = teachers
            .iter()
            .filter_map(|t| {
                let runs: Vec<&RunResult> = results
                    .iter()
                    .filter(|r| &r.run.cell == c && &r.run.teacher == t && !r.curve.is_empty())
                    .collect();
                if runs.is_empty() {
                    return None;
                }
                let mut by_step: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
                for r in &runs {
                    for row in &r.curve {
                        by_step.entry(row.step).or_default().push(row.mastered_pct);
                    }
                }
                Some(Curve {
                    name: t.clone(),
                    colour: colour_of(t),
                    points: by_step
                        .into_iter()
                        .map(|(step, v)| (step as f64, mean(&v), sem(&v)))
                        .collect(),
                })
            })
            .collect();
        if curves.is_empty() {
            continue;
        }
        let name = flat(&c.label());
        let stem = out.join("curves").join(&name);
        plots::save(
            &Curves {
                title: c.label(),
                measure: Measure::Mastered,
                curves,
            },
            &stem,
        )?;
        figures.push(stem.with_extension("png"));
        writeln!(
            md,
            "- {}: ![{name}](curves/{name}.png) ([SVG](curves/{name}.svg))",
            c.label()
        )?;
    }

    // Where teachers sampled: the first cell of each experiment, seed 0 of each teacher.
    writeln!(
        md,
        "\n## Where the teachers sampled\n\nFor one run per teacher (the first seed), training tasks in four quarters of the run (darker: more episodes), with the test tasks that run mastered at the end (green dots).\n"
    )?;
    std::fs::create_dir_all(out.join("sampling"))?;
    let mut seen = Vec::new();
    for c in &cells {
        if seen.contains(&c.experiment) {
            continue;
        }
        seen.push(c.experiment.clone());
        if let Some(grid) = density_grid(sweep, &results, c, &teachers)? {
            let name = flat(&c.label());
            let stem = out.join("sampling").join(&name);
            plots::save(&grid, &stem)?;
            figures.push(stem.with_extension("png"));
            writeln!(
                md,
                "- {}: ![{name}](sampling/{name}.png) ([SVG](sampling/{name}.svg))",
                c.label()
            )?;
        }
    }

    // The published numbers beside trellis's.
    if let Some(b) = bench {
        let with_ref: Vec<&Cell> = cells
            .iter()
            .filter(|c| b.reference.contains_key(&c.experiment))
            .collect();
        if !with_ref.is_empty() {
            writeln!(
                md,
                "\n## Against the published results\n\n% mastered after 20M steps in TeachMyAgent (Romac et al. 2021), mean (std) over 16 seeds, beside trellis's at this sweep's scale ({}).\n",
                manifest.scale
            )?;
            writeln!(
                md,
                "| cell | teacher | trellis | published |\n|---|---|---|---|"
            )?;
            for c in with_ref {
                let reference = &b.reference[&c.experiment];
                for t in &teachers {
                    let ours = scores
                        .get(&(c.clone(), t.clone()))
                        .filter(|s| !s.finals.is_empty())
                        .map_or("–".to_string(), |s| {
                            format!(
                                "{:.1} ({:.1}), n={}",
                                mean(&s.finals),
                                std(&s.finals),
                                s.finals.len()
                            )
                        });
                    let theirs = reference
                        .get(t)
                        .map_or("–".to_string(), |(m, s)| format!("{m:.1} ({s:.1})"));
                    writeln!(md, "| {} | {t} | {ours} | {theirs} |", c.label())?;
                }
            }
        }
    }

    // Everything not finished, by name.
    let unfinished: Vec<(String, State)> = results
        .iter()
        .filter(|r| r.state != State::Done)
        .map(|r| (r.run.id.clone(), r.state))
        .collect();
    writeln!(md, "\n## Runs not finished\n")?;
    if unfinished.is_empty() {
        writeln!(md, "None: every planned run finished.")?;
    } else {
        writeln!(
            md,
            "Left out of every mean above.\n\n| run | state |\n|---|---|"
        )?;
        for (id, s) in &unfinished {
            let s = match s {
                State::Failed => "failed (see logs/)",
                State::Interrupted => "running or interrupted (resumes from its checkpoint)",
                State::Pending => "not started",
                State::Done => "finished",
            };
            writeln!(md, "| `{id}` | {s} |")?;
        }
    }
    if !manifest.not_applicable.is_empty() {
        writeln!(md, "\n## Not applicable\n")?;
        for n in &manifest.not_applicable {
            writeln!(md, "- {} × {}: {}", n.cell.label(), n.teacher, n.reason)?;
        }
    }
    let markdown = out.join("report.md");
    std::fs::write(&markdown, md).with_context(|| format!("writing {}", markdown.display()))?;
    let csv_path = out.join(SUMMARY_CSV);
    let mut w = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("writing {}", csv_path.display()))?;
    for row in summary {
        w.serialize(row)?;
    }
    w.flush()?;
    Ok(Report {
        markdown,
        cells,
        teachers,
        scores,
        figures,
        unfinished,
    })
}

/// Density panels of cell `c`: per teacher (first seed with an episodes
/// log), four quarters of the run, on the first two free task dimensions.
fn density_grid(
    sweep: &Path,
    results: &[RunResult],
    c: &Cell,
    teachers: &[String],
) -> Result<Option<DensityGrid>> {
    let mut panels = Vec::new();
    for t in teachers {
        let Some(r) = results.iter().find(|r| {
            &r.run.cell == c
                && &r.run.teacher == t
                && run_dir(sweep, r.run).join("episodes.csv").exists()
        }) else {
            continue;
        };
        let cfg = r.run.config()?;
        let Ok(env) = trellis_train::world::walker(&cfg) else {
            return Ok(None);
        };
        use trellis_envs::Env;
        let space = env.task_space().clone();
        let free: Vec<usize> = (0..space.len())
            .filter(|&i| space.dims[i].width() > 0.0)
            .collect();
        if free.len() < 2 {
            return Ok(None);
        }
        let (a, b) = (free[0], free[1]);
        let dir = run_dir(sweep, r.run);
        let (_, tasks) = read_tasks(&dir)?;
        let mastered = mastered_test_tasks(&dir, env.spec().success)
            .into_iter()
            .map(|t| (t[a], t[b]))
            .collect::<Vec<_>>();
        let last = tasks.last().map_or(1, |x| x.0.max(1));
        for q in 0..4u64 {
            let (lo, hi) = (last * q / 4, last * (q + 1) / 4);
            panels.push(Density {
                title: format!("{t} · steps {}–{}", human(lo), human(hi)),
                axes: [
                    (
                        space.dims[a].name.clone(),
                        space.dims[a].low,
                        space.dims[a].high,
                    ),
                    (
                        space.dims[b].name.clone(),
                        space.dims[b].low,
                        space.dims[b].high,
                    ),
                ],
                samples: tasks
                    .iter()
                    .filter(|(s, _)| *s > lo && *s <= hi)
                    .map(|(_, x)| (x[a], x[b]))
                    .collect(),
                mastered: mastered.clone(),
            });
        }
    }
    Ok((!panels.is_empty()).then_some(DensityGrid { panels, cols: 4 }))
}

/// Teacher mean / Random mean, with 0/0 as parity and x/0 as infinite.
fn ratio(teacher: f64, random: f64) -> f64 {
    match (teacher > 0.0, random > 0.0) {
        (_, true) => teacher / random,
        (false, false) => 1.0,
        (true, false) => f64::INFINITY,
    }
}

/// A step count for titles: 750, 1.5k, 150k, 2.5M.
fn human(n: u64) -> String {
    match n {
        0..1_000 => n.to_string(),
        1_000..100_000 => format!("{:.1}k", n as f64 / 1e3).replace(".0k", "k"),
        100_000..1_000_000 => format!("{}k", n / 1000),
        _ => format!("{:.1}M", n as f64 / 1e6).replace(".0M", "M"),
    }
}

/// Test tasks the run's final evaluation mastered (from summary.json and
/// test_set.json; none when the run has not finished).
fn mastered_test_tasks(dir: &Path, success: Success) -> Vec<Vec<f64>> {
    let read = |f: &str| std::fs::read(dir.join(f)).ok();
    let summary: Option<Summary> =
        read(trellis_train::run_dir::SUMMARY).and_then(|b| serde_json::from_slice(&b).ok());
    let tasks: Option<Vec<Vec<f64>>> =
        read(trellis_train::run_dir::TEST_SET).and_then(|b| serde_json::from_slice(&b).ok());
    match (summary.and_then(|s| s.eval), tasks) {
        (Some(e), Some(tasks)) => tasks
            .into_iter()
            .zip(e.returns)
            .filter(|(_, r)| success.judge(*r, false))
            .map(|(t, _)| t)
            .collect(),
        _ => Vec::new(),
    }
}
