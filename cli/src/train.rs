//! `trellis train` and `trellis eval`: flags over the run config.

use std::path::PathBuf;
use std::str::FromStr;

use anyhow::{Context, Result, bail};
use clap::Args;
use clap::builder::{PossibleValue, PossibleValuesParser};
use trellis_agents::EvalPolicy;
use trellis_train::RunConfig;

#[derive(Args, Debug)]
pub struct Train {
    /// A TOML run config; flags given here override its values.
    #[arg(long)]
    pub config: Option<PathBuf>,
    /// The world.
    #[arg(long, value_parser = worlds())]
    pub env: Option<String>,
    /// The walker body (default: the world's benchmark body).
    #[arg(long, value_parser = bodies())]
    pub body: Option<String>,
    /// The curriculum.
    #[arg(long, value_parser = teachers())]
    pub teacher: Option<String>,
    /// The learner (default: the first that can read the world).
    #[arg(long, value_parser = students())]
    pub student: Option<String>,
    /// Total env steps.
    #[arg(long)]
    pub steps: Option<u64>,
    #[arg(long)]
    pub seed: Option<u64>,
    /// Env instances stepped together.
    #[arg(long)]
    pub envs: Option<usize>,
    #[arg(long)]
    pub threads: Option<usize>,
    /// Any config field, as a dotted path and a TOML value, e.g.
    /// `--set sac.lr=1e-4 --set bounds.stump_height=[0,9]`, or a world's
    /// option (`--set parkour.cppn_weights=w.json`; `trellis describe --env
    /// NAME` lists them); applied after the config file and the flags
    /// above. Repeatable.
    #[arg(long = "set", value_name = "KEY=VALUE")]
    pub set: Vec<String>,
    /// Run dir (default runs/<env>-<teacher>-<student>-s<seed>).
    #[arg(long)]
    pub out: Option<PathBuf>,
    /// Continue the run in this dir from its last checkpoint (only --steps may change).
    #[arg(long, conflicts_with_all = ["config", "env", "body", "teacher", "student", "seed", "envs", "threads", "set", "out"])]
    pub resume: Option<PathBuf>,
    /// No progress bar.
    #[arg(long)]
    pub quiet: bool,
}

#[derive(Args, Debug)]
pub struct Eval {
    /// A run dir with a checkpoint.
    #[arg(long)]
    pub run: PathBuf,
    /// Print one JSON object instead of the sentence (for scripts): env,
    /// teacher, student, the checkpoint's step and episodes, and the
    /// evaluation (each test task's return in test-set order, mean, % mastered).
    #[arg(long)]
    pub json: bool,
    /// Play the test set with `mean` (the policy's mean action) or `sample`
    /// (actions drawn from it, the noise of the run's evaluation at that
    /// step) instead of the run's own protocol: the same checkpoint seen
    /// both ways.
    #[arg(long, value_parser = EvalPolicy::from_str)]
    pub eval_policy: Option<EvalPolicy>,
}

/// `--env` values with their summaries, from the world table.
fn worlds() -> PossibleValuesParser {
    PossibleValuesParser::new(
        trellis_envs::registry::worlds().map(|w| PossibleValue::new(w.name).help(w.summary)),
    )
}

/// `--teacher` values, from the teacher table.
fn teachers() -> PossibleValuesParser {
    PossibleValuesParser::new(
        trellis_teachers::TEACHERS
            .iter()
            .map(|d| PossibleValue::new(d.name).help(d.summary))
            .chain(
                trellis_teachers::open_ended::OPEN_ENDED
                    .iter()
                    .map(|d| PossibleValue::new(d.name).help(d.summary)),
            ),
    )
}

/// `--student` values, from the student table.
fn students() -> PossibleValuesParser {
    PossibleValuesParser::new(
        trellis_agents::STUDENTS
            .iter()
            .map(|d| PossibleValue::new(d.name).help(d.summary)),
    )
}

/// `--body` values (aliases accepted), from the body table.
fn bodies() -> PossibleValuesParser {
    PossibleValuesParser::new(
        trellis_envs::bodies::BODIES
            .iter()
            .map(|b| PossibleValue::new(b.name).aliases(b.aliases.iter().copied())),
    )
}

/// The default job: the world's own first run (its narrowed task space and
/// budget, see `trellis_envs::registry::FirstRun`), so a newcomer's first
/// curve rises within minutes. Applies only without `--config`, to what the
/// flags and `--set` leave unset: `--set bounds.NAME=[lo,hi]` (or any
/// `--config`, such as assets/benchmarks/stump-tracks-reference.toml) gives
/// the full space.
fn quickstart(cfg: &mut RunConfig, t: &Train) {
    let Some(first) = trellis_envs::registry::world(&cfg.env).ok().and_then(|w| w.first_run) else {
        return;
    };
    if !t.set.iter().any(|kv| kv.trim_start().starts_with("bounds")) {
        for &(name, lo, hi) in first.bounds {
            cfg.bounds.insert(name.into(), [lo, hi]);
        }
    }
    if t.steps.is_none() && !t.set.iter().any(|kv| kv.trim_start().starts_with("steps")) {
        cfg.steps = first.steps;
    }
}

fn resolve(t: &Train) -> Result<RunConfig> {
    let mut cfg = match &t.config {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            RunConfig::from_toml(&text).with_context(|| format!("in {}", p.display()))?
        }
        None => RunConfig::default(),
    };
    macro_rules! set {
        ($($f:ident),*) => { $( if let Some(v) = &t.$f { cfg.$f = v.clone(); } )* };
    }
    set!(env, teacher, student, steps, seed, envs, threads);
    if t.config.is_none() {
        quickstart(&mut cfg, t);
    }
    if t.body.is_some() {
        cfg.body = t.body.clone();
    }
    for kv in &t.set {
        let (key, value) = kv
            .split_once('=')
            .ok_or_else(|| crate::exit::Input(format!("--set {kv}: expected KEY=VALUE")))?;
        cfg.set(key.trim(), value.trim())?;
    }
    // A world whose observations the student cannot read gets the first
    // student that can, unless a student was asked for.
    let asked = t.student.is_some() || t.set.iter().any(|kv| kv.starts_with("student="));
    let open_ended = trellis_teachers::open_ended::descriptor(&cfg.teacher).is_some();
    if !asked && open_ended {
        // POET's agents are optimised by evolution strategies.
        cfg.student = trellis_agents::es::DESCRIPTOR.name.into();
    } else if !asked && !trellis_train::student_fits(&cfg)? {
        cfg.student = trellis_train::default_student(&cfg.env)?.into();
    }
    // Checked and filled in here, so a refused value stops before the run
    // dir is named (starting a resolved config resolves it to itself).
    Ok(cfg.resolved()?)
}

/// burn's matmul and rayon pools size themselves from these variables on
/// first use; `threads` sets them unless the user already did.
pub fn set_math_threads(threads: usize) {
    for var in ["RAYON_NUM_THREADS", "MATMUL_NUM_THREADS"] {
        if std::env::var_os(var).is_none() {
            // SAFETY: called before any burn operation or worker thread exists.
            unsafe { std::env::set_var(var, threads.to_string()) };
        }
    }
}

/// SIGTERM, SIGINT and SIGUSR1 ask the run to checkpoint at its next
/// consistent point and exit 75 (resumable); a second signal ends the
/// process at once (exit 128 + the signal), as an impatient user expects.
pub fn stop_on_signals() -> Result<()> {
    use signal_hook::consts::{SIGINT, SIGTERM, SIGUSR1};
    for sig in [SIGTERM, SIGINT, SIGUSR1] {
        // Registered first, so it sees the flag as the previous signal left it.
        signal_hook::flag::register_conditional_shutdown(sig, 128 + sig, trellis_train::stop::flag())?;
        signal_hook::flag::register(sig, trellis_train::stop::flag())?;
    }
    Ok(())
}

/// The Python that runs teachers written in Python: `$TRELLIS_PYTHON`, else `python3`.
pub fn python() -> String {
    std::env::var("TRELLIS_PYTHON").unwrap_or_else(|_| "python3".into())
}

/// Checks that `python()` can import the trellis package, which runs teachers
/// written in Python; the error says what to install.
pub fn check_python_package(teacher: &str) -> Result<()> {
    let python = python();
    let ok = std::process::Command::new(&python)
        .args(["-c", "import trellis"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success());
    if ok {
        return Ok(());
    }
    Err(crate::exit::Input(format!(
        "teacher `{teacher}` is written in Python (`teacher_python`): its runs need the trellis Python package, \
         which `{python} -c \"import trellis\"` did not find; install it (`pip install` the wheel python/ci.sh \
         builds, see the README's Python section) or point TRELLIS_PYTHON at a Python that has it"
    ))
    .into())
}

/// A run whose teacher is written in Python is trained by the Python
/// package (`python -m trellis train`), which runs this same trainer with
/// the teacher's calls in Python: this process becomes that one, so exit
/// codes and signals (a sweep's SIGTERM) reach it unchanged.
fn hand_to_python(teacher: &str, args: &[&std::ffi::OsStr]) -> Result<()> {
    check_python_package(teacher)?;
    let mut cmd = std::process::Command::new(python());
    cmd.args(["-m", "trellis", "train"]).args(args);
    #[cfg(unix)]
    {
        use std::os::unix::process::CommandExt;
        let e = cmd.exec();
        Err(e).with_context(|| format!("starting {}", python()))
    }
    #[cfg(not(unix))]
    {
        let status = cmd.status().with_context(|| format!("starting {}", python()))?;
        std::process::exit(status.code().unwrap_or(1));
    }
}

pub fn train(t: &Train) -> Result<()> {
    if let Some(dir) = &t.resume
        && let Ok(cfg) = trellis_train::read_config(dir)
        && cfg.teacher_python.is_some()
    {
        let steps = t.steps.map(|s| s.to_string());
        let mut args = vec![std::ffi::OsStr::new("--resume"), dir.as_os_str()];
        if let Some(s) = &steps {
            args.extend([std::ffi::OsStr::new("--steps"), std::ffi::OsStr::new(s)]);
        }
        if t.quiet {
            args.push(std::ffi::OsStr::new("--quiet"));
        }
        return hand_to_python(&cfg.teacher, &args);
    }
    stop_on_signals()?;
    let (outcome, dir) = if let Some(dir) = &t.resume {
        if dir.join("config.toml").exists() && !trellis_train::has_checkpoint(dir) {
            eprintln!("{} has no checkpoint yet: starting it again from its config (same seed, same results)", dir.display());
        } else {
            eprintln!("resuming {}", dir.display());
        }
        set_math_threads(trellis_train::read_config(dir)?.threads);
        (trellis_train::resume(dir, t.steps, !t.quiet)?, dir.clone())
    } else {
        let cfg = resolve(t)?;
        set_math_threads(cfg.threads);
        let out = t.out.clone().unwrap_or_else(|| {
            PathBuf::from(format!(
                "runs/{}-{}-{}-s{}",
                cfg.env, cfg.teacher, cfg.student, cfg.seed
            ))
        });
        eprintln!(
            "run dir {} · {} / {} / {} · {} steps",
            out.display(),
            cfg.env,
            cfg.teacher,
            cfg.student,
            cfg.steps
        );
        if cfg.teacher_python.is_some() {
            let toml = cfg.to_toml();
            let mut args = vec![
                std::ffi::OsStr::new("--config-toml"),
                std::ffi::OsStr::new(&toml),
                std::ffi::OsStr::new("--out"),
                out.as_os_str(),
            ];
            if t.quiet {
                args.push(std::ffi::OsStr::new("--quiet"));
            }
            return hand_to_python(&cfg.teacher, &args);
        }
        (trellis_train::start(cfg, &out, !t.quiet)?, out)
    };
    let p = &outcome.progress;
    if outcome.already_finished {
        eprintln!(
            "the run had already finished at step {} (nothing trained, nothing written); pass --steps N to extend it",
            p.step
        );
        if outcome.last_eval.is_none() {
            return Ok(());
        }
    }
    match &outcome.last_eval {
        Some(e) => println!(
            "{} steps, {} episodes, {:.0} steps/s · test set: mean return {:.1}, mastered {:.1}%",
            p.step, p.episodes, outcome.steps_per_second, e.mean_return, e.mastered_pct
        ),
        None => match trellis_train::open_ended::Population::read(&dir) {
            Ok(pop) => {
                let best = pop.active.iter().filter_map(|p| p.scores.last()).fold(f64::NEG_INFINITY, |a, &b| a.max(b));
                println!(
                    "{} steps, {} episodes, {:.0} steps/s · {}: {} iterations, {} active pairs (best score {best:.1}), {} archived",
                    p.step, p.episodes, outcome.steps_per_second, pop.teacher, pop.iteration, pop.active.len(), pop.archive.len()
                );
            }
            Err(_) => bail!("the run ended without an evaluation"),
        },
    }
    Ok(())
}

pub fn eval(e: &Eval) -> Result<()> {
    let (cfg, p, r) = trellis_train::evaluate_run(&e.run, e.eval_policy)?;
    if e.json {
        let out = serde_json::json!({
            "env": cfg.env,
            "teacher": cfg.teacher,
            "student": cfg.student,
            "step": p.step,
            "episodes": p.episodes,
            "eval_policy": cfg.eval_policy().name(),
            "eval": r,
        });
        println!("{out}");
        return Ok(());
    }
    println!(
        "{} / {} / {} at step {}: {} test tasks ({}), mean return {:.1}, mastered {:.1}%",
        cfg.env,
        cfg.teacher,
        cfg.student,
        p.step,
        r.returns.len(),
        cfg.eval_policy().describe(),
        r.mean_return,
        r.mastered_pct
    );
    Ok(())
}
