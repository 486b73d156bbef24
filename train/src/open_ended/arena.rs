//! The arena POET's loop runs in: evolution strategies on a walker world.
//! Every episode an ES step or a score needs is independent of the others
//! (its parameters, task and seed are known up front), so they are played
//! whole on a rayon pool, one episode per work item, and their results
//! collected in order: the same numbers whatever the thread count. Lock-step
//! stepping ([`VecEnv`](trellis_envs::VecEnv)) would gain nothing here —
//! the policy is a ~3k-parameter MLP evaluated per observation, with no
//! batch to amortise — and would idle workers while the longest episode of
//! each batch finishes.

use std::borrow::Cow;

use rayon::prelude::*;
use trellis_agents::es::{EsConfig, Mirrored, OpenAiEs, Scratch, TanhMlp};
use trellis_core::TaskMap;
use trellis_core::rng::seeded;
use trellis_envs::Env;
use trellis_envs::walker::WalkerEnv;
use trellis_teachers::open_ended::Arena;

/// Which parameters an episode plays.
enum Policy<'a> {
    /// As they are.
    Plain(&'a [f32]),
    /// Perturbation `direction` of `es`, with the sign.
    Perturbed(&'a OpenAiEs, usize, bool),
}

/// One episode to play.
struct Job<'a> {
    policy: Policy<'a>,
    seed: u64,
}

/// ES on a walker world (see the module docs).
pub struct EsArena {
    proto: WalkerEnv,
    map: TaskMap,
    cfg: EsConfig,
    net: TanhMlp,
    pool: rayon::ThreadPool,
    /// Env steps played so far (the run's step budget counts these).
    pub steps: u64,
    /// Episodes played so far.
    pub episodes: u64,
    /// A stop was asked for while an iteration ran: the arena played
    /// nothing since (returning zeros) and the loop discards the iteration.
    pub interrupted: bool,
}

impl EsArena {
    /// An arena on `proto`'s world, encodings mapped to its tasks by `map`.
    pub fn new(proto: WalkerEnv, map: TaskMap, cfg: EsConfig, threads: usize) -> Result<Self, String> {
        let spec = proto.spec();
        let net = cfg.policy(spec.observation.entries().len(), spec.action.entries().len());
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads.max(1))
            .build()
            .map_err(|e| format!("could not start {threads} threads: {e}"))?;
        Ok(Self { proto, map, cfg, net, pool, steps: 0, episodes: 0, interrupted: false })
    }

    /// The ES settings.
    pub fn config(&self) -> &EsConfig {
        &self.cfg
    }

    /// The world's easiest task (where POET starts by default).
    pub fn default_task(&self) -> Vec<f64> {
        self.proto.default_task()
    }

    /// Plays `jobs` on the task `env` encodes; each one's return, in order.
    fn play(&mut self, env: &[f64], jobs: &[Job]) -> Vec<f64> {
        // At the paper's scale an iteration (a transfer round above all) runs
        // for many minutes, longer than a scheduler waits after SIGTERM: a
        // stop is noticed between batches, and the loop rolls the iteration back.
        crate::stop::poll();
        if self.interrupted || crate::stop::requested() {
            self.interrupted = true;
            return vec![0.0; jobs.len()];
        }
        let task = self.map.to_world(env);
        let (proto, net) = (&self.proto, &self.net);
        let results: Vec<(f64, u32)> = self.pool.install(|| {
            jobs.par_iter()
                .map_init(
                    || (proto.clone(), Scratch::default()),
                    |(world, scratch), job| {
                        let theta: Cow<[f32]> = match job.policy {
                            Policy::Plain(t) => Cow::Borrowed(t),
                            Policy::Perturbed(es, d, positive) => Cow::Owned(es.perturbed(d, positive)),
                        };
                        episode(world, net, &theta, &task, job.seed, scratch)
                    },
                )
                .collect()
        });
        self.episodes += results.len() as u64;
        self.steps += results.iter().map(|r| r.1 as u64).sum::<u64>();
        results.into_iter().map(|r| r.0).collect()
    }

    /// The mirrored pairs' returns of one ES step of `es` on `env`; both
    /// members of a pair meet the same episode seed (common random numbers).
    fn mirrored(&mut self, es: &OpenAiEs, env: &[f64], seed: u64) -> Vec<Mirrored> {
        let jobs: Vec<Job> = (0..self.cfg.directions)
            .flat_map(|d| {
                let s = seed.wrapping_add(d as u64);
                [true, false].map(|positive| Job { policy: Policy::Perturbed(es, d, positive), seed: s })
            })
            .collect();
        self.play(env, &jobs).chunks(2).map(|r| (r[0], r[1])).collect()
    }
}

/// One whole episode with the policy `theta`: (return, length).
fn episode(world: &mut WalkerEnv, net: &TanhMlp, theta: &[f32], task: &[f64], seed: u64, scratch: &mut Scratch) -> (f64, u32) {
    let (mut obs, _) = world
        .reset(Some(seed), Some(task))
        .expect("POET's encodings stay inside the run's task space");
    let (mut ret, mut len) = (0.0, 0);
    loop {
        let action = net.act(theta, &obs, scratch);
        let step = world.step(&action);
        ret += step.reward;
        len += 1;
        if step.done() {
            return (ret, len);
        }
        obs = step.obs;
    }
}

impl Arena for EsArena {
    type Agent = OpenAiEs;

    fn fresh(&mut self, seed: u64) -> OpenAiEs {
        let theta = self.net.random(self.cfg.init_std, &mut seeded(seed, 0));
        OpenAiEs::new(theta, &self.cfg, seed)
    }

    fn score(&mut self, agent: &OpenAiEs, env: &[f64], seed: u64) -> f64 {
        let jobs: Vec<Job> = (0..self.cfg.eval_episodes as u64)
            .map(|i| Job { policy: Policy::Plain(&agent.theta), seed: seed.wrapping_add(i) })
            .collect();
        let r = self.play(env, &jobs);
        r.iter().sum::<f64>() / r.len() as f64
    }

    fn optimise(&mut self, agent: &mut OpenAiEs, env: &[f64], seed: u64) {
        let returns = self.mirrored(agent, env, seed);
        agent.tell(&returns, &self.cfg);
    }

    fn fine_tune(&mut self, source: &OpenAiEs, target: &OpenAiEs, env: &[f64], seed: u64) -> OpenAiEs {
        let mut candidate = target.clone();
        candidate.theta.clone_from(&source.theta);
        let returns = self.mirrored(&candidate, env, seed);
        // The target's optimiser state is what the step continues from; the
        // candidate's own moments are reset when it arrives, so only θ is kept.
        candidate.theta = candidate.propose(&returns, &self.cfg);
        candidate
    }

    fn arrive(&mut self, mut agent: OpenAiEs) -> OpenAiEs {
        agent.reset_optimiser(&self.cfg);
        agent
    }
}
