//! The machine's dense f32 matrix-product rate, measured with the `gemm`
//! crate (the kernel burn's flex backend calls): the yardstick students'
//! update speeds are stated against, so numbers from machines (or moments)
//! of different speed stay comparable.

use std::time::Instant;

use gemm::Parallelism;

/// GFLOP/s of an `m×k` by `k×n` product (row-major, result overwritten) on
/// `threads` threads: the best of five ~0.2 s windows, after a warm-up.
pub fn rate(m: usize, k: usize, n: usize, threads: usize) -> f64 {
    let lhs: Vec<f32> = (0..m * k).map(|i| (i % 7) as f32 * 0.1).collect();
    let rhs: Vec<f32> = (0..k * n).map(|i| (i % 5) as f32 * 0.1).collect();
    let mut dst = vec![0.0f32; m * n];
    let par = if threads > 1 {
        Parallelism::Rayon(threads)
    } else {
        Parallelism::None
    };
    let mut product = || {
        // SAFETY: every pointer covers its whole row-major matrix (strides
        // in elements: column 1, row = number of columns), and `dst` does
        // not alias the inputs.
        unsafe {
            gemm::gemm(
                m,
                n,
                k,
                dst.as_mut_ptr(),
                1,
                n as isize,
                false,
                lhs.as_ptr(),
                1,
                k as isize,
                rhs.as_ptr(),
                1,
                n as isize,
                0.0,
                1.0,
                false,
                false,
                false,
                par,
            );
        }
    };
    product();
    let flops = 2.0 * (m * k * n) as f64;
    let mut best = 0.0f64;
    for _ in 0..5 {
        let (t0, mut reps) = (Instant::now(), 0u32);
        while reps == 0 || t0.elapsed().as_secs_f64() < 0.2 {
            product();
            reps += 1;
        }
        best = best.max(flops * reps as f64 / t0.elapsed().as_secs_f64() / 1e9);
    }
    std::hint::black_box(&dst);
    best
}
