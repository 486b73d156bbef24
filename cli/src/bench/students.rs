//! `trellis bench students`: training throughput (env steps/s including
//! learning) on Stump Tracks, through the same act → step → observe loop as
//! training (`trellis_train::rollout`).

use std::time::Instant;

use anyhow::Result;
use clap::Args;
use trellis_envs::registry::make_walker;
use trellis_envs::walker::WalkerConfig;
use trellis_envs::{Env, VecEnv};

use super::proc::cpu_seconds;

#[derive(Args, Debug)]
pub struct StudentBench {
    /// Env steps timed after the warm-up (PPO: rounded up to whole rollouts).
    #[arg(long, default_value_t = 3000)]
    pub steps: u64,
    /// SAC minibatch size (TeachMyAgent: 1000).
    #[arg(long, default_value_t = 1000)]
    pub batch: usize,
    /// `sac`, `ppo` or `all`.
    #[arg(long, default_value = "all")]
    pub student: String,
    /// Threads for the network maths; without it, 1 and 2 are measured, each in a fresh process.
    #[arg(long)]
    pub threads: Option<usize>,
    /// Skip the yardstick (GEMM rates, FMA peak, PyTorch): throughput only,
    /// so a whole-process timing against another program measures training.
    #[arg(long)]
    pub no_yardstick: bool,
}

/// Training throughput (env steps/s including learning) with TeachMyAgent's
/// settings and one env instance, as its benchmark runs. Thread counts are
/// measured in child processes because burn's thread pools are sized once.
/// Runs the benchmark.
pub fn run(b: &StudentBench) -> Result<()> {
    let names: Vec<&str> = if b.student == "all" {
        vec!["sac", "ppo"]
    } else {
        vec![b.student.as_str()]
    };
    let Some(threads) = b.threads else {
        for name in &names {
            for threads in [1, 2] {
                let status = std::process::Command::new(std::env::current_exe()?)
                    .args([
                        "bench",
                        "students",
                        "--student",
                        name,
                        "--threads",
                        &threads.to_string(),
                    ])
                    .args([
                        "--steps",
                        &b.steps.to_string(),
                        "--batch",
                        &b.batch.to_string(),
                    ])
                    .args(b.no_yardstick.then_some("--no-yardstick"))
                    .env("RAYON_NUM_THREADS", threads.to_string())
                    .env("MATMUL_NUM_THREADS", threads.to_string())
                    .status()?;
                anyhow::ensure!(status.success(), "bench child failed: {status}");
            }
        }
        return Ok(());
    };
    // Before any burn or rayon work: the pools size themselves once.
    crate::train::set_math_threads(threads);
    for name in names {
        student_throughput(name, b, threads)?;
    }
    Ok(())
}

fn student_throughput(name: &str, b: &StudentBench, threads: usize) -> Result<()> {
    let env = make_walker("stump-tracks", None, WalkerConfig::default())?;
    let mut cfg = trellis_train::RunConfig {
        student: name.into(),
        ..Default::default()
    };
    let sac = name == "sac";
    if sac {
        // Warm up just past the batch size, then every timed step may learn.
        cfg.set("sac.batch_size", &b.batch.to_string())?;
        cfg.set("sac.start_steps", &b.batch.to_string())?;
    }
    let settings = cfg.student_settings()?;
    let int = |key: &str| settings.get(key).and_then(|v| v.as_integer()).unwrap_or(0) as u64;
    let (warmup, steps) = if sac {
        (b.batch as u64, b.steps)
    } else {
        let rollout = int("rollout").max(1);
        (0, b.steps.div_ceil(rollout).max(1) * rollout + 1)
    };
    let mut student: Box<dyn trellis_agents::Student> = trellis_train::make_student(&cfg, env.spec())?;
    let mut vec = VecEnv::new(vec![env], 1, 0);
    let mut obs = vec.reset(None)?;
    let mut run = |n: u64, student: &mut Box<dyn trellis_agents::Student>| -> Result<()> {
        for _ in 0..n {
            trellis_train::rollout::step(&mut vec, student.as_mut(), &mut obs, &[], |_, _, _| None)?;
        }
        Ok(())
    };
    run(warmup, &mut student)?;
    let gemm_before = if b.no_yardstick { 0.0 } else { super::gemm::rate(1000, 400, 300, threads) };
    let (t0, u0, cpu0, w0) = (Instant::now(), student.updates(), cpu_seconds(), student.update_work());
    run(steps, &mut student)?;
    let secs = t0.elapsed().as_secs_f64();
    let cpu = 100.0 * (cpu_seconds() - cpu0) / secs;
    let w1 = student.update_work();
    let work = trellis_agents::UpdateWork {
        flops: w1.flops - w0.flops,
        seconds: w1.seconds - w0.seconds,
    };
    let update = work.flops / work.seconds.max(1e-12) / 1e9;
    let head = format!(
        "{name} stump-tracks 1 env {threads} thread{}: {:.0} env steps/s including {:.1} gradient steps/s",
        if threads > 1 { "s" } else { "" },
        steps as f64 / secs,
        (student.updates() - u0) as f64 / secs,
    );
    if b.no_yardstick {
        println!(
            "{head}; updates {update:.1} GFLOP/s, {:.0}% of wall time; {cpu:.0}% CPU, {}",
            100.0 * work.seconds / secs,
            trellis_nn::backend_name()
        );
        return Ok(());
    }
    // The yardstick, on the same threads, before and after the timed run
    // (the larger: shared machines slow down and speed up): TeachMyAgent's
    // widest layer product on a minibatch of 1000.
    let gemm = gemm_before.max(super::gemm::rate(1000, 400, 300, threads));
    println!(
        "{head} ({}); updates {:.1} GFLOP/s = {:.0}% of the GEMM rate {:.1} GFLOP/s (1000×400×300), {:.0}% of wall time (the learner waits {:.0}%: env steps, acting); {cpu:.0}% CPU, {}",
        if sac {
            format!(
                "batch {}, 1 update per {} steps",
                b.batch,
                int("train_freq")
            )
        } else {
            format!(
                "rollout {}, minibatch {}, {} epochs",
                int("rollout"),
                int("minibatch"),
                int("epochs")
            )
        },
        update,
        100.0 * update / gemm,
        gemm,
        100.0 * work.seconds / secs,
        100.0 * (1.0 - work.seconds / secs),
        trellis_nn::backend_name()
    );
    // Against the machine's best, not only trellis's own kernel: the FMA
    // peak and the best library GEMM found (PyTorch's, when installed).
    let (isa, _) = super::peak::isa();
    let peak = super::peak::fma_peak(threads);
    let torch = super::peak::torch_gemm(1000, 400, 300, threads);
    let best = torch.map_or(gemm, |t| t.max(gemm));
    println!(
        "  yardstick, {threads} thread{}: FMA peak {peak:.1} GFLOP/s ({isa}); GEMM 1000×400×300: gemm crate {gemm:.1}, PyTorch {}; the update reaches {:.0}% of the best GEMM ({best:.1}) and {:.0}% of the FMA peak",
        if threads > 1 { "s" } else { "" },
        torch.map_or("not installed".to_string(), |t| format!("{t:.1}")),
        100.0 * update / best,
        100.0 * update / peak,
    );
    Ok(())
}
