//! A fixed-capacity ring buffer of transitions in flat `f32` arrays.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use crate::Transition;

pub struct Replay {
    obs_dim: usize,
    act_dim: usize,
    capacity: usize,
    len: usize,
    next: usize,
    obs: Vec<f32>,
    act: Vec<f32>,
    rew: Vec<f32>,
    next_obs: Vec<f32>,
    terminal: Vec<f32>,
}

/// A sampled minibatch, row-major.
pub struct Batch {
    pub n: usize,
    pub obs: Vec<f32>,
    pub act: Vec<f32>,
    pub rew: Vec<f32>,
    pub next_obs: Vec<f32>,
    pub terminal: Vec<f32>,
}

impl Replay {
    pub fn new(obs_dim: usize, act_dim: usize, capacity: usize) -> Self {
        Self {
            obs_dim,
            act_dim,
            capacity: capacity.max(1),
            len: 0,
            next: 0,
            obs: Vec::new(),
            act: Vec::new(),
            rew: Vec::new(),
            next_obs: Vec::new(),
            terminal: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn push(&mut self, t: &Transition) {
        let (o, a) = (self.obs_dim, self.act_dim);
        if self.len < self.capacity {
            // Grow lazily: a 2M-transition buffer costs memory only as it fills.
            self.obs.extend_from_slice(t.obs);
            self.act.extend_from_slice(t.action);
            self.rew.push(t.reward);
            self.next_obs.extend_from_slice(t.next_obs);
            self.terminal.push(if t.terminal { 1.0 } else { 0.0 });
            self.len += 1;
        } else {
            let i = self.next;
            self.obs[i * o..(i + 1) * o].copy_from_slice(t.obs);
            self.act[i * a..(i + 1) * a].copy_from_slice(t.action);
            self.rew[i] = t.reward;
            self.next_obs[i * o..(i + 1) * o].copy_from_slice(t.next_obs);
            self.terminal[i] = if t.terminal { 1.0 } else { 0.0 };
        }
        self.next = (self.next + 1) % self.capacity;
    }

    pub fn sample(&self, n: usize, rng: &mut ChaCha8Rng) -> Batch {
        let (o, a) = (self.obs_dim, self.act_dim);
        let mut b = Batch { n, obs: Vec::with_capacity(n * o), act: Vec::with_capacity(n * a), rew: Vec::with_capacity(n), next_obs: Vec::with_capacity(n * o), terminal: Vec::with_capacity(n) };
        for _ in 0..n {
            let i = rng.random_range(0..self.len);
            b.obs.extend_from_slice(&self.obs[i * o..(i + 1) * o]);
            b.act.extend_from_slice(&self.act[i * a..(i + 1) * a]);
            b.rew.push(self.rew[i]);
            b.next_obs.extend_from_slice(&self.next_obs[i * o..(i + 1) * o]);
            b.terminal.push(self.terminal[i]);
        }
        b
    }
}
