//! RIAC, Robust Intelligent Adaptive Curiosity (Baranes & Oudeyer, 2009, as
//! adapted by Portelas et al.): the task space is split recursively into
//! regions where learning progress differs most; tasks are drawn from
//! regions in proportion to their absolute learning progress (70%), uniformly
//! (20%), or by mutating the worst recent task of a progressing region (10%).
//!
//! Differences from TeachMyAgent's code, on purpose: the split score uses
//! the children's point counts (the paper's criterion; the original
//! multiplied two constant list lengths), and the search for a split whose
//! children hold enough points gives up after a bounded number of draws
//! instead of looping until one is found.

use std::collections::VecDeque;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trellis_core::rng::normal;

use crate::util::{check_range, proportional_choice, uniform_in};
use crate::{Episode, Teacher, TeacherContext, TeacherError};
use trellis_core::Expert;

use crate::registry::{Descriptor, config, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "riac",
    summary: "recursive splits where LP differs, sample ∝ region ALP",
    needs_expert: false,
    initial_from: Expert::Low,
    quick: "max_region_size = 30",
    make: |cfg, ctx, seed| Ok(Box::new(Riac::new(ctx, config(DESCRIPTOR.name, cfg)?, seed)?)),
    restore: restore_serde::<Riac>,
};

/// Draws per split attempt to find children with enough points.
const DRAWS_PER_ATTEMPT: usize = 20;
/// Std (in unit-cube coordinates) of the mutation applied to a region's worst task.
const MUTATION_STD: f64 = 0.1;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// RIAC's settings (defaults: TeachMyAgent's benchmark runs).
pub struct RiacConfig {
    /// Points a leaf holds before it is split.
    pub max_region_size: usize,
    /// Random candidate splits tried when a region is full; the one whose
    /// children differ most in ALP is kept.
    pub nb_split_attempts: usize,
    /// Minimum points in each child of a split (default: max_region_size / 20).
    pub min_region_size: Option<usize>,
    /// Minimum child width per dimension, as a fraction of the space's width.
    pub min_dims_range_ratio: f64,
    /// Share of the oldest points dropped from a region that cannot be split.
    pub discard_ratio: f64,
    /// Points used for a region's ALP (default: max_region_size).
    pub alp_window: Option<usize>,
    /// Sample only from leaf regions (false: from any region of the tree).
    pub sampling_in_leaves_only: bool,
}

impl Default for RiacConfig {
    fn default() -> Self {
        Self {
            max_region_size: 150,
            nb_split_attempts: 75,
            min_region_size: None,
            min_dims_range_ratio: 0.1,
            discard_ratio: 0.25,
            alp_window: None,
            sampling_in_leaves_only: false,
        }
    }
}

impl RiacConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("max_region_size", self.max_region_size as f64, 4.0, 1e7)?;
        check_range("nb_split_attempts", self.nb_split_attempts as f64, 1.0, 1e6)?;
        check_range("min_dims_range_ratio", self.min_dims_range_ratio, 0.0, 0.5)?;
        check_range("discard_ratio", self.discard_ratio, 0.0, 1.0)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// A box of the task space with the points played in it.
pub struct Region {
    /// Bounds in unit-cube coordinates.
    pub low: Vec<f64>,
    /// Upper corner (unit-cube coordinates).
    pub high: Vec<f64>,
    /// The region's absolute learning progress.
    pub alp: f64,
    tasks: VecDeque<Vec<f64>>,
    returns: VecDeque<f64>,
    children: Vec<usize>,
}

impl Region {
    fn new(low: Vec<f64>, high: Vec<f64>) -> Self {
        Self {
            low,
            high,
            alp: 0.0,
            tasks: VecDeque::new(),
            returns: VecDeque::new(),
            children: Vec::new(),
        }
    }

    fn contains(&self, x: &[f64]) -> bool {
        x.iter()
            .zip(&self.low)
            .zip(&self.high)
            .all(|((v, l), h)| v >= l && v <= h)
    }
}

/// |mean of the older half − mean of the newer half| of the last `window` returns.
fn alp(returns: &VecDeque<f64>, window: usize) -> f64 {
    if returns.len() <= 2 {
        return 0.0;
    }
    let w = returns.len().min(window);
    let half = w / 2;
    let recent: Vec<f64> = returns.iter().skip(returns.len() - w).copied().collect();
    let (old, new) = recent.split_at(w - half);
    let mean = |v: &[f64]| v.iter().sum::<f64>() / v.len() as f64;
    (mean(old) - mean(new)).abs()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The RIAC teacher (see the module docs).
pub struct Riac {
    cfg: RiacConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    /// Region 0 is the root (the whole space).
    regions: Vec<Region>,
    sampled_any: bool,
    episodes: u64,
}

impl Riac {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, cfg: RiacConfig, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        let d = ctx.space.len();
        Ok(Self {
            cfg,
            ctx,
            rng: trellis_core::rng::seeded(seed, 0),
            regions: vec![Region::new(vec![0.0; d], vec![1.0; d])],
            sampled_any: false,
            episodes: 0,
        })
    }

    /// The current regions.
    pub fn regions(&self) -> &[Region] {
        &self.regions
    }

    fn window(&self) -> usize {
        self.cfg.alp_window.unwrap_or(self.cfg.max_region_size)
    }

    fn sampling_regions(&self) -> Vec<usize> {
        (0..self.regions.len())
            .filter(|&i| !self.cfg.sampling_in_leaves_only || self.regions[i].children.is_empty())
            .collect()
    }

    /// Tries to split region `r`; drops its oldest points if no split is valid.
    fn split(&mut self, r: usize) {
        let min_len = self
            .cfg
            .min_region_size
            .unwrap_or(self.cfg.max_region_size / 20)
            .max(1);
        let window = self.window();
        let d = self.ctx.space.len();
        let mut best: Option<(f64, usize, f64)> = None;
        for _ in 0..self.cfg.nb_split_attempts {
            for _ in 0..DRAWS_PER_ATTEMPT {
                let reg = &self.regions[r];
                let dim = self.rng.random_range(0..d);
                let t = reg.low[dim] + (reg.high[dim] - reg.low[dim]) * self.rng.random::<f64>();
                let ratio = self.cfg.min_dims_range_ratio;
                if t - reg.low[dim] < ratio || reg.high[dim] - t < ratio {
                    continue;
                }
                let (mut a, mut b) = (VecDeque::new(), VecDeque::new());
                for (x, &ret) in reg.tasks.iter().zip(&reg.returns) {
                    if x[dim] <= t {
                        a.push_back(ret)
                    } else {
                        b.push_back(ret)
                    }
                }
                if a.len() < min_len || b.len() < min_len {
                    continue;
                }
                let score =
                    a.len() as f64 * b.len() as f64 * (alp(&a, window) - alp(&b, window)).abs();
                if best.is_none_or(|(s, _, _)| score >= s) {
                    best = Some((score, dim, t));
                }
                break;
            }
        }
        match best {
            Some((_, dim, t)) => {
                let reg = &self.regions[r];
                let (mut lo, mut hi) = (
                    Region::new(reg.low.clone(), reg.high.clone()),
                    Region::new(reg.low.clone(), reg.high.clone()),
                );
                lo.high[dim] = t;
                hi.low[dim] = t;
                for (x, &ret) in reg.tasks.iter().zip(&reg.returns) {
                    let child = if x[dim] <= t { &mut lo } else { &mut hi };
                    child.tasks.push_back(x.clone());
                    child.returns.push_back(ret);
                }
                lo.alp = alp(&lo.returns, window);
                hi.alp = alp(&hi.returns, window);
                let first = self.regions.len();
                self.regions.push(lo);
                self.regions.push(hi);
                self.regions[r].children = vec![first, first + 1];
            }
            None => {
                let drop = (self.cfg.max_region_size as f64 * self.cfg.discard_ratio) as usize;
                let reg = &mut self.regions[r];
                let drop = drop.min(reg.tasks.len());
                reg.tasks.drain(..drop);
                reg.returns.drain(..drop);
            }
        }
    }
}

impl Teacher for Riac {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        let d = self.ctx.space.len();
        let mode = self.rng.random::<f64>();
        let candidates = self.sampling_regions();
        let alps: Vec<f64> = candidates.iter().map(|&i| self.regions[i].alp).collect();
        let unit = if mode < 0.1 && self.sampled_any {
            // Mutate the worst recent task of a region chosen by ALP.
            let reg = &self.regions[candidates[proportional_choice(&alps, &mut self.rng)]];
            let worst = reg
                .returns
                .iter()
                .enumerate()
                .min_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, _)| i);
            match worst {
                Some(w) => {
                    let base = reg.tasks[w].clone();
                    let (low, high) = (reg.low.clone(), reg.high.clone());
                    (0..d)
                        .map(|k| {
                            normal(&mut self.rng, base[k], MUTATION_STD)
                                .clamp(low[k] + 1e-5, (high[k] - 1e-5).max(low[k] + 1e-5))
                        })
                        .collect()
                }
                None => uniform_in(&reg.low.clone(), &reg.high.clone(), &mut self.rng),
            }
        } else if mode < 0.3 || !self.sampled_any {
            uniform_in(&vec![0.0; d], &vec![1.0; d], &mut self.rng)
        } else {
            let reg = &self.regions[candidates[proportional_choice(&alps, &mut self.rng)]];
            let (low, high) = (reg.low.clone(), reg.high.clone());
            uniform_in(&low, &high, &mut self.rng)
        };
        self.sampled_any = true;
        let mut task = self.ctx.space.from_unit(&unit);
        self.ctx.space.clamp(&mut task);
        task
    }

    fn update(&mut self, ep: &Episode) {
        self.episodes += 1;
        let x = self.ctx.space.to_unit(ep.task);
        let ret = self.ctx.normalise_return(ep.ret);
        let window = self.window();
        // Add to every region on the path from the root down to the leaf holding x.
        let mut to_split = None;
        let mut r = 0;
        loop {
            let reg = &mut self.regions[r];
            reg.tasks.push_back(x.clone());
            reg.returns.push_back(ret);
            if reg.tasks.len() > self.cfg.max_region_size + 1 {
                reg.tasks.pop_front();
                reg.returns.pop_front();
            }
            reg.alp = alp(&reg.returns, window);
            let children = reg.children.clone();
            match children.into_iter().find(|&c| self.regions[c].contains(&x)) {
                Some(c) => r = c,
                None => {
                    if self.regions[r].children.is_empty()
                        && self.regions[r].tasks.len() > self.cfg.max_region_size
                    {
                        to_split = Some(r);
                    }
                    break;
                }
            }
        }
        if let Some(r) = to_split {
            self.split(r);
        }
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        let regions = self
            .regions
            .iter()
            .filter(|r| r.children.is_empty())
            .map(|r| crate::belief::Region {
                low: self.ctx.space.from_unit(&r.low),
                high: self.ctx.space.from_unit(&r.high),
                score: r.alp,
            })
            .collect();
        crate::belief::Belief::Regions { regions }
    }

    fn dump(&self) -> serde_json::Value {
        let regions: Vec<_> = self
            .regions
            .iter()
            .map(|r| {
                serde_json::json!({
                    "low": self.ctx.space.from_unit(&r.low),
                    "high": self.ctx.space.from_unit(&r.high),
                    "alp": r.alp,
                    "leaf": r.children.is_empty(),
                })
            })
            .collect();
        serde_json::json!({ "teacher": "riac", "episodes": self.episodes, "regions": regions })
    }
}
