#!/usr/bin/env bash
# Builds the wheel, installs it in a fresh venv and runs the Python tests
# (env_checker on every world and body, the vector env, seeding, errors,
# teachers, a numpy-only training loop, teachers written in Python driving
# the native trainer and a sweep; the last needs target/release/trellis, which
# `cargo test --release` builds). No torch: its wheels are gigabytes.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
venv=${TRELLIS_VENV:-$(mktemp -d)/venv}
python3 -m venv "$venv" 2>/dev/null || {
  apt-get update -qq && apt-get install -y -qq python3-venv > /dev/null
  python3 -m venv "$venv"
}
"$venv/bin/pip" install -q --upgrade pip
"$venv/bin/pip" install -q "maturin>=1.5,<2" numpy "gymnasium>=1.0" pytest pandas
rm -rf "$root/target/wheels"
(cd "$root/python" && "$venv/bin/maturin" build --release -q -o "$root/target/wheels")
"$venv/bin/pip" install -q "$root"/target/wheels/*.whl
cd "$root/python/tests" && "$venv/bin/python" -m pytest -q
