//! A SLURM job array for a manifest: array task `k` runs shard `k/N` of the
//! sweep into one shared output dir, through the same `trellis sweep run`
//! a single machine uses (so skipping and resuming work the same way).

use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Result, bail};

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
    writeln!(s, "set -euo pipefail")?;
    writeln!(
        s,
        "# Shard k of {tasks}: finished runs are skipped and interrupted ones resume, so a requeued task continues."
    )?;
    writeln!(
        s,
        "exec {} sweep run --manifest {} --out {} --shard \"${{SLURM_ARRAY_TASK_ID}}/{tasks}\" --jobs {} --quiet",
        shell_quote(&exe.display().to_string()),
        shell_quote(&manifest.display().to_string()),
        shell_quote(&out.display().to_string()),
        o.jobs_per_task
    )?;
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
    }
}
