//! No code: this crate's Cargo.toml unifies dependency features between the
//! core crates and the viewer so each dependency is compiled once.
