//! The results report of a sweep: one Markdown file linking PNG/SVG
//! figures. Per cell (experiment × variant × expert level): % mastered per
//! teacher at the last evaluation, mean ± std over seeds, Welch's t-test
//! against Random; each teacher against Random with p and effect size, on
//! the final score and the area under the curve; the profile (radar) chart;
//! learning curves; where teachers sampled; the published Parkour table
//! beside trellis's numbers; and every run that is missing, running or
//! failed, by name.

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
use crate::stats::{ALPHA, mean, sem, std};
use crate::tally::{Tally, Versus, summary_rows, tally};
pub use crate::tally::{BASELINE, Scores, SummaryRow, summary};

/// The report's table as CSV, beside `report.md`.
pub const SUMMARY_CSV: &str = "summary.csv";

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

fn flat(s: &str) -> String {
    s.replace('/', "__")
}

/// What every section reads: the sweep's runs, aggregated once.
struct Data<'a> {
    sweep: &'a Path,
    out: &'a Path,
    manifest: &'a Manifest,
    results: &'a [RunResult<'a>],
    tally: Tally,
    bench: Option<&'a Benchmark>,
}

impl Data<'_> {
    /// Is `t` unable to run in cell `c` (needs expert knowledge)?
    fn na(&self, c: &Cell, t: &str) -> bool {
        self.manifest
            .not_applicable
            .iter()
            .any(|n| &n.cell == c && n.teacher == t)
    }

    /// A teacher's colour: its position in the report's teacher order.
    fn colour_of(&self, t: &str) -> usize {
        self.tally.teachers.iter().position(|x| x == t).unwrap_or(0)
    }

    fn scores(&self, c: &Cell, t: &str) -> Option<&Scores> {
        self.tally.scores.get(&(c.clone(), t.to_string()))
    }

    fn versus(&self, c: &Cell, t: &str) -> Option<&Versus> {
        self.tally.versus.get(&(c.clone(), t.to_string()))
    }
}

/// One section of the report: its Markdown and the figures it wrote.
#[derive(Default)]
struct Section {
    md: String,
    figures: Vec<PathBuf>,
}

impl Section {
    fn text(md: String) -> Self {
        Self {
            md,
            figures: Vec::new(),
        }
    }
}

/// The report's sections, in order: each a function of the aggregated data.
const SECTIONS: [fn(&Data) -> Result<Section>; 9] = [
    header,
    mastered_table,
    against_random,
    profile,
    learning_curves,
    sampling,
    published,
    unfinished,
    not_applicable,
];

/// Writes the report of the sweep in `sweep` into `out` (default
/// `sweep/report`). `bench` adds the published reference numbers.
pub fn write(sweep: &Path, out: Option<&Path>, bench: Option<&Benchmark>) -> Result<Report> {
    let manifest = Manifest::of_sweep(sweep)?;
    let out = out.map_or_else(|| sweep.join("report"), Path::to_path_buf);
    std::fs::create_dir_all(&out).with_context(|| format!("creating {}", out.display()))?;
    let results = collect(&manifest, sweep)?;
    let data = Data {
        sweep,
        out: &out,
        manifest: &manifest,
        results: &results,
        tally: tally(&manifest, &results),
        bench,
    };
    let mut md = String::new();
    let mut figures = Vec::new();
    for section in SECTIONS {
        let s = section(&data)?;
        md.push_str(&s.md);
        figures.extend(s.figures);
    }
    let markdown = out.join("report.md");
    std::fs::write(&markdown, md).with_context(|| format!("writing {}", markdown.display()))?;
    let csv_path = out.join(SUMMARY_CSV);
    let mut w = csv::Writer::from_path(&csv_path)
        .with_context(|| format!("writing {}", csv_path.display()))?;
    for row in summary_rows(&manifest, &data.tally) {
        w.serialize(row)?;
    }
    w.flush()?;
    let Tally {
        cells,
        teachers,
        scores,
        ..
    } = data.tally;
    Ok(Report {
        markdown,
        cells,
        teachers,
        scores,
        figures,
        unfinished: unfinished_runs(&results),
    })
}

/// The title and how to read the numbers.
fn header(d: &Data) -> Result<Section> {
    let done = d.results.iter().filter(|r| r.state == State::Done).count();
    Ok(Section::text(format!(
        "# trellis benchmark report\n\nSweep `{}` at scale `{}`: {} runs planned, {done} finished.\n\n\
         Scores are the % of the test set mastered (return above the world's bar, 230 for walkers) at \
         each run's last evaluation, mean ± std over seeds (n = finished seeds). `*` marks a teacher \
         whose mean differs from Random's with Welch's t-test p < {ALPHA} (↑ better, ↓ worse); n/a: \
         the teacher cannot run without expert knowledge.\n\n",
        d.sweep.display(),
        d.manifest.scale,
        d.manifest.runs.len()
    )))
}

/// One row per cell, one column per teacher: mean ± std, Welch's mark.
fn mastered_table(d: &Data) -> Result<Section> {
    let teachers = &d.tally.teachers;
    let mut md = String::new();
    writeln!(md, "## % mastered\n")?;
    write!(md, "| cell |")?;
    for t in teachers {
        write!(md, " {t} |")?;
    }
    writeln!(md)?;
    writeln!(md, "|---|{}", "---|".repeat(teachers.len()))?;
    for c in &d.tally.cells {
        write!(md, "| {} |", c.label())?;
        for t in teachers {
            if d.na(c, t) {
                write!(md, " n/a |")?;
                continue;
            }
            let Some(s) = d.scores(c, t) else {
                write!(md, " – |")?;
                continue;
            };
            if s.finals.is_empty() {
                write!(md, " – (0/{}) |", s.planned)?;
                continue;
            }
            let mark = match d.versus(c, t).and_then(|v| v.finals) {
                Some((tv, p)) if p < ALPHA => {
                    if tv > 0.0 {
                        " *↑"
                    } else {
                        " *↓"
                    }
                }
                _ => "",
            };
            let partial = if s.finals.len() < s.planned {
                format!("{}/{} seeds", s.finals.len(), s.planned)
            } else {
                format!("n={}", s.finals.len())
            };
            write!(
                md,
                " {:.1} ± {:.1}{mark} ({partial}) |",
                mean(&s.finals),
                std(&s.finals),
            )?;
        }
        writeln!(md)?;
    }
    Ok(Section::text(md))
}

/// Each teacher against Random, cell by cell: the final score and the area
/// under the curve, each with Welch's p and Hedges' g. The table above marks
/// significance; this says how large the difference is and whether the
/// teacher got there sooner.
fn against_random(d: &Data) -> Result<Section> {
    let mut md = String::new();
    for c in &d.tally.cells {
        let Some(base) = d.scores(c, BASELINE).filter(|b| !b.finals.is_empty()) else {
            continue;
        };
        for t in d.tally.teachers.iter().filter(|t| t.as_str() != BASELINE) {
            let (Some(s), Some(v)) = (
                d.scores(c, t).filter(|s| !s.finals.is_empty()),
                d.versus(c, t),
            ) else {
                continue;
            };
            let cols = |a: &[f64], b: &[f64], test: Option<(f64, f64)>, g: Option<f64>| {
                let p = test.map_or("–".into(), |(_, p)| p_value(p));
                let g = g.map_or("–".into(), |g| format!("{g:+.2}"));
                format!("{:.1} / {:.1} | {p} | {g}", mean(a), mean(b))
            };
            writeln!(
                md,
                "| {} | {t} | {} | {} |",
                c.label(),
                cols(&s.finals, &base.finals, v.finals, v.finals_g),
                cols(&s.areas, &base.areas, v.areas, v.areas_g)
            )?;
        }
    }
    if md.is_empty() {
        return Ok(Section::default());
    }
    Ok(Section::text(format!(
        "\n## Against Random\n\nEach teacher against Random in the same cell over the finished seeds: \
         the final % mastered, and the area under the %-mastered curve (the mean % over a run's \
         evaluations: of two teachers that end level, the one that mastered tasks sooner scores \
         higher). p: Welch's two-sided test; g: Hedges' g, the difference in units of the seeds' \
         pooled standard deviation (positive: the teacher ahead; about 0.2 is small, 0.5 medium, \
         0.8 large). –: fewer than two finished seeds on a side, or no spread to measure.\n\n\
         | cell | teacher | final: teacher / Random | p | g | area: teacher / Random | p | g |\n\
         |---|---|---|---|---|---|---|---|\n{md}"
    )))
}

/// A p-value to two significant figures (0.45, 0.0037, 3.7e-5).
fn p_value(p: f64) -> String {
    match p {
        p if p >= 0.01 => format!("{p:.2}"),
        p if p >= 0.001 => format!("{p:.4}"),
        p => format!("{p:.1e}"),
    }
}

/// The profile chart: teacher mean / Random mean per cell. Where Random
/// mastered nothing the ratio is parity (1×) for a teacher that did not
/// either, and the outer ring for one that did.
fn profile(d: &Data) -> Result<Section> {
    let axes: Vec<&Cell> = d
        .tally
        .cells
        .iter()
        .filter(|c| d.scores(c, BASELINE).is_some_and(|b| !b.finals.is_empty()))
        .collect();
    let mut s = Section::default();
    writeln!(s.md, "\n## Profile against Random\n")?;
    if axes.len() < 3 {
        writeln!(
            s.md,
            "Needs at least 3 cells with finished Random runs; {} here.",
            axes.len()
        )?;
        return Ok(s);
    }
    let profiles = d
        .tally
        .teachers
        .iter()
        .filter(|t| t.as_str() != BASELINE)
        .map(|t| Profile {
            name: t.clone(),
            colour: d.colour_of(t),
            values: axes
                .iter()
                .map(|c| {
                    let b = &d.scores(c, BASELINE)?.finals;
                    let s = d.scores(c, t)?;
                    if s.finals.is_empty() {
                        return None;
                    }
                    let better = d.versus(c, t).is_some_and(Versus::ahead);
                    Some((ratio(mean(&s.finals), mean(b)), better))
                })
                .collect(),
        })
        .collect();
    let radar = Radar {
        axes: axes.iter().map(|c| c.label()).collect(),
        profiles,
    };
    let stem = d.out.join("profile");
    plots::save(&radar, &stem)?;
    s.figures.push(stem.with_extension("png"));
    writeln!(
        s.md,
        "![profile](profile.png) ([SVG](profile.svg))\n\nOne axis per cell; a teacher's value is its mean % mastered divided by Random's (the thick ring is 1×, parity); `*` where it is significantly better. Where Random mastered nothing, a teacher that mastered nothing either sits at 1× and one that mastered something on the outer ring."
    )?;
    Ok(s)
}

/// % mastered over steps per cell, mean ± SE over seeds per teacher.
fn learning_curves(d: &Data) -> Result<Section> {
    let mut s = Section::default();
    writeln!(
        s.md,
        "\n## Learning curves\n\n% mastered over training steps, mean ± standard error over seeds.\n"
    )?;
    std::fs::create_dir_all(d.out.join("curves"))?;
    for c in &d.tally.cells {
        let curves: Vec<Curve> = d
            .tally
            .teachers
            .iter()
            .filter_map(|t| {
                let mut by_step: BTreeMap<u64, Vec<f64>> = BTreeMap::new();
                for r in d.results.iter().filter(|r| &r.run.cell == c && &r.run.teacher == t) {
                    for row in &r.curve {
                        by_step.entry(row.step).or_default().push(row.mastered_pct);
                    }
                }
                (!by_step.is_empty()).then(|| Curve {
                    name: t.clone(),
                    colour: d.colour_of(t),
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
        let stem = d.out.join("curves").join(&name);
        plots::save(
            &Curves {
                title: c.label(),
                measure: Measure::Mastered,
                curves,
            },
            &stem,
        )?;
        s.figures.push(stem.with_extension("png"));
        writeln!(
            s.md,
            "- {}: ![{name}](curves/{name}.png) ([SVG](curves/{name}.svg))",
            c.label()
        )?;
    }
    Ok(s)
}

/// Where teachers sampled: the first cell of each experiment, seed 0 of each teacher.
fn sampling(d: &Data) -> Result<Section> {
    let mut s = Section::default();
    writeln!(
        s.md,
        "\n## Where the teachers sampled\n\nFor one run per teacher (the first seed), training tasks in four quarters of the run (darker: more episodes), with the test tasks that run mastered at the end (green dots).\n"
    )?;
    std::fs::create_dir_all(d.out.join("sampling"))?;
    let mut seen = Vec::new();
    for c in &d.tally.cells {
        if seen.contains(&c.experiment) {
            continue;
        }
        seen.push(c.experiment.clone());
        if let Some(grid) = density_grid(d.sweep, d.results, c, &d.tally.teachers)? {
            let name = flat(&c.label());
            let stem = d.out.join("sampling").join(&name);
            plots::save(&grid, &stem)?;
            s.figures.push(stem.with_extension("png"));
            writeln!(
                s.md,
                "- {}: ![{name}](sampling/{name}.png) ([SVG](sampling/{name}.svg))",
                c.label()
            )?;
        }
    }
    Ok(s)
}

/// The published numbers beside trellis's, for cells the benchmark has them for.
fn published(d: &Data) -> Result<Section> {
    let mut md = String::new();
    let Some(b) = d.bench else {
        return Ok(Section::text(md));
    };
    let with_ref: Vec<&Cell> = d
        .tally
        .cells
        .iter()
        .filter(|c| b.reference.contains_key(&c.experiment))
        .collect();
    if with_ref.is_empty() {
        return Ok(Section::text(md));
    }
    writeln!(
        md,
        "\n## Against the published results\n\n% mastered after 20M steps in TeachMyAgent (Romac et al. 2021), mean (std) over 16 seeds, beside trellis's at this sweep's scale ({}).\n",
        d.manifest.scale
    )?;
    writeln!(md, "| cell | teacher | trellis | published |\n|---|---|---|---|")?;
    for c in with_ref {
        let reference = &b.reference[&c.experiment];
        for t in &d.tally.teachers {
            let ours = d
                .scores(c, t)
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
    Ok(Section::text(md))
}

/// Every run not finished, with its state.
fn unfinished_runs(results: &[RunResult]) -> Vec<(String, State)> {
    results
        .iter()
        .filter(|r| r.state != State::Done)
        .map(|r| (r.run.id.clone(), r.state))
        .collect()
}

/// Everything not finished, by name.
fn unfinished(d: &Data) -> Result<Section> {
    let mut md = String::new();
    let runs = unfinished_runs(d.results);
    writeln!(md, "\n## Runs not finished\n")?;
    if runs.is_empty() {
        writeln!(md, "None: every planned run finished.")?;
        return Ok(Section::text(md));
    }
    writeln!(md, "Left out of every mean above.\n\n| run | state |\n|---|---|")?;
    for (id, s) in &runs {
        let s = match s {
            State::Failed => "failed (see logs/)",
            State::Interrupted => "running or interrupted (resumes from its checkpoint)",
            State::Pending => "not started",
            State::Done => "finished",
        };
        writeln!(md, "| `{id}` | {s} |")?;
    }
    Ok(Section::text(md))
}

/// Teachers that cannot run in a cell, and why.
fn not_applicable(d: &Data) -> Result<Section> {
    let mut md = String::new();
    if !d.manifest.not_applicable.is_empty() {
        writeln!(md, "\n## Not applicable\n")?;
        for n in &d.manifest.not_applicable {
            writeln!(md, "- {} × {}: {}", n.cell.label(), n.teacher, n.reason)?;
        }
    }
    Ok(Section::text(md))
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
        let Ok(env) = trellis_train::world::make(&cfg) else {
            return Ok(None);
        };
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::NotApplicable;
    use trellis_core::Expert;

    /// A cell with Random, ALP-GMM (clearly ahead) and ADR (not applicable),
    /// from hand-made final scores.
    fn data_of<'a>(manifest: &'a Manifest, sweep: &'a Path) -> Data<'a> {
        let cell = manifest.not_applicable[0].cell.clone();
        let scores = |finals: &[f64], areas: &[f64], planned| Scores {
            finals: finals.to_vec(),
            areas: areas.to_vec(),
            planned,
        };
        let mut by = BTreeMap::new();
        by.insert((cell.clone(), "random".to_string()), scores(&[0.0, 5.0, 10.0], &[1.0, 2.0, 3.0], 3));
        by.insert((cell.clone(), "alp-gmm".to_string()), scores(&[30.0, 32.0, 35.0], &[2.0, 2.0, 5.0], 4));
        Data {
            sweep,
            out: sweep,
            manifest,
            results: &[],
            tally: Tally::new(vec![cell], manifest.teachers.clone(), by),
            bench: None,
        }
    }

    fn manifest() -> Manifest {
        let cell = Cell {
            experiment: "stump-unfeasible".into(),
            variant: "default".into(),
            expert: Expert::No,
        };
        Manifest {
            scale: "hand".into(),
            teachers: vec!["random".into(), "alp-gmm".into(), "adr".into()],
            runs: Vec::new(),
            not_applicable: vec![NotApplicable {
                cell,
                teacher: "adr".into(),
                reason: "needs expert knowledge".into(),
            }],
        }
    }

    #[test]
    fn the_table_marks_significance_partial_seeds_and_na() {
        let m = manifest();
        let d = data_of(&m, Path::new("/nowhere"));
        let md = mastered_table(&d).unwrap().md;
        assert!(
            md.contains("| stump-unfeasible/no | 5.0 ± 5.0 (n=3) | 32.3 ± 2.5 *↑ (3/4 seeds) | n/a |"),
            "{md}"
        );
        // The CSV rows carry the same numbers.
        let rows = summary_rows(&m, &d.tally);
        let alp = rows.iter().find(|r| r.teacher == "alp-gmm").unwrap();
        assert_eq!((alp.planned, alp.finished), (4, 3));
        assert!(alp.welch_p.unwrap() < ALPHA && alp.welch_t.unwrap() > 0.0);
        assert!(rows.iter().any(|r| r.teacher == "adr" && r.not_applicable));
        // Effect sizes, computed independently (numpy with ddof = 1, scipy's
        // Welch test): finals d = 6.9056, g = 5.5245; areas d = 0.7071,
        // g = 0.5657, p = 0.4465.
        assert!((alp.hedges_g.unwrap() - 5.5245).abs() < 1e-3, "{alp:?}");
        assert!((alp.area_hedges_g.unwrap() - 0.5657).abs() < 1e-3, "{alp:?}");
        assert!((alp.area_welch_p.unwrap() - 0.4465).abs() < 1e-3, "{alp:?}");
        assert_eq!(alp.area, Some(3.0));
        let random = rows.iter().find(|r| r.teacher == "random").unwrap();
        assert_eq!((random.hedges_g, random.area_welch_p), (None, None));
    }

    #[test]
    fn against_random_gives_p_and_effect_size_on_final_and_area() {
        let m = manifest();
        let d = data_of(&m, Path::new("/nowhere"));
        let md = against_random(&d).unwrap().md;
        assert!(
            md.contains("| stump-unfeasible/no | alp-gmm | 32.3 / 5.0 | 0.0037 | +5.52 | 3.0 / 2.0 | 0.45 | +0.57 |"),
            "{md}"
        );
        assert!(!md.contains("| random |"), "Random is not compared with itself: {md}");
        // Without finished Random seeds there is nothing to compare with.
        let mut d = d;
        d.tally.scores.retain(|(_, t), _| t != "random");
        assert!(against_random(&d).unwrap().md.is_empty());
        assert_eq!((p_value(0.4465), p_value(0.003686), p_value(3.7e-5)), ("0.45".into(), "0.0037".into(), "3.7e-5".into()));
    }

    #[test]
    fn fewer_than_three_cells_give_no_profile_and_say_why() {
        let m = manifest();
        let d = data_of(&m, Path::new("/nowhere"));
        let s = profile(&d).unwrap();
        assert!(s.figures.is_empty());
        assert!(s.md.contains("Needs at least 3 cells with finished Random runs; 1 here."), "{}", s.md);
        let s = not_applicable(&d).unwrap();
        assert!(s.md.contains("- stump-unfeasible/no × adr: needs expert knowledge"), "{}", s.md);
    }
}
