//! A student that reads: an actor-critic over text observations and
//! admissible commands, for the procedural text worlds.
//!
//! Text becomes a bag of words over a fixed vocabulary of hashed buckets
//! (FNV-1a of each lower-cased word, prefixed by the field it came from, so
//! "key" in the goal and "key" in the inventory are different features). A
//! state encoder reads feedback + goal + inventory, a command encoder reads
//! each admissible command, and a command's score is the dot product of the
//! two embeddings (the DRRN idea: the action set changes every step, so
//! commands are scored, not indexed). Learning is advantage actor-critic on
//! Monte-Carlo returns of finished episodes, with an entropy bonus.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::activation::log_softmax;
use burn::tensor::{Device, Tensor};
use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trellis_core::text::TextObs;
use trellis_nn::blob::Blob;
use trellis_nn::{
    Mlp, NnError, load_module, load_optim, matrix, module_bytes, optim_bytes, values,
};

use crate::{Acting, EvalPolicy, Student, Transition};
use crate::registry::{
    Descriptor, Make, Settings, check, check_positive, resolve, settings,
};

/// The registry entry.
pub const DESCRIPTOR: Descriptor = Descriptor {
    name: "text-ac",
    summary: "hashed bag-of-words actor-critic that scores the admissible commands (reads text)",
    resolve: |t| resolve::<TextPolicyConfig>(DESCRIPTOR.name, t),
    quick: "",
    make: Make::Text(|t, seed| Ok(Box::new(TextPolicy::new(settings(DESCRIPTOR.name, t)?, seed)))),
    // No reference protocol: the most likely command, as trellis always did.
    eval_policy: EvalPolicy::Mean,
};

impl Settings for TextPolicyConfig {
    fn validate(&self) -> Result<(), String> {
        check("gamma", self.gamma as f64, 0.0, 1.0)?;
        check("lr", self.lr, 1e-8, 1.0)?;
        check_positive("buckets", self.buckets)?;
        check_positive("hidden", self.hidden)?;
        check_positive("batch", self.batch)
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
/// The text-world actor-critic's settings.
pub struct TextPolicyConfig {
    /// Size of the hashed vocabulary.
    pub buckets: usize,
    /// Width of the hidden layer.
    pub hidden: usize,
    /// Adam learning rate.
    pub lr: f64,
    /// Discount factor.
    pub gamma: f32,
    /// Finished-episode transitions per update.
    pub batch: usize,
    /// Weight of the entropy bonus.
    pub ent_coef: f32,
    /// Weight of the value loss.
    pub vf_coef: f32,
}

impl Default for TextPolicyConfig {
    fn default() -> Self {
        Self {
            buckets: 512,
            hidden: 64,
            lr: 3e-3,
            gamma: 0.9,
            batch: 256,
            ent_coef: 0.01,
            vf_coef: 0.5,
        }
    }
}

/// Bucket ids of the words of `text`, tagged with `field`.
fn words(field: &str, text: &str, buckets: usize, out: &mut Vec<u32>) {
    for w in text
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in field.bytes().chain([b':']).chain(w.to_lowercase().bytes()) {
            h = (h ^ b as u64).wrapping_mul(0x100_0000_01b3);
        }
        out.push((h % buckets as u64) as u32);
    }
}

/// Extra command features: the share of its words found in the goal, the
/// inventory and the feedback. A generic hint ("this command talks about what
/// the goal talks about") that bag-of-words embeddings would otherwise have
/// to learn word by word.
const OVERLAPS: usize = 3;

/// Sparse features of one decision: the state and every admissible command.
#[derive(Clone, Debug, Serialize, Deserialize)]
struct Decision {
    state: Vec<u32>,
    commands: Vec<Vec<u32>>,
    overlaps: Vec<[f32; OVERLAPS]>,
}

impl Decision {
    fn of(obs: &TextObs, buckets: usize) -> Self {
        let mut state = Vec::new();
        words("o", &obs.feedback, buckets, &mut state);
        words("g", &obs.goal, buckets, &mut state);
        words("i", &obs.inventory, buckets, &mut state);
        let commands = obs
            .admissible
            .iter()
            .map(|c| {
                let mut v = Vec::new();
                words("c", c, buckets, &mut v);
                v
            })
            .collect();
        let lower = |t: &str| t.to_lowercase();
        let fields = [
            lower(&obs.goal),
            lower(&obs.inventory),
            lower(&obs.feedback),
        ];
        let overlaps = obs
            .admissible
            .iter()
            .map(|c| {
                let ws: Vec<String> = c
                    .split_whitespace()
                    .skip(1)
                    .map(str::to_lowercase)
                    .filter(|w| w.len() > 2 && w != "with")
                    .collect();
                let share = |f: &str| {
                    if ws.is_empty() {
                        0.0
                    } else {
                        ws.iter().filter(|w| f.contains(w.as_str())).count() as f32
                            / ws.len() as f32
                    }
                };
                [share(&fields[0]), share(&fields[1]), share(&fields[2])]
            })
            .collect();
        Self {
            state,
            commands,
            overlaps,
        }
    }
}

#[derive(Clone, Debug, Serialize, Deserialize)]
struct Step {
    d: Decision,
    chosen: usize,
    reward: f32,
}

#[derive(Module, Debug)]
struct TextNet {
    state: Mlp,
    command: Mlp,
    value: Mlp,
}

/// An actor-critic over admissible commands for text worlds (see the module docs).
pub struct TextPolicy {
    cfg: TextPolicyConfig,
    device: Device,
    rng: ChaCha8Rng,
    net: TextNet,
    optim: ModuleOptimizer,
    pending: Vec<Option<(Decision, usize)>>,
    /// Unfinished episode of each env instance.
    running: Vec<Vec<Step>>,
    /// Finished episodes' steps with their returns, waiting for an update.
    ready: Vec<(Step, f32)>,
    updates: u64,
}

impl TextPolicy {
    /// A fresh learner; weights and sampling from `seed`.
    pub fn new(cfg: TextPolicyConfig, seed: u64) -> Self {
        let device = trellis_nn::device();
        let mut rng = trellis_core::rng::seeded(seed, 0);
        let (v, h) = (cfg.buckets, cfg.hidden);
        let net = TextNet {
            state: Mlp::new(&[v, h, h], &device, &mut rng),
            command: Mlp::new(&[v + OVERLAPS, h, h], &device, &mut rng),
            value: Mlp::new(&[v, h, 1], &device, &mut rng),
        };
        Self {
            cfg,
            device,
            rng,
            net,
            optim: AdamConfig::new().init(),
            pending: Vec::new(),
            running: Vec::new(),
            ready: Vec::new(),
            updates: 0,
        }
    }

    /// Dense bag-of-words rows (counts clipped to 1), each followed by its `extra` values.
    fn rows(&self, sparse: &[&[u32]], extra: &[&[f32]]) -> Tensor<2> {
        let w = self.cfg.buckets + extra.first().map_or(0, |e| e.len());
        let mut dense = vec![0.0f32; sparse.len() * w];
        for (r, ids) in sparse.iter().enumerate() {
            for &i in *ids {
                dense[r * w + i as usize] = 1.0;
            }
            if let Some(e) = extra.get(r) {
                dense[r * w + self.cfg.buckets..(r + 1) * w].copy_from_slice(e);
            }
        }
        matrix(dense, sparse.len(), w, &self.device)
    }

    /// Masked log-probabilities `[n, K]` over each decision's commands and the state values `[n, 1]`.
    fn forward(
        &self,
        net: &TextNet,
        ds: &[&Decision],
        train: bool,
    ) -> (Tensor<2>, Tensor<2>, Vec<usize>) {
        let n = ds.len();
        let k = ds
            .iter()
            .map(|d| d.commands.len())
            .max()
            .unwrap_or(1)
            .max(1);
        let states: Vec<&[u32]> = ds.iter().map(|d| d.state.as_slice()).collect();
        let empty: &[u32] = &[];
        let cmds: Vec<&[u32]> = ds
            .iter()
            .flat_map(|d| (0..k).map(|j| d.commands.get(j).map_or(empty, Vec::as_slice)))
            .collect();
        let none = [0.0f32; OVERLAPS];
        let mut extras: Vec<&[f32]> = Vec::with_capacity(n * k);
        for d in ds {
            extras.extend((0..k).map(|j| d.overlaps.get(j).map_or(&none[..], |o| &o[..])));
        }
        let mask: Vec<f32> = ds
            .iter()
            .flat_map(|d| (0..k).map(|j| if j < d.commands.len() { 0.0 } else { -1e9 }))
            .collect();
        let (s_rows, c_rows) = (self.rows(&states, &[]), self.rows(&cmds, &extras));
        let h = self.cfg.hidden;
        // Acting runs the `valid()` network on the inner backend; learning keeps autodiff.
        let plain = |t: Tensor<2>| if train { t } else { t.inner() };
        let (s_rows, c_rows, mask) = (
            plain(s_rows),
            plain(c_rows),
            plain(matrix(mask, n, k, &self.device)),
        );
        let value = net.value.forward(s_rows.clone());
        let hs = net
            .state
            .forward(s_rows)
            .reshape([n, 1, h])
            .expand([n, k, h]);
        let hc = net.command.forward(c_rows).reshape([n, k, h]);
        let scores = (hs * hc).sum_dim(2).reshape([n, k]) + mask;
        (
            log_softmax(scores, 1),
            value,
            ds.iter().map(|d| d.commands.len()).collect(),
        )
    }

    fn update(&mut self) {
        let batch = std::mem::take(&mut self.ready);
        let n = batch.len();
        let ds: Vec<&Decision> = batch.iter().map(|(s, _)| &s.d).collect();
        let (logp, value, _) = self.forward(&self.net, &ds, true);
        let k = logp.dims()[1];
        let returns = matrix(batch.iter().map(|(_, g)| *g).collect(), n, 1, &self.device);
        let onehot: Vec<f32> = batch
            .iter()
            .flat_map(|(s, _)| (0..k).map(move |j| if j == s.chosen { 1.0 } else { 0.0 }))
            .collect();
        let chosen = (logp.clone() * matrix(onehot, n, k, &self.device)).sum_dim(1);
        let adv = values(returns.clone() - value.clone().detach());
        let mean = adv.iter().sum::<f32>() / n as f32;
        let std = (adv.iter().map(|a| (a - mean).powi(2)).sum::<f32>() / n as f32).sqrt();
        let adv = matrix(
            adv.iter().map(|a| (a - mean) / (std + 1e-6)).collect(),
            n,
            1,
            &self.device,
        );
        let pg = (chosen * adv).mean().neg();
        let vf = (value - returns).square().mean();
        let entropy = (logp.clone().exp() * logp).sum_dim(1).mean().neg();
        let loss = pg + vf * self.cfg.vf_coef - entropy * self.cfg.ent_coef;
        let grads = GradientsParams::from_grads(loss.backward(), &self.net);
        self.net = self.optim.step(self.cfg.lr, self.net.clone(), grads);
        self.updates += 1;
    }
}

impl Student<TextObs, String> for TextPolicy {
    fn name(&self) -> &'static str {
        DESCRIPTOR.name
    }

    fn act(&mut self, obs: &[TextObs], mut acting: Acting) -> Vec<String> {
        let explore = !acting.evaluates();
        if explore && self.ready.len() >= self.cfg.batch {
            self.update();
        }
        let ds: Vec<Decision> = obs
            .iter()
            .map(|o| Decision::of(o, self.cfg.buckets))
            .collect();
        let refs: Vec<&Decision> = ds.iter().collect();
        let (logp, _, counts) = self.forward(&self.net.valid(), &refs, false);
        let k = logp.dims()[1];
        let lp = values(logp);
        self.pending.resize(obs.len().max(self.pending.len()), None);
        let mut out = Vec::with_capacity(obs.len());
        for (i, (d, o)) in ds.into_iter().zip(obs).enumerate() {
            let row = &lp[i * k..i * k + counts[i].max(1)];
            let draw: Option<f32> = match &mut acting {
                Acting::Explore => Some(self.rng.random()),
                Acting::Sample(rng) => Some(rng.random()),
                Acting::Mean => None,
            };
            let choice = if let Some(u) = draw {
                let mut acc = 0.0;
                (0..row.len())
                    .find(|&j| {
                        acc += row[j].exp();
                        u < acc
                    })
                    .unwrap_or(row.len() - 1)
            } else {
                (0..row.len())
                    .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                    .unwrap_or(0)
            };
            out.push(
                o.admissible
                    .get(choice)
                    .cloned()
                    .unwrap_or_else(|| "look".into()),
            );
            if explore {
                self.pending[i] = Some((d, choice));
            }
        }
        out
    }

    fn observe(&mut self, t: &Transition<TextObs, String>) {
        let Some((d, chosen)) = self.pending.get_mut(t.env).and_then(Option::take) else {
            return;
        };
        if self.running.len() <= t.env {
            self.running.resize_with(t.env + 1, Vec::new);
        }
        self.running[t.env].push(Step {
            d,
            chosen,
            reward: t.reward,
        });
        if t.episode_ended() {
            let mut g = 0.0;
            let mut done: Vec<(Step, f32)> = std::mem::take(&mut self.running[t.env])
                .into_iter()
                .rev()
                .map(|s| {
                    g = s.reward + self.cfg.gamma * g;
                    (s, g)
                })
                .collect();
            done.reverse();
            if t.learn {
                self.ready.extend(done);
            }
        }
    }

    fn updates(&self) -> u64 {
        self.updates
    }

    fn save(&self) -> Result<Vec<u8>, NnError> {
        let mut blob = Blob::new();
        blob.put_json("text.config", &self.cfg)?
            .put_json("text.updates", &self.updates)?
            .put_json("text.rng", &self.rng)?;
        blob.put_json("text.buffers", &(&self.pending, &self.running, &self.ready))?;
        blob.put("text.net", module_bytes(&self.net)?)
            .put("text.optim", optim_bytes(&self.optim)?);
        Ok(blob.to_bytes())
    }

    fn load(&mut self, bytes: &[u8]) -> Result<(), NnError> {
        let blob = Blob::from_bytes(bytes)?;
        blob.expect_json("text.config", &self.cfg)?;
        self.updates = blob.get_json("text.updates")?;
        self.rng = blob.get_json("text.rng")?;
        (self.pending, self.running, self.ready) = blob.get_json("text.buffers")?;
        self.net = load_module(self.net.clone(), blob.get("text.net")?)?;
        self.optim = load_optim(self.optim.clone(), blob.get("text.optim")?)?;
        Ok(())
    }
}
