#!/usr/bin/env bash
# Learning parity (not a CI test): a learner family (PPO or SAC) with
# TeachMyAgent's settings, learner × engine, 2 × 2, under the Random teacher on
# Stump Tracks, with seeds:
#
#   trellis-trellis  trellis's student on trellis's world (`trellis train`, native)
#   torch-trellis    the reference on trellis's world through the Python package
#   trellis-box2d    trellis's student (trellis.Student) on TeachMyAgent's Box2D
#   torch-box2d      the reference on TeachMyAgent's Box2D
#   ppo2-trellis     (PPO only) trellis's PPO configured as ppo2 (tanh trunk,
#                    orthogonal init, global-norm clipping) on trellis's world:
#                    the same network choices as the reference, so a gap
#                    between it and torch-trellis is the implementation's
#
# The PPO reference is bench/parity/ppo_torch.py (a PyTorch PPO configured as
# TeachMyAgent's ppo2 runs); the SAC reference is TeachMyAgent's own PyTorch
# SAC, run from the checkout by bench/parity/sac_tma.py (resumable at every
# evaluation through the original's own restore hook).
#
# Every cell plays the same test set (the 10×10 grid over the bounds) with the
# same protocol (one episode per task, mastered above 230) every EVAL steps,
# acting as TeachMyAgent tests the family: PPO with actions sampled from the
# policy, SAC with its mean (EVAL_POLICY=mean or sample overrides it for PPO).
# An OUT is evaluated one way: a second call with another EVAL_POLICY is
# refused (an OUT from before the setting was evaluated on the mean).
# Runs go seed by seed across the cells (seed 0 of every cell, then seed 1, ...)
# JOBS at a time, one core each; run the same command again to resume (finished
# runs are skipped, cut ones continue from their last evaluation, a larger
# BUDGET extends finished ones). Then
# bench/parity/report.py writes OUT/STAGE/parity.{md,png}: Welch's t-tests
# against the reference cell on the final evaluation (% mastered and test
# return) and the area under the curve, with Hedges' g.
#
#   TMA=/path/to/TeachMyAgent scripts/learning-parity.sh OUT [STAGE] [BUDGET] [SEEDS] [EVAL]
#   STAGE: flat (stump height 0, spacing [0, 6]; default) or full ([0, 3] × [0, 6])
#   defaults: flat 1500000 steps, 5 seeds, evaluation every 250000 steps
#   CELLS="trellis-trellis torch-trellis" limits the cells; JOBS=2 by default.
#   SEED=N runs seed N alone (of every cell in CELLS) and skips the report: one
#   task of a cluster job array, each task a seed, every task the same OUT on a
#   shared disk (the venv is made once, under a lock); run report.py on OUT (or
#   RECORD) when the array is done. A task cut by its time limit resumes when
#   submitted again. E.g. on SLURM, 5 seeds of the reference-scale PPO 2 × 2:
#     sbatch --array=0-4 --cpus-per-task=5 --time=2-0 --wrap \
#       'SEED=$SLURM_ARRAY_TASK_ID JOBS=5 TMA=... scripts/learning-parity.sh OUT full 20000000 5 500000'
#   FAMILY=sac runs SAC instead (results in OUT/STAGE-sac; EVAL need not be a
#   multiple of 20000 there).
#   RECORD=DIR keeps the curves across machines: a seed whose DIR/<cell>/s<seed>/eval.csv
#   already reaches BUDGET is not run again, each seed that finishes copies its
#   eval.csv there (and its training episodes as episodes.csv.gz, for what the
#   test curve does not show: when a learner first stands, say), and the report
#   is drawn from DIR (every recorded seed, also those run on other machines).
#   A cut seed still resumes only from OUT.
#
# Needs python3 with venv, and TMA: a checkout of flowersteam/TeachMyAgent
# (its Box2D worlds are imported from there, unmodified; nothing of it is
# copied here). The venv (OUT/.venv: torch, numpy, scipy, matplotlib, gym 0.26,
# box2d, gymnasium, maturin and trellis's own wheel) is made on the first call.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=${1:?usage: TMA=PATH scripts/learning-parity.sh OUT [STAGE] [BUDGET] [SEEDS] [EVAL]}
stage=${2:-flat}
budget=${3:-1500000}
seeds=${4:-5}
every=${5:-250000}
jobs=${JOBS:-2}
family=${FAMILY:-ppo}
policy=${EVAL_POLICY:-$([ "$family" = ppo ] && echo sample || echo mean)}
cells=${CELLS:-trellis-trellis torch-trellis trellis-box2d torch-box2d}
[ "${FAMILY:-ppo}" = ppo ] && [ -z "${CELLS:-}" ] && cells="$cells ppo2-trellis"
case $stage in
  flat) bounds=0,0,0,6 ;;
  full) bounds=0,3,0,6 ;;
  *) echo "STAGE = $stage: expected flat or full" >&2; exit 2 ;;
esac
[[ $budget =~ ^[0-9]+$ && $seeds =~ ^[0-9]+$ && $every =~ ^[0-9]+$ ]] ||
  { echo "BUDGET, SEEDS and EVAL must be whole numbers (got $budget, $seeds, $every)" >&2; exit 2; }
only=${SEED:-}
[ -z "$only" ] || { [[ $only =~ ^[0-9]+$ ]] && (( only < seeds )); } ||
  { echo "SEED = $only: expected one of the seeds 0..$((seeds - 1))" >&2; exit 2; }
case $family in
  ppo) (( every % 20000 == 0 )) || { echo "EVAL = $every must be a multiple of PPO's 20000-step rollout" >&2; exit 2; } ;;
  sac) (( budget % every == 0 )) || { echo "BUDGET = $budget must be a multiple of EVAL = $every for SAC" >&2; exit 2; } ;;
  *) echo "FAMILY = $family: expected ppo or sac" >&2; exit 2 ;;
esac
case $policy in
  mean) ;;
  sample) [ "$family" = ppo ] || { echo "EVAL_POLICY = sample: only for FAMILY=ppo (TeachMyAgent's SAC is tested on its mean)" >&2; exit 2; } ;;
  *) echo "EVAL_POLICY = $policy: expected mean or sample" >&2; exit 2 ;;
esac
if [[ $cells == *box2d* || $family == sac ]]; then
  [[ -d ${TMA:-}/TeachMyAgent ]] ||
    { echo "TMA = '${TMA:-}' is not a TeachMyAgent checkout (set TMA, or CELLS without the box2d cells)" >&2; exit 2; }
fi
mkdir -p "$out/$stage"
out=$(cd "$out" && pwd)
dir=$out/$stage
[ "$family" = ppo ] || dir=$out/$stage-$family
log=$dir/logs
mkdir -p "$log"
# One evaluation protocol per OUT (a dir from before the setting was mean).
was=$(cat "$dir/eval_policy" 2>/dev/null || { compgen -G "$dir/*/s[0-9]*" > /dev/null && echo mean; } || echo "$policy")
[ "$was" = "$policy" ] || { echo "$dir was evaluated with EVAL_POLICY=$was; use another OUT for $policy" >&2; exit 2; }
echo "$policy" > "$dir/eval_policy"
[ -z "${RECORD:-}" ] || { mkdir -p "$RECORD" && echo "$policy" > "$RECORD/eval_policy"; }

# The tools: trellis's binary, a venv with the reference's dependencies and trellis's wheel.
trellis=${TRELLIS:-$root/target/release/trellis}
[ -x "$trellis" ] || (cd "$root" && cargo build --release -p trellis)
venv=${PARITY_VENV:-$out/.venv}
py=$venv/bin/python
ready() { [ -x "$py" ] && "$py" -c "import torch, scipy, matplotlib, Box2D, gym, trellis" 2>/dev/null; }
if ! ready; then
  # Under a lock: the tasks of an array may all start here at once.
  exec 9> "$venv.lock"
  flock 9
  if ! ready; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install -q torch numpy scipy matplotlib "gym==0.26.2" box2d "gymnasium>=1.0" "maturin>=1.5,<2"
    (cd "$root/python" && "$venv/bin/maturin" build --release -q -o "$out/wheels")
    "$venv/bin/pip" install -q --force-reinstall --no-deps "$out"/wheels/*.whl
  fi
  exec 9>&-
fi

# The test set: the 10×10 grid over the bounds, as trellis and TeachMyAgent build it.
# Written aside and renamed: a run starting in another task never reads half a file.
"$py" - "$bounds" "$dir/test_set.json.$$" <<'PY'
import json, sys
hl, hh, sl, sh = (float(x) for x in sys.argv[1].split(","))
json.dump([[hl + (hh - hl) * (i // 10) / 9, sl + (sh - sl) * (i % 10) / 9] for i in range(100)], open(sys.argv[2], "w"))
PY
mv "$dir/test_set.json.$$" "$dir/test_set.json"

run() { # cell seed
  local cell=$1 s=$2 d=$dir/$1/s$2
  local learner=${cell%-*} engine=${cell#*-}
  local extra=()
  [ "$cell" = ppo2-trellis ] && extra=(--set 'ppo.activation="tanh"' --set 'ppo.init="orthogonal"' --set ppo.global_grad_clip=true)
  if [ "$cell" = trellis-trellis ] || [ "$cell" = ppo2-trellis ]; then
    if [ -f "$d/checkpoint.bin" ]; then # a finished run returns at once; a larger budget extends it
      "$trellis" train --resume "$d" --steps "$budget" --quiet
    else
      rm -rf "$d"
      "$trellis" train --env stump-tracks --teacher random --student "$family" --envs 1 --threads 1 \
        --seed "$s" --steps "$budget" --set eval_every="$every" --set checkpoint_every="$every" \
        --set "bounds.stump_height=[${bounds%%,*},$(cut -d, -f2 <<<"$bounds")]" \
        --set test_set=\""$dir/test_set.json"\" --set eval_policy=\""$policy"\" "${extra[@]}" --out "$d" --quiet
    fi
  elif [ "$family" = sac ] && [ "$learner" = torch ]; then
    OMP_NUM_THREADS=1 "$py" "$root/bench/parity/sac_tma.py" --engine "$engine" --tma "${TMA:-}" \
      --bounds "$bounds" --test-set "$dir/test_set.json" --steps "$budget" --eval-every "$every" \
      --seed "$s" --out "$d"
  else
    OMP_NUM_THREADS=1 "$py" "$root/bench/parity/run.py" --learner "$learner" --engine "$engine" --family "$family" \
      --tma "${TMA:-}" --bounds "$bounds" --test-set "$dir/test_set.json" --steps "$budget" \
      --eval-every "$every" --seed "$s" --eval-policy "$policy" --out "$d"
  fi
}

record=${RECORD:-}
[ -z "$record" ] || { mkdir -p "$record" && record=$(cd "$record" && pwd); }
recorded() { # cell seed: the recorded curve reaches the budget
  local f=$record/$1/s$2/eval.csv last
  [ -n "$record" ] && [ -f "$f" ] || return 1
  last=$(tail -n 1 "$f" | cut -d, -f1) # "step" when only the header is there
  [[ $last =~ ^[0-9]+$ ]] && (( last >= budget ))
}
keep() { # cell seed: copy a finished seed's curve (and its training episodes, gzipped) into the record
  [ -z "$record" ] && return 0
  local from=$dir/$1/s$2 to=$record/$1/s$2
  mkdir -p "$to" && cp "$from/eval.csv" "$to/eval.csv" &&
    { [ ! -f "$from/episodes.csv" ] || gzip -9n < "$from/episodes.csv" > "$to/episodes.csv.gz"; }
}

status=0
for ((s = 0; s < seeds; s++)); do
  [ -z "$only" ] || (( s == only )) || continue
  for cell in $cells; do
    if recorded "$cell" "$s"; then echo "[parity] $stage $cell seed $s: recorded"; continue; fi
    while (( $(jobs -rp | wc -l) >= jobs )); do wait -n || status=1; done
    # Each run under a lock: a second call on the same OUT (another shell, an
    # overlapping array task) leaves a run that is going alone rather than
    # starting it again in the same dir.
    {
      flock -n 9 || { echo "[parity] $stage $cell seed $s: running in another process; left to it"; exit 0; }
      echo "[parity] $stage $cell seed $s"
      { run "$cell" "$s" > "$log/$cell-s$s.log" 2>&1 && keep "$cell" "$s"; } ||
        { echo "[parity] $cell seed $s failed: $log/$cell-s$s.log" >&2; exit 1; }
    } 9> "$log/$cell-s$s.lock" &
  done
done
while (( $(jobs -rp | wc -l) > 0 )); do wait -n || status=1; done
if [ -n "$only" ]; then
  echo "[parity] seed $only done; when every task is: $py $root/bench/parity/report.py ${record:-$dir} --family $family"
else
  "$py" "$root/bench/parity/report.py" "${record:-$dir}" --family "$family" || status=1
fi
exit $status
