#!/usr/bin/env bash
# Disk faults on a real file system: a run on a small tmpfs fills it (ENOSPC),
# must stop with one clear line and exit code 4 and resume once the tmpfs
# grows; a run dir remounted read-only must be refused with exit code 4 and
# resume once writable again. Needs root (mount); without it, says so and
# skips. CI runs it after the tests (.ci/run).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=${TRELLIS:-$root/target/release/trellis}
[ -x "$bin" ] || (cd "$root" && cargo build --release --quiet)
mnt=$(mktemp -d)
if ! mount -t tmpfs -o size=2m tmpfs "$mnt" 2>/dev/null; then
  echo "fault-injection: SKIPPED (cannot mount a tmpfs here: needs root)"
  exit 0
fi
trap 'umount "$mnt" 2>/dev/null || true; rmdir "$mnt"' EXIT
fail() { echo "fault-injection: FAIL: $*"; exit 1; }
cat > "$mnt/../run-$$.toml" <<'EOF'
student = "sac"
envs = 2
eval_every = 1000000
test_episodes = 2
checkpoint_every = 400
dump_every = 400
[sac]
hidden = [16, 16]
batch_size = 32
start_steps = 200
buffer_size = 100000
EOF
cfg="$mnt/../run-$$.toml"
run="$mnt/run"

# 1. The disk fills up: the checkpoint grows with the replay buffer.
set +e
"$bin" train --quiet --config "$cfg" --out "$run" --steps 1000000 2> "$mnt/../err-$$"
code=$?
set -e
err=$(cat "$mnt/../err-$$")
[ $code -eq 4 ] || fail "full disk: exit code $code, want 4: $err"
[ "$(grep -c '^error' <<< "$err")" -eq 1 ] || fail "full disk: not one error line: $err"
grep -q "No space left on device" <<< "$err" || fail "full disk: no ENOSPC in: $err"
grep -q -- "--resume" <<< "$err" || fail "full disk: does not say how to go on: $err"
echo "full disk: $(grep '^error' <<< "$err")"

# 2. Room again: the run resumes from its last checkpoint.
mount -o remount,size=64m "$mnt"
"$bin" train --quiet --resume "$run" --steps 6000 > /dev/null || fail "resume after a full disk"

# 3. Read-only: refused with exit code 4, nothing changed.
before=$(md5sum "$run"/eval.csv "$run"/episodes.csv "$run"/checkpoint.bin)
mount -o remount,ro "$mnt"
set +e
err=$("$bin" train --quiet --resume "$run" --steps 8000 2>&1 >/dev/null)
code=$?
set -e
[ $code -eq 4 ] || fail "read-only: exit code $code, want 4: $err"
grep -q "is not writable: Read-only file system" <<< "$err" || fail "read-only: no EROFS in: $err"
echo "read-only: $(grep '^error' <<< "$err")"
mount -o remount,rw "$mnt"
[ "$before" = "$(md5sum "$run"/eval.csv "$run"/episodes.csv "$run"/checkpoint.bin)" ] || fail "read-only: files changed"
"$bin" train --quiet --resume "$run" --steps 8000 > /dev/null || fail "resume after read-only"

# The logs are whole and in order after all that.
awk -F, 'NR > 1 { if (NF != 7) { print "torn row " NR; exit 1 } if ($1 < last) { print "out of order at " NR; exit 1 } last = $1 }' "$run/episodes.csv" \
  || fail "episodes.csv"
rm -f "$cfg" "$mnt/../err-$$"
echo "fault-injection: OK"
