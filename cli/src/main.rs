//! `trellis`: the headless front door (training, evaluation, benchmarks).

mod bench;

use anyhow::Result;
use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(name = "trellis", version, about = "Automatic curriculum learning on procedurally generated worlds")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand, Debug)]
enum Cmd {
    /// Print throughput numbers.
    #[command(subcommand)]
    Bench(bench::Bench),
}

fn main() -> Result<()> {
    match Cli::parse().cmd {
        Cmd::Bench(b) => bench::run(&b),
    }
}
