#!/usr/bin/env bash
# POET's headline at small scale (not a CI test): environments POET's agents
# do well in, against the same optimiser started from scratch on each of them
# (the paper's "direct optimisation" control).
#
# For each seed: a POET run (`trellis train --teacher poet` on the `poet`
# world) for ITERS iterations; then, for every environment in its final
# active population except the flat start, a control run — the same ES from
# a fresh agent on that environment alone, for the same ITERS iterations
# (no reproduction, no transfers: every POET lineage had at most that many
# optimisation steps, so the control is not starved of iterations; it plays
# ~1/N of POET's env steps with N pairs). bench/poet/report.py then pairs
# each POET agent's final score with its control's and tests the difference.
#
#   scripts/poet-reproduction.sh OUT [SEEDS] [ITERS]      (defaults: 4 seeds, 120 iterations)
#   TEACHER=enhanced-poet for Enhanced POET; JOBS=2 runs two seeds at a time.
#
# Settings scaled to a 2-core machine (the paper's are in the teacher's and
# the student's docs): ES with 32 mirrored directions (64 episodes) and 3
# evaluation episodes a step; at most 3 active pairs; reproduction every 10
# iterations, transfers every 10; and thresholds scaled to what ES reaches in
# ~120 iterations here (the paper's 200 / [25, 340] need thousands): a pair
# reproduces at a score of -40, a child is admitted with a score in
# [-80, 230]. Run the same command again to resume: finished runs are
# skipped, cut ones continue from their last checkpoint.
set -euo pipefail
OUT=${1:?usage: scripts/poet-reproduction.sh OUT [SEEDS] [ITERS]}
SEEDS=${2:-4}
ITERS=${3:-120}
TEACHER=${TEACHER:-poet}
JOBS=${JOBS:-1}
cd "$(dirname "$0")/.."
if [[ -z "${TRELLIS:-}" ]]; then
    cargo build --release -q
    TRELLIS=$PWD/target/release/trellis
fi
mkdir -p "$OUT"
ES=(--set es.directions=32 --set es.eval_episodes=3)
POET=(--set teacher_config.max_active=3 --set teacher_config.reproduce_every=10
      --set teacher_config.transfer_every=10 --set teacher_config.repro_threshold=-40.0
      --set teacher_config.mc_low=-80.0 --set teacher_config.mc_high=230.0
      --set "teacher_config.iterations=$ITERS")
STEPS=1000000000  # the iteration limit ends the runs

# Starts or resumes one run dir.
run() {
    local dir=$1; shift
    if [[ -f $dir/summary.json ]]; then return; fi
    if [[ -f $dir/config.toml ]]; then
        "$TRELLIS" train --resume "$dir" --quiet
    else
        "$TRELLIS" train --env poet --teacher "$TEACHER" --steps $STEPS "${ES[@]}" "$@" --out "$dir" --quiet
    fi
}

one_seed() {
    local s=$1 dir=$OUT/$TEACHER-s$1
    run "$dir" --seed "$s" "${POET[@]}"
    # The final population's environments, except the start (pair 0).
    python3 - "$dir/population.json" <<'PY' | while read -r id env; do
import json, sys
pop = json.load(open(sys.argv[1]))
for p in pop["active"]:
    if p["id"] != 0:
        print(p["id"], "[" + ",".join(repr(float(x)) for x in p["env"]) + "]")
PY
        run "$OUT/control-$TEACHER-s$s-p$id" --seed "$s" --set "teacher_config.start=$env" \
            --set teacher_config.reproduce_every=1000000000 --set "teacher_config.iterations=$ITERS"
    done
}

export -f run one_seed
export TRELLIS OUT TEACHER ITERS STEPS
export ES_ARGS="${ES[*]}" POET_ARGS="${POET[*]}"
seq 0 $((SEEDS - 1)) | xargs -P "$JOBS" -I{} bash -c "ES=(\$ES_ARGS); POET=(\$POET_ARGS); one_seed {}"
echo "done: python3 bench/poet/report.py $OUT --teacher $TEACHER"
