//! `trellis bench replay`: plays given action sequences on a walker world
//! and prints one JSON line per episode (return, length, whether and when
//! the body fell, how far its head got). `bench/box2d_compare.py` feeds the
//! very same sequences to TeachMyAgent's Box2D original and tabulates both,
//! so the two engines are compared on identical inputs, not on their RNGs.
//! `--walk N` adds N episodes of the closed-loop walking controller
//! (`trellis_envs::gait::Walk`), which the script plays in Box2D too.

use anyhow::{Context, Result, bail};
use clap::Args;
use std::collections::BTreeMap;
use std::path::PathBuf;
use trellis_envs::gait::Walk;
use trellis_envs::registry::{WorldRequest, make_walker_with};
use trellis_envs::walker::WalkerConfig;
use trellis_envs::{ContinuousEnv, Env};

#[derive(Args, Debug)]
pub struct ReplayBench {
    #[arg(long, default_value = "stump-tracks")]
    pub env: String,
    #[arg(long)]
    pub body: Option<String>,
    /// The task vector (comma-separated, the world's own order).
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub task: Vec<f64>,
    /// JSON: {"policy name": [episode: [step: [action...]]]}.
    #[arg(long)]
    pub actions: PathBuf,
    /// Seed of the first episode's terrain (episode k uses seed + k).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Also print every observation of each policy's first episode
    /// (`{"policy", "step", "obs"}` lines), to compare trajectories.
    #[arg(long)]
    pub trace: bool,
    /// Also play this many episodes of the closed-loop walking controller
    /// (policy "walk"), each at most `--steps` long.
    #[arg(long, default_value_t = 0)]
    pub walk: usize,
    #[arg(long, default_value_t = 2000)]
    pub steps: usize,
    /// Parkour: CPPN weights (the reference's JSON layout), as in `train`.
    #[arg(long)]
    pub cppn_weights: Option<PathBuf>,
}

/// Plays every episode of every policy; an episode ends when the world ends
/// it or its actions run out (the step limit of a training loop).
pub fn run(b: &ReplayBench) -> Result<()> {
    let text = std::fs::read_to_string(&b.actions)
        .with_context(|| format!("reading {}", b.actions.display()))?;
    let policies: BTreeMap<String, Vec<Vec<Vec<f32>>>> =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", b.actions.display()))?;
    let longest = policies.values().flatten().map(Vec::len).max().unwrap_or(0);
    let cfg = WalkerConfig {
        max_steps: longest.max(b.steps) as u32 + 1,
        ..WalkerConfig::default()
    };
    let mut options = toml::Table::new();
    if let Some(p) = &b.cppn_weights {
        options.insert("cppn_weights".into(), p.display().to_string().into());
    }
    let req = WorldRequest {
        body: b.body.clone(),
        options,
        ..WorldRequest::default()
    };
    let mut env = make_walker_with(&b.env, &req, cfg)?;
    let dim = env.action_space().dim();
    let task = (!b.task.is_empty()).then_some(b.task.as_slice());
    // One episode: `next` gives the action for an observation, None to stop.
    let mut play = |name: &str, k: usize, next: &mut dyn FnMut(&[f32]) -> Option<Vec<f32>>| -> Result<()> {
        let (mut obs, _) = env.reset(Some(b.seed + k as u64), task)?;
        let x0 = env.head_position().map_or(0.0, |p| p.x);
        let (mut ret, mut len, mut fell) = (0.0f64, 0usize, false);
        while let Some(a) = next(&obs) {
            if a.len() != dim {
                bail!("policy `{name}` episode {k}: an action of {} values, the body takes {dim}", a.len());
            }
            let s = env.step(&a);
            if b.trace && k == 0 {
                println!("{}", serde_json::json!({"policy": name, "step": len, "obs": s.obs}));
            }
            ret += s.reward as f64;
            len += 1;
            obs = s.obs;
            if s.terminated {
                fell = s.reward <= -100.0;
                break;
            }
        }
        let x = env.head_position().map_or(x0, |p| p.x);
        println!(
            "{}",
            serde_json::json!({
                "policy": name, "episode": k, "return": ret, "length": len,
                "fell": fell, "distance": x - x0,
            })
        );
        Ok(())
    };
    for (name, episodes) in &policies {
        for (k, actions) in episodes.iter().enumerate() {
            let mut it = actions.iter().cloned();
            play(name, k, &mut |_| it.next())?;
        }
    }
    for k in 0..b.walk {
        let (mut walk, mut t) = (Walk::default(), 0);
        play("walk", k, &mut |obs| {
            t += 1;
            (t <= b.steps).then(|| walk.act(obs))
        })?;
    }
    Ok(())
}
