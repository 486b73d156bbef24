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
//!
//! For replay-based teachers the toy also has a critic: a per-cell value
//! estimate (a running mean of its returns) whose error on each episode
//! gives PLR's scores, and episodes can be played without learning. Students
//! of one *kind* share the layout of learnable cells (what AGAIN's
//! classroom tells apart) and differ in their cells' speeds.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use trellis_core::TaskSpace;
use trellis_core::rng::{normal, seeded};

use crate::TeacherContext;

/// Competence at which a cell counts as mastered.
pub const MASTERED: f64 = 0.9;

#[derive(Clone, Debug)]
/// The toy student (see the module docs).
pub struct ToyStudent {
    /// Task-space dimensions.
    pub dims: usize,
    /// Cells per dimension.
    pub cells: usize,
    speed: Vec<f64>,
    competence: Vec<f64>,
    rate: f64,
    noise: f64,
    /// With `Some(start)`, a cell learns only once a neighbour (one index
    /// off in one dimension) is mastered, except `start`, which is always
    /// open, as in teachDeepRL's and meta-acl's toys: competence spreads from
    /// the start cell, and a teacher has to follow the frontier.
    pub unlock: Option<usize>,
    /// The cell at the learnable blob's centre.
    start: usize,
    /// The critic: each cell's value estimate.
    values: Vec<f64>,
    rng: ChaCha8Rng,
}

/// How fast the toy's critic follows the returns.
const VALUE_RATE: f64 = 0.3;

impl ToyStudent {
    /// `unlearnable`: share of cells that never improve.
    pub fn new(dims: usize, cells: usize, unlearnable: f64, seed: u64) -> Self {
        Self::build(dims, cells, unlearnable, None, seed, seed)
    }

    /// `centre` (in cells) of the learnable blob, or a random one; the
    /// layout (centre, ties at the blob's edge) comes from `layout_seed`,
    /// speeds and noise from `seed`.
    fn build(
        dims: usize,
        cells: usize,
        unlearnable: f64,
        centre: Option<Vec<f64>>,
        layout_seed: u64,
        seed: u64,
    ) -> Self {
        let n = cells.pow(dims as u32);
        let mut layout = seeded(layout_seed, 98);
        let mut rng = seeded(seed, 99);
        // The learnable cells form one blob: those nearest to a random centre,
        // as difficulty is contiguous in real task spaces (tall stumps are all
        // too hard); speeds vary from cell to cell.
        let centre: Vec<f64> = centre.unwrap_or_else(|| {
            (0..dims)
                .map(|_| layout.random_range(0.0..cells as f64))
                .collect()
        });
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
                        + 1e-6 * layout.random::<f64>(),
                    c,
                )
            })
            .collect();
        order.sort_by(|a, b| a.0.total_cmp(&b.0));
        let start = order[0].1;
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
            unlock: None,
            start,
            values: vec![0.0; n],
            rng,
        }
    }

    /// A student of layout `kind` whose speeds and noise come from `seed`.
    /// Kinds differ in where their learnable blob is: kind k is centred in
    /// the k-th corner region of the space (the corners of the inner half
    /// of the cube, in binary order): a curriculum that worked for one
    /// student of a kind points the others to the right region.
    pub fn of_kind(dims: usize, cells: usize, unlearnable: f64, kind: u64, seed: u64) -> Self {
        let corner: Vec<f64> = (0..dims)
            .map(|d| if (kind >> d) & 1 == 1 { 0.75 } else { 0.25 } * cells as f64)
            .collect();
        Self::build(dims, cells, unlearnable, Some(corner), kind, seed)
    }

    /// The same student, whose cells learn only next to a mastered one,
    /// from the cell at its blob's centre on (as meta-acl's toy students,
    /// whose kinds are their start cells): a teacher has to follow the
    /// frontier, and an earlier student's curriculum says where it went.
    pub fn with_frontier(mut self) -> Self {
        self.unlock = Some(self.start);
        self
    }

    /// The unit cube of `dims` dimensions.
    pub fn space(&self) -> TaskSpace {
        TaskSpace::new(
            (0..self.dims)
                .map(|i| trellis_core::Dim::new(format!("x{i}"), 0.0, 1.0))
                .collect(),
        )
        .expect("unit cube")
    }

    /// The teacher's context: returns in [0, 100], mastered at 90.
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
        self.play_episode(task, true).0
    }

    /// Plays one episode; learns from it if `learn`. Returns the return and
    /// the critic's scores (its error on the cell, before it updates).
    pub fn play_episode(&mut self, task: &[f64], learn: bool) -> (f64, crate::Scores) {
        let c = self.cell(task);
        let open = match self.unlock {
            None => true,
            Some(start) => c == start || self.neighbours(c).any(|n| self.competence[n] >= MASTERED),
        };
        let ret = 100.0 * self.competence[c] + normal(&mut self.rng, 0.0, self.noise);
        let error = ret - self.values[c];
        let scores = crate::Scores {
            positive_value_loss: error.max(0.0),
            value_l1: error.abs(),
        };
        if learn {
            self.values[c] += VALUE_RATE * error;
            if open {
                self.competence[c] = (self.competence[c] + self.speed[c] * self.rate).min(1.0);
            }
        }
        (ret, scores)
    }

    /// The return of every cell, noise-free and without learning: the toy's
    /// evaluation on its whole grid (AGAIN's pre-test reads it, as
    /// meta-acl's toy sends its competence grid).
    pub fn test(&self) -> Vec<f64> {
        self.competence.iter().map(|c| 100.0 * c).collect()
    }

    /// Cells one index off `c` in one dimension.
    fn neighbours(&self, c: usize) -> impl Iterator<Item = usize> + '_ {
        (0..self.dims).flat_map(move |k| {
            let stride = self.cells.pow((self.dims - 1 - k) as u32);
            let i = (c / stride) % self.cells;
            [(i > 0).then(|| c - stride), (i + 1 < self.cells).then(|| c + stride)]
        })
        .flatten()
    }

    /// Number of learnable cells.
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
        // ALP in the toy is a few hundredths of its return range; the
        // pre-test after 400 episodes (a blob's cells are partly learned
        // by then); k 2 < the classroom's students per kind in the bench.
        // Its ALP-GMM is the toy's `alp-gmm` (fit every 150): with another
        // one (it once fitted every 50, which alone costs ALP-GMM half its
        // score on the toy) the comparison says nothing about the classroom.
        "again" => "alp_threshold = 0.02\npretest_at = 4\nreward_window = 10\nk = 2",
        // Buffers a 2-D toy of a few hundred cells can fill and turn over.
        "plr" | "robust-plr" | "accel" => "buffer_size = 100",
        "sfl" => "candidates = 50\nrollouts = 1\nbuffer_size = 10\nperiod = 200",
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

/// Toy students of several kinds: AGAIN's setting, a classroom of earlier
/// students whose curricula can tell a new student where to go.
#[derive(Clone, Copy, Debug)]
pub struct Kinds {
    /// Task-space dimensions.
    pub dims: usize,
    /// Cells per dimension.
    pub cells: usize,
    /// Share of unlearnable cells.
    pub unlearnable: f64,
    /// Cells learn only next to mastered ones ([`ToyStudent::with_frontier`]).
    pub frontier: bool,
}

impl Kinds {
    /// A student of `kind` whose speeds and noise come from `seed`.
    pub fn student(&self, kind: u64, seed: u64) -> ToyStudent {
        let s = ToyStudent::of_kind(self.dims, self.cells, self.unlearnable, kind, seed);
        if self.frontier { s.with_frontier() } else { s }
    }
}

/// Who an AGAIN student is in a classroom experiment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// Fills the classroom: keeps its record, borrows nothing (it is an
    /// ALP-GMM student, as the students of meta-acl's classrooms were).
    Earlier,
    /// Borrows a curriculum from the classroom, leaves no record (so that
    /// new students do not teach each other within one comparison).
    New,
}

/// One toy student of `kind` taught by `teacher` for `episodes`: %
/// mastered and, for AGAIN, the classroom record it borrowed from. AGAIN
/// uses `classroom` as its [`Role`] says; other teachers ignore both.
pub fn classroom_run(
    teacher: &str,
    classroom: &std::path::Path,
    role: Role,
    kinds: &Kinds,
    (kind, seed): (u64, u64),
    episodes: usize,
) -> Result<(f64, Option<String>), crate::TeacherError> {
    let mut student = kinds.student(kind, seed);
    let mut cfg = teacher_config(teacher);
    if teacher == "again" {
        cfg.insert("classroom".into(), classroom.display().to_string().into());
        cfg.insert("record".into(), (role == Role::Earlier).into());
        cfg.insert("borrow".into(), (role == Role::New).into());
    }
    let mut t = crate::make(teacher, &cfg, student.context(), seed)?;
    let mastered = run(t.as_mut(), &mut student, episodes);
    let donor = t.dump()["borrowed_from"].as_str().map(String::from);
    Ok((mastered, donor))
}

/// Episodes between two evaluations of the toy student ([`ToyStudent::test`]).
pub const EVAL_EVERY: usize = 100;

/// Runs `teacher` with a fresh toy student for `episodes` episodes (those
/// played without learning count too), evaluating it every [`EVAL_EVERY`];
/// returns % mastered.
pub fn run(teacher: &mut dyn crate::Teacher, student: &mut ToyStudent, episodes: usize) -> f64 {
    for k in 1..=episodes {
        let p = teacher.propose();
        let (ret, scores) = student.play_episode(&p.task, p.learn);
        teacher.update(&crate::Episode {
            task: &p.task,
            ret,
            len: 100,
            success: ret >= MASTERED * 100.0,
            value: None,
            scores: teacher.wants_scores().then_some(scores),
        });
        if k % EVAL_EVERY == 0 {
            teacher.on_evaluation(&student.test());
        }
    }
    student.mastered_percent()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Students of one kind share their learnable cells exactly, ties at
    /// the blob's edge included (they once came from the student's seed, so
    /// a donor's curriculum could point a same-kind student at cells it
    /// could never learn); speeds differ.
    #[test]
    fn students_of_a_kind_share_their_layout() {
        let layout = |s: &ToyStudent| -> Vec<bool> { s.speed.iter().map(|&v| v > 0.0).collect() };
        let (a, b) = (ToyStudent::of_kind(2, 20, 0.95, 1, 7), ToyStudent::of_kind(2, 20, 0.95, 1, 8));
        assert_eq!(layout(&a), layout(&b));
        assert_ne!(a.speed, b.speed);
        assert_ne!(layout(&a), layout(&ToyStudent::of_kind(2, 20, 0.95, 2, 7)));
    }
}
