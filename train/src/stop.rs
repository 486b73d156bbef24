//! Graceful stop. A cluster sends SIGTERM (or the signal of `sbatch
//! --signal`) some time before it kills a job; a person presses Ctrl-C. Either
//! way the work since the last checkpoint should not be lost: the CLI turns
//! the signal into a request here, and the trainer, at its next consistent
//! point (the next step that ends every env instance's episode, as a
//! scheduled checkpoint), checkpoints and returns [`crate::TrainError::Stopped`].
//! A resumed run then ends with exactly the results of an uninterrupted one.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, LazyLock};

static FLAG: LazyLock<Arc<AtomicBool>> = LazyLock::new(|| Arc::new(AtomicBool::new(false)));

/// The flag a signal handler sets (`signal_hook::flag::register` takes it).
pub fn flag() -> Arc<AtomicBool> {
    FLAG.clone()
}

/// Asks the running training loop to checkpoint and stop.
pub fn request() {
    FLAG.store(true, Ordering::SeqCst);
}

/// Has a stop been asked for?
pub fn requested() -> bool {
    FLAG.load(Ordering::SeqCst)
}

/// Withdraws a request (a process that trains several runs in turn, such
/// as a Python session, starts each with no stop pending).
pub fn clear() {
    FLAG.store(false, Ordering::SeqCst);
}
