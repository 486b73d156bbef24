//! A body on a generated track: the parametric BipedalWalker family.
//!
//! `WalkerEnv` is Stump Tracks when given the [`StumpTracks`] generator and a
//! walker body; other tracks and bodies plug in as data without touching the
//! reward, observation or episode logic here.
//!
//! [`StumpTracks`]: crate::terrain::stumps::StumpTracks

use std::sync::Arc;

use crate::bodies::{Body, BodyKind, BodySpec, SCALE};
use crate::env::{ContinuousEnv, Env, EpisodeStats, Info, Step};
use crate::observation;
use crate::physics::grip::Grips;
use crate::physics::lidar::Lidar;
use crate::physics::{Physics, PhysicsConfig, Vec2, water};
use crate::rng::{ChaCha8Rng, seeded, uniform};
use crate::space::{BoxSpace, TaskError, TaskSpace};
use crate::spec::{Entry, EnvSpec, Layout, Success};
use crate::terrain::layout::{Features, TerrainGenerator, TerrainHandles, TerrainLayout};

/// Observation scale factors of the original (viewport 600×400 px).
const VIEWPORT_W: f32 = 600.0;
const VIEWPORT_H: f32 = 400.0;
const NB_LIDAR: usize = 10;
/// The lidar fan spans 1.5 rad from straight down towards the front.
const LIDAR_SPREAD: f32 = 1.5;
const LIDAR_RANGE: f32 = 160.0 / SCALE;
/// Magnitude of the random horizontal push the hull gets at spawn.
const INITIAL_RANDOM: f64 = 5.0;
/// Steps a climber hangs by its grippers before the episode starts.
const HANG_STEPS: usize = 5;
/// Per-component cap of the water's push force (the original's `water_clip`).
const WATER_MAX_PUSH: f32 = 20.0;

/// Reward of a fall.
pub const FALL_REWARD: f64 = -100.0;
/// The episodic return above which an episode is a success (TeachMyAgent:
/// the walker went far enough, fast enough); the world's spec carries it.
pub const SUCCESS_RETURN: f64 = 230.0;

#[derive(Clone, Debug, PartialEq)]
/// Settings of a walker world that are not part of its task.
pub struct WalkerConfig {
    /// Step limit of an episode (TeachMyAgent's training loop: 2000).
    pub max_steps: u32,
    /// Solver settings.
    pub physics: PhysicsConfig,
}

impl Default for WalkerConfig {
    fn default() -> Self {
        Self {
            max_steps: 2000,
            physics: PhysicsConfig::default(),
        }
    }
}

/// State that lives for one episode.
struct Episode {
    physics: Physics,
    body: Body,
    handles: TerrainHandles,
    grips: Grips,
    /// Consecutive steps in the medium the body cannot live in.
    stranded: u32,
    /// The episode's terrain: finish line and water level, and what viewers draw.
    layout: TerrainLayout,
    prev_shaping: Option<f64>,
    ret: f64,
    steps: u32,
    over: bool,
}

/// A walker world: a body on a procedurally generated terrain, with the
/// original's reward and observation (see the module docs).
pub struct WalkerEnv {
    terrain: Arc<dyn TerrainGenerator>,
    body: Arc<BodySpec>,
    cfg: WalkerConfig,
    features: Features,
    spec: EnvSpec,
    obs_space: BoxSpace,
    act_space: BoxSpace,
    lidar: Lidar,
    rng: ChaCha8Rng,
    task: Vec<f64>,
    episode: Option<Episode>,
}

impl Clone for WalkerEnv {
    /// A clone shares the generator and body and starts with no episode.
    fn clone(&self) -> Self {
        Self::new(self.terrain.clone(), self.body.clone(), self.cfg.clone())
    }
}

impl WalkerEnv {
    /// The world's [`Features`] decide the rules: where walkers may touch
    /// the ground with their hull, and whether the observation adds the
    /// medium, survival, gripper states and what each ray hit. Each kind of
    /// body has its own lidar fan (down and ahead for walkers, up and ahead
    /// for climbers, half a circle for swimmers).
    pub fn new(terrain: Arc<dyn TerrainGenerator>, body: Arc<BodySpec>, cfg: WalkerConfig) -> Self {
        let features = terrain.features();
        let body = if features.hull_may_touch_ground && body.kind == BodyKind::Walker {
            Arc::new((*body).clone().without_critical_parts())
        } else {
            body
        };
        let body = match (body.has_start_pose(), features.ground_start) {
            (false, _) => body,
            (true, true) => Arc::new((*body).clone().in_start_pose()),
            (true, false) => Arc::new((*body).clone().as_drawn()),
        };
        let lidar = match body.kind {
            BodyKind::Climber => Lidar::fan_from(NB_LIDAR, 2.3, 1.5, LIDAR_RANGE),
            BodyKind::Swimmer => Lidar::fan(NB_LIDAR, std::f32::consts::PI, LIDAR_RANGE),
            BodyKind::Walker => Lidar::fan(NB_LIDAR, LIDAR_SPREAD, LIDAR_RANGE),
        };
        let spec = EnvSpec {
            name: terrain.name().to_string(),
            body: Some(body.name.clone()),
            observation: Layout::Vector(observation::observation(&body, &features, lidar.len())),
            action: Layout::Vector(observation::action(&body)),
            reward_range: features.reward_range,
            success: Success::ReturnAbove(SUCCESS_RETURN),
            max_steps: Some(cfg.max_steps),
        };
        let space = |entries: &[Entry]| BoxSpace {
            low: entries.iter().map(|e| e.low).collect(),
            high: entries.iter().map(|e| e.high).collect(),
        };
        Self {
            obs_space: space(spec.observation.entries()),
            act_space: space(spec.action.entries()),
            spec,
            features,
            lidar,
            rng: seeded(0, 0),
            task: terrain.default_task(),
            terrain,
            body,
            cfg,
            episode: None,
        }
    }

    /// The body (as this world spawns it).
    pub fn body(&self) -> &BodySpec {
        &self.body
    }

    /// The terrain generator.
    pub fn terrain(&self) -> &dyn TerrainGenerator {
        self.terrain.as_ref()
    }

    /// Its settings.
    pub fn config(&self) -> &WalkerConfig {
        &self.cfg
    }

    /// The terrain generator, shared (tools that generate layouts without
    /// physics).
    pub fn generator(&self) -> Arc<dyn TerrainGenerator> {
        self.terrain.clone()
    }

    /// The same world and body under other walker settings (step limit,
    /// solver), with no episode.
    pub fn with_config(&self, cfg: WalkerConfig) -> Self {
        Self::new(self.terrain.clone(), self.body.clone(), cfg)
    }

    /// The live physics world (for viewers and tests).
    pub fn physics(&self) -> Option<&Physics> {
        self.episode.as_ref().map(|e| &e.physics)
    }

    /// The live physics world, to change: for measurements that put the body
    /// in a recorded state before a step (`tests/box2d_gait.rs`).
    pub fn physics_mut(&mut self) -> Option<&mut Physics> {
        self.episode.as_mut().map(|e| &mut e.physics)
    }

    /// Handles of the spawned body's parts.
    pub fn body_handles(&self) -> Option<&Body> {
        self.episode.as_ref().map(|e| &e.body)
    }

    /// Position of the head part (hull), if an episode is running.
    pub fn head_position(&self) -> Option<Vec2> {
        let e = self.episode.as_ref()?;
        Some(e.physics.body(e.body.head(&self.body)).translation())
    }

    /// The gripper hinges currently holding on (for viewers and tests).
    pub fn holding(&self) -> Vec<bool> {
        self.episode.as_ref().map_or_else(Vec::new, |e| {
            (0..self.body.grippers.len())
                .map(|g| e.grips.holding(g))
                .collect()
        })
    }

    /// The running episode's terrain.
    pub fn layout(&self) -> Option<&TerrainLayout> {
        self.episode.as_ref().map(|e| &e.layout)
    }

    /// The range finders, in observation order.
    pub fn lidar(&self) -> &Lidar {
        &self.lidar
    }

    /// The observation index of the first lidar fraction.
    pub fn lidar_offset(&self) -> usize {
        let per_ray = if self.features.surface_observation {
            2
        } else {
            1
        };
        self.obs_space.dim() - per_ray * self.lidar.len()
    }

    /// Return and length of the running episode so far.
    pub fn episode_return(&self) -> Option<(f64, u32)> {
        self.episode.as_ref().map(|e| (e.ret, e.steps))
    }

    /// Water level of the running episode, if its world has water.
    pub fn water_level(&self) -> Option<f32> {
        self.episode.as_ref().and_then(|e| e.layout.water_y)
    }

    /// Has the body spent longer than it can survive in the wrong medium?
    fn dead(&self, e: &Episode) -> bool {
        e.layout.water_y.is_some() && e.stranded > self.body.survival_steps
    }

    fn observe(&self, e: &Episode, under_water: bool, out: &mut Vec<f32>) {
        let fps = self.cfg.physics.fps;
        let head = e.physics.body(e.body.head(&self.body));
        let v = head.linvel();
        out.push(head.rotation().angle());
        out.push(2.0 * head.angvel() / fps);
        out.push(0.3 * v.x * (VIEWPORT_W / SCALE) / fps);
        out.push(0.3 * v.y * (VIEWPORT_H / SCALE) / fps);
        if self.features.surface_observation {
            let level = e.layout.water_y.unwrap_or(f32::NEG_INFINITY);
            out.push(if under_water { 1.0 } else { 0.0 });
            out.push(if self.dead(e) { 1.0 } else { 0.0 });
            e.body.motor_state(&self.body, &e.physics, out);
            e.grips.observe(&e.body, &e.physics, out);
            self.lidar.read_surfaces(
                &e.physics,
                head.translation(),
                level,
                e.handles.creepers,
                out,
            );
        } else {
            e.body.motor_state(&self.body, &e.physics, out);
            self.lidar.read(&e.physics, head.translation(), out);
        }
    }

    /// One physics step under `action`: grippers let go or hold on around
    /// it, and the water's forces act during it.
    fn simulate(&self, e: &mut Episode, action: &[f32]) {
        e.grips.release(&self.body, &mut e.physics, action);
        e.body.actuate(&self.body, &mut e.physics, action);
        if let Some(level) = e.layout.water_y {
            water::apply(
                level,
                WATER_MAX_PUSH,
                &self.body,
                &e.body,
                &mut e.physics,
            );
        }
        e.physics.step();
        e.grips.attach(&self.body, &e.body, &mut e.physics, action);
    }

    /// Advances the physics and scores the step; shared by `reset` (zero action) and `step`.
    fn advance(&mut self, action: &[f32]) -> Step<Vec<f32>> {
        let mut e = self.episode.take().expect("advance needs an episode");
        // A dead body can no longer act (the original zeroes its actions).
        let idle;
        let action = if self.dead(&e) {
            idle = vec![0.0; action.len()];
            &idle[..]
        } else {
            action
        };
        self.simulate(&mut e, action);

        let mut obs = Vec::with_capacity(self.obs_space.dim());
        let mut info = Info::default();
        let (mut reward, mut terminated) = (0.0, false);
        if !e.body.is_sane(&e.physics) {
            obs.resize(self.obs_space.dim(), 0.0);
            info.physics_error = true;
            reward = FALL_REWARD;
            terminated = true;
        } else {
            let head = e.physics.body(e.body.head(&self.body)).translation();
            let under_water = e.layout.water_y.is_some_and(|level| head.y <= level);
            if !self.dead(&e) {
                let stranded = if self.body.kind == BodyKind::Swimmer {
                    !under_water
                } else {
                    under_water
                };
                e.stranded = if stranded { e.stranded + 1 } else { 0 };
            }
            self.observe(&e, under_water, &mut obs);
            let x = head.x;
            // Progress pays 130 per 30 px; a tilted head costs 5 per radian.
            let tilt = if self.body.head_angle_penalty {
                5.0 * f64::from(obs[0].abs())
            } else {
                0.0
            };
            let shaping = 130.0 * f64::from(x) / f64::from(SCALE) - tilt;
            if let Some(prev) = e.prev_shaping {
                reward = shaping - prev;
            }
            e.prev_shaping = Some(shaping);
            let effort: f64 = action
                .iter()
                .map(|a| f64::from(if a.is_nan() { 0.0 } else { a.abs().min(1.0) }))
                .sum();
            reward -= f64::from(self.body.torque_penalty) * 80.0 * effort;
            let allowed = if self.body.kind == BodyKind::Climber {
                e.handles.ceiling
            } else {
                None
            };
            if e.body.critical_contact(&self.body, &e.physics, allowed) || x < 0.0 {
                reward = FALL_REWARD;
                terminated = true;
            } else if x > e.layout.finish_x {
                terminated = true;
            }
        }
        e.ret += reward;
        e.steps += 1;
        let truncated = !terminated && e.steps >= self.cfg.max_steps;
        info.success = self.spec.success.judge(e.ret, false);
        if terminated || truncated {
            e.over = true;
            info.episode = Some(EpisodeStats {
                ret: e.ret,
                len: e.steps,
                success: info.success,
                task: self.task.clone(),
            });
        }
        self.episode = Some(e);
        Step {
            obs,
            reward,
            terminated,
            truncated,
            info,
        }
    }
}

impl Env for WalkerEnv {
    type Obs = Vec<f32>;
    type Act = Vec<f32>;

    fn task_space(&self) -> &TaskSpace {
        self.terrain.task_space()
    }

    fn spec(&self) -> &EnvSpec {
        &self.spec
    }

    fn task_limits(&self) -> &TaskSpace {
        self.terrain.limits()
    }

    fn default_task(&self) -> Vec<f64> {
        self.terrain.default_task()
    }

    fn task(&self) -> &[f64] {
        &self.task
    }

    fn reset(
        &mut self,
        seed: Option<u64>,
        task: Option<&[f64]>,
    ) -> Result<(Vec<f32>, Info), TaskError> {
        if let Some(t) = task {
            self.terrain.limits().validate(t)?;
            self.task = t.to_vec();
        }
        if let Some(s) = seed {
            self.rng = seeded(s, 0);
        }
        let layout = self
            .terrain
            .generate(&self.task, self.body.width, &mut self.rng);
        let mut physics = Physics::new(self.cfg.physics);
        let handles = layout.build(&mut physics);
        let mut origin = layout.spawn + Vec2::new(0.0, self.body.spawn_height);
        if self.body.posed {
            // Posed with its lowest point on the ground: lift it onto its skin.
            origin.y += self.cfg.physics.rest_gap();
        }
        let hang = self.body.kind == BodyKind::Climber && !layout.ceiling.is_empty();
        if hang {
            // Climbers start with their grippers on the ceiling above the spawn point.
            let reach = self
                .body
                .grippers
                .iter()
                .map(|g| g.pos[1])
                .fold(f32::MIN, f32::max);
            origin.y = layout.ceiling_height(layout.spawn.x) - reach;
        }
        let push = uniform(&mut self.rng, -INITIAL_RANDOM, INITIAL_RANDOM) as f32;
        let body = Body::spawn(&self.body, &mut physics, origin, push);
        let mut e = Episode {
            physics,
            body,
            handles,
            grips: Grips::new(&self.body),
            stranded: 0,
            layout,
            prev_shaping: None,
            ret: 0.0,
            steps: 0,
            over: false,
        };
        let mut first_action = vec![0.0; self.act_space.dim()];
        if hang {
            first_action[self.body.motors.len()..].fill(1.0);
            for _ in 0..HANG_STEPS {
                self.simulate(&mut e, &first_action);
            }
        }
        self.episode = Some(e);
        // As in the original, the first observation comes from one zero-action
        // step; it is not counted towards the step limit or the return.
        let first = self.advance(&first_action);
        let e = self.episode.as_mut().expect("episode just created");
        e.steps = 0;
        e.stranded = 0;
        e.ret = 0.0;
        e.over = false;
        Ok((first.obs, Info::default()))
    }

    fn step(&mut self, action: &Vec<f32>) -> Step<Vec<f32>> {
        match &self.episode {
            Some(e) if !e.over => self.advance(action),
            _ => Step {
                obs: vec![0.0; self.obs_space.dim()],
                reward: 0.0,
                terminated: true,
                truncated: false,
                info: Info::default(),
            },
        }
    }
}

impl ContinuousEnv for WalkerEnv {
    fn observation_space(&self) -> &BoxSpace {
        &self.obs_space
    }

    fn action_space(&self) -> &BoxSpace {
        &self.act_space
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body flung at an absurd speed (as a solver blow-up does) ends the
    /// episode at once with `physics_error`, the fall penalty and a finite
    /// (zero) observation, instead of feeding the student garbage.
    #[test]
    fn an_absurd_velocity_ends_the_episode_with_a_physics_error() {
        let mut env = crate::registry::make_walker("stump-tracks", None, WalkerConfig::default()).unwrap();
        env.reset(Some(0), None).unwrap();
        let s = env.step(&vec![0.0; env.action_space().dim()]);
        assert!(!s.info.physics_error && !s.terminated);
        let e = env.episode.as_mut().unwrap();
        let part = e.body.parts[0];
        e.physics.world.bodies[part].set_linvel(Vec2::new(5.0e4, 0.0), true);
        let s = env.step(&vec![0.0; env.action_space().dim()]);
        assert!(s.info.physics_error && s.terminated, "{:?}", s.info);
        assert_eq!(s.reward, FALL_REWARD);
        assert!(s.obs.iter().all(|v| *v == 0.0));
    }
}
