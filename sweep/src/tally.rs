//! A sweep's final scores, teacher by teacher in each cell, and each
//! teacher's comparison with Random: the numbers every part of the report
//! (and `summary.csv`, and `trellis.load_sweep` in Python) reads, computed
//! once so they cannot disagree.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::Result;

use crate::manifest::{Cell, Manifest};
use crate::results::{RunResult, collect};
use crate::stats::{ALPHA, hedges_g, mean, sem, std, welch};

/// The baseline every teacher is compared with.
pub const BASELINE: &str = "random";

/// Final scores of one teacher in one cell.
#[derive(Clone, Debug, Default)]
pub struct Scores {
    /// % mastered of each finished seed.
    pub finals: Vec<f64>,
    /// The area under each finished seed's curve (mean % over its
    /// evaluations), in the order of `finals`.
    pub areas: Vec<f64>,
    /// Runs planned.
    pub planned: usize,
}

/// One teacher against Random in the same cell, on the final score and on
/// the area under the curve. Computed once in the tally, so the table's
/// marks, the "Against Random" section, the profile and `summary.csv` cannot
/// disagree. Each test is `None` with fewer than two finished seeds on a side
/// or no spread to measure.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub(crate) struct Versus {
    /// Welch's (t, two-sided p) on the final % mastered (t > 0: ahead).
    pub(crate) finals: Option<(f64, f64)>,
    /// Hedges' g on the final % mastered.
    pub(crate) finals_g: Option<f64>,
    /// Welch's (t, p) on the area under the %-mastered curve.
    pub(crate) areas: Option<(f64, f64)>,
    /// Hedges' g on the area.
    pub(crate) areas_g: Option<f64>,
}

impl Versus {
    fn of(s: &Scores, random: &Scores) -> Self {
        Self {
            finals: welch(&s.finals, &random.finals),
            finals_g: hedges_g(&s.finals, &random.finals),
            areas: welch(&s.areas, &random.areas),
            areas_g: hedges_g(&s.areas, &random.areas),
        }
    }

    /// Significantly ahead of Random on the final score.
    pub(crate) fn ahead(&self) -> bool {
        self.finals.is_some_and(|(t, p)| p < ALPHA && t > 0.0)
    }
}

/// The cells, teachers and final scores of a sweep's runs, and each
/// teacher's comparison with Random.
pub(crate) struct Tally {
    pub(crate) cells: Vec<Cell>,
    pub(crate) teachers: Vec<String>,
    pub(crate) scores: BTreeMap<(Cell, String), Scores>,
    /// Every teacher but Random, in each cell where both have scores.
    pub(crate) versus: BTreeMap<(Cell, String), Versus>,
}

pub(crate) fn tally(manifest: &Manifest, results: &[RunResult]) -> Tally {
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
        if let (Some(f), Some(a)) = (r.final_mastered(), r.area_mastered()) {
            s.finals.push(f);
            s.areas.push(a);
        }
    }
    for na in &manifest.not_applicable {
        if !teachers.contains(&na.teacher) {
            teachers.push(na.teacher.clone());
        }
    }
    Tally::new(cells, teachers, scores)
}

impl Tally {
    /// The tally of these scores, each teacher compared with Random.
    pub(crate) fn new(
        cells: Vec<Cell>,
        teachers: Vec<String>,
        scores: BTreeMap<(Cell, String), Scores>,
    ) -> Self {
        let versus = scores
            .iter()
            .filter(|((_, t), _)| t != BASELINE)
            .filter_map(|((c, t), s)| {
                let random = scores.get(&(c.clone(), BASELINE.to_string()))?;
                Some(((c.clone(), t.clone()), Versus::of(s, random)))
            })
            .collect();
        Self {
            cells,
            teachers,
            scores,
            versus,
        }
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
    /// Hedges' g against Random (positive: ahead).
    pub hedges_g: Option<f64>,
    /// Mean area under the %-mastered curve (mean % over a run's evaluations).
    pub area: Option<f64>,
    /// Welch's two-sided p of the areas against Random's.
    pub area_welch_p: Option<f64>,
    /// Hedges' g of the areas against Random's.
    pub area_hedges_g: Option<f64>,
    /// The teacher cannot run in this cell (needs expert knowledge).
    pub not_applicable: bool,
}

/// The report's table of the sweep in `sweep` as rows (cells in report
/// order, teachers in benchmark order), computed as the report computes it.
pub fn summary(sweep: &Path) -> Result<Vec<SummaryRow>> {
    let manifest = Manifest::of_sweep(sweep)?;
    let results = collect(&manifest, sweep)?;
    Ok(summary_rows(&manifest, &tally(&manifest, &results)))
}

pub(crate) fn summary_rows(manifest: &Manifest, t: &Tally) -> Vec<SummaryRow> {
    let mut rows = Vec::new();
    for c in &t.cells {
        for teacher in &t.teachers {
            let na = manifest
                .not_applicable
                .iter()
                .any(|n| &n.cell == c && &n.teacher == teacher);
            let key = (c.clone(), teacher.clone());
            let s = t.scores.get(&key);
            if s.is_none() && !na {
                continue;
            }
            let finals = s.map(|s| s.finals.as_slice()).unwrap_or_default();
            let some = |v: f64| (!finals.is_empty()).then_some(v);
            let areas = s.map(|s| s.areas.as_slice()).unwrap_or_default();
            // Random is compared with no one, itself included.
            let vs = t.versus.get(&key).copied().unwrap_or_default();
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
                welch_t: vs.finals.map(|(tv, _)| tv),
                welch_p: vs.finals.map(|(_, p)| p),
                hedges_g: vs.finals_g,
                area: some(mean(areas)),
                area_welch_p: vs.areas.map(|(_, p)| p),
                area_hedges_g: vs.areas_g,
                not_applicable: na,
            });
        }
    }
    rows
}
