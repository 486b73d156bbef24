//! AGAIN (Portelas et al., 2020, "Meta Automatic Curriculum Learning"):
//! a curriculum borrowed from the most similar earlier student.
//!
//! A new student starts under ALP-GMM. At its pre-test (the `pretest_at`-th
//! evaluation on the run's test tasks) its returns there are compared with
//! those of every student in the classroom (a directory, see
//! [`crate::classroom`]); among the `k` nearest, the one that ended best
//! lends its curriculum: the sequence of its ALP-GMM mixtures, keeping the
//! components whose ALP was above `alp_threshold`. The new student then
//! walks that sequence (AGAIN-R): it moves on to the next mixture once the
//! mean normalised return of its last `reward_window` tasks from the
//! borrowed components reaches what the earlier student got on the tasks
//! of those components (× `tol_ratio`, capped at the success return:
//! mastering them is enough). Tasks are drawn from the borrowed components
//! and the student's own ALP-GMM components together, in proportion to
//! their ALP (a borrowed component's ALP becomes this student's own there
//! once it has played 10 of its tasks),
//! with `random_ratio` of uniform tasks (the meta-acl defaults: k 5, ALP
//! threshold 0.2, 50-task window, tolerance 1, 2% random).
//!
//! With `classroom` set, the student also keeps its own record there (from
//! its pre-test on, rewritten at each evaluation), so that runs of AGAIN
//! populate the classroom: with an empty classroom AGAIN is ALP-GMM.

use std::collections::VecDeque;
use std::path::PathBuf;

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::alp_gmm::{AlpGmm, AlpGmmConfig};
use crate::classroom::{self, Record, Snapshot};
use crate::util::{InFlight, check_range, proportional_choice, uniform_task};
use crate::{Episode, Gaussian, Teacher, TeacherContext, TeacherError};
use trellis_core::Expert;

use crate::registry::{Descriptor, config, restore_serde};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "again",
    summary: "AGAIN: ALP-GMM plus the curriculum of the nearest, best earlier student (classroom)",
    needs_expert: false,
    initial_from: Expert::High,
    // ALP above 0.2 of the return range is rare in a few hundred episodes:
    // without a lower bar a short run's record holds no curriculum to lend.
    quick: "alp_gmm = { fit_rate = 40 }\nalp_threshold = 0.05",
    make: |cfg, ctx, seed| Ok(Box::new(Again::new(ctx, config(DESCRIPTOR.name, cfg)?, seed)?)),
    restore: restore_serde::<Again>,
};

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// AGAIN's settings (defaults: the official code's, see the module docs).
pub struct AgainConfig {
    /// The classroom directory ("" for none: AGAIN is then ALP-GMM).
    pub classroom: String,
    /// Keep this student's record in the classroom.
    pub record: bool,
    /// Borrow a curriculum from the classroom at the pre-test (false: only
    /// keep a record, as the ALP-GMM students meta-acl's classrooms were
    /// made of).
    pub borrow: bool,
    /// Which evaluation is the pre-test (meta-acl: the 2nd).
    pub pretest_at: u32,
    /// Nearest students considered.
    pub k: usize,
    /// Borrowed components need a mean ALP above this (normalised return units).
    pub alp_threshold: f64,
    /// Share of uniform tasks once a curriculum is borrowed.
    pub random_ratio: f64,
    /// Tasks from borrowed components whose mean return decides moving on.
    pub reward_window: usize,
    /// Move on at this share of the earlier student's mean return.
    pub tol_ratio: f64,
    /// The student's own ALP-GMM.
    pub alp_gmm: AlpGmmConfig,
}

impl Default for AgainConfig {
    fn default() -> Self {
        Self {
            classroom: String::new(),
            record: true,
            borrow: true,
            pretest_at: 2,
            k: 5,
            alp_threshold: 0.2,
            random_ratio: 0.02,
            reward_window: 50,
            tol_ratio: 1.0,
            alp_gmm: AlpGmmConfig::default(),
        }
    }
}

impl AgainConfig {
    /// Checks every setting against its range, naming the first that is out of it.
    pub fn validate(&self) -> Result<(), TeacherError> {
        check_range("pretest_at", self.pretest_at as f64, 1.0, 1e6)?;
        check_range("k", self.k as f64, 1.0, 1e6)?;
        check_range("alp_threshold", self.alp_threshold, 0.0, 1.0)?;
        check_range("random_ratio", self.random_ratio, 0.0, 1.0)?;
        check_range("reward_window", self.reward_window as f64, 1.0, 1e6)?;
        check_range("tol_ratio", self.tol_ratio, 0.0, 10.0)?;
        self.alp_gmm.validate()
    }
}

/// The borrowed curriculum and where the student is in it.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Borrowed {
    from: String,
    snapshots: Vec<Snapshot>,
    idx: usize,
    rewards: VecDeque<f64>,
    /// This student's own ALP on the tasks it drew from each component of
    /// the current snapshot (the last [`LIVE_WINDOW`]).
    #[serde(default)]
    live: Vec<VecDeque<f64>>,
}

/// Episodes of live ALP kept per borrowed component (meta-acl re-estimates
/// its final borrowed mixture from the last 100 ALPs of each component).
const LIVE_WINDOW: usize = 100;
/// A borrowed component's interest is the donor's ALP until this student
/// has played this many of its tasks, its own ALP there afterwards.
const LIVE_MIN: usize = 10;

impl Borrowed {
    /// Interest of lent component `j`: what the donor measured there, until
    /// this student's own progress there is known. Why: a donor's ALP is
    /// frozen in its record; once this student has mastered a component
    /// (or cannot learn there yet) the frozen value would keep drawing
    /// tasks to it. meta-acl re-estimates only its final mixture, every 100
    /// episodes; trellis does it for every snapshot, as episodes arrive.
    fn interest(&self, j: usize) -> f64 {
        match self.live.get(j) {
            Some(w) if w.len() >= LIVE_MIN => w.iter().sum::<f64>() / w.len() as f64,
            _ => *self.snapshots[self.idx].components[j].mean.last().expect("alp dim"),
        }
    }

    fn advance(&mut self) {
        self.idx += 1;
        self.rewards.clear();
        self.live = vec![VecDeque::new(); self.snapshots[self.idx].components.len()];
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
/// The AGAIN teacher (see the module docs).
pub struct Again {
    cfg: AgainConfig,
    ctx: TeacherContext,
    rng: ChaCha8Rng,
    seed: u64,
    alp_gmm: AlpGmm,
    evaluations: u32,
    pretest: Option<Vec<f64>>,
    /// This student's own curriculum so far (for its record).
    snapshots: Vec<Snapshot>,
    fits_seen: u64,
    /// Normalised returns of tasks that the current mixture's kept
    /// (high-ALP) components account for: what a later student has to
    /// match on those components before it moves on (meta-acl's mean of
    /// the last 50 returns from high-ALP components).
    lifetime: VecDeque<f64>,
    borrowed: Option<Borrowed>,
    /// Returns at the latest evaluation.
    last_test: Option<Vec<f64>>,
    /// The borrowed component each task in flight came from, if any.
    pending: InFlight<Option<usize>>,
}

impl Again {
    /// A fresh teacher over `ctx`'s task space; random draws from `seed`.
    pub fn new(ctx: TeacherContext, cfg: AgainConfig, seed: u64) -> Result<Self, TeacherError> {
        cfg.validate()?;
        Ok(Self {
            alp_gmm: AlpGmm::new(ctx.clone(), cfg.alp_gmm.clone(), seed)?,
            rng: trellis_core::rng::seeded(seed, 1),
            cfg,
            ctx,
            seed,
            evaluations: 0,
            pretest: None,
            snapshots: Vec::new(),
            fits_seen: 0,
            lifetime: VecDeque::new(),
            borrowed: None,
            last_test: None,
            pending: InFlight::default(),
        })
    }

    /// The name of the curriculum's donor, once one was chosen.
    pub fn borrowed_from(&self) -> Option<&str> {
        self.borrowed.as_ref().map(|b| b.from.as_str())
    }

    fn dims(&self) -> Vec<String> {
        self.ctx.space.dims.iter().map(|d| d.name.clone()).collect()
    }

    fn record_id(&self, pretest: &[f64]) -> String {
        // FNV-1a over the pre-test: students of one sweep that share a seed
        // (other bodies, other experiments) get distinct files.
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for x in pretest {
            for b in x.to_bits().to_le_bytes() {
                h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
            }
        }
        let who: String = self
            .ctx
            .learner
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        let who = if who.is_empty() { "student".into() } else { who };
        format!("{who}-s{}-{:08x}", self.seed, h as u32)
    }

    fn mean_recent(&self) -> f64 {
        let n = self.lifetime.len();
        if n == 0 {
            return 0.0;
        }
        self.lifetime.iter().sum::<f64>() / n as f64
    }

    /// Is `task` most likely (weighted density over the task dimensions)
    /// from one of the current mixture's high-ALP components? The mixture
    /// does not say which component a task was drawn from; the most
    /// responsible one stands in for it.
    fn from_kept_component(&self, task: &[f64]) -> bool {
        let Some(g) = self.alp_gmm.gmm() else {
            return false;
        };
        let x = self.ctx.space.to_unit(task);
        g.components
            .iter()
            .zip(&g.weights)
            .map(|(c, w)| (c, w.ln() + c.marginal(x.len()).log_pdf(&x)))
            .max_by(|a, b| a.1.total_cmp(&b.1))
            .is_some_and(|(c, _)| c.mean.last().is_some_and(|&a| a > self.cfg.alp_threshold))
    }

    /// Snapshots the student's ALP-GMM after a new fit (high-ALP components only).
    fn on_fit(&mut self) {
        let mean = self.mean_recent();
        if let Some(last) = self.snapshots.last_mut() {
            last.mean_reward = mean;
        }
        self.lifetime.clear();
        let components: Vec<Gaussian> = self
            .alp_gmm
            .gmm()
            .map(|g| {
                g.components
                    .iter()
                    .filter(|c| c.mean.last().is_some_and(|&a| a > self.cfg.alp_threshold))
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        if !components.is_empty() {
            self.snapshots.push(Snapshot {
                components,
                mean_reward: 0.0,
            });
        }
    }

    fn write_record(&self) {
        let (Some(pretest), Some(last)) = (&self.pretest, self.last_test.as_ref()) else {
            return;
        };
        if self.cfg.classroom.is_empty() || !self.cfg.record {
            return;
        }
        let mut curriculum = self.snapshots.clone();
        if let Some(s) = curriculum.last_mut() {
            s.mean_reward = self.mean_recent();
        }
        let record = Record {
            id: self.record_id(pretest),
            learner: self.ctx.learner.clone(),
            dims: self.dims(),
            pretest: pretest.clone(),
            last_test: last.clone(),
            curriculum,
        };
        if let Err(e) = record.save(&PathBuf::from(&self.cfg.classroom)) {
            eprintln!("warning: AGAIN could not write its classroom record: {e}");
        }
    }
}

impl Teacher for Again {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn sample_task(&mut self) -> Vec<f64> {
        let Some(b) = &self.borrowed else {
            let task = self.alp_gmm.sample_task();
            self.pending.push(task.clone(), None);
            return task;
        };
        if self.rng.random::<f64>() < self.cfg.random_ratio {
            let task = uniform_task(&self.ctx.space, &mut self.rng);
            self.pending.push(task.clone(), None);
            return task;
        }
        let own: &[Gaussian] = self.alp_gmm.gmm().map_or(&[], |g| &g.components);
        let lent = &b.snapshots[b.idx].components;
        let pool: Vec<&Gaussian> = lent.iter().chain(own).collect();
        let alps: Vec<f64> = (0..lent.len())
            .map(|j| b.interest(j))
            .chain(own.iter().map(|c| *c.mean.last().expect("alp dim")))
            .collect();
        let j = proportional_choice(&alps, &mut self.rng);
        let mut x = pool[j].sample(&mut self.rng);
        x.pop();
        let mut task = self.ctx.space.from_unit(&x);
        self.ctx.space.clamp(&mut task);
        self.pending.push(task.clone(), (j < lent.len()).then_some(j));
        task
    }

    fn update(&mut self, ep: &Episode) {
        let r = self.ctx.normalise_return(ep.ret);
        if self.from_kept_component(ep.task) {
            self.lifetime.push_back(r);
            if self.lifetime.len() > self.cfg.reward_window {
                self.lifetime.pop_front();
            }
        }
        self.alp_gmm.update(ep);
        if self.alp_gmm.fits() != self.fits_seen {
            self.fits_seen = self.alp_gmm.fits();
            self.on_fit();
        }
        let lent = self.pending.take(ep.task).flatten();
        if let Some(b) = &mut self.borrowed
            && let Some(j) = lent
        {
            if let (Some(w), Some(alp)) = (b.live.get_mut(j), self.alp_gmm.last_alp()) {
                w.push_back(alp);
                if w.len() > LIVE_WINDOW {
                    w.pop_front();
                }
            }
            b.rewards.push_back(r);
            if b.rewards.len() > self.cfg.reward_window {
                b.rewards.pop_front();
            }
            let mean = b.rewards.iter().sum::<f64>() / b.rewards.len() as f64;
            // Matching the donor saturates at mastery: with noisy returns a
            // student that masters these tasks may never exceed a donor that
            // mastered them too, and would stay on this step for good.
            let mastered = self.ctx.normalise_return(self.ctx.success_return);
            let target = (b.snapshots[b.idx].mean_reward * self.cfg.tol_ratio).min(mastered);
            if b.rewards.len() == self.cfg.reward_window
                && mean >= target
                && b.idx + 1 < b.snapshots.len()
            {
                b.advance();
            }
        }
    }

    fn on_evaluation(&mut self, returns: &[f64]) {
        self.evaluations += 1;
        self.last_test = Some(returns.to_vec());
        if self.evaluations == self.cfg.pretest_at {
            self.pretest = Some(returns.to_vec());
            if !self.cfg.classroom.is_empty() && self.cfg.borrow {
                let own = self.record_id(returns);
                let records: Vec<Record> = classroom::load(&PathBuf::from(&self.cfg.classroom), &self.dims())
                    .into_iter()
                    .filter(|r| r.id != own)
                    .collect();
                if let Some(r) = classroom::choose(&records, returns, self.cfg.k) {
                    self.borrowed = Some(Borrowed {
                        from: r.id.clone(),
                        snapshots: r.curriculum.clone(),
                        idx: 0,
                        rewards: VecDeque::new(),
                        live: vec![VecDeque::new(); r.curriculum[0].components.len()],
                    });
                }
            }
        }
        self.write_record();
    }

    fn state(&self) -> serde_json::Value {
        serde_json::to_value(self).expect("teacher state serialises")
    }

    fn belief(&self) -> crate::belief::Belief {
        self.alp_gmm.belief()
    }

    fn dump(&self) -> serde_json::Value {
        serde_json::json!({
            "teacher": DESCRIPTOR.name,
            "pretested": self.pretest.is_some(),
            "borrowed_from": self.borrowed_from(),
            "borrowed_step": self.borrowed.as_ref().map(|b| (b.idx, b.snapshots.len())),
            // The student's mean return on the current borrowed tasks, and the donor's there.
            "borrowed_reward": self.borrowed.as_ref().map(|b| {
                let n = b.rewards.len().max(1) as f64;
                (b.rewards.iter().sum::<f64>() / n, b.snapshots[b.idx].mean_reward)
            }),
            "own_snapshots": self.snapshots.len(),
            "alp_gmm": self.alp_gmm.dump(),
        })
    }
}
