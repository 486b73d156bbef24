//! The teacher panel of a run: its recent training tasks on a pair of task
//! dimensions, coloured by return (red = -150 … green = 350), and its last
//! typed belief (`trellis_teachers::belief::Belief`): mixture components as
//! 2σ ellipses (ALP-GMM, Covar-GMM), SPDL's Gaussian, ADR's box, RIAC's leaf
//! regions, the scored tasks of the level buffers.

use std::path::Path;

use anyhow::{Context, Result};
use bevy::prelude::*;
use serde_json::Value;
use trellis_teachers::belief::{Belief, Gaussian};
use trellis_envs::space::Dim;
use trellis_envs::{TaskSpace, WalkerEnv};
use trellis_train::rows::{self, EpisodeRow};
use trellis_train::run_dir::EPISODES;

/// Training episodes shown (the most recent).
const SAMPLES: usize = 1500;
const FRAME: Color = Color::srgb(0.2, 0.2, 0.25);
const BELIEF: Color = Color::srgb(0.1, 0.3, 0.9);

pub struct TeacherPanel {
    dims: Vec<Dim>,
    pair: (usize, usize),
    /// (task, return) of recent training episodes.
    samples: Vec<(Vec<f64>, f64)>,
    teacher: String,
    belief: Belief,
}

impl TeacherPanel {
    pub fn load(dir: &Path, space: &TaskSpace) -> Result<Self> {
        let n = space.len();
        let episodes: Vec<EpisodeRow> = rows::read(&dir.join(EPISODES)).context("episodes.csv")?;
        let rows: Vec<(Vec<f64>, f64)> = episodes
            .into_iter()
            .filter(|e| e.task.len() == n)
            .map(|e| (e.task, e.ret))
            .collect();
        let samples = rows[rows.len().saturating_sub(SAMPLES)..].to_vec();
        let dumps = std::fs::read_to_string(dir.join("teacher.jsonl")).unwrap_or_default();
        let last: Value = dumps
            .lines()
            .rev()
            .find_map(|l| serde_json::from_str(l).ok())
            .unwrap_or(Value::Null);
        let teacher = last["teacher"].as_str().unwrap_or("?").to_string();
        Ok(Self {
            dims: space.dims.clone(),
            pair: (0, 1.min(n - 1)),
            samples,
            teacher,
            belief: Belief::from_line(&last),
        })
    }

    pub fn title(&self) -> String {
        format!(
            "{} | {} x {} | {} episodes",
            self.teacher,
            self.dims[self.pair.0].name,
            self.dims[self.pair.1].name,
            self.samples.len()
        )
    }

    /// The next pair of dimensions (a, b), a < b, wrapping around.
    pub fn next_pair(&mut self) {
        let n = self.dims.len();
        let (mut a, mut b) = self.pair;
        b += 1;
        if b >= n {
            a = (a + 1) % n.saturating_sub(1).max(1);
            b = a + 1;
        }
        self.pair = (a, b.min(n - 1));
    }

    /// Draws the panel with its lower-left corner at `origin` (pixels), `size` pixels wide and tall.
    pub fn draw(&self, gizmos: &mut Gizmos, origin: Vec2, size: f32, _env: &WalkerEnv) {
        let (a, b) = self.pair;
        let to_px = |x: f64, y: f64| {
            let (da, db) = (&self.dims[a], &self.dims[b]);
            let u = if da.width() > 0.0 {
                (x - da.low) / da.width()
            } else {
                0.5
            };
            let w = if db.width() > 0.0 {
                (y - db.low) / db.width()
            } else {
                0.5
            };
            origin + Vec2::new(u as f32, w as f32) * size
        };
        gizmos.rect_2d(
            Isometry2d::from_translation(origin + Vec2::splat(size / 2.0)),
            Vec2::splat(size),
            FRAME,
        );
        for (task, ret) in &self.samples {
            let t = ((ret + 150.0) / 500.0).clamp(0.0, 1.0) as f32;
            gizmos.circle_2d(
                Isometry2d::from_translation(to_px(task[a], task[b])),
                1.5,
                Color::srgb(1.0 - t, t, 0.1),
            );
        }
        // A point of the panel's pair of dimensions; none for a vector too
        // short for them (a belief from a teacher written in Python is not
        // checked against the space).
        let point = |v: &[f64]| Some(to_px(*v.get(a)?, *v.get(b)?));
        let mut rect = |low: &[f64], high: &[f64]| {
            if let (Some(p), Some(q)) = (point(low), point(high)) {
                gizmos.rect_2d(Isometry2d::from_translation((p + q) / 2.0), (q - p).abs(), BELIEF)
            }
        };
        let gaussians: Vec<&Gaussian> = match &self.belief {
            Belief::Box { low, high } => {
                rect(low, high);
                Vec::new()
            }
            Belief::Regions { regions } => {
                regions.iter().for_each(|r| rect(&r.low, &r.high));
                Vec::new()
            }
            Belief::Mixture { components } => components.iter().collect(),
            Belief::Gaussian(g) => vec![g],
            Belief::Scored { tasks } => {
                for p in tasks.iter().filter_map(|t| point(&t.task)) {
                    gizmos.rect_2d(Isometry2d::from_translation(p), Vec2::splat(4.0), BELIEF);
                }
                Vec::new()
            }
            Belief::Nothing => Vec::new(),
        };
        let n = self.dims.len();
        for g in gaussians {
            let get = |v: &[f64], i: usize| v.get(i).copied().unwrap_or(0.0);
            let (m, c) = (&g.mean, &g.cov);
            let centre = to_px(get(m, a), get(m, b));
            // The 2×2 covariance of (a, b) in panel pixels.
            let (sa, sb) = (
                f64::from(size) / self.dims[a].width().max(1e-9),
                f64::from(size) / self.dims[b].width().max(1e-9),
            );
            let (caa, cab, cbb) = (
                get(c, a * n + a) * sa * sa,
                get(c, a * n + b) * sa * sb,
                get(c, b * n + b) * sb * sb,
            );
            let (mid, diff) = (
                (caa + cbb) / 2.0,
                (((caa - cbb) / 2.0).powi(2) + cab * cab).sqrt(),
            );
            let angle = 0.5 * (2.0 * cab).atan2(caa - cbb);
            let half = Vec2::new(
                (2.0 * (mid + diff).max(0.0).sqrt()) as f32,
                (2.0 * (mid - diff).max(0.0).sqrt()) as f32,
            );
            gizmos.ellipse_2d(
                Isometry2d::new(centre, Rot2::radians(angle as f32)),
                half.min(Vec2::splat(2.0 * size)),
                BELIEF,
            );
        }
    }
}
