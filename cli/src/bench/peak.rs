//! The machine's best: what the yardstick of `bench students` must be, so a
//! slow kernel cannot look efficient against itself.
//!
//! - The FMA peak: independent fused multiply-adds on the widest vectors the
//!   CPU has (AVX-512, else AVX2 + FMA, else scalar), chosen at run time, on
//!   `threads` threads. No matrix product can beat it.
//! - PyTorch's (MKL or OpenBLAS) rate for the same product, when `python3`
//!   with torch is on the machine: the best library GEMM most users have.


/// Independent accumulators per thread: enough to cover the FMA latency
/// (4 cycles) on two FMA ports.
const CHAINS: usize = 12;
const ITERS: usize = 4_000_000;

/// The widest FMA the CPU runs, its name and f32 lanes.
pub fn isa() -> (&'static str, usize) {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx512f") {
            return ("AVX-512", 16);
        }
        if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
            return ("AVX2+FMA", 8);
        }
    }
    ("scalar", 1)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
unsafe fn fma_avx512(iters: usize) -> f32 {
    use std::arch::x86_64::*;
    let (a, b) = (_mm512_set1_ps(0.999_999), _mm512_set1_ps(1e-7));
    let mut acc = [_mm512_set1_ps(1.0); CHAINS];
    for _ in 0..iters {
        for x in acc.iter_mut() {
            *x = _mm512_fmadd_ps(*x, a, b);
        }
    }
    acc.iter().map(|&x| _mm512_reduce_add_ps(x)).sum()
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn fma_avx2(iters: usize) -> f32 {
    use std::arch::x86_64::*;
    let (a, b) = (_mm256_set1_ps(0.999_999), _mm256_set1_ps(1e-7));
    let mut acc = [_mm256_set1_ps(1.0); CHAINS];
    for _ in 0..iters {
        for x in acc.iter_mut() {
            *x = _mm256_fmadd_ps(*x, a, b);
        }
    }
    let mut out = [0.0f32; 8];
    let mut total = 0.0;
    for x in acc {
        // SAFETY: `out` holds 8 f32, an unaligned store's whole target.
        unsafe { _mm256_storeu_ps(out.as_mut_ptr(), x) };
        total += out.iter().sum::<f32>();
    }
    total
}

fn fma_scalar(iters: usize) -> f32 {
    let mut acc = [1.0f32; CHAINS];
    for _ in 0..iters {
        for x in acc.iter_mut() {
            *x = x.mul_add(0.999_999, 1e-7);
        }
    }
    acc.iter().sum()
}

/// One thread's FMA rate, GFLOP/s (2 FLOPs per lane per FMA), per second of
/// the thread's own CPU time: a peak is what the core does while it runs
/// this thread, so other processes sharing the core must not lower it.
fn one_thread(iters: usize) -> f64 {
    let (name, lanes) = isa();
    let t0 = super::proc::thread_cpu_seconds();
    let sink = match name {
        // SAFETY: each is called only where `isa` detected its features.
        #[cfg(target_arch = "x86_64")]
        "AVX-512" => unsafe { fma_avx512(iters) },
        #[cfg(target_arch = "x86_64")]
        "AVX2+FMA" => unsafe { fma_avx2(iters) },
        _ => fma_scalar(iters),
    };
    std::hint::black_box(sink);
    let secs = (super::proc::thread_cpu_seconds() - t0).max(1e-9);
    2.0 * (lanes * CHAINS * iters) as f64 / secs / 1e9
}

/// The FMA peak on `threads` threads, GFLOP/s: the best of three rounds.
pub fn fma_peak(threads: usize) -> f64 {
    one_thread(ITERS / 10); // warm-up (clocks, caches)
    (0..3)
        .map(|_| {
            std::thread::scope(|s| {
                let hs: Vec<_> = (0..threads.max(1)).map(|_| s.spawn(|| one_thread(ITERS))).collect();
                hs.into_iter().map(|h| h.join().expect("an FMA thread")).sum::<f64>()
            })
        })
        .fold(0.0, f64::max)
}

/// PyTorch's rate for an `m×k` by `k×n` f32 product on `threads` threads, if
/// `python3` with torch is installed (else `None`).
pub fn torch_gemm(m: usize, k: usize, n: usize, threads: usize) -> Option<f64> {
    let code = format!(
        "import time, torch\ntorch.set_num_threads({threads})\na, b = torch.rand({m}, {k}), torch.rand({k}, {n})\n\
         for _ in range(20): a @ b\nbest = 0.0\nfor _ in range(5):\n    t, r = time.perf_counter(), 0\n    \
         while r == 0 or time.perf_counter() - t < 0.2:\n        a @ b; r += 1\n    \
         best = max(best, 2 * {m} * {k} * {n} * r / (time.perf_counter() - t) / 1e9)\nprint(best)"
    );
    let python = std::env::var("TRELLIS_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = std::process::Command::new(python).args(["-c", &code]).output().ok()?;
    if !out.status.success() {
        return None;
    }
    String::from_utf8_lossy(&out.stdout).trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The peak is a rate a matrix product cannot beat: above the gemm
    /// crate's on the same thread (which a kernel-only yardstick would hide).
    #[test]
    fn the_fma_peak_is_above_any_gemm_rate() {
        // Best of five, alternating, so that other processes slowing one
        // measurement and not the other (the tests run in parallel) do not
        // decide the comparison.
        let (mut peak, mut gemm) = (0.0f64, 0.0f64);
        for _ in 0..5 {
            peak = peak.max(fma_peak(1));
            gemm = gemm.max(super::super::gemm::rate(256, 256, 256, 1));
        }
        assert!(peak > 0.0 && gemm > 0.0);
        assert!(peak > 0.9 * gemm, "FMA peak {peak:.1} vs gemm {gemm:.1} GFLOP/s ({:?})", isa());
    }
}
