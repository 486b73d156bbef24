#!/usr/bin/env bash
# Long learning runs (not a CI test): SAC and PPO with TeachMyAgent's
# settings (the students' defaults: 400/300 networks; SAC batch 1000, one
# update per 10 steps; PPO 20k-step rollouts, 5 epochs) on Stump Tracks
# (height [0, 3], spacing [0, 6]) under the Random teacher, evaluated on the
# reference's 100-task test grid. The two runs go side by side, one core
# each; run it again with the same OUT to resume both (or to extend them
# with larger budgets). Writes OUT/curves-{mastered,return}.{png,svg} (% mastered and mean
# test return over env steps) and prints the curves.
#
#   scripts/learning-curves.sh OUT [SAC_STEPS] [PPO_STEPS] [TEACHER]
#   scripts/learning-curves.sh runs/curves 20000000 20000000   # the reference budget
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:?usage: scripts/learning-curves.sh OUT [SAC_STEPS] [PPO_STEPS] [TEACHER]}
sac_steps=${2:-1000000}
ppo_steps=${3:-10000000}
teacher=${4:-random}
trellis=${TRELLIS:-target/release/trellis}
[ -x "$trellis" ] || cargo build --release -p trellis
mkdir -p "$out"

train() { # student steps eval_every
    local dir="$out/$1"
    if [ -f "$dir/checkpoint.bin" ]; then
        "$trellis" train --resume "$dir" --steps "$2" --quiet
    else
        "$trellis" train --env stump-tracks --teacher "$teacher" --student "$1" --steps "$2" \
            --threads 1 --seed 0 --set eval_every="$3" --set checkpoint_every="$3" --out "$dir" --quiet
    fi
}
train sac "$sac_steps" 50000 > "$out/sac.log" 2>&1 &
sac=$!
train ppo "$ppo_steps" 200000 > "$out/ppo.log" 2>&1 &
ppo=$!
trap 'kill $sac $ppo 2>/dev/null || true' INT TERM
status=0
wait $sac || { echo "SAC run failed: see $out/sac.log" >&2; status=1; }
wait $ppo || { echo "PPO run failed: see $out/ppo.log" >&2; status=1; }
"$trellis" report "$out/sac" "$out/ppo" --plot "$out/curves"
exit $status
