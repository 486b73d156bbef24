//! The scored task buffer behind PLR, robust PLR and ACCEL (Jiang et al.,
//! 2021; Parker-Holder et al., 2022): up to `capacity` tasks, each with the
//! student's last score on it and the time it was last replayed.
//!
//! Replay distribution: P = (1 − c)·P_score + c·P_staleness, where P_score
//! ranks tasks by score (rank 1 = highest) with weights (1/rank)^(1/T) and
//! P_staleness is proportional to how many proposals ago a task was last
//! replayed. Staleness keeps old scores from going stale: a task not seen
//! for long is replayed and rescored.

use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::util::{proportional_choice, same_task};

#[derive(Clone, Debug, Serialize, Deserialize)]
/// A bounded buffer of tasks with scores and staleness (PLR's level store).
pub struct LevelBuffer {
    capacity: usize,
    tasks: Vec<Vec<f64>>,
    scores: Vec<f64>,
    /// The proposal count at which each task was last proposed.
    last: Vec<u64>,
    /// Proposals so far (PLR's running sample count).
    pub clock: u64,
}

impl LevelBuffer {
    /// An empty buffer holding at most `capacity` tasks.
    pub fn new(capacity: usize) -> Self {
        Self {
            capacity,
            tasks: Vec::new(),
            scores: Vec::new(),
            last: Vec::new(),
            clock: 0,
        }
    }

    /// Tasks held.
    pub fn len(&self) -> usize {
        self.tasks.len()
    }

    /// Share of the capacity in use: PLR replays once it reaches ρ, with a
    /// probability that grows with it.
    pub fn filled(&self) -> f64 {
        self.tasks.len() as f64 / self.capacity.max(1) as f64
    }

    /// The `i`-th task held.
    pub fn task(&self, i: usize) -> &[f64] {
        &self.tasks[i]
    }

    /// The tasks' scores, in buffer order.
    pub fn scores(&self) -> &[f64] {
        &self.scores
    }

    /// The replay distribution (sums to 1 when the buffer is not empty).
    pub fn weights(&self, temperature: f64, staleness_coef: f64) -> Vec<f64> {
        let n = self.tasks.len();
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by(|&a, &b| self.scores[b].total_cmp(&self.scores[a]));
        let mut w = vec![0.0; n];
        for (rank, &i) in order.iter().enumerate() {
            w[i] = (1.0 / (rank + 1) as f64).powf(1.0 / temperature);
        }
        normalise(&mut w);
        if staleness_coef > 0.0 {
            let mut s: Vec<f64> = self.last.iter().map(|&l| (self.clock - l) as f64).collect();
            normalise(&mut s);
            for (a, b) in w.iter_mut().zip(s) {
                *a = (1.0 - staleness_coef) * *a + staleness_coef * b;
            }
        }
        w
    }

    /// Draws a task to replay and marks it fresh.
    pub fn replay(&mut self, temperature: f64, staleness_coef: f64, rng: &mut ChaCha8Rng) -> Vec<f64> {
        let i = proportional_choice(&self.weights(temperature, staleness_coef), rng);
        self.last[i] = self.clock;
        self.tasks[i].clone()
    }

    /// The index of a task in the buffer (matched as [`crate::util::InFlight`] does).
    pub fn find(&self, task: &[f64]) -> Option<usize> {
        self.tasks.iter().position(|t| same_task(t, task))
    }

    /// A replayed task's new score (PLR's default α = 1: the latest score replaces the old).
    pub fn rescore(&mut self, i: usize, score: f64) {
        self.scores[i] = score;
    }

    /// A new task with its first score, proposed at `proposed_at`: added while
    /// there is room, else it replaces the task least likely to be replayed
    /// if it scores at least as high (PLR's "replay support" priority).
    /// Returns whether it entered.
    pub fn offer(
        &mut self,
        task: Vec<f64>,
        score: f64,
        proposed_at: u64,
        temperature: f64,
        staleness_coef: f64,
    ) -> bool {
        if self.tasks.len() < self.capacity {
            self.tasks.push(task);
            self.scores.push(score);
            self.last.push(proposed_at);
            return true;
        }
        let w = self.weights(temperature, staleness_coef);
        let Some(i) = (0..w.len()).min_by(|&a, &b| w[a].total_cmp(&w[b])) else {
            return false;
        };
        if self.scores[i] <= score {
            self.tasks[i] = task;
            self.scores[i] = score;
            self.last[i] = proposed_at;
            true
        } else {
            false
        }
    }
}

fn normalise(w: &mut [f64]) {
    let z: f64 = w.iter().sum();
    if z > 0.0 {
        w.iter_mut().for_each(|x| *x /= z);
    } else if !w.is_empty() {
        let u = 1.0 / w.len() as f64;
        w.iter_mut().for_each(|x| *x = u);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rank_weights_favour_high_scores_and_staleness_spreads_them() {
        let mut b = LevelBuffer::new(3);
        for (k, s) in [0.1, 0.9, 0.5].into_iter().enumerate() {
            assert!(b.offer(vec![k as f64], s, 0, 0.1, 0.0));
        }
        let w = b.weights(0.1, 0.0);
        assert!(w[1] > 0.99 && w[1] > w[2] && w[2] > w[0], "{w:?}");
        // Full: a low score does not enter, a high one replaces the least likely task.
        assert!(!b.offer(vec![7.0], 0.05, 0, 0.1, 0.0));
        assert!(b.offer(vec![8.0], 0.6, 0, 0.1, 0.0));
        assert_eq!(b.find(&[8.0]), Some(0));
        assert!(b.find(&[0.0]).is_none());
        // Staleness: a task never replayed gains weight over the clock.
        b.clock = 100;
        b.last = vec![0, 100, 100];
        let w = b.weights(0.1, 0.5);
        assert!(w[0] > 0.5, "{w:?}");
    }
}
