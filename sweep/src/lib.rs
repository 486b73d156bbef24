//! trellis-sweep: the benchmark layer. Experiments, scales and teacher
//! settings are data (`assets/benchmark/`); a sweep is planned into a
//! manifest, run on one machine (`jobs` at once, sharded, resumable) or as a
//! SLURM job array, and summarised by one report (Markdown + PNG/SVG).

#![deny(missing_docs)]

pub mod benchmark;
pub mod execute;
pub mod manifest;
pub mod plots;
pub mod report;
pub mod results;
pub mod slurm;
pub mod stats;
pub mod tally;

pub use benchmark::Benchmark;
pub use manifest::{Manifest, Selection};
