#!/usr/bin/env bash
# Soak: train for MINUTES (default 30) while sampling the process's resident
# memory and open files every INTERVAL seconds (default 5), then say whether
# memory levelled off.
#
#   scripts/soak.sh OUT_DIR [MINUTES] [INTERVAL]
#
# The run is sized so that every bounded buffer reaches its bound early: a
# 50k-transition replay buffer (full after ~1 min), checkpoints, teacher dumps
# and test-set evaluations every few minutes, ALP-GMM's history growing by one
# task per episode. What should stay flat after the first minutes: RSS and the
# number of open files. OUT_DIR/soak.csv holds the samples (seconds, step,
# rss_mib, open_files); the summary compares the RSS of the second half with
# the first and exits non-zero when it still grows (> 10% from the half-way
# sample to the end) or when open files grow.
set -euo pipefail
out=${1:?usage: scripts/soak.sh OUT_DIR [MINUTES] [INTERVAL]}
minutes=${2:-30}
interval=${3:-5}
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TRELLIS:-$root/target/release/trellis}
[ -x "$bin" ] || (cd "$root" && cargo build --release --quiet)
rm -rf "$out" && mkdir -p "$out"
cat > "$out/run.toml" <<'EOF'
steps = 1000000000
student = "sac"
envs = 2
threads = 1
eval_every = 200000
test_episodes = 20
checkpoint_every = 100000
dump_every = 50000
[sac]
hidden = [64, 64]
batch_size = 128
buffer_size = 50000
EOF
"$bin" train --quiet --config "$out/run.toml" --out "$out/run" > "$out/train.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
echo "seconds,step,rss_mib,open_files" > "$out/soak.csv"
end=$((SECONDS + minutes * 60))
start=$SECONDS
while [ $SECONDS -lt $end ]; do
  kill -0 $pid 2>/dev/null || { echo "training exited early:"; tail -5 "$out/train.log"; exit 1; }
  rss=$(awk '/VmRSS/ {printf "%.1f", $2 / 1024}' /proc/$pid/status)
  fds=$(ls /proc/$pid/fd | wc -l)
  step=$(tail -n 1 "$out/run/episodes.csv" 2>/dev/null | cut -d, -f1)
  echo "$((SECONDS - start)),${step:-0},$rss,$fds" >> "$out/soak.csv"
  sleep "$interval"
done
kill $pid; wait $pid 2>/dev/null || true
trap - EXIT
# Summary: RSS every tenth of the run, growth over the second half.
awk -F, 'NR > 1 { t[NR] = $1; s[NR] = $2; r[NR] = $3; f[NR] = $4; n = NR }
END {
  printf "%8s %12s %9s %6s\n", "seconds", "step", "rss_mib", "files"
  for (k = 1; k <= 10; k++) { i = 2 + int((n - 2) * k / 10); printf "%8d %12d %9.1f %6d\n", t[i], s[i], r[i], f[i] }
  h = 2 + int((n - 2) / 2)
  growth = (r[n] - r[h]) / r[h]
  fmin = f[h]; fmax = f[h]; for (i = h; i <= n; i++) { if (f[i] < fmin) fmin = f[i]; if (f[i] > fmax) fmax = f[i] }
  printf "RSS %.1f MiB at half time, %.1f MiB at the end (%+.1f%%); open files %d..%d over the second half\n", r[h], r[n], 100 * growth, fmin, fmax
  if (growth > 0.10 || fmax > fmin + 2) { print "FAIL: still growing"; exit 1 }
  print "OK: levelled off"
}' "$out/soak.csv" | tee "$out/summary.txt"
