//! A toy student for testing and benchmarking teachers without deep RL
//! (in the spirit of teachDeepRL's toy environment).
//!
//! The task space `[0, 1]^d` is cut into `cells^d` cells. A seeded share of
//! them is unlearnable; the others form one blob around a random centre, each
//! with a hidden learning speed. A cell's
//! competence (0..1) grows only when a task inside it is played, by
//! `speed · rate` per episode, so a teacher that keeps sampling unlearnable
//! or already mastered cells wastes its budget. The episode return is
//! `100 · competence` plus a little noise (std 0.5); a cell is mastered at competence ≥ 0.9.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use trellis_core::TaskSpace;
use trellis_core::rng::{normal, seeded};

use crate::TeacherContext;

pub const MASTERED: f64 = 0.9;

#[derive(Clone, Debug)]
pub struct ToyStudent {
    pub dims: usize,
    pub cells: usize,
    speed: Vec<f64>,
    competence: Vec<f64>,
    rate: f64,
    noise: f64,
    /// A cell learns only once a lower neighbour (one index less in some
    /// dimension) is mastered, as in teachDeepRL's toy; cell 0 is always open.
    pub unlock: bool,
    rng: ChaCha8Rng,
}

impl ToyStudent {
    /// `unlearnable`: share of cells that never improve.
    pub fn new(dims: usize, cells: usize, unlearnable: f64, seed: u64) -> Self {
        let n = cells.pow(dims as u32);
        let mut rng = seeded(seed, 99);
        // The learnable cells form one blob: those nearest to a random centre,
        // as difficulty is contiguous in real task spaces (tall stumps are all
        // too hard); speeds vary from cell to cell.
        let centre: Vec<f64> = (0..dims)
            .map(|_| rng.random_range(0.0..cells as f64))
            .collect();
        let coords = |c: usize| {
            (0..dims)
                .rev()
                .map(move |k| ((c / cells.pow(k as u32)) % cells) as f64 + 0.5)
        };
        let mut order: Vec<(f64, usize)> = (0..n)
            .map(|c| {
                (
                    coords(c)
                        .zip(&centre)
                        .map(|(a, b)| (a - b) * (a - b))
                        .sum::<f64>()
                        + 1e-6 * rng.random::<f64>(),
                    c,
                )
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        let learnable = n - (unlearnable * n as f64).round() as usize;
        let mut speed = vec![0.0; n];
        for &(_, c) in &order[..learnable] {
            speed[c] = rng.random_range(0.5..1.5);
        }
        Self {
            dims,
            cells,
            speed,
            competence: vec![0.0; n],
            rate: 0.02,
            noise: 0.5,
            unlock: false,
            rng,
        }
    }

    pub fn space(&self) -> TaskSpace {
        TaskSpace::new(
            (0..self.dims)
                .map(|i| trellis_core::Dim::new(format!("x{i}"), 0.0, 1.0))
                .collect(),
        )
        .expect("unit cube")
    }

    pub fn context(&self) -> TeacherContext {
        TeacherContext::new(self.space(), (0.0, 100.0), MASTERED * 100.0)
    }

    /// The context plus expert knowledge: a narrow Gaussian on the easiest
    /// learnable cell (what ADR and SPDL need to start from).
    pub fn expert_context(&self) -> TeacherContext {
        let best = (0..self.speed.len())
            .max_by(|&a, &b| self.speed[a].total_cmp(&self.speed[b]))
            .unwrap_or(0);
        let mut centre = vec![0.0; self.dims];
        let mut c = best;
        for k in (0..self.dims).rev() {
            centre[k] = ((c % self.cells) as f64 + 0.5) / self.cells as f64;
            c /= self.cells;
        }
        let std = vec![0.25 / self.cells as f64; self.dims];
        self.context()
            .with_initial(crate::Gaussian::diagonal(centre, &std))
    }

    fn cell(&self, task: &[f64]) -> usize {
        task.iter().fold(0, |acc, &x| {
            acc * self.cells
                + ((x.clamp(0.0, 1.0) * self.cells as f64) as usize).min(self.cells - 1)
        })
    }

    /// Plays one episode on `task` and returns its return.
    pub fn play(&mut self, task: &[f64]) -> f64 {
        let c = self.cell(task);
        let open = !self.unlock
            || c == 0
            || self
                .lower_neighbours(c)
                .any(|n| self.competence[n] >= MASTERED);
        let ret = 100.0 * self.competence[c] + normal(&mut self.rng, 0.0, self.noise);
        if open {
            self.competence[c] = (self.competence[c] + self.speed[c] * self.rate).min(1.0);
        }
        ret
    }

    /// Cells one index lower than `c` in one dimension.
    fn lower_neighbours(&self, c: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.dims).filter_map(move |k| {
            let stride = self.cells.pow((self.dims - 1 - k) as u32);
            ((c / stride) % self.cells > 0).then(|| c - stride)
        })
    }

    pub fn learnable(&self) -> usize {
        self.speed.iter().filter(|&&s| s > 0.0).count()
    }

    /// Share of learnable cells mastered, in percent.
    pub fn mastered_percent(&self) -> f64 {
        let m = self
            .competence
            .iter()
            .zip(&self.speed)
            .filter(|(c, s)| **s > 0.0 && **c >= MASTERED)
            .count();
        100.0 * m as f64 / self.learnable().max(1) as f64
    }
}

/// Overrides of the benchmark defaults that only make sense in Stump Tracks
/// units, for the toy's returns in [0, 100] and 100-step episodes.
pub fn teacher_config(name: &str) -> toml::Table {
    let text = match name {
        // Thresholds in the toy's return units; boundary moves sized to its cells.
        "adr" => "min_reward_thr = 5.0\nmax_reward_thr = 50.0\nstep_size = 0.05",
        // Updates every 20 episodes after 20 of warm-up (the defaults are in Stump Tracks steps).
        "spdl" => "update_frequency = 2000\nupdate_offset = 2000",
        _ => "",
    };
    text.parse().expect("toy teacher config is valid TOML")
}

/// Teachers given expert knowledge (an initial easy distribution): those that
/// need it (ADR starts from it, GoalGAN is pretrained on it, Setter-Solver's
/// setter starts there) and SPDL, which moves away from it.
pub fn uses_expert_knowledge(name: &str) -> bool {
    name == "spdl" || crate::descriptor(name).is_ok_and(|d| d.needs_expert)
}

/// Teacher `name` set up for `student`: toy-sized config, expert knowledge where the benchmark gives it.
pub fn make_teacher(
    name: &str,
    student: &ToyStudent,
    seed: u64,
) -> Result<Box<dyn crate::Teacher>, crate::TeacherError> {
    let ctx = if uses_expert_knowledge(name) {
        student.expert_context()
    } else {
        student.context()
    };
    crate::make(name, &teacher_config(name), ctx, seed)
}

/// Runs `teacher` with a fresh toy student for `episodes` episodes; returns % mastered.
pub fn run(teacher: &mut dyn crate::Teacher, student: &mut ToyStudent, episodes: usize) -> f64 {
    for _ in 0..episodes {
        let task = teacher.sample_task();
        let ret = student.play(&task);
        teacher.update(&crate::Episode {
            task: &task,
            ret,
            len: 100,
            success: ret >= MASTERED * 100.0,
            value: None,
        });
    }
    student.mastered_percent()
}
