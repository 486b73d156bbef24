//! `trellis`: the headless front door (training, evaluation, benchmarks).

mod bench;
mod describe;
mod exit;
mod pictures;
mod play;
mod poet_report;
mod record;
mod report;
mod sweep;
mod train;

/// mimalloc: rapier allocates and frees small buffers every step; with glibc
/// malloc that costs ~5% of a step and more when threads share the heap.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "trellis",
    version,
    about = "Automatic curriculum learning on procedurally generated worlds"
)]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
    /// On errors, print every cause and a backtrace (also TRELLIS_DEBUG=1).
    #[arg(long, global = true)]
    debug: bool,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Print throughput numbers.
    #[command(subcommand)]
    Bench(bench::Bench),
    /// Train a student with a teacher (default: PPO and ALP-GMM on Stump Tracks with stumps up to 0.5, 2M steps).
    Train(train::Train),
    /// Re-run a run's test set from its last checkpoint.
    Eval(train::Eval),
    /// The benchmark report of a sweep dir (or several run dirs' curves side by side).
    Report(report::Report),
    /// List the benchmark's experiments, scales and teachers.
    Experiments(sweep::Experiments),
    /// Plan, run (locally, sharded, resumable) or submit (SLURM) a benchmark sweep.
    #[command(subcommand)]
    Sweep(sweep::Sweep),
    /// Play a generated text world in the terminal.
    Play(play::Play),
    /// List worlds, bodies, teachers and students, or describe one world's entries.
    Describe(describe::Describe),
    /// Render one episode headless to a GIF, a PNG or PNG frames.
    Record(record::Record),
}

/// Exit codes: 0 done, 1 failed, 2 bad input, 3 run dir busy, 4 I/O error,
/// 5 damaged data, 70 a bug, 75 stopped on request and resumable (see
/// [`exit::Code`]).
fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let debug = exit::debug_requested(cli.debug);
    exit::install_panic_hook(debug);
    match std::panic::catch_unwind(|| run(cli)) {
        Ok(Ok(())) => std::process::ExitCode::SUCCESS,
        Ok(Err(e)) => exit::report(&e, debug),
        // The hook has printed the panic.
        Err(_) => std::process::ExitCode::from(exit::Code::Internal as u8),
    }
}

fn run(cli: Cli) -> Result<()> {
    // A bad TRELLIS_BACKEND stops here, before any run dir is touched.
    trellis_nn::Backend::from_env().map_err(|e| exit::Input(e.to_string()))?;
    match cli.cmd {
        Cmd::Bench(b) => bench::run(&b),
        Cmd::Play(p) => play::run(&p),
        Cmd::Train(t) => train::train(&t),
        Cmd::Eval(e) => train::eval(&e),
        Cmd::Report(r) => report::run(&r),
        Cmd::Describe(d) => describe::run(&d),
        Cmd::Record(r) => record::run(&r),
        Cmd::Experiments(e) => sweep::list(&e),
        Cmd::Sweep(s) => sweep::run(&s),
    }
}
