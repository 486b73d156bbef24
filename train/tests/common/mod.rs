//! What the POET test binaries share (`poet.rs`, and `poet_stop.rs`, which
//! needs a process of its own because the stop flag is global).

use trellis_train::RunConfig;

/// [`trellis_train::open_ended::quick`]: a POET run on the `poet` world
/// small enough for seconds.
pub fn quick(teacher: &str, steps: u64) -> RunConfig {
    trellis_train::open_ended::quick(teacher, steps).expect("an open-ended teacher")
}
