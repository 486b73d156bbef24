//! What a teacher sees of a world's task space, and the way back.
//!
//! A run's task space can hold dimensions that are fixed for training (low
//! equal to high, such as Parkour's creeper width and CPPN scale in the
//! benchmark): teachers never see those, because a zero-width dimension
//! breaks their statistics (a GMM's covariance, a Gaussian's variance). And
//! the "rugged difficulty" experiment cuts each dimension into cells and
//! shuffles them, so nearby tasks for the teacher are far apart in the world.
//! [`TaskMap`] does both: teachers work in [`TaskMap::teacher_space`], the
//! world gets [`TaskMap::to_world`] of what they propose, and teachers are
//! told about episodes in their own coordinates ([`TaskMap::to_teacher`]).

use rand::seq::SliceRandom;
use serde::{Deserialize, Serialize};

use crate::rng::seeded;
use crate::space::{Dim, TaskSpace};

/// How each free dimension is cut and shuffled (TeachMyAgent's dimension
/// shuffler: every dimension on its own, into equal intervals).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Shuffle {
    /// Intervals per dimension (TeachMyAgent: 4).
    pub cells: u32,
    /// Seed of the permutations, fixed per experiment so every teacher and
    /// seed faces the same landscape.
    pub seed: u64,
}

/// The map between a world's task vectors and a teacher's.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TaskMap {
    world: TaskSpace,
    teacher: TaskSpace,
    /// World index of each teacher dimension.
    free: Vec<usize>,
    /// Per teacher dimension: `perm[k]` is the world cell of teacher cell `k`.
    perms: Vec<Vec<usize>>,
}

impl TaskMap {
    /// The map for `world` (the run's bounds): fixed dimensions dropped, the
    /// others shuffled if `shuffle` says so.
    pub fn new(world: &TaskSpace, shuffle: Option<Shuffle>) -> Self {
        let free: Vec<usize> = (0..world.len())
            .filter(|&i| world.dims[i].width() > 0.0)
            .collect();
        let teacher = TaskSpace {
            dims: free
                .iter()
                .map(|&i| world.dims[i].clone())
                .collect::<Vec<Dim>>(),
        };
        let perms = match shuffle {
            Some(s) if s.cells > 1 => {
                let mut rng = seeded(s.seed, 0);
                free.iter()
                    .map(|_| {
                        let mut p: Vec<usize> = (0..s.cells as usize).collect();
                        p.shuffle(&mut rng);
                        p
                    })
                    .collect()
            }
            _ => Vec::new(),
        };
        Self {
            world: world.clone(),
            teacher,
            free,
            perms,
        }
    }

    /// The space teachers sample from: the world's free dimensions.
    pub fn teacher_space(&self) -> &TaskSpace {
        &self.teacher
    }

    /// The world's space (the run's bounds).
    pub fn world_space(&self) -> &TaskSpace {
        &self.world
    }

    /// Is this the identity (no fixed dimension, no shuffle)?
    pub fn is_identity(&self) -> bool {
        self.free.len() == self.world.len() && self.perms.is_empty()
    }

    /// The world task for a teacher's proposal.
    pub fn to_world(&self, task: &[f64]) -> Vec<f64> {
        let mut w: Vec<f64> = self.world.dims.iter().map(|d| d.low).collect();
        for (k, (&i, &v)) in self.free.iter().zip(task).enumerate() {
            w[i] = self.move_cell(k, v, false);
        }
        w
    }

    /// The teacher's coordinates of a world task (exact inverse of
    /// [`TaskMap::to_world`] except on cell boundaries, which belong to two
    /// cells).
    pub fn to_teacher(&self, task: &[f64]) -> Vec<f64> {
        self.free
            .iter()
            .enumerate()
            .map(|(k, &i)| self.move_cell(k, task[i], true))
            .collect()
    }

    /// Moves `v` of teacher dimension `k` from its cell to the permuted one
    /// (or back), keeping its offset inside the cell.
    fn move_cell(&self, k: usize, v: f64, back: bool) -> f64 {
        let Some(perm) = self.perms.get(k) else {
            return v;
        };
        let d = &self.teacher.dims[k];
        let n = perm.len();
        let size = d.width() / n as f64;
        let from = (((v - d.low) / size).floor().max(0.0) as usize).min(n - 1);
        let to = if back {
            perm.iter().position(|&c| c == from).expect("a permutation")
        } else {
            perm[from]
        };
        let offset = v - (d.low + from as f64 * size);
        d.low + to as f64 * size + offset
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn space() -> TaskSpace {
        TaskSpace::from_bounds(&[("h", 0.0, 3.0), ("w", 0.25, 0.25), ("s", 0.0, 6.0)])
    }

    #[test]
    fn fixed_dimensions_are_hidden_from_teachers_and_restored_for_the_world() {
        let m = TaskMap::new(&space(), None);
        assert_eq!(m.teacher_space().names(), ["h", "s"]);
        assert_eq!(m.to_world(&[1.0, 2.0]), [1.0, 0.25, 2.0]);
        assert_eq!(m.to_teacher(&[1.0, 0.25, 2.0]), [1.0, 2.0]);
        assert!(!m.is_identity());
        assert!(TaskMap::new(&TaskSpace::from_bounds(&[("h", 0.0, 3.0)]), None).is_identity());
    }

    #[test]
    fn shuffling_permutes_cells_and_inverts_exactly() {
        let m = TaskMap::new(&space(), Some(Shuffle { cells: 4, seed: 21 }));
        let mut moved = false;
        // Interior points (a value on a cell boundary belongs to two cells).
        for i in 0..40 {
            let x = (i as f64 + 0.37) / 40.0;
            let t = [3.0 * x, 6.0 * (1.0 - x)];
            let w = m.to_world(&t);
            m.world_space().validate(&w).unwrap();
            let back = m.to_teacher(&w);
            assert!((back[0] - t[0]).abs() < 1e-12 && (back[1] - t[1]).abs() < 1e-12);
            moved |= (w[0] - t[0]).abs() > 0.5;
        }
        assert!(moved, "some cell moved");
        // The same seed gives the same landscape.
        assert_eq!(
            m,
            TaskMap::new(&space(), Some(Shuffle { cells: 4, seed: 21 }))
        );
    }
}
