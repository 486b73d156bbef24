//! `trellis record`: one episode rendered headless (no GPU, no display, no
//! Bevy) to an animated GIF, a PNG of its last frame, or a directory of PNG
//! frames. The body is driven by a run's policy (`--run`), the walking gait,
//! random actions or nothing; the frames come from the same scene geometry
//! the viewer draws (`trellis_envs::scene`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use clap::Args;
use trellis_agents::EvalPolicy;
use trellis_envs::scene::{Overlays, walker_scene};
use trellis_envs::{Env, WalkerEnv, WorldRequest};
use trellis_train::drive::{Drive, Drivers};

use crate::exit::Input;
use trellis_render as raster;

/// Arguments of `trellis record`.
#[derive(Args, Debug)]
pub struct Record {
    /// Where to write: `NAME.gif` (the episode), `NAME.png` (its last
    /// frame) or a directory (one PNG per frame, for a video encoder).
    #[arg(long)]
    pub out: PathBuf,
    /// The world (ignored with `--run`, which has its own).
    #[arg(long, default_value = trellis_envs::registry::default_world().name, conflicts_with = "run")]
    pub env: String,
    /// The walker body (default: the world's benchmark body).
    #[arg(long, conflicts_with = "run")]
    pub body: Option<String>,
    /// A world option as KEY=VALUE (`trellis describe --env NAME` lists them). Repeatable.
    #[arg(long = "option", value_name = "KEY=VALUE", conflicts_with = "run")]
    pub options: Vec<String>,
    /// A run dir: its world, and its last checkpointed policy as the default driver.
    #[arg(long)]
    pub run: Option<PathBuf>,
    /// The task vector (comma-separated, the world's order); default: the
    /// run's test task `--test-task`, else the world's default task.
    #[arg(long, value_delimiter = ',', allow_hyphen_values = true)]
    pub task: Option<Vec<f64>>,
    /// With `--run`: which of its test tasks to play.
    #[arg(long, default_value_t = 0)]
    pub test_task: usize,
    /// Who moves the body: policy (needs --run), gait (bipeds on the
    /// tracks), random or still; default: the best available.
    #[arg(long)]
    pub driver: Option<String>,
    /// How the policy acts: `mean` (its most likely action) or `sample`
    /// (drawn from it, with `--seed`'s noise); default: as the run's
    /// evaluations play it (its `eval_policy`: PPO samples, SAC the mean).
    #[arg(long, requires = "run", value_parser = EvalPolicy::from_str)]
    pub eval_policy: Option<EvalPolicy>,
    /// The episode's seed (its terrain noise).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// At most this many steps (the episode may end earlier).
    #[arg(long, default_value_t = 2000)]
    pub steps: u32,
    /// One frame every this many steps (the world runs at 50 steps/s: 2 gives 25 frames/s).
    #[arg(long, default_value_t = 2)]
    pub every: u32,
    /// Frame width in pixels.
    #[arg(long, default_value_t = 600)]
    pub width: u32,
    /// Frame height in pixels.
    #[arg(long, default_value_t = 400)]
    pub height: u32,
    /// Draw the lidar rays.
    #[arg(long)]
    pub lidar: bool,
}

/// How an episode is filmed.
#[derive(Clone, Copy, Debug)]
pub struct Film {
    /// Frame width in pixels.
    pub width: u32,
    /// Frame height in pixels.
    pub height: u32,
    /// One frame every this many steps.
    pub every: u32,
    /// At most this many steps.
    pub steps: u32,
    /// Draw the lidar rays.
    pub lidar: bool,
}

/// What an episode did.
pub struct Take {
    /// Frames written.
    pub frames: usize,
    /// Steps played.
    pub steps: u32,
    /// Its return.
    pub ret: f64,
    /// The world's success criterion at the end.
    pub success: bool,
}

/// Where the frames go.
enum Sink {
    Gif(gif::Encoder<std::io::BufWriter<std::fs::File>>, raster::Quantiser),
    Still(Option<tiny_skia::Pixmap>),
    Frames(usize),
}

pub fn run(r: &Record) -> Result<()> {
    if r.every == 0 || r.steps == 0 || r.width < 16 || r.height < 16 || r.width > 4096 || r.height > 4096 {
        return Err(Input(format!(
            "--every {} and --steps {} must be at least 1, --width {} and --height {} within [16, 4096]",
            r.every, r.steps, r.width, r.height
        ))
        .into());
    }
    let (mut env, policy, test_set, protocol) = match &r.run {
        Some(dir) => {
            let rep = trellis_train::load_walker_replay(dir)
                .with_context(|| format!("loading {}", dir.display()))?;
            let protocol = rep.config.eval_policy();
            (rep.env, Some(rep.student), rep.test_set, protocol)
        }
        None => (walker(r)?, None, Vec::new(), EvalPolicy::Mean),
    };
    let protocol = r.eval_policy.unwrap_or(protocol);
    let task = match (&r.task, test_set.get(r.test_task)) {
        (Some(t), _) => t.clone(),
        (None, Some(t)) => t.clone(),
        (None, None) if r.run.is_some() => {
            return Err(Input(format!("--test-task {}: the run has {} test tasks", r.test_task, test_set.len())).into());
        }
        (None, None) => env.default_task(),
    };
    let mut drivers = Drivers::new(policy, r.seed).playing(protocol);
    let drive = match &r.driver {
        Some(name) => Drive::parse(name).map_err(Input)?,
        None => drivers.default_for(&env),
    };
    if !drivers.can(drive, &env) {
        return Err(Input(format!(
            "--driver {}: not available here ({})",
            drive.name(),
            if drive == Drive::Policy { "it needs --run" } else { "the gait drives the four-motor bipeds on the tracks" }
        ))
        .into());
    }
    let film = Film { width: r.width, height: r.height, every: r.every, steps: r.steps, lidar: r.lidar };
    let take = episode(&mut env, &mut drivers, drive, &task, r.seed, film, &r.out)?;
    let Take { frames, steps, ret, success } = take;
    println!(
        "wrote {} · {frames} frames of {}×{} · {} {} · task {:?} · driver {} · {steps} steps · return {ret:.1}{}",
        r.out.display(),
        r.width,
        r.height,
        env.spec().name,
        env.body().name,
        task,
        drivers.label(drive),
        if success { " · success" } else { "" }
    );
    Ok(())
}

/// Plays one episode of `task` with `drive` and films it to `out` (GIF,
/// PNG of the last frame, or a directory of PNGs, by its extension).
pub fn episode(
    env: &mut WalkerEnv,
    drivers: &mut Drivers,
    drive: Drive,
    task: &[f64],
    seed: u64,
    film: Film,
    out: &Path,
) -> Result<Take> {
    let (mut obs, _) = env.reset(Some(seed), Some(task))?;
    drivers.reset();
    let frame = |env: &WalkerEnv, obs: &[f32]| {
        let overlays = Overlays { lidar_from: film.lidar.then_some(obs) };
        walker_scene(env, overlays).context("the episode has no scene")
    };
    let first = frame(env, &obs)?;
    let mut sink = open(out, &film, &first)?;
    let (mut ret, mut steps, mut frames) = (0.0, 0u32, 0usize);
    emit(&mut sink, out, &film, &first, &mut frames)?;
    let success = loop {
        let a = drivers.action(drive, env, &obs);
        let s = env.step(&a);
        ret += s.reward;
        steps += 1;
        let success = s.info.success;
        obs = s.obs;
        let last = s.terminated || s.truncated || steps >= film.steps;
        if last || steps % film.every == 0 {
            emit(&mut sink, out, &film, &frame(env, &obs)?, &mut frames)?;
        }
        if last {
            break success;
        }
    };
    finish(sink, out)?;
    Ok(Take { frames, steps, ret, success })
}

/// The world the flags ask for.
fn walker(r: &Record) -> Result<WalkerEnv> {
    let req = WorldRequest {
        body: r.body.clone(),
        options: trellis_train::config::option_flags(&r.options).map_err(Input)?,
        ..WorldRequest::default()
    };
    let env = trellis_envs::registry::make(&r.env, &req).map_err(|e| Input(e.to_string()))?;
    Ok(env.into_walker().map_err(|e| Input(format!("{e}: `trellis record` draws walker worlds")))?)
}

/// The sink `out` names, its palette taken from the first frame.
fn open(out: &Path, film: &Film, first: &trellis_envs::scene::Scene) -> Result<Sink> {
    let ext = out.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase);
    match ext.as_deref() {
        Some("gif") => {
            let q = raster::Quantiser::new(first);
            let file = std::fs::File::create(out).with_context(|| format!("creating {}", out.display()))?;
            let (w, h) = (u16::try_from(film.width)?, u16::try_from(film.height)?);
            let mut enc = gif::Encoder::new(std::io::BufWriter::new(file), w, h, &q.palette())?;
            enc.set_repeat(gif::Repeat::Infinite)?;
            Ok(Sink::Gif(enc, q))
        }
        Some("png") => Ok(Sink::Still(None)),
        Some(other) => bail!(Input(format!(
            "--out {}: `.{other}` is not a format `trellis record` writes (.gif, .png, or a directory)",
            out.display()
        ))),
        None => {
            std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
            Ok(Sink::Frames(0))
        }
    }
}

fn emit(sink: &mut Sink, out: &Path, film: &Film, scene: &trellis_envs::scene::Scene, frames: &mut usize) -> Result<()> {
    let px = raster::render(scene, film.width, film.height, raster::View::reference(film.height));
    match sink {
        Sink::Gif(enc, q) => {
            let mut f = gif::Frame::from_indexed_pixels(
                u16::try_from(film.width)?,
                u16::try_from(film.height)?,
                q.indices(&px),
                None,
            );
            // Hundredths of a second per frame at the world's 50 steps/s.
            f.delay = u16::try_from(film.every * 2).unwrap_or(u16::MAX);
            enc.write_frame(&f)?;
        }
        Sink::Still(last) => *last = Some(px),
        Sink::Frames(n) => {
            let path = out.join(format!("frame_{n:05}.png"));
            px.save_png(&path).with_context(|| format!("writing {}", path.display()))?;
            *n += 1;
        }
    }
    *frames += 1;
    Ok(())
}

fn finish(sink: Sink, out: &Path) -> Result<()> {
    match sink {
        Sink::Gif(enc, _) => {
            enc.into_inner()?;
        }
        Sink::Still(Some(px)) => px.save_png(out).with_context(|| format!("writing {}", out.display()))?,
        Sink::Still(None) | Sink::Frames(_) => {}
    }
    Ok(())
}
