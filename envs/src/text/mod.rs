//! Procedural text worlds: a small text adventure generated from a task
//! vector, played with commands from a fixed grammar.
//!
//! Task dimensions (integer knobs are rounded, so a teacher can move
//! smoothly): rooms, distractor objects, quest length (chained sub-goals),
//! share of closed/locked distractor containers, how informative the goal
//! text is, and the inventory limit. Observations follow the genre: the
//! feedback to the last command with the room description, the goal, the
//! inventory and, like TextWorld's `admissible_commands`, every command that
//! would do something. Reward: +1 the first time each sub-goal holds, plus a
//! bonus equal to the quest length on winning.

pub mod entry;
pub mod generator;
pub mod world;

use crate::env::{Env, EpisodeStats, Info, Step};
use crate::rng::{ChaCha8Rng, seeded};
use crate::space::{TaskError, TaskSpace};
use generator::{Game, Knobs, generate};
use world::World;

use crate::spec::{EnvSpec, Layout, Success};
pub use trellis_core::text::TextObs;

/// The world's registry name (its entry is in [`entry`]).
pub const NAME: &str = "text-world";

/// The procedural text-adventure world (see the module docs).
pub struct TextWorldEnv {
    space: TaskSpace,
    task: Vec<f64>,
    rng: ChaCha8Rng,
    game: Option<Game>,
    world: Option<World>,
    done_goals: Vec<bool>,
    ret: f64,
    steps: u32,
    max_steps: u32,
    over: bool,
    spec: EnvSpec,
}

impl Default for TextWorldEnv {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for TextWorldEnv {
    fn clone(&self) -> Self {
        Self::new()
    }
}

impl TextWorldEnv {
    /// A world over the default 6-D knob space; call `reset` for a game.
    pub fn new() -> Self {
        let space = TaskSpace::from_bounds(&[
            ("rooms", 1.0, 10.0),
            ("distractors", 0.0, 12.0),
            ("quest_length", 1.0, 8.0),
            ("closed_fraction", 0.0, 1.0),
            ("goal_detail", 0.0, 1.0),
            ("inventory_limit", 1.0, 5.0),
        ]);
        Self {
            task: vec![2.0, 2.0, 2.0, 0.0, 1.0, 5.0], // = default_task()
            space,
            rng: seeded(0, 0),
            game: None,
            world: None,
            done_goals: Vec::new(),
            ret: 0.0,
            steps: 0,
            max_steps: 0,
            over: false,
            spec: EnvSpec {
                name: NAME.into(),
                body: None,
                observation: Layout::Text,
                action: Layout::Text,
                // +1 per sub-goal and the quest length on winning, quests of up to 8.
                reward_range: (0.0, 16.0),
                success: Success::Won,
                max_steps: None,
            },
        }
    }

    /// The current game, once reset.
    pub fn game(&self) -> Option<&Game> {
        self.game.as_ref()
    }

    /// The gold command sequence of the current game, as text.
    pub fn gold_commands(&self) -> Vec<String> {
        self.game.as_ref().map_or_else(Vec::new, |g| {
            g.gold.iter().map(|c| g.world.render(c)).collect()
        })
    }

    fn observe(&self, feedback: String) -> TextObs {
        let w = self.world.as_ref().expect("a game is running");
        TextObs {
            feedback,
            goal: self
                .game
                .as_ref()
                .map(|g| g.goal_text.clone())
                .unwrap_or_default(),
            inventory: w.describe_inventory(),
            admissible: w.admissible().iter().map(|c| w.render(c)).collect(),
        }
    }
}

impl Env for TextWorldEnv {
    type Obs = TextObs;
    type Act = String;

    fn task_space(&self) -> &TaskSpace {
        &self.space
    }

    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    /// Two small rooms, few distractors, a two-step quest, open containers,
    /// full goal text, room to carry everything.
    fn default_task(&self) -> Vec<f64> {
        vec![2.0, 2.0, 2.0, 0.0, 1.0, 5.0]
    }

    fn task(&self) -> &[f64] {
        &self.task
    }

    fn reset(
        &mut self,
        seed: Option<u64>,
        task: Option<&[f64]>,
    ) -> Result<(TextObs, Info), TaskError> {
        if let Some(t) = task {
            self.space.validate(t)?;
            self.task = t.to_vec();
        }
        if let Some(s) = seed {
            self.rng = seeded(s, 0);
        }
        let game = generate(&Knobs::from_task(&self.task), &mut self.rng);
        // Four times the gold path, so exploring is allowed but not endless.
        self.max_steps = 4 * game.gold.len() as u32 + 20;
        self.done_goals = vec![false; game.quest.len()];
        self.world = Some(game.world.clone());
        self.game = Some(game);
        self.ret = 0.0;
        self.steps = 0;
        self.over = false;
        let room = self.world.as_ref().expect("just set").describe_room();
        Ok((self.observe(room), Info::default()))
    }

    fn step(&mut self, action: &String) -> Step<TextObs> {
        if self.over || self.world.is_none() {
            let obs = TextObs {
                feedback: "The game is over.".into(),
                goal: String::new(),
                inventory: String::new(),
                admissible: Vec::new(),
            };
            return Step {
                obs,
                reward: 0.0,
                terminated: true,
                truncated: false,
                info: Info::default(),
            };
        }
        let world = self.world.as_mut().expect("checked");
        let feedback = match world.parse(action) {
            Ok(cmd) => world.apply(&cmd),
            Err(msg) => msg,
        };
        let game = self.game.as_ref().expect("a game is running");
        let mut reward = 0.0;
        for (g, done) in game.quest.iter().zip(self.done_goals.iter_mut()) {
            if !*done && world.achieved(g) {
                *done = true;
                reward += 1.0;
            }
        }
        let won = self.done_goals.last().copied().unwrap_or(false);
        if won {
            reward += game.quest.len() as f64;
        }
        self.steps += 1;
        self.ret += reward;
        let truncated = !won && self.steps >= self.max_steps;
        let mut info = Info {
            success: won,
            ..Info::default()
        };
        if won || truncated {
            self.over = true;
            info.episode = Some(EpisodeStats {
                ret: self.ret,
                len: self.steps,
                success: won,
                task: self.task.clone(),
            });
        }
        let feedback = if won {
            format!("{feedback}\n*** You won! ***")
        } else {
            feedback
        };
        Step {
            obs: self.observe(feedback),
            reward,
            terminated: won,
            truncated,
            info,
        }
    }
}
