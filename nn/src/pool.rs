//! Running a student's update *on* the math thread pool rather than beside it.
//!
//! burn's flex backend splits large matrix products over rayon's global pool
//! (`RAYON_NUM_THREADS` threads, sized by `trellis train --threads`). Called
//! from a thread outside the pool, as the training loop is, every product is
//! handed to the pool's workers while the caller sleeps, and every
//! element-wise operation between the products runs on the caller while the
//! workers that just finished spin and yield looking for work: on two cores,
//! three busy threads. Entered once per update, the update's own thread *is*
//! a pool worker: a product is shared with the other workers by work
//! stealing and nothing else competes for the cores.

/// Runs `f` on a worker of rayon's global pool (on the caller's thread when
/// it already is one) and returns its result. Work inside `f` that splits
/// over rayon stays within the pool.
pub fn on_math_pool<R: Send>(f: impl FnOnce() -> R + Send) -> R {
    if rayon::current_thread_index().is_some() {
        return f();
    }
    let mut out = None;
    rayon::scope(|_| out = Some(f()));
    out.expect("the pool ran the update")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_on_a_pool_worker_and_returns_the_result() {
        assert_eq!(rayon::current_thread_index(), None);
        let (inside, value) = on_math_pool(|| (rayon::current_thread_index(), 6 * 7));
        assert!(inside.is_some(), "the closure ran on a pool worker");
        assert_eq!(value, 42);
        // Nested calls run in place, on the worker already running.
        let (outer, nested) = on_math_pool(|| {
            let here = rayon::current_thread_index();
            (here, on_math_pool(rayon::current_thread_index))
        });
        assert_eq!(outer, nested);
    }
}
