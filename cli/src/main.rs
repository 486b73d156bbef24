//! `trellis`: the headless front door (training, evaluation, benchmarks).

mod bench;
mod play;
mod report;
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
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Print throughput numbers.
    #[command(subcommand)]
    Bench(bench::Bench),
    /// Train a student with a teacher (default: Stump Tracks, ALP-GMM, SAC).
    Train(train::Train),
    /// Re-run a run's test set from its last checkpoint.
    Eval(train::Eval),
    /// Evaluation curves of several run dirs side by side.
    Report(report::Report),
    /// Play a generated text world in the terminal.
    Play(play::Play),
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Bench(b) => bench::run(&b),
        Cmd::Play(p) => play::run(&p),
        Cmd::Train(t) => train::train(&t),
        Cmd::Eval(e) => train::eval(&e),
        Cmd::Report(r) => report::run(&r),
    }
}
