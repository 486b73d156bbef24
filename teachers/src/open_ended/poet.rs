//! The POET loop over an [`Arena`]: one [`Poet::step`] is one iteration of
//! the published algorithm —
//!
//! 1. every `reproduce_every` iterations, pairs whose agent scores at least
//!    `repro_threshold` may reproduce: up to `max_children` mutated
//!    encodings, each kept if the parent's agent passes the minimal
//!    criterion there, then tried in order of novelty: the best active
//!    agent is brought over and the child admitted if it too passes, at
//!    most `max_admitted` per round; beyond `max_active`, the oldest pairs
//!    retire to the archive;
//! 2. every active agent takes one optimisation step in its environment
//!    and is scored there;
//! 3. every `transfer_every` iterations, each pair considers every other
//!    agent, as it is (direct transfer) and after one optimisation step in
//!    the pair's environment (proposal transfer), and adopts the best if
//!    it beats its own recent score (latest for POET, best of the last five
//!    for Enhanced POET).
//!
//! All randomness (parents, mutations, episode seeds) comes from the
//! state's own stream, so a checkpointed `Poet` continues exactly.

use rand::RngExt;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};
use trellis_core::TaskSpace;
use trellis_core::rng::seeded;

use super::mutation::mutate;
use super::novelty::{knn_novelty, pata_ec};
use super::{PoetConfig, Variant};

/// What POET needs from the world and the optimiser: agents, a score for an
/// agent on an encoding, and an optimisation step. Episode seeds are given,
/// so an arena that plays deterministic episodes makes the whole run
/// reproducible.
pub trait Arena {
    /// An agent with its optimiser state.
    type Agent: Clone;
    /// A new agent.
    fn fresh(&mut self, seed: u64) -> Self::Agent;
    /// The agent's mean score on `env` (the arena's evaluation episodes).
    fn score(&mut self, agent: &Self::Agent, env: &[f64], seed: u64) -> f64;
    /// One optimisation step of `agent` on `env`.
    fn optimise(&mut self, agent: &mut Self::Agent, env: &[f64], seed: u64);
    /// `source`'s policy after one step on `env` with `target`'s optimiser
    /// state (POET's proposal transfer into `target`'s niche).
    fn fine_tune(&mut self, source: &Self::Agent, target: &Self::Agent, env: &[f64], seed: u64) -> Self::Agent;
    /// An agent moving to another environment: its optimiser starts afresh.
    fn arrive(&mut self, agent: Self::Agent) -> Self::Agent;
}

/// An environment with the agent optimised in it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Pair<A> {
    /// Unique within a run, in order of creation.
    pub id: u32,
    /// The encoding (a task vector of the run's space).
    pub env: Vec<f64>,
    /// The agent.
    pub agent: A,
    /// The iteration it was admitted at.
    pub created_at: u64,
    /// The pair whose environment it mutated from.
    pub parent: Option<u32>,
    /// The agent's latest scores in this environment, newest last (at most 20 kept).
    pub scores: Vec<f64>,
}

impl<A> Pair<A> {
    /// The latest score.
    pub fn score(&self) -> Option<f64> {
        self.scores.last().copied()
    }
}

/// What happened in an iteration besides optimisation (the run logs these).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// A child environment joined the population.
    Admitted {
        /// When.
        iteration: u64,
        /// The new pair.
        id: u32,
        /// The pair it mutated from.
        parent: u32,
        /// Its encoding.
        env: Vec<f64>,
        /// Its novelty when admitted.
        novelty: f64,
        /// The pair whose agent it starts with.
        agent_from: u32,
        /// That agent's score there.
        score: f64,
    },
    /// A child was refused: its best agent failed the minimal criterion,
    /// or it was not among the most novel.
    Rejected {
        /// When.
        iteration: u64,
        /// Its encoding.
        env: Vec<f64>,
        /// Why.
        why: String,
    },
    /// An old pair left the active population for the archive.
    Retired {
        /// When.
        iteration: u64,
        /// The pair.
        id: u32,
    },
    /// A pair adopted another's agent.
    Transferred {
        /// When.
        iteration: u64,
        /// The pair that adopted it.
        target: u32,
        /// The pair the agent came from.
        source: u32,
        /// After a step in the target's environment (proposal), or as it was (direct).
        proposal: bool,
        /// Its score in the target's environment.
        score: f64,
        /// What it had to beat.
        incumbent: f64,
    },
}

/// Scores kept per pair.
const KEEP_SCORES: usize = 20;

/// A POET run's whole state.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Poet<A> {
    /// Which algorithm.
    pub variant: Variant,
    /// Its settings.
    pub cfg: PoetConfig,
    space: TaskSpace,
    /// Iterations completed.
    pub iteration: u64,
    next_id: u32,
    /// The pairs being optimised, oldest first.
    pub active: Vec<Pair<A>>,
    /// Retired pairs, in order of retirement.
    pub archive: Vec<Pair<A>>,
    rng: ChaCha8Rng,
    seed: u64,
    draws: u64,
}

impl<A: Clone> Poet<A> {
    /// A population of one: a fresh agent on `start` (POET starts from flat ground).
    pub fn new<R: Arena<Agent = A>>(
        variant: Variant,
        cfg: PoetConfig,
        space: TaskSpace,
        start: Vec<f64>,
        arena: &mut R,
        seed: u64,
    ) -> Self {
        let mut p = Self {
            variant,
            cfg,
            space,
            iteration: 0,
            next_id: 0,
            active: Vec::new(),
            archive: Vec::new(),
            rng: seeded(seed, 0x90e7),
            seed,
            draws: 0,
        };
        let agent = arena.fresh(p.episode_seed());
        p.admit(start, agent, None);
        p
    }

    /// The encoding space.
    pub fn space(&self) -> &TaskSpace {
        &self.space
    }

    /// A fresh episode seed from the run's stream.
    fn episode_seed(&mut self) -> u64 {
        self.draws += 1;
        self.seed
            .wrapping_mul(0x2545_f491_4f6c_dd1d)
            .wrapping_add(self.draws.wrapping_mul(0x9e37_79b9_7f4a_7c15))
    }

    fn admit(&mut self, env: Vec<f64>, agent: A, parent: Option<u32>) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        self.active.push(Pair {
            id,
            env,
            agent,
            created_at: self.iteration,
            parent,
            scores: Vec::new(),
        });
        id
    }

    /// Inside the minimal criterion's band?
    pub fn passes_mc(&self, score: f64) -> bool {
        score >= self.cfg.mc_low && score <= self.cfg.mc_high
    }

    /// One iteration; returns what happened besides optimisation.
    pub fn step<R: Arena<Agent = A>>(&mut self, arena: &mut R) -> Vec<Event> {
        let mut events = Vec::new();
        if self.iteration > 0 && self.iteration.is_multiple_of(self.cfg.reproduce_every) {
            self.reproduce(arena, &mut events);
        }
        for i in 0..self.active.len() {
            let (s1, s2) = (self.episode_seed(), self.episode_seed());
            let pair = &mut self.active[i];
            arena.optimise(&mut pair.agent, &pair.env, s1);
            let score = arena.score(&pair.agent, &pair.env, s2);
            push_score(pair, score);
        }
        if self.active.len() > 1 && self.iteration.is_multiple_of(self.cfg.transfer_every) {
            self.transfer(arena, &mut events);
        }
        self.iteration += 1;
        events
    }

    /// Every environment seen (active, then archived) in the unit cube.
    fn seen_unit(&self) -> Vec<Vec<f64>> {
        self.active.iter().chain(&self.archive).map(|p| self.space.to_unit(&p.env)).collect()
    }

    /// Novelty of `child` against every environment seen: Euclidean in the
    /// unit cube (POET) or on PATA-EC vectors of every agent's scores
    /// (Enhanced POET; `pata` caches the seen environments' vectors for the round).
    fn novelty<R: Arena<Agent = A>>(&mut self, child: &[f64], arena: &mut R, pata: &mut Option<Vec<Vec<f64>>>) -> f64 {
        match self.variant {
            Variant::Poet => knn_novelty(&self.space.to_unit(child), &self.seen_unit(), self.cfg.novelty_k),
            Variant::Enhanced => {
                let seed = self.episode_seed();
                if pata.is_none() {
                    let envs: Vec<Vec<f64>> = self.active.iter().chain(&self.archive).map(|p| p.env.clone()).collect();
                    *pata = Some(envs.iter().map(|e| self.pata_vector(e, arena, seed)).collect());
                }
                let x = self.pata_vector(child, arena, seed);
                knn_novelty(&x, pata.as_ref().expect("filled above"), self.cfg.novelty_k)
            }
        }
    }

    /// PATA-EC: every agent's (active and archived) clipped, ranked score on `env`.
    fn pata_vector<R: Arena<Agent = A>>(&self, env: &[f64], arena: &mut R, seed: u64) -> Vec<f64> {
        let scores: Vec<f64> = self
            .active
            .iter()
            .chain(&self.archive)
            .map(|p| arena.score(&p.agent, env, seed))
            .collect();
        pata_ec(&scores, self.cfg.mc_low, self.cfg.mc_high)
    }

    fn reproduce<R: Arena<Agent = A>>(&mut self, arena: &mut R, events: &mut Vec<Event>) {
        let eligible: Vec<usize> = (0..self.active.len())
            .filter(|&i| self.active[i].score().is_some_and(|s| s >= self.cfg.repro_threshold))
            .collect();
        if eligible.is_empty() {
            return;
        }
        let mut children: Vec<(Vec<f64>, u32, f64)> = Vec::new();
        let mut pata = None;
        for _ in 0..self.cfg.max_children {
            let p = eligible[self.rng.random_range(0..eligible.len())];
            let child = mutate(&self.active[p].env, &self.space, self.cfg.mutation_step, &mut self.rng);
            if self.active.iter().any(|q| q.env == child) || children.iter().any(|c| c.0 == child) {
                continue;
            }
            let seed = self.episode_seed();
            let score = arena.score(&self.active[p].agent, &child, seed);
            if !self.passes_mc(score) {
                events.push(Event::Rejected {
                    iteration: self.iteration,
                    env: child,
                    why: format!("parent's agent scored {score:.1}, outside the minimal criterion"),
                });
                continue;
            }
            let novelty = self.novelty(&child, arena, &mut pata);
            children.push((child, self.active[p].id, novelty));
        }
        children.sort_by(|a, b| b.2.total_cmp(&a.2));
        let mut admitted = 0;
        for (child, parent, novelty) in children {
            if admitted >= self.cfg.max_admitted {
                events.push(Event::Rejected {
                    iteration: self.iteration,
                    env: child,
                    why: "less novel than the children admitted this round".into(),
                });
                continue;
            }
            let seed = self.episode_seed();
            let (best, score) = self.best_agent_on(&child, arena, seed);
            if !self.passes_mc(score) {
                events.push(Event::Rejected {
                    iteration: self.iteration,
                    env: child,
                    why: format!("best agent scored {score:.1}, outside the minimal criterion"),
                });
                continue;
            }
            let agent_from = self.active[best].id;
            let agent = arena.arrive(self.active[best].agent.clone());
            let id = self.admit(child.clone(), agent, Some(parent));
            events.push(Event::Admitted {
                iteration: self.iteration,
                id,
                parent,
                env: child,
                novelty,
                agent_from,
                score,
            });
            admitted += 1;
        }
        while self.active.len() > self.cfg.max_active {
            let old = self.active.remove(0);
            events.push(Event::Retired { iteration: self.iteration, id: old.id });
            self.archive.push(old);
        }
    }

    /// The active agent that scores best on `env` (ties: the oldest).
    fn best_agent_on<R: Arena<Agent = A>>(&self, env: &[f64], arena: &mut R, seed: u64) -> (usize, f64) {
        let mut best = (0, f64::NEG_INFINITY);
        for (i, p) in self.active.iter().enumerate() {
            let s = arena.score(&p.agent, env, seed);
            if s > best.1 {
                best = (i, s);
            }
        }
        best
    }

    fn transfer<R: Arena<Agent = A>>(&mut self, arena: &mut R, events: &mut Vec<Event>) {
        let n = self.active.len();
        // Decided on the agents as they are now, then applied together.
        let mut winners: Vec<Option<(f64, A, u32, bool)>> = vec![None; n];
        for t in 0..n {
            // One seed per target: every candidate meets the same episodes.
            let seed = self.episode_seed();
            for s in (0..n).filter(|&s| s != t) {
                let (src, tgt) = (&self.active[s], &self.active[t]);
                let direct = arena.score(&src.agent, &tgt.env, seed);
                let tuned = arena.fine_tune(&src.agent, &tgt.agent, &tgt.env, seed);
                let proposal = arena.score(&tuned, &tgt.env, seed);
                for (score, agent, is_proposal) in [(direct, None, false), (proposal, Some(tuned), true)] {
                    if winners[t].as_ref().is_none_or(|w| score > w.0) {
                        let agent = agent.unwrap_or_else(|| src.agent.clone());
                        winners[t] = Some((score, agent, src.id, is_proposal));
                    }
                }
            }
        }
        for (t, w) in winners.into_iter().enumerate() {
            let Some((score, agent, source, proposal)) = w else { continue };
            let pair = &self.active[t];
            let recent = &pair.scores[pair.scores.len().saturating_sub(self.cfg.recent_scores)..];
            let incumbent = recent.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            if score > incumbent {
                let pair = &mut self.active[t];
                pair.agent = arena.arrive(agent);
                push_score(pair, score);
                events.push(Event::Transferred {
                    iteration: self.iteration,
                    target: pair.id,
                    source,
                    proposal,
                    score,
                    incumbent,
                });
            }
        }
    }
}

fn push_score<A>(pair: &mut Pair<A>, score: f64) {
    pair.scores.push(score);
    if pair.scores.len() > KEEP_SCORES {
        pair.scores.remove(0);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A toy arena: an agent is a skill level in [0, 10] (and an optimiser
    /// step counter); its score on an environment of difficulty d (the
    /// encoding's sum) is 100·(skill − d) + 300 clipped to [−100, 400], and
    /// a step raises skill by 0.5 but only where d ≤ skill + 2.
    #[derive(Default)]
    struct Toy {
        scored: u64,
    }

    #[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
    struct Skill {
        level: f64,
        steps: u32,
    }

    impl Arena for Toy {
        type Agent = Skill;
        fn fresh(&mut self, _: u64) -> Skill {
            Skill { level: 0.0, steps: 0 }
        }
        fn score(&mut self, a: &Skill, env: &[f64], _: u64) -> f64 {
            self.scored += 1;
            (100.0 * (a.level - env.iter().sum::<f64>()) + 300.0).clamp(-100.0, 400.0)
        }
        fn optimise(&mut self, a: &mut Skill, env: &[f64], _: u64) {
            if env.iter().sum::<f64>() <= a.level + 2.0 {
                a.level = (a.level + 0.5).min(10.0);
            }
            a.steps += 1;
        }
        fn fine_tune(&mut self, s: &Skill, t: &Skill, env: &[f64], seed: u64) -> Skill {
            let mut a = Skill { level: s.level, steps: t.steps };
            self.optimise(&mut a, env, seed);
            a
        }
        fn arrive(&mut self, a: Skill) -> Skill {
            Skill { steps: 0, ..a }
        }
    }

    fn space() -> TaskSpace {
        TaskSpace::from_bounds(&[("a", 0.0, 5.0), ("b", 0.0, 5.0)])
    }

    fn cfg() -> PoetConfig {
        PoetConfig {
            reproduce_every: 2,
            transfer_every: 3,
            repro_threshold: 200.0,
            mutation_step: 0.2,
            max_active: 3,
            ..PoetConfig::defaults(Variant::Poet)
        }
    }

    #[test]
    fn the_minimal_criterion_admits_only_children_in_its_band() {
        for variant in [Variant::Poet, Variant::Enhanced] {
            let mut arena = Toy::default();
            let mut poet = Poet::new(variant, cfg(), space(), vec![0.0, 0.0], &mut arena, 1);
            let mut admitted = 0;
            for _ in 0..60 {
                for e in poet.step(&mut arena) {
                    if let Event::Admitted { score, .. } = e {
                        assert!((25.0..=340.0).contains(&score), "{score}");
                        admitted += 1;
                    }
                }
            }
            assert!(admitted >= 3, "{variant:?}: {admitted} admitted");
            assert!(poet.active.len() <= 3 && !poet.archive.is_empty());
            // The population walked away from the start.
            assert!(poet.active.iter().any(|p| p.env.iter().sum::<f64>() > 1.0));
        }
    }

    #[test]
    fn a_transfer_replaces_a_worse_agent_and_spares_a_better_one() {
        let mut arena = Toy::default();
        let mut poet = Poet::new(Variant::Poet, cfg(), space(), vec![0.0, 0.0], &mut arena, 2);
        let strong = Skill { level: 6.0, steps: 9 };
        poet.active[0].agent = Skill { level: 0.0, steps: 3 };
        poet.active[0].scores = vec![300.0];
        poet.admit(vec![3.0, 0.0], strong.clone(), Some(0));
        poet.active[1].scores = vec![400.0];
        let mut events = Vec::new();
        poet.transfer(&mut arena, &mut events);
        // Pair 0 (flat, its agent at 300) adopts pair 1's stronger agent;
        // pair 1 (its agent scores 400 there) keeps its own.
        assert!(matches!(events[..], [Event::Transferred { target: 0, source: 1, .. }]), "{events:?}");
        assert!(poet.active[0].agent.level >= 6.0 && poet.active[0].agent.steps == 0);
        assert_eq!(poet.active[1].agent, strong);
    }

    #[test]
    fn enhanced_poet_must_beat_the_best_recent_score() {
        let mut arena = Toy::default();
        let cfg = PoetConfig { recent_scores: 5, ..cfg() };
        let mut poet = Poet::new(Variant::Enhanced, cfg, space(), vec![0.0, 0.0], &mut arena, 2);
        poet.active[0].agent = Skill { level: 0.0, steps: 0 };
        // Latest 300, best of the last five 400: a 400-scoring transfer fails.
        poet.active[0].scores = vec![400.0, 350.0, 300.0];
        poet.admit(vec![3.0, 0.0], Skill { level: 0.9, steps: 0 }, Some(0));
        poet.active[1].scores = vec![400.0];
        let mut events = Vec::new();
        poet.transfer(&mut arena, &mut events);
        assert!(events.is_empty(), "{events:?}");
        // POET, comparing with the latest score only, takes it.
        poet.cfg.recent_scores = 1;
        poet.transfer(&mut arena, &mut events);
        assert!(matches!(events[..], [Event::Transferred { target: 0, incumbent: 300.0, .. }]), "{events:?}");
    }

    #[test]
    fn a_checkpointed_run_continues_exactly() {
        let mut arena = Toy::default();
        let mut a = Poet::new(Variant::Enhanced, cfg(), space(), vec![0.0, 0.0], &mut arena, 5);
        for _ in 0..7 {
            a.step(&mut arena);
        }
        let json = serde_json::to_string(&a).unwrap();
        let mut b: Poet<Skill> = serde_json::from_str(&json).unwrap();
        assert_eq!(a, b);
        for _ in 0..20 {
            assert_eq!(a.step(&mut arena), b.step(&mut arena));
        }
        assert_eq!(a, b);
    }
}
