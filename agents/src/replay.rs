//! A fixed-capacity ring buffer of transitions in flat `f32` arrays.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;

use trellis_nn::NnError;
use trellis_nn::blob::Blob;

use crate::Transition;

/// SAC's replay buffer: a ring of transitions in flat row-major arrays.
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
    /// Rows.
    pub n: usize,
    /// Observations, `n × obs_dim`.
    pub obs: Vec<f32>,
    /// Actions, `n × act_dim`.
    pub act: Vec<f32>,
    /// Rewards.
    pub rew: Vec<f32>,
    /// Next observations, `n × obs_dim`.
    pub next_obs: Vec<f32>,
    /// 1 where the MDP ended (no bootstrap), else 0.
    pub terminal: Vec<f32>,
}

impl Replay {
    /// An empty buffer of `capacity` transitions.
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

    /// Transitions held.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether nothing is held.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Stores `t`, overwriting the oldest transition when full.
    pub fn push(&mut self, t: &Transition) {
        let (obs, action, next_obs) = (&t.obs[..], &t.action[..], &t.next_obs[..]);
        let (o, a) = (self.obs_dim, self.act_dim);
        if self.len < self.capacity {
            // Grow lazily: a 2M-transition buffer costs memory only as it fills.
            self.obs.extend_from_slice(obs);
            self.act.extend_from_slice(action);
            self.rew.push(t.reward);
            self.next_obs.extend_from_slice(next_obs);
            self.terminal.push(if t.terminal { 1.0 } else { 0.0 });
            self.len += 1;
        } else {
            let i = self.next;
            self.obs[i * o..(i + 1) * o].copy_from_slice(obs);
            self.act[i * a..(i + 1) * a].copy_from_slice(action);
            self.rew[i] = t.reward;
            self.next_obs[i * o..(i + 1) * o].copy_from_slice(next_obs);
            self.terminal[i] = if t.terminal { 1.0 } else { 0.0 };
        }
        self.next = (self.next + 1) % self.capacity;
    }

    /// `n` transitions drawn uniformly with replacement.
    pub fn sample(&self, n: usize, rng: &mut ChaCha8Rng) -> Batch {
        let (o, a) = (self.obs_dim, self.act_dim);
        let mut b = Batch {
            n,
            obs: Vec::with_capacity(n * o),
            act: Vec::with_capacity(n * a),
            rew: Vec::with_capacity(n),
            next_obs: Vec::with_capacity(n * o),
            terminal: Vec::with_capacity(n),
        };
        for _ in 0..n {
            let i = rng.random_range(0..self.len);
            b.obs.extend_from_slice(&self.obs[i * o..(i + 1) * o]);
            b.act.extend_from_slice(&self.act[i * a..(i + 1) * a]);
            b.rew.push(self.rew[i]);
            b.next_obs
                .extend_from_slice(&self.next_obs[i * o..(i + 1) * o]);
            b.terminal.push(self.terminal[i]);
        }
        b
    }

    /// Writes the whole buffer (in storage order, with the write cursor) into `blob`.
    pub fn save(&self, blob: &mut Blob) -> Result<(), NnError> {
        blob.put_json("replay.meta", &(self.len, self.next))?;
        blob.put_f32s("replay.obs", &self.obs)
            .put_f32s("replay.act", &self.act)
            .put_f32s("replay.rew", &self.rew);
        blob.put_f32s("replay.next_obs", &self.next_obs)
            .put_f32s("replay.terminal", &self.terminal);
        Ok(())
    }

    /// Restores the contents saved in `blob`.
    pub fn load(&mut self, blob: &Blob) -> Result<(), NnError> {
        let (len, next): (usize, usize) = blob.get_json("replay.meta")?;
        let (obs, act, rew) = (
            blob.get_f32s("replay.obs")?,
            blob.get_f32s("replay.act")?,
            blob.get_f32s("replay.rew")?,
        );
        let (next_obs, terminal) = (
            blob.get_f32s("replay.next_obs")?,
            blob.get_f32s("replay.terminal")?,
        );
        let ok = len <= self.capacity
            && obs.len() == len * self.obs_dim
            && next_obs.len() == len * self.obs_dim
            && act.len() == len * self.act_dim
            && rew.len() == len
            && terminal.len() == len;
        if !ok {
            return Err(NnError(format!(
                "replay buffer of {len} transitions does not fit obs {} / act {} / capacity {}",
                self.obs_dim, self.act_dim, self.capacity
            )));
        }
        *self = Self {
            len,
            next,
            obs,
            act,
            rew,
            next_obs,
            terminal,
            ..*self
        };
        Ok(())
    }
}
