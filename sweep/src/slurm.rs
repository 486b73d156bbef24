//! A SLURM job array for a manifest: array task `k` runs shard `k/N` of the
//! sweep into one shared output dir, through the same `trellis sweep run`
//! a single machine uses (so skipping and resuming work the same way).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};

/// Seconds before the time limit at which SLURM signals a task: enough for
/// a run to reach its next episode end and checkpoint (SAC with
/// TeachMyAgent's settings: a 2000-step episode at ~150 steps/s is ~13 s, a
/// checkpoint with a 2M-transition replay buffer a few seconds more).
pub const STOP_LEAD_SECONDS: u32 = 120;
/// How often a stopped array task is requeued before it is left to a resubmission.
pub const MAX_REQUEUES: u32 = 20;

/// What goes into the `#SBATCH` lines.
#[derive(Clone, Debug)]
pub struct SlurmOptions {
    /// Array tasks (shards); at most the number of runs.
    pub tasks: usize,
    /// Runs each array task trains at once.
    pub jobs_per_task: usize,
    /// CPUs per array task.
    pub cpus_per_task: usize,
    /// `--time` (e.g. `2-00:00:00`).
    pub time: String,
    /// `--partition`, if any.
    pub partition: Option<String>,
    /// Array tasks running at once (`%M`), if capped.
    pub max_concurrent: Option<usize>,
    /// Memory per CPU in MB, if set.
    pub mem_per_cpu_mb: Option<u64>,
}

/// The batch script for `manifest` (absolute path) writing into `out`
/// (absolute, shared by all nodes) with the `trellis` binary `exe`.
pub fn script(
    manifest: &Path,
    out: &Path,
    exe: &Path,
    runs: usize,
    o: &SlurmOptions,
) -> Result<String> {
    if o.tasks == 0 || runs == 0 {
        bail!(
            "a SLURM array needs at least one task and one run (tasks {}, runs {runs})",
            o.tasks
        );
    }
    if o.cpus_per_task == 0 || o.jobs_per_task == 0 {
        bail!("`cpus_per_task` and `jobs_per_task` must be at least 1");
    }
    let tasks = o.tasks.min(runs);
    let mut s = String::from("#!/bin/bash\n");
    writeln!(s, "#SBATCH --job-name=trellis-sweep")?;
    let cap = o.max_concurrent.map_or(String::new(), |m| format!("%{m}"));
    writeln!(s, "#SBATCH --array=0-{}{cap}", tasks - 1)?;
    writeln!(s, "#SBATCH --ntasks=1")?;
    writeln!(s, "#SBATCH --cpus-per-task={}", o.cpus_per_task)?;
    writeln!(s, "#SBATCH --time={}", o.time)?;
    if let Some(p) = &o.partition {
        writeln!(s, "#SBATCH --partition={p}")?;
    }
    if let Some(m) = o.mem_per_cpu_mb {
        writeln!(s, "#SBATCH --mem-per-cpu={m}")?;
    }
    writeln!(s, "#SBATCH --output={}/slurm/%A_%a.out", out.display())?;
    writeln!(s, "#SBATCH --error={}/slurm/%A_%a.err", out.display())?;
    // SIGTERM to this batch shell STOP_LEAD_SECONDS before the time limit,
    // requeue allowed (preemption), logs of a requeued task appended.
    writeln!(s, "#SBATCH --signal=B:TERM@{STOP_LEAD_SECONDS}")?;
    writeln!(s, "#SBATCH --requeue")?;
    writeln!(s, "#SBATCH --open-mode=append")?;
    writeln!(s, "set -uo pipefail")?;
    writeln!(
        s,
        "# Shard k of {tasks}: finished runs are skipped and interrupted ones resume, so a requeued task continues."
    )?;
    writeln!(
        s,
        "{} sweep run --manifest {} --out {} --shard \"${{SLURM_ARRAY_TASK_ID}}/{tasks}\" --jobs {} --quiet &",
        shell_quote(&exe.display().to_string()),
        shell_quote(&manifest.display().to_string()),
        shell_quote(&out.display().to_string()),
        o.jobs_per_task
    )?;
    s.push_str(&format!(
        r#"sweep=$!
# The signal before the time limit (or a preemption's) is passed on to the
# sweep: its runs checkpoint and it exits {stopped} (stopped, resumable).
trap 'kill -TERM "$sweep" 2>/dev/null' TERM INT USR1
code=0; wait "$sweep" || code=$?
while kill -0 "$sweep" 2>/dev/null; do code=0; wait "$sweep" || code=$?; done
# Exit codes: 0 done, 1 runs failed (logs in OUT/logs), 2 bad input, 3 busy,
# 4 I/O (fix, resubmit), 5 damaged data, {stopped} stopped: requeued, at most {max} times.
if [ "$code" -eq {stopped} ] && [ "${{SLURM_RESTART_COUNT:-0}}" -lt {max} ]; then
  scontrol requeue "${{SLURM_ARRAY_JOB_ID}}_${{SLURM_ARRAY_TASK_ID}}"
fi
exit "$code"
"#,
        stopped = crate::execute::STOPPED_EXIT,
        max = MAX_REQUEUES
    ));
    Ok(s)
}

/// Single-quotes a word for bash.
fn shell_quote(w: &str) -> String {
    format!("'{}'", w.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_array_covers_every_shard_and_caps_concurrency() {
        let o = SlurmOptions {
            tasks: 8,
            jobs_per_task: 2,
            cpus_per_task: 4,
            time: "01:00:00".into(),
            partition: Some("cpu".into()),
            max_concurrent: Some(3),
            mem_per_cpu_mb: None,
        };
        let s = script(
            Path::new("/s/m.json"),
            Path::new("/s/out"),
            Path::new("/bin/trellis"),
            5,
            &o,
        )
        .unwrap();
        assert!(s.contains("#SBATCH --array=0-4%3"), "{s}");
        assert!(s.contains("--shard \"${SLURM_ARRAY_TASK_ID}/5\""), "{s}");
        assert!(s.contains("#SBATCH --partition=cpu") && s.contains("--cpus-per-task=4"));
        assert!(script(Path::new("/m"), Path::new("/o"), Path::new("/t"), 0, &o).is_err());
        assert!(s.contains("#SBATCH --signal=B:TERM@120") && s.contains("#SBATCH --requeue"), "{s}");
    }

    /// The batch script itself, run by bash with stand-ins for trellis and
    /// scontrol: the signal SLURM sends the batch shell reaches the sweep,
    /// whose exit 75 (stopped) requeues the task; a finished sweep does not.
    #[test]
    fn a_signalled_task_passes_the_signal_on_and_requeues_itself() {
        let dir = std::env::temp_dir().join(format!("trellis-slurm-script-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let stub = |name: &str, body: &str| {
            let p = dir.join(name);
            std::fs::write(&p, format!("#!/bin/bash\n{body}\n")).unwrap();
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
            p
        };
        // A sweep that stops (75) when signalled, or finishes after 20 s.
        let exe = stub(
            "trellis",
            &format!("trap 'echo got-term >> {0}/log; exit 75' TERM\nfor i in $(seq 200); do sleep 0.1; done\nexit 0", dir.display()),
        );
        stub("scontrol", &format!("echo \"scontrol $*\" >> {}/log", dir.display()));
        let o = SlurmOptions {
            tasks: 1,
            jobs_per_task: 1,
            cpus_per_task: 1,
            time: "1:00".into(),
            partition: None,
            max_concurrent: None,
            mem_per_cpu_mb: None,
        };
        let text = script(Path::new("/m.json"), &dir, &exe, 1, &o).unwrap();
        std::fs::write(dir.join("array.sh"), text).unwrap();
        let mut task = std::process::Command::new("bash")
            .arg(dir.join("array.sh"))
            .env("PATH", format!("{}:{}", dir.display(), std::env::var("PATH").unwrap_or_default()))
            .env("SLURM_ARRAY_TASK_ID", "0")
            .env("SLURM_ARRAY_JOB_ID", "42")
            .spawn()
            .unwrap();
        std::thread::sleep(std::time::Duration::from_millis(700));
        let killed = std::process::Command::new("kill").args(["-TERM", &task.id().to_string()]).status().unwrap();
        assert!(killed.success());
        let status = task.wait().unwrap();
        let log = std::fs::read_to_string(dir.join("log")).unwrap_or_default();
        assert_eq!(status.code(), Some(75), "{log}");
        assert_eq!(log, "got-term\nscontrol requeue 42_0\n");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
