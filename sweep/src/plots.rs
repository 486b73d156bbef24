//! The report's figures, drawn with plotters, each saved as PNG and SVG:
//! learning curves (mean ± standard error per teacher), the profile (radar)
//! chart against Random, and where teachers sampled.

use std::path::Path;

use anyhow::{Result, anyhow, bail};
use plotters::coord::Shift;
use plotters::prelude::*;

/// A figure that can draw itself on any plotters backend.
pub trait Figure {
    /// Size in pixels (SVG units).
    fn size(&self) -> (u32, u32);
    /// Draws on `area`.
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()>;
}

/// plotters' errors carry the backend's type; the report only reports them.
fn pe<E: std::fmt::Display>(e: E) -> anyhow::Error {
    anyhow!("plotting: {e}")
}

/// Saves `fig` as `stem.png` and `stem.svg`.
pub fn save(fig: &impl Figure, stem: &Path) -> Result<()> {
    ensure_font()?;
    let size = fig.size();
    let png = stem.with_extension("png");
    {
        let area = BitMapBackend::new(&png, size).into_drawing_area();
        area.fill(&WHITE).map_err(pe)?;
        fig.draw(&area)?;
        area.present().map_err(pe)?;
    }
    let svg = stem.with_extension("svg");
    let area = SVGBackend::new(&svg, size).into_drawing_area();
    area.fill(&WHITE).map_err(pe)?;
    fig.draw(&area)?;
    area.present().map_err(pe)?;
    Ok(())
}

/// plotters' ab_glyph text needs a TrueType font registered once; trellis
/// uses the system's DejaVu Sans (Debian's fonts-dejavu-core) or `$TRELLIS_FONT`.
fn ensure_font() -> Result<()> {
    static FONT: std::sync::OnceLock<Result<(), String>> = std::sync::OnceLock::new();
    FONT.get_or_init(|| {
        let mut candidates: Vec<String> = std::env::var("TRELLIS_FONT").into_iter().collect();
        candidates.extend(
            [
                "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/dejavu/DejaVuSans.ttf",
                "/usr/share/fonts/TTF/DejaVuSans.ttf",
                "/usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf",
            ]
            .map(String::from),
        );
        let bytes = candidates
            .iter()
            .find_map(|p| std::fs::read(p).ok())
            .ok_or_else(|| {
                "no TrueType font for the plots: install Debian's fonts-dejavu-core or set TRELLIS_FONT to a .ttf file".to_string()
            })?;
        let bytes: &'static [u8] = Box::leak(bytes.into_boxed_slice());
        plotters::style::register_font("sans-serif", FontStyle::Normal, bytes)
            .map_err(|_| "the font file could not be read as TrueType".to_string())
    })
    .clone()
    .map_err(|e| anyhow!(e))
}

/// Distinct colours for teachers, by position in the teacher list.
pub fn colour(i: usize) -> RGBColor {
    const C: [RGBColor; 10] = [
        RGBColor(120, 120, 120),
        RGBColor(31, 119, 180),
        RGBColor(255, 127, 14),
        RGBColor(44, 160, 44),
        RGBColor(214, 39, 40),
        RGBColor(148, 103, 189),
        RGBColor(140, 86, 75),
        RGBColor(227, 119, 194),
        RGBColor(188, 189, 34),
        RGBColor(23, 190, 207),
    ];
    C[i % C.len()]
}

/// One teacher's curve: (step, mean, standard error) points.
pub struct Curve {
    /// The teacher.
    pub name: String,
    /// Colour index.
    pub colour: usize,
    /// Points in step order.
    pub points: Vec<(f64, f64, f64)>,
}

/// Env steps as people write them: 500k, 1.5M, 20M.
fn steps_label(x: f64) -> String {
    let (v, unit) = match x.abs() {
        a if a >= 1e6 => (x / 1e6, "M"),
        a if a >= 1e3 => (x / 1e3, "k"),
        _ => (x, ""),
    };
    let s = format!("{v:.2}");
    format!("{}{unit}", s.trim_end_matches('0').trim_end_matches('.'))
}

/// What a curve's y axis measures.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Measure {
    /// % of the test set mastered (axis from 0, at most 100).
    Mastered,
    /// Mean test return (axis spans the data, negative included).
    Return,
    /// An open-ended pair's score: the mean return of its evaluation
    /// episodes in its own environment (axis as for `Return`).
    Score,
}

/// A measure over steps, mean ± standard error band per teacher (or run).
pub struct Curves {
    /// Title (the cell).
    pub title: String,
    /// What the y axis shows.
    pub measure: Measure,
    /// The curves.
    pub curves: Vec<Curve>,
}

impl Figure for Curves {
    fn size(&self) -> (u32, u32) {
        (900, 560)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let max_x = self
            .curves
            .iter()
            .flat_map(|c| c.points.iter().map(|p| p.0))
            .fold(1.0, f64::max);
        let points = || self.curves.iter().flat_map(|c| c.points.iter());
        let (lo, hi, y_desc) = match self.measure {
            Measure::Mastered => {
                let hi = points().map(|p| p.1 + p.2).fold(10.0, f64::max).min(100.0);
                (0.0, hi * 1.05, "% of test set mastered")
            }
            Measure::Return | Measure::Score => {
                let lo = points().map(|p| p.1 - p.2).fold(f64::INFINITY, f64::min);
                let hi = points().map(|p| p.1 + p.2).fold(f64::NEG_INFINITY, f64::max);
                let (lo, hi) = if lo.is_finite() { (lo, hi.max(lo + 1.0)) } else { (0.0, 1.0) };
                let pad = 0.05 * (hi - lo);
                let desc = if self.measure == Measure::Score { "score in its environment" } else { "mean test return" };
                (lo - pad, hi + pad, desc)
            }
        };
        let clamp = |y: f64| match self.measure {
            Measure::Mastered => y.clamp(0.0, 100.0),
            Measure::Return | Measure::Score => y,
        };
        let mut chart = ChartBuilder::on(area)
            .caption(&self.title, ("sans-serif", 22))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0.0..max_x, lo..hi)
            .map_err(pe)?;
        chart
            .configure_mesh()
            .x_desc("env steps")
            .x_label_formatter(&|x| steps_label(*x))
            .y_desc(y_desc)
            .draw()
            .map_err(pe)?;
        for c in &self.curves {
            let col = colour(c.colour);
            let band: Vec<(f64, f64)> = c
                .points
                .iter()
                .map(|p| (p.0, clamp(p.1 + p.2)))
                .chain(c.points.iter().rev().map(|p| (p.0, clamp(p.1 - p.2))))
                .collect();
            chart
                .draw_series(std::iter::once(Polygon::new(band, col.mix(0.18).filled())))
                .map_err(pe)?;
            chart
                .draw_series(LineSeries::new(
                    c.points.iter().map(|p| (p.0, p.1)),
                    col.stroke_width(2),
                ))
                .map_err(pe)?
                .label(&c.name)
                .legend(move |(x, y)| PathElement::new([(x, y), (x + 18, y)], col.stroke_width(3)));
        }
        chart
            .configure_series_labels()
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .position(SeriesLabelPosition::UpperLeft)
            .draw()
            .map_err(pe)?;
        Ok(())
    }
}

/// One teacher's profile: per axis, its mean / Random's mean and whether
/// the improvement is significant.
pub struct Profile {
    /// The teacher.
    pub name: String,
    /// Colour index.
    pub colour: usize,
    /// One value per axis (None: not measured, drawn at 0).
    pub values: Vec<Option<(f64, bool)>>,
}

/// The radar chart: one axis per experiment cell.
pub struct Radar {
    /// Axis labels.
    pub axes: Vec<String>,
    /// One polygon per teacher.
    pub profiles: Vec<Profile>,
}

impl Figure for Radar {
    fn size(&self) -> (u32, u32) {
        (980, 860)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let n = self.axes.len();
        if n < 3 {
            bail!("a radar chart needs at least 3 axes (cells), got {n}");
        }
        let (w, h) = area.dim_in_pixel();
        let (cx, cy) = (w as f64 * 0.42, h as f64 * 0.52);
        let radius = (w.min(h) as f64) * 0.33;
        let vmax = self
            .profiles
            .iter()
            .flat_map(|p| p.values.iter().flatten().map(|v| v.0))
            .filter(|v| v.is_finite())
            .fold(2.0, f64::max)
            .min(10.0);
        let at = |k: usize, v: f64| -> (i32, i32) {
            let a = std::f64::consts::TAU * k as f64 / n as f64 - std::f64::consts::FRAC_PI_2;
            let r = radius * (v / vmax).clamp(0.0, 1.0);
            ((cx + r * a.cos()) as i32, (cy + r * a.sin()) as i32)
        };
        let text = |_: &str, size| TextStyle::from(("sans-serif", size).into_font()).color(&BLACK);
        area.draw(&Text::new(
            "Profile: mean % mastered / Random's (* = better than Random, Welch p < 0.05)",
            (20, 16),
            text("", 20),
        ))
        .map_err(pe)?;
        for ring in [0.5, 1.0, 2.0, vmax] {
            if ring > vmax {
                continue;
            }
            let pts: Vec<(i32, i32)> = (0..=n).map(|k| at(k % n, ring)).collect();
            let style = if ring == 1.0 {
                BLACK.stroke_width(2)
            } else {
                BLACK.mix(0.25).stroke_width(1)
            };
            area.draw(&PathElement::new(pts, style)).map_err(pe)?;
            area.draw(&Text::new(format!("{ring:.1}×"), at(0, ring), text("", 13)))
                .map_err(pe)?;
        }
        for (k, label) in self.axes.iter().enumerate() {
            area.draw(&PathElement::new([at(k, 0.0), at(k, vmax)], BLACK.mix(0.3)))
                .map_err(pe)?;
            let (x, y) = at(k, vmax * 1.08);
            area.draw(&Text::new(label.clone(), (x - 40, y), text("", 13)))
                .map_err(pe)?;
        }
        for (i, p) in self.profiles.iter().enumerate() {
            let col = colour(p.colour);
            let pts: Vec<(i32, i32)> = (0..=n)
                .map(|k| at(k % n, p.values[k % n].map_or(0.0, |v| v.0)))
                .collect();
            area.draw(&PathElement::new(pts, col.stroke_width(2)))
                .map_err(pe)?;
            for (k, v) in p.values.iter().enumerate() {
                if let Some((v, true)) = v {
                    let (x, y) = at(k, *v);
                    area.draw(&Text::new("*", (x - 5, y - 14), text("", 26).color(&col)))
                        .map_err(pe)?;
                }
            }
            let ly = 60 + 24 * i as i32;
            let lx = (w as f64 * 0.84) as i32;
            area.draw(&PathElement::new(
                [(lx, ly), (lx + 24, ly)],
                col.stroke_width(3),
            ))
            .map_err(pe)?;
            area.draw(&Text::new(p.name.clone(), (lx + 30, ly - 8), text("", 15)))
                .map_err(pe)?;
        }
        Ok(())
    }
}

/// Where one teacher sampled during a stretch of a run, on two task
/// dimensions, with the test tasks the run finally mastered.
pub struct Density {
    /// Panel title (teacher and stretch).
    pub title: String,
    /// The two dimensions' names and ranges.
    pub axes: [(String, f64, f64); 2],
    /// Sampled tasks (the two dimensions).
    pub samples: Vec<(f64, f64)>,
    /// Test tasks mastered at the end.
    pub mastered: Vec<(f64, f64)>,
}

/// Rows of density panels (teachers × moments of their runs).
pub struct DensityGrid {
    /// Panels, row by row.
    pub panels: Vec<Density>,
    /// Panels per row.
    pub cols: usize,
}

impl Figure for DensityGrid {
    fn size(&self) -> (u32, u32) {
        let rows = self.panels.len().div_ceil(self.cols.max(1)) as u32;
        (300 * self.cols as u32, 280 * rows.max(1))
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> Result<()> {
        let rows = self.panels.len().div_ceil(self.cols.max(1));
        let cells = area.split_evenly((rows.max(1), self.cols.max(1)));
        for (d, cell) in self.panels.iter().zip(cells.iter()) {
            let (xn, x0, x1) = d.axes[0].clone();
            let (yn, y0, y1) = d.axes[1].clone();
            let mut chart = ChartBuilder::on(cell)
                .caption(&d.title, ("sans-serif", 15))
                .margin(6)
                .x_label_area_size(28)
                .y_label_area_size(36)
                .build_cartesian_2d(x0..x1, y0..y1)
                .map_err(pe)?;
            chart
                .configure_mesh()
                .disable_mesh()
                .x_desc(xn)
                .y_desc(yn)
                .x_labels(4)
                .y_labels(4)
                .label_style(("sans-serif", 11))
                .draw()
                .map_err(pe)?;
            // A 20 × 20 histogram, shaded by count.
            const BINS: usize = 20;
            let mut hist = [[0u32; BINS]; BINS];
            let bin = |v: f64, lo: f64, hi: f64| {
                (((v - lo) / (hi - lo).max(1e-12) * BINS as f64) as usize).min(BINS - 1)
            };
            for &(x, y) in &d.samples {
                hist[bin(x, x0, x1)][bin(y, y0, y1)] += 1;
            }
            let top = hist.iter().flatten().copied().max().unwrap_or(0).max(1) as f64;
            let (dx, dy) = ((x1 - x0) / BINS as f64, (y1 - y0) / BINS as f64);
            chart
                .draw_series(
                    (0..BINS)
                        .flat_map(|i| (0..BINS).map(move |j| (i, j)))
                        .filter_map(|(i, j)| {
                            let c = hist[i][j];
                            (c > 0).then(|| {
                                let shade = 0.15 + 0.85 * c as f64 / top;
                                let (x, y) = (x0 + i as f64 * dx, y0 + j as f64 * dy);
                                Rectangle::new([(x, y), (x + dx, y + dy)], BLUE.mix(shade).filled())
                            })
                        }),
                )
                .map_err(pe)?;
            chart
                .draw_series(
                    d.mastered
                        .iter()
                        .map(|&p| Circle::new(p, 3, GREEN.mix(0.9).filled())),
                )
                .map_err(pe)?;
        }
        Ok(())
    }
}
