//! Writing files so that a crash never leaves half of one behind.

use std::fs::{self, File};
use std::io::Write;
use std::path::Path;

/// Writes `bytes` to `path` atomically: to a temporary file beside it, synced,
/// then renamed over it. The temporary name is unique per process and call,
/// so concurrent writers (SLURM array tasks adopting one sweep directory,
/// students of one classroom) never rename each other's half-written file.
/// On error the temporary file is removed and `path` is untouched.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let n = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let name = path
        .file_name()
        .map_or_else(|| "file".into(), |s| s.to_string_lossy().into_owned());
    let tmp = path.with_file_name(format!(".{name}.{}.{n}.tmp", std::process::id()));
    let written = File::create(&tmp).and_then(|mut f| {
        let (head, tail) = bytes.split_at(bytes.len() / 2);
        f.write_all(head)?;
        if let Some(pause) = slow_writes() {
            f.flush()?;
            std::thread::sleep(pause);
        }
        f.write_all(tail)?;
        f.sync_all()
    });
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    fs::rename(&tmp, path).inspect_err(|_| {
        let _ = fs::remove_file(&tmp);
    })
}

/// Fault injection: with `TRELLIS_FAULT_SLOW_WRITES_MS=N` set, every atomic
/// write pauses N ms half-way, so that a test killing the process at random
/// moments often lands in the middle of a checkpoint write. Unset, this is
/// one cached environment lookup.
fn slow_writes() -> Option<std::time::Duration> {
    static PAUSE: std::sync::OnceLock<Option<std::time::Duration>> = std::sync::OnceLock::new();
    *PAUSE.get_or_init(|| {
        std::env::var("TRELLIS_FAULT_SLOW_WRITES_MS")
            .ok()
            .and_then(|v| v.parse().ok())
            .map(std::time::Duration::from_millis)
    })
}

/// Is `name` a temporary file [`write_atomic`] left behind (its process was
/// killed between creating and renaming it)?
pub fn is_stale_temporary(name: &str) -> bool {
    name.starts_with('.') && name.ends_with(".tmp")
}
