//! ES behind the [`Student`] contract, so any teacher can drive it: each
//! env instance plays one perturbation per episode and the strategy steps
//! when every perturbation of the generation has a return.

use rand_chacha::ChaCha8Rng;
use trellis_core::rng::seeded;
use trellis_nn::NnError;
use trellis_nn::blob::Blob;

use super::{DESCRIPTOR, EsConfig, Mirrored, OpenAiEs, Scratch, TanhMlp};
use crate::{Acting, Student, Transition};

/// What one env instance is playing.
#[derive(Clone, Debug)]
struct Slot {
    /// (direction, positive sign), or None: the generation's perturbations
    /// are all handed out, so the instance plays the current parameters
    /// and its episode does not count.
    job: Option<(usize, bool)>,
    theta: Vec<f32>,
    ret: f64,
}

/// The `es` student (see the module docs of [`crate::es`]).
pub struct EsStudent {
    cfg: EsConfig,
    net: TanhMlp,
    es: OpenAiEs,
    /// The next perturbation to hand out, as an index into 0..2·directions.
    next: usize,
    returns: Vec<[Option<f64>; 2]>,
    slots: Vec<Slot>,
    scratch: Scratch,
}

impl EsStudent {
    /// A student for `obs` observations and `act` actions.
    pub fn new(obs: usize, act: usize, cfg: EsConfig, seed: u64) -> Self {
        let net = cfg.policy(obs, act);
        let mut rng: ChaCha8Rng = seeded(seed, 0);
        let theta = net.random(cfg.init_std, &mut rng);
        let es = OpenAiEs::new(theta, &cfg, seed);
        Self {
            returns: vec![[None, None]; cfg.directions],
            cfg,
            net,
            es,
            next: 0,
            slots: Vec::new(),
            scratch: Scratch::default(),
        }
    }

    /// A student whose policy is `es`'s parameters (POET's agents, to
    /// replay or film them with the tools that take a student).
    pub fn from_optimiser(obs: usize, act: usize, cfg: EsConfig, es: OpenAiEs) -> Self {
        let mut s = Self::new(obs, act, cfg, 0);
        s.es = es;
        s
    }

    /// The optimiser (its parameters are the policy played deterministically).
    pub fn optimiser(&self) -> &OpenAiEs {
        &self.es
    }

    fn assign(&mut self, i: usize) {
        let total = 2 * self.cfg.directions;
        // Skip perturbations already scored (after a resume, `next` starts
        // again from 0 and only the unscored ones are handed out).
        while self.next < total && self.returns[self.next / 2][self.next % 2].is_some() {
            self.next += 1;
        }
        let slot = &mut self.slots[i];
        slot.ret = 0.0;
        if self.next < total {
            let (d, positive) = (self.next / 2, self.next % 2 == 0);
            self.next += 1;
            slot.job = Some((d, positive));
            slot.theta = self.es.perturbed(d, positive);
        } else {
            slot.job = None;
            slot.theta.clone_from(&self.es.theta);
        }
    }

    fn finish(&mut self, i: usize) {
        if let Some((d, positive)) = self.slots[i].job.take() {
            self.returns[d][usize::from(!positive)] = Some(self.slots[i].ret);
        }
        if self.returns.iter().all(|r| r[0].is_some() && r[1].is_some()) {
            let r: Vec<Mirrored> = self.returns.iter().map(|r| (r[0].unwrap(), r[1].unwrap())).collect();
            self.es.tell(&r, &self.cfg);
            self.returns = vec![[None, None]; self.cfg.directions];
            self.next = 0;
            // Instances mid-episode on the old generation's parameters
            // finish them uncounted.
            for s in &mut self.slots {
                s.job = None;
            }
        }
        self.assign(i);
    }
}

impl Student for EsStudent {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn act(&mut self, obs: &[Vec<f32>], acting: Acting) -> Vec<Vec<f32>> {
        // The ES policy has no action distribution: an evaluation, sampled
        // or not, plays the parameter mean.
        if acting.evaluates() {
            return obs.iter().map(|o| self.net.act(&self.es.theta, o, &mut self.scratch)).collect();
        }
        while self.slots.len() < obs.len() {
            self.slots.push(Slot { job: None, theta: Vec::new(), ret: 0.0 });
            self.assign(self.slots.len() - 1);
        }
        obs.iter()
            .zip(&self.slots)
            .map(|(o, s)| self.net.act(&s.theta, o, &mut self.scratch))
            .collect()
    }

    fn observe(&mut self, t: &Transition) {
        let Some(slot) = self.slots.get_mut(t.env) else { return };
        slot.ret += t.reward as f64;
        if t.episode_ended() {
            if !t.learn
                && let Some((d, positive)) = slot.job.take()
            {
                // Played but not to be learnt from: hand it out again.
                self.next = self.next.min(2 * d + usize::from(!positive));
            }
            self.finish(t.env);
        }
    }

    fn updates(&self) -> u64 {
        self.es.steps
    }

    fn save(&self) -> Result<Vec<u8>, NnError> {
        let mut blob = Blob::new();
        blob.put_json("es.config", &self.cfg)?.put_json("es.optimiser", &self.es)?;
        // Episodes in flight are dropped: a resumed run continues from the
        // checkpoint's generation with the perturbations not yet scored.
        let done: Vec<[Option<f64>; 2]> = self.returns.clone();
        blob.put_json("es.returns", &done)?;
        Ok(blob.to_bytes())
    }

    fn load(&mut self, bytes: &[u8]) -> Result<(), NnError> {
        let blob = Blob::from_bytes(bytes)?;
        blob.expect_json("es.config", &self.cfg)?;
        self.es = blob.get_json("es.optimiser")?;
        self.returns = blob.get_json("es.returns")?;
        self.slots.clear();
        self.next = 0;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn episode(s: &mut EsStudent, env: usize, reward: f32, learn: bool) {
        let obs = vec![vec![0.5f32; 3]; 2];
        let a = s.act(&obs, Acting::Explore);
        s.observe(&Transition {
            env,
            obs: &obs[env],
            action: &a[env],
            reward,
            next_obs: &obs[env],
            terminal: true,
            truncated: false,
            learn,
        });
    }

    #[test]
    fn steps_once_every_perturbation_has_a_return_and_resumes_the_generation() {
        let cfg = EsConfig { directions: 3, hidden: vec![4], ..EsConfig::default() };
        let mut s = EsStudent::new(3, 2, cfg, 7);
        let theta0 = s.optimiser().theta.clone();
        // Two instances; one episode played but not to learn from: 7 episodes for 6 returns.
        episode(&mut s, 0, 1.0, true);
        episode(&mut s, 1, 2.0, false);
        for i in 0..4 {
            episode(&mut s, i % 2, i as f32, true);
        }
        assert_eq!(s.updates(), 0, "one perturbation is still unscored");
        let saved = s.save().unwrap();
        episode(&mut s, 0, 5.0, true);
        assert_eq!(s.updates(), 1);
        assert_ne!(s.optimiser().theta, theta0);
        // A resumed student hands out the unscored perturbation and steps the same way.
        let mut r = EsStudent::new(3, 2, EsConfig { directions: 3, hidden: vec![4], ..EsConfig::default() }, 99);
        r.load(&saved).unwrap();
        episode(&mut r, 0, 5.0, true);
        assert_eq!(r.optimiser(), s.optimiser());
    }
}
