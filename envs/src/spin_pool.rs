//! A tiny fork-join pool for lock-step simulation: `run(f)` calls `f(k)` for
//! every thread index `k` (the caller is thread 0) and returns when all are done.
//!
//! Why not rayon: a vectorised env step is a short burst (~10–200 µs) repeated
//! millions of times. Rayon's idle workers fall asleep within tens of
//! microseconds, and waking one costs ~45 µs here, which capped 2-thread
//! scaling at ~1.4×. These workers spin for a while after each burst (the
//! next one usually follows at once) and only then park, so a training loop
//! that pauses to learn does not keep a core busy.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering::SeqCst};
use std::sync::{Arc, Condvar, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

/// How long an idle worker busy-waits, then yields, before parking.
const SPIN: Duration = Duration::from_micros(300);
const YIELD: Duration = Duration::from_millis(2);

type Job = dyn Fn(usize) + Sync;

struct Shared {
    epoch: AtomicU64,
    pending: AtomicUsize,
    /// The current job; only read by workers between an epoch bump and their
    /// `pending` decrement, while `run` keeps the closure alive.
    job: Mutex<Option<&'static Job>>,
    panicked: AtomicBool,
    shutdown: AtomicBool,
    sleeping: AtomicUsize,
    park: Mutex<()>,
    wake: Condvar,
}

/// A fork-join pool of spinning worker threads: VecEnv's steps are
/// microseconds long, too short to park and wake threads for.
pub struct SpinPool {
    shared: Arc<Shared>,
    handles: Vec<JoinHandle<()>>,
}

impl SpinPool {
    /// A pool of `threads` (≥ 1) including the caller: `threads - 1` are spawned.
    pub fn new(threads: usize) -> Self {
        let shared = Arc::new(Shared {
            epoch: AtomicU64::new(0),
            pending: AtomicUsize::new(0),
            job: Mutex::new(None),
            panicked: AtomicBool::new(false),
            shutdown: AtomicBool::new(false),
            sleeping: AtomicUsize::new(0),
            park: Mutex::new(()),
            wake: Condvar::new(),
        });
        let handles = (1..threads.max(1))
            .map(|k| {
                let s = shared.clone();
                std::thread::Builder::new()
                    .name(format!("trellis-env-{k}"))
                    .spawn(move || worker(&s, k))
                    .expect("spawning an env worker thread")
            })
            .collect();
        Self { shared, handles }
    }

    /// Threads working, the caller's included.
    pub fn threads(&self) -> usize {
        self.handles.len() + 1
    }

    /// Calls `f(k)` once for each thread index `k`, in parallel; the caller runs `f(0)`.
    /// A panic in any call is re-raised here after all calls have finished.
    pub fn run<'a>(&self, f: &'a (dyn Fn(usize) + Sync + 'a)) {
        if self.handles.is_empty() {
            return f(0);
        }
        let s = &self.shared;
        // SAFETY: the 'static lifetime is a lie told only to the workers: they
        // use the job strictly before decrementing `pending`, and this
        // function does not return (nor unwind) until `pending` is zero, so
        // the closure outlives every use.
        let job: &'static Job =
            unsafe { std::mem::transmute::<&'a (dyn Fn(usize) + Sync + 'a), &'static Job>(f) };
        *s.job.lock().expect("job slot") = Some(job);
        s.pending.store(self.handles.len(), SeqCst);
        s.epoch.fetch_add(1, SeqCst);
        if s.sleeping.load(SeqCst) > 0 {
            let _g = s.park.lock().expect("park lock");
            s.wake.notify_all();
        }
        let mine = catch_unwind(AssertUnwindSafe(|| f(0)));
        let start = Instant::now();
        while s.pending.load(SeqCst) > 0 {
            if start.elapsed() < SPIN {
                std::hint::spin_loop();
            } else {
                std::thread::yield_now();
            }
        }
        *s.job.lock().expect("job slot") = None;
        if let Err(p) = mine {
            std::panic::resume_unwind(p);
        }
        if s.panicked.swap(false, SeqCst) {
            panic!("an env worker thread panicked");
        }
    }
}

fn worker(s: &Shared, k: usize) {
    let mut seen = 0;
    loop {
        let idle = Instant::now();
        loop {
            if s.shutdown.load(SeqCst) {
                return;
            }
            let e = s.epoch.load(SeqCst);
            if e != seen {
                seen = e;
                break;
            }
            let waited = idle.elapsed();
            if waited < SPIN {
                std::hint::spin_loop();
            } else if waited < YIELD {
                std::thread::yield_now();
            } else {
                let g = s.park.lock().expect("park lock");
                s.sleeping.fetch_add(1, SeqCst);
                if s.epoch.load(SeqCst) == seen && !s.shutdown.load(SeqCst) {
                    let _ = s.wake.wait_timeout(g, Duration::from_millis(50));
                }
                s.sleeping.fetch_sub(1, SeqCst);
            }
        }
        let job = (*s.job.lock().expect("job slot")).expect("a job is set while pending > 0");
        if catch_unwind(AssertUnwindSafe(|| job(k))).is_err() {
            s.panicked.store(true, SeqCst);
        }
        s.pending.fetch_sub(1, SeqCst);
    }
}

impl Drop for SpinPool {
    fn drop(&mut self) {
        self.shared.shutdown.store(true, SeqCst);
        {
            let _g = self.shared.park.lock().expect("park lock");
            self.shared.wake.notify_all();
        }
        for h in self.handles.drain(..) {
            let _ = h.join();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_index_runs_once_per_call() {
        let pool = SpinPool::new(3);
        let hits: Vec<AtomicUsize> = (0..3).map(|_| AtomicUsize::new(0)).collect();
        for _ in 0..1000 {
            pool.run(&|k| {
                hits[k].fetch_add(1, SeqCst);
            });
        }
        assert!(hits.iter().all(|h| h.load(SeqCst) == 1000));
        // After a long pause the parked workers still wake up.
        std::thread::sleep(Duration::from_millis(20));
        pool.run(&|k| {
            hits[k].fetch_add(1, SeqCst);
        });
        assert!(hits.iter().all(|h| h.load(SeqCst) == 1001));
    }

    #[test]
    fn a_worker_panic_reaches_the_caller() {
        let pool = SpinPool::new(2);
        let r = catch_unwind(AssertUnwindSafe(|| pool.run(&|k| assert!(k != 1, "boom"))));
        assert!(r.is_err());
        pool.run(&|_| {}); // the pool survives
    }
}
