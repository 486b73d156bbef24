//! What runs in the window: a walker world driven by a gait, random actions,
//! the keyboard or a trained policy; or a text world a person types into.

use anyhow::{Context, Result};
use bevy::prelude::*;
use trellis_envs::text::{TextObs, TextWorldEnv};
use trellis_envs::walker::WalkerEnv;
use trellis_envs::{AnyEnv, ContinuousEnv, Env, WorldRequest};
use trellis_train::drive::{Drive, Drivers};

use crate::Args;
use crate::teacher_panel::TeacherPanel;

/// Who moves the body.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Control {
    /// One of the drivers `trellis record` also uses (policy, gait, random, still).
    Driver(Drive),
    /// A person, two keys per motor.
    Keyboard,
}

impl Control {
    /// Its name in the HUD.
    pub fn name(self) -> &'static str {
        match self {
            Control::Driver(d) => d.name(),
            Control::Keyboard => "keyboard",
        }
    }
}

/// Key pairs (+1, -1) for motors 0, 1, 2, ...
pub const MOTOR_KEYS: [(KeyCode, KeyCode); 8] = [
    (KeyCode::KeyQ, KeyCode::KeyA),
    (KeyCode::KeyW, KeyCode::KeyS),
    (KeyCode::KeyE, KeyCode::KeyD),
    (KeyCode::KeyR, KeyCode::KeyF),
    (KeyCode::KeyT, KeyCode::KeyG),
    (KeyCode::KeyY, KeyCode::KeyH),
    (KeyCode::KeyU, KeyCode::KeyJ),
    (KeyCode::KeyI, KeyCode::KeyK),
];

pub struct WalkerSim {
    pub env: WalkerEnv,
    pub obs: Vec<f32>,
    pub task: Vec<f64>,
    pub control: Control,
    pub drivers: Drivers,
    /// Tasks replayed in turn (the run's test set), if any.
    replay: Vec<Vec<f64>>,
    next_replay: usize,
    seed: u64,
    pub episode: u32,
    pub last_return: Option<f64>,
    pub selected_dim: usize,
    pub show_lidar: bool,
    pub show_contacts: bool,
    /// Debug outlines of the scene's polygons over the filled frame.
    pub show_outlines: bool,
    pub paused: bool,
    /// Env steps per displayed frame (the side panel's speed buttons).
    pub speed: f32,
    /// Steps owed to the speed so far (a fraction carries to the next frame).
    debt: f32,
    keys: Vec<i8>,
    /// A POET run's active pairs (N steps through them), empty otherwise.
    pub population: Vec<PairView>,
    /// Which pair is shown.
    pub pair: usize,
}

/// One pair of a POET run, as the viewer browses it: its label, its task,
/// and its agent (held here while another pair's agent drives).
pub struct PairView {
    pub label: String,
    pub task: Vec<f64>,
    policy: Option<Box<dyn trellis_agents::Student>>,
}

pub struct TextSim {
    pub env: TextWorldEnv,
    pub obs: TextObs,
    pub transcript: Vec<String>,
    pub input: String,
    pub over: bool,
    seed: u64,
    pub task: Vec<f64>,
}

pub enum Sim {
    Walker(Box<WalkerSim>, Option<TeacherPanel>),
    Text(TextSim),
}

impl Sim {
    /// The window's title: the run dir when one is replayed, else the world.
    pub fn title(&self, args: &Args) -> String {
        match (&args.run, self) {
            (Some(dir), _) => dir.display().to_string(),
            (None, Sim::Walker(w, _)) => w.env.terrain().name().to_string(),
            (None, Sim::Text(_)) => args.env.clone(),
        }
    }

    pub fn new(args: &Args) -> Result<Self> {
        let req = WorldRequest {
            body: args.body.clone(),
            options: trellis_train::config::option_flags(&args.options).map_err(anyhow::Error::msg)?,
            ..WorldRequest::default()
        };
        let built = match &args.run {
            Some(_) => None,
            None => Some(trellis_envs::registry::make(&args.env, &req)?),
        };
        if let Some(AnyEnv::Text(mut env)) = built {
            let task = args.task.clone().unwrap_or_else(|| {
                env.task_space()
                    .low()
                    .iter()
                    .zip(env.task_space().high())
                    .map(|(l, h)| (l + h) / 2.0)
                    .collect()
            });
            let (obs, _) = env.reset(Some(args.seed), Some(&task))?;
            let transcript = vec![obs.feedback.clone()];
            return Ok(Sim::Text(TextSim {
                env,
                obs,
                transcript,
                input: String::new(),
                over: false,
                seed: args.seed,
                task,
            }));
        }
        let mut population = Vec::new();
        // A run's policy plays as its evaluations played it (PPO samples).
        let mut protocol = trellis_agents::EvalPolicy::Mean;
        let (env, policy, replay, panel) = match &args.run {
            Some(dir) if dir.join(trellis_train::open_ended::POPULATION).exists() => {
                // A POET run: its active pairs, the first one's agent driving.
                let r = trellis_train::open_ended::load_population(dir)
                    .with_context(|| format!("loading {}", dir.display()))?;
                for (p, student, task) in r.pairs {
                    let score = p.scores.last().map_or("-".into(), |s| format!("{s:.1}"));
                    population.push(PairView {
                        label: format!("pair {} (score {score})", p.id),
                        task,
                        policy: Some(student),
                    });
                }
                let first = population.first_mut().and_then(|p| p.policy.take());
                (r.env, first, Vec::new(), None)
            }
            Some(dir) => {
                let r = trellis_train::load_walker_replay(dir)
                    .with_context(|| format!("loading {}", dir.display()))?;
                let panel = TeacherPanel::load(dir, r.env.task_space()).ok();
                protocol = r.config.eval_policy();
                (r.env, Some(r.student), r.test_set, panel)
            }
            None => (
                built.expect("built above when no run is given").into_walker()?,
                None,
                Vec::new(),
                None,
            ),
        };
        let task = match &args.task {
            Some(t) => t.clone(),
            None if !population.is_empty() => population[0].task.clone(),
            None => replay
                .first()
                .cloned()
                .unwrap_or_else(|| env.terrain().default_task()),
        };
        let drivers = Drivers::new(policy, args.seed).playing(protocol);
        let control = Control::Driver(drivers.default_for(&env));
        let mut sim = WalkerSim {
            obs: Vec::new(),
            task,
            control,
            drivers,
            next_replay: 1,
            replay,
            seed: args.seed,
            episode: 0,
            last_return: None,
            selected_dim: 0,
            show_lidar: true,
            show_contacts: true,
            show_outlines: false,
            paused: false,
            speed: 1.0,
            debt: 0.0,
            keys: Vec::new(),
            population,
            pair: 0,
            env,
        };
        sim.reset()?;
        Ok(Sim::Walker(Box::new(sim), panel))
    }
}

impl WalkerSim {
    /// A new episode on the current task (a bad task is reported, not fatal).
    pub fn reset(&mut self) -> Result<()> {
        let seed = self.seed + u64::from(self.episode);
        let (obs, _) = self.env.reset(Some(seed), Some(&self.task))?;
        self.obs = obs;
        self.drivers.reset();
        Ok(())
    }

    fn action(&mut self) -> Vec<f32> {
        match self.control {
            Control::Driver(d) => self.drivers.action(d, &self.env, &self.obs),
            Control::Keyboard => {
                let n = self.env.action_space().dim();
                let mut a: Vec<f32> = self.keys.iter().map(|&k| f32::from(k)).collect();
                a.resize(n, 0.0);
                // The last key value is the grippers' (Space lets go).
                let let_go = self.keys.last().is_some_and(|&k| k < 0);
                trellis_train::drive::hold(&self.env, &mut a, let_go);
                a
            }
        }
    }

    pub fn step(&mut self) -> Result<()> {
        let a = self.action();
        let s = self.env.step(&a);
        let done = s.done();
        self.obs = s.obs;
        if done {
            self.last_return = s.info.episode.map(|e| e.ret);
            self.episode += 1;
            if !self.replay.is_empty() {
                self.task = self.replay[self.next_replay % self.replay.len()].clone();
                self.next_replay += 1;
            }
            self.reset()?;
        }
        Ok(())
    }

    /// Shows the next pair of a POET run: its agent drives, on its task.
    pub fn next_pair(&mut self) -> Result<()> {
        if self.population.is_empty() {
            return Ok(());
        }
        self.population[self.pair].policy = self.drivers.policy.take();
        self.pair = (self.pair + 1) % self.population.len();
        self.drivers.policy = self.population[self.pair].policy.take();
        self.task = self.population[self.pair].task.clone();
        self.control = Control::Driver(Drive::Policy);
        self.reset()
    }

    /// Moves the selected task dimension by `steps` x 5% of its range and regenerates.
    pub fn nudge(&mut self, steps: f64) -> Result<()> {
        let d = &self.env.task_space().dims[self.selected_dim];
        let v = (self.task[self.selected_dim] + steps * 0.05 * d.width()).clamp(d.low, d.high);
        self.task[self.selected_dim] = v;
        self.reset()
    }
}

/// Keyboard: toggles and task editing (walker worlds).
pub fn control(mut sim: NonSendMut<Sim>, keys: Res<ButtonInput<KeyCode>>) {
    let Sim::Walker(w, panel) = &mut *sim else {
        return;
    };
    let dims = w.env.task_space().len();
    let pressed = |k| keys.just_pressed(k);
    if pressed(KeyCode::Tab) || pressed(KeyCode::ArrowRight) {
        w.selected_dim = (w.selected_dim + 1) % dims;
    }
    if pressed(KeyCode::ArrowLeft) {
        w.selected_dim = (w.selected_dim + dims - 1) % dims;
    }
    let nudge = if pressed(KeyCode::ArrowUp) {
        1.0
    } else if pressed(KeyCode::ArrowDown) {
        -1.0
    } else {
        0.0
    };
    if nudge != 0.0 {
        if let Err(e) = w.nudge(nudge) {
            warn!("{e}");
        }
    }
    if pressed(KeyCode::Digit1) {
        w.show_lidar = !w.show_lidar;
    }
    if pressed(KeyCode::Digit2) {
        w.show_contacts = !w.show_contacts;
    }
    if pressed(KeyCode::Digit3) {
        w.show_outlines = !w.show_outlines;
    }
    if pressed(KeyCode::KeyP) {
        w.paused = !w.paused;
    }
    if pressed(KeyCode::Enter) {
        let _ = w.reset();
    }
    if pressed(KeyCode::KeyM) {
        // Keyboard, then every driver that can act here, in turn.
        let after = match w.control {
            Control::Keyboard => 0,
            Control::Driver(d) => Drive::ALL.iter().position(|&o| o == d).map_or(0, |i| i + 1),
        };
        w.control = Drive::ALL[after..]
            .iter()
            .find(|&&d| w.drivers.can(d, &w.env))
            .map_or(Control::Keyboard, |&d| Control::Driver(d));
    }
    if pressed(KeyCode::KeyN) {
        if let Err(e) = w.next_pair() {
            warn!("{e}");
        }
    }
    if pressed(KeyCode::KeyV) {
        if let Some(p) = panel {
            p.next_pair();
        }
    }
    // One value per motor (those past the eighth stay idle), then the grippers' (Space lets go).
    let motors = w.env.body().motors.len();
    w.keys = MOTOR_KEYS
        .iter()
        .map(|&(up, down)| i8::from(keys.pressed(up)) - i8::from(keys.pressed(down)))
        .take(motors)
        .collect();
    w.keys.resize(motors, 0);
    w.keys
        .push(if keys.pressed(KeyCode::Space) { -1 } else { 1 });
}

/// `speed` env steps per frame, one by default (the original's 50 Hz is
/// close to a display's 60).
pub fn advance(mut sim: NonSendMut<Sim>) {
    if let Sim::Walker(w, _) = &mut *sim {
        if w.paused {
            return;
        }
        w.debt += w.speed;
        while w.debt >= 1.0 {
            w.debt -= 1.0;
            if let Err(e) = w.step() {
                error!("{e}");
                break;
            }
        }
    }
}

impl TextSim {
    pub fn submit(&mut self) {
        let cmd = self.input.trim().to_string();
        self.input.clear();
        if self.over {
            self.seed += 1;
            if let Ok((obs, _)) = self.env.reset(Some(self.seed), Some(&self.task)) {
                self.transcript.push(obs.feedback.clone());
                self.obs = obs;
                self.over = false;
            }
            return;
        }
        if cmd.is_empty() {
            return;
        }
        self.transcript.push(format!("> {cmd}"));
        let s = self.env.step(&cmd);
        self.transcript.push(s.obs.feedback.clone());
        if s.reward > 0.0 {
            self.transcript.push(format!("(+{} points)", s.reward));
        }
        if s.done() {
            let won = s.info.episode.is_some_and(|e| e.success);
            self.transcript.push(format!(
                "Game over: {}. Type anything for a new game.",
                if won { "won" } else { "out of moves" }
            ));
            self.over = true;
        }
        self.obs = s.obs;
    }
}
