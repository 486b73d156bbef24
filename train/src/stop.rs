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

/// Something to run now and then while training, that may ask for a stop:
/// the Python package's lets Python run its signal handlers (Python runs
/// them only when its own code runs, and a run's teacher may be native).
pub type Poller = Box<dyn Fn() + Send + Sync>;

static POLLER: std::sync::Mutex<Option<Poller>> = std::sync::Mutex::new(None);
static LAST_POLL: std::sync::Mutex<Option<std::time::Instant>> = std::sync::Mutex::new(None);

/// How often [`poll`] runs the poller at most.
const POLL_EVERY: std::time::Duration = std::time::Duration::from_millis(50);

/// Whether a poller is installed: the trainer's per-step [`poll`] reads only
/// this when none is (the `trellis` binary never installs one).
static POLLING: AtomicBool = AtomicBool::new(false);

/// Installs (or, with `None`, removes) the poller [`poll`] runs.
pub fn set_poller(p: Option<Poller>) {
    let mut guard = POLLER.lock().expect("not poisoned");
    POLLING.store(p.is_some(), Ordering::SeqCst);
    *guard = p;
}

/// Runs the installed poller if [`POLL_EVERY`] has passed since it last
/// ran; the trainer calls this once per step, before [`requested`].
pub fn poll() {
    if !POLLING.load(Ordering::Relaxed) {
        return;
    }
    let guard = POLLER.lock().expect("not poisoned");
    let Some(p) = guard.as_ref() else { return };
    let mut last = LAST_POLL.lock().expect("not poisoned");
    let now = std::time::Instant::now();
    if last.is_none_or(|t| now.duration_since(t) >= POLL_EVERY) {
        *last = Some(now);
        p();
    }
}
