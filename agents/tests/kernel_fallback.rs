//! One release binary serves every x86-64 CPU: the matrix kernels are chosen
//! at run time (AVX-512 where the CPU has it, AVX2 + FMA elsewhere), and both
//! paths train the same students.
//!
//! The test trains SAC and PPO on a fixed stream of transitions twice: here,
//! on whatever CPU runs the tests, and in a copy of this test binary run under
//! `qemu-x86_64 -cpu Haswell`, an emulated CPU without AVX-512, which forces
//! the fallback kernels. The copy must see no AVX-512, and both must end with
//! the same policies.
//!
//! It needs qemu's user-mode emulator (Debian: `qemu-user`); without it the
//! test says so and passes, unless `TRELLIS_REQUIRE_QEMU=1` (CI sets it), where
//! it fails.

use std::process::Command;

use trellis_agents::ppo::{Ppo, PpoConfig};
use trellis_agents::sac::{Sac, SacConfig};
use trellis_agents::Student;

mod common;
use common::{ACT, OBS, feed, policy};

/// Set in the emulated copy: it prints its results instead of comparing.
const PROBE: &str = "TRELLIS_KERNEL_PROBE";
const NAME: &str = "fallback_kernels_train_the_same_students";

/// The final deterministic actions on a few probe observations, per student.
/// Layers of 64 and batches of 64 are wide enough that every product runs
/// through the SIMD kernels rather than the scalar edge code.
fn train() -> Vec<f32> {
    let sac = SacConfig {
        hidden: vec![64, 64],
        batch_size: 64,
        start_steps: 64,
        buffer_size: 1000,
        train_freq: 4,
        ..SacConfig::default()
    };
    let ppo = PpoConfig {
        hidden: vec![64, 64],
        rollout: 256,
        minibatch: 64,
        epochs: 2,
        ..PpoConfig::default()
    };
    let students: Vec<Box<dyn Student>> =
        vec![Box::new(Sac::new(OBS, ACT, sac, 7)), Box::new(Ppo::new(OBS, ACT, ppo, 7))];
    let mut out = Vec::new();
    for mut s in students {
        feed(s.as_mut(), 600);
        assert!(s.updates() > 0, "{} took no gradient step", s.name());
        out.extend(policy(s.as_mut()));
    }
    out
}

fn has_avx512() -> bool {
    #[cfg(target_arch = "x86_64")]
    return std::arch::is_x86_feature_detected!("avx512f");
    #[cfg(not(target_arch = "x86_64"))]
    false
}

fn qemu() -> Option<String> {
    let candidate = std::env::var("TRELLIS_QEMU").unwrap_or_else(|_| "qemu-x86_64".into());
    let found = Command::new(&candidate).arg("--version").output().is_ok_and(|o| o.status.success());
    found.then_some(candidate)
}

#[test]
fn fallback_kernels_train_the_same_students() {
    let here = train();
    if std::env::var_os(PROBE).is_some() {
        // The emulated copy: report and stop.
        let values: Vec<String> = here.iter().map(|v| format!("{v:?}")).collect();
        println!("probe avx512={} policy={}", has_avx512(), values.join(","));
        return;
    }
    if !cfg!(target_arch = "x86_64") {
        eprintln!("not x86-64: one kernel family only, nothing to compare");
        return;
    }
    let Some(qemu) = qemu() else {
        let required = std::env::var("TRELLIS_REQUIRE_QEMU").is_ok_and(|v| v == "1");
        assert!(!required, "TRELLIS_REQUIRE_QEMU=1 but qemu-x86_64 was not found (Debian: apt-get install qemu-user)");
        eprintln!("SKIPPED: qemu-x86_64 not found (Debian: apt-get install qemu-user); the fallback kernels are untested here");
        return;
    };
    let exe = std::env::current_exe().unwrap();
    let out = Command::new(&qemu)
        .args(["-cpu", "Haswell"])
        .arg(&exe)
        .args(["--exact", NAME, "--nocapture", "--test-threads", "1"])
        .env(PROBE, "1")
        .output()
        .expect("running the test binary under qemu");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "the emulated copy failed: {}\n{stdout}\n{}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    let line = stdout
        .lines()
        .find_map(|l| l.split_once("probe ").map(|(_, rest)| rest))
        .unwrap_or_else(|| panic!("no probe line from the emulated copy:\n{stdout}"));
    assert!(
        line.starts_with("avx512=false "),
        "the emulated CPU must lack AVX-512, so the fallback kernels ran: {line}"
    );
    let there: Vec<f32> =
        line.split_once("policy=").unwrap().1.split(',').map(|v| v.parse().unwrap()).collect();
    assert_eq!(here.len(), there.len());
    let diff = here.iter().zip(&there).map(|(a, b)| (a - b).abs()).fold(0.0, f32::max);
    eprintln!(
        "host AVX-512: {}; fast and fallback kernels' policies differ by at most {diff:e}",
        has_avx512()
    );
    assert!(diff < 2e-3, "fast and fallback kernels train different students: max |Δaction| = {diff}");
}
