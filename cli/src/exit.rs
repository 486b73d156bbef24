//! How `trellis` ends: one line per error, an exit code that says whose
//! move it is.
//!
//! A researcher's script (or a SLURM array) reads the exit code, a person
//! reads the line. So errors print as one line, `error: ` then the chain of
//! causes joined by `: ` (multi-line messages such as TOML's are folded),
//! with no backtrace even when RUST_BACKTRACE is set; `--debug` (or
//! TRELLIS_DEBUG=1) prints the full chain and a backtrace instead. A panic is
//! a bug in trellis, not the user's input, and says so.

use std::process::ExitCode;

use trellis_train::TrainError;

/// Exit codes (README, RELIABILITY).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Code {
    /// Something failed that is neither bad input nor I/O (e.g. runs of a sweep failed).
    Failure = 1,
    /// Bad input: flags, config fields, task vectors, input files (clap's usage errors are 2 too).
    BadInput = 2,
    /// The run dir is held by another trellis process: try again later.
    Busy = trellis_train::EXIT_BUSY as isize,
    /// A file could not be read or written (disk full, read-only, permissions): fix and `--resume`.
    Io = 4,
    /// A checkpoint or data file is damaged (checksum, truncation).
    Corrupt = 5,
    /// A bug in trellis (a panic).
    Internal = 70,
    /// Stopped on request (SIGTERM, SIGINT, SIGUSR1) after checkpointing:
    /// `--resume` continues it (sysexits' EX_TEMPFAIL: try again later).
    Stopped = trellis_train::EXIT_STOPPED as isize,
}

/// Bad input found by the command line itself (not by a library).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Input(pub String);

/// Is debugging output asked for (flag or environment)?
pub fn debug_requested(flag: bool) -> bool {
    flag || std::env::var("TRELLIS_DEBUG").is_ok_and(|v| !v.is_empty() && v != "0")
}

/// A panic prints one line naming it a bug (and where), unless debugging.
pub fn install_panic_hook(debug: bool) {
    if debug {
        // Everything, whatever RUST_BACKTRACE says.
        std::panic::set_hook(Box::new(|info| {
            eprintln!("internal error: {info}\n{}", std::backtrace::Backtrace::force_capture());
        }));
        return;
    }
    std::panic::set_hook(Box::new(|info| {
        let msg = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic".into());
        let at = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!(
            "internal error (a bug in trellis; please report it): {}{at}; rerun with --debug for a backtrace",
            fold(&msg)
        );
    }));
}

/// One line from a possibly multi-line message: blank lines and source
/// snippets' gutters (`  |`, `^^^`) dropped, the rest joined by "; ".
pub fn fold(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|') && !l.starts_with('^'))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The exit code for an error: the first cause trellis knows decides.
pub fn classify(e: &anyhow::Error) -> Code {
    for cause in e.chain() {
        if let Some(t) = cause.downcast_ref::<TrainError>() {
            return match t {
                TrainError::Config(_) | TrainError::Task(_) | TrainError::Teacher(_) | TrainError::NeedsPython(_) => {
                    Code::BadInput
                }
                TrainError::Io(_) => Code::Io,
                TrainError::Busy(_) => Code::Busy,
                TrainError::Nn(_) => Code::Corrupt,
                TrainError::Stopped(_) => Code::Stopped,
            };
        }
        if cause.is::<Input>()
            || cause.is::<trellis_core::TaskError>()
            || cause.is::<trellis_teachers::TeacherError>()
            || cause.is::<trellis_envs::registry::RegistryError>()
            || cause.is::<trellis_envs::terrain::cppn::CppnError>()
            || cause.is::<toml::de::Error>()
            || cause.is::<serde_json::Error>()
        {
            return Code::BadInput;
        }
        if cause.is::<trellis_nn::NnError>() {
            return Code::Corrupt;
        }
        if let Some(io) = cause.downcast_ref::<std::io::Error>() {
            // A path the user named that does not exist is their input.
            return if io.kind() == std::io::ErrorKind::NotFound { Code::BadInput } else { Code::Io };
        }
    }
    Code::Failure
}

/// Prints `e` (one line, or everything when debugging) and returns its code.
pub fn report(e: &anyhow::Error, debug: bool) -> ExitCode {
    if classify(e) == Code::Stopped {
        // Not an error: the run did what it was asked.
        eprintln!("{}", fold(&format!("{e:#}")));
    } else if debug {
        eprintln!("error: {e:?}");
    } else {
        eprintln!("error: {}", fold(&format!("{e:#}")));
    }
    ExitCode::from(classify(e) as u8)
}
