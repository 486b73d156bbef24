#!/usr/bin/env bash
# The SLURM path against a real SLURM, not a mock: installs Debian's
# slurm-wlm and munge, writes a one-node slurm.conf for this machine
# (proctrack/linuxproc, no cgroups, no accounting), starts munged, slurmctld
# and slurmd, submits the job-array script `trellis sweep slurm` writes for a
# smoke sweep, waits for it, and checks that the report contains every run;
# then preempts a task of a second array of the same sweep (the time limit's
# SIGTERM to the batch script) and checks that it requeues itself, resumes
# and ends with the uninterrupted sweep's results.
# Stops every daemon it started, whatever happens. Needs root (CI is).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
trellis="$root/target/release/trellis"
[ -x "$trellis" ] || cargo build --release -p trellis
work=$(mktemp -d /tmp/trellis-slurm.XXXXXX)
conf_dir=/etc/slurm

need=(slurm-wlm munge)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

started=()
cleanup() {
    set +e
    for d in "${started[@]}"; do
        case $d in
            slurmd) pkill -x slurmd ;;
            slurmctld) pkill -x slurmctld ;;
            munged) pkill -x munged ;;
        esac
    done
    for _ in $(seq 20); do pgrep -x munged >/dev/null || pgrep -x slurmd >/dev/null || pgrep -x slurmctld >/dev/null || break; sleep 0.5; done
    rm -rf "$work"
}
trap cleanup EXIT

# munge: a key and a running daemon (as the munge user, as it insists).
if ! pgrep -x munged >/dev/null; then
    [ -s /etc/munge/munge.key ] || {
        if command -v mungekey >/dev/null; then mungekey --create --force; else
            dd if=/dev/urandom bs=1 count=1024 of=/etc/munge/munge.key 2>/dev/null; fi
    }
    chown munge:munge /etc/munge/munge.key && chmod 400 /etc/munge/munge.key
    mkdir -p /run/munge /var/lib/munge /var/log/munge
    chown munge:munge /run/munge /var/lib/munge /var/log/munge
    runuser -u munge -- /usr/sbin/munged
    started+=(munged)
fi
# munged daemonises before its socket answers: wait until a credential
# round-trips (up to 20 s).
for i in $(seq 40); do
    munge -n 2>/dev/null | unmunge >/dev/null 2>&1 && break
    [ "$i" -eq 40 ] && { echo "munged does not answer" >&2; exit 1; }
    sleep 0.5
done

host=$(hostname -s)
node=$(slurmd -C | head -n 1 | sed "s/^NodeName=[^ ]*/NodeName=$host NodeAddr=127.0.0.1/")
mkdir -p "$conf_dir" /var/lib/slurm/slurmctld /var/lib/slurm/slurmd /var/log/slurm
cat > "$conf_dir/slurm.conf" <<EOF
ClusterName=trellis-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
ReturnToService=2
MpiDefault=none
StateSaveLocation=/var/lib/slurm/slurmctld
SlurmdSpoolDir=/var/lib/slurm/slurmd
SlurmctldPidFile=/run/slurmctld.pid
SlurmdPidFile=/run/slurmd.pid
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
$node State=UNKNOWN
PartitionName=ci Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
# Our config, our daemons: stop any left from an earlier run first.
pkill -x slurmd || true
pkill -x slurmctld || true
sleep 1
started+=(slurmctld slurmd)
slurmctld -i
slurmd
for _ in $(seq 60); do
    state=$(sinfo -h -n "$host" -o %T 2>/dev/null || true)
    case $state in idle*|mix*|alloc*) break ;; esac
    scontrol update nodename="$host" state=resume >/dev/null 2>&1 || true
    sleep 1
done
sinfo

# A smoke sweep: two experiments, three teachers (one needs expert
# knowledge, so a cell is n/a at level "no"), one seed.
"$trellis" sweep plan --scale smoke --experiments stump-trivial,parkour-fish \
    --teachers random,alp-gmm,adr --out "$work/manifest.json"
runs=$(python3 -c "import json,sys; print(len(json.load(open(sys.argv[1]))['runs']))" "$work/manifest.json")
"$trellis" sweep slurm --manifest "$work/manifest.json" --out "$work/sweep" --script "$work/array.sh" \
    --tasks 3 --cpus-per-task 1 --time 00:30:00 --partition ci --max-concurrent 2
grep -q "#SBATCH --array=0-2%2" "$work/array.sh"
# Two tasks start at the same moment and adopt the same sweep dir (the race
# that once made one fail); on any failure show what the tasks printed.
if ! sbatch --wait "$work/array.sh"; then
    echo "slurm test: an array task failed" >&2
    tail -n 20 "$work/sweep"/slurm/*.err >&2 || true
    exit 1
fi
sacct_state=$(squeue -h | wc -l)
[ "$sacct_state" -eq 0 ] || { echo "jobs still queued"; squeue; exit 1; }

"$trellis" report "$work/sweep"
report="$work/sweep/report/report.md"
finished=$(find "$work/sweep/runs" -name summary.json | wc -l)
echo "SLURM array: $finished of $runs runs finished"
[ "$finished" -eq "$runs" ] || { cat "$work/sweep"/slurm/*.err || true; exit 1; }
grep -q "None: every planned run finished." "$report"
for t in random alp-gmm adr; do grep -q "| $t |\| $t |" "$report" || grep -q " $t " "$report"; done
grep -q "stump-trivial/no" "$report" && grep -q "parkour-fish/low" "$report"
grep -q "n/a" "$report"
echo "slurm test: passed ($runs runs through a $((runs < 3 ? runs : 3))-task job array)"

# Preemption: the same manifest again, its whole-file writes slowed (fault
# injection) so the runs last. Once a task runs, its batch script gets
# SIGTERM, as `--signal=B:TERM@120` delivers it before a time limit: the
# sweep's runs checkpoint, the task exits 75 and requeues itself, and the
# requeued task resumes them.
"$trellis" sweep slurm --manifest "$work/manifest.json" --out "$work/sweep2" --script "$work/array2.sh" \
    --tasks 3 --cpus-per-task 1 --time 00:30:00 --partition ci --max-concurrent 2
job=$(TRELLIS_FAULT_SLOW_WRITES_MS=400 sbatch --parsable "$work/array2.sh")
task=""
for _ in $(seq 300); do
    task=$(squeue -h -j "$job" -t R -o %i | head -n 1)
    [ -n "$task" ] && [ -n "$(find "$work/sweep2/runs" -name episodes.csv 2>/dev/null | head -n 1)" ] && break
    task=""; sleep 0.2
done
[ -n "$task" ] || { echo "slurm test: no task of array $job started a run" >&2; exit 1; }
scancel --signal=TERM --batch "$task"
for _ in $(seq 600); do [ -z "$(squeue -h -j "$job")" ] && break; sleep 1; done
[ -z "$(squeue -h -j "$job")" ] || { echo "slurm test: array $job still queued" >&2; squeue; exit 1; }
restarts=$(scontrol show job "$task" | grep -o 'Restarts=[0-9]*' | cut -d= -f2)
[ "${restarts:-0}" -ge 1 ] || { echo "slurm test: task $task was not requeued" >&2; scontrol show job "$task"; cat "$work/sweep2"/slurm/*.err || true; exit 1; }
finished2=$(find "$work/sweep2/runs" -name summary.json | wc -l)
[ "$finished2" -eq "$runs" ] || { echo "slurm test: $finished2 of $runs runs finished after the preemption" >&2; exit 1; }
# The same evaluations as the uninterrupted sweep (wall-clock columns aside).
for f in $(cd "$work/sweep" && find runs -name eval.csv); do
    diff <(cut -d, -f1-5 "$work/sweep/$f") <(cut -d, -f1-5 "$work/sweep2/$f") ||
        { echo "slurm test: $f differs after the preemption" >&2; exit 1; }
done
resumed=$(find "$work/sweep2/runs" -name checkpoint.bin -exec grep -aoE '"resumes":[1-9]' {} + | wc -l)
echo "slurm test: preempted task $task stopped, requeued itself ($restarts restart) and resumed ($resumed runs continued from a checkpoint); results equal the uninterrupted sweep's"

