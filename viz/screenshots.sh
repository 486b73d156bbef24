#!/usr/bin/env bash
# Renders a frame of every world to PNG without a display and checks the
# pictures (viz/tests/screenshots.rs). Installs what it needs from Debian:
# Xvfb, and Mesa's software Vulkan driver for wgpu. PNGs land in
# artifacts/screenshots/ (or $TRELLIS_SCREENSHOTS).
set -euo pipefail
cd "$(dirname "$0")/.."
need=(xvfb xauth mesa-vulkan-drivers libvulkan1 libxkbcommon-x11-0 libxcursor1 libxrandr2 libxi6 libx11-xcb1)
missing=()
for p in "${need[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
    sudo=""; [ "$(id -u)" -eq 0 ] || sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
export TRELLIS_SCREENSHOTS="${TRELLIS_SCREENSHOTS:-$PWD/artifacts/screenshots}"
# The crates only the viewer uses (Bevy, wgpu, naga, winit, fonts: ~200) are
# compiled here without optimisation, which takes a fraction of the time of
# a release build of them (the CI budget); the frames drawn are the same, and
# everything the viewer shares with the core crates (physics, networks,
# teachers) stays the release build the tests already made. A user's
# `cargo run --release -p trellis-viz` builds them fully optimised.
# TRELLIS_VIEWER_OPT=3 tests the viewer as users build it.
target=$(rustc -vV | sed -n 's/^host: //p')
crates() { cargo tree "$@" -e normal,build --prefix none -f '{p}' --target "$target" | awk '{print $1}' | sort -u; }
profile=$(mktemp --suffix .toml); trap 'rm -f "$profile"' EXIT
comm -23 <(crates -p trellis-viz) <(crates -e dev) | grep -vx trellis-viz |
    awk -v o="${TRELLIS_VIEWER_OPT:-0}" '{printf "[profile.release.package.%s]\nopt-level = %s\n", $1, o}' >"$profile"
cargo test --release --config "$profile" -p trellis-viz -- --nocapture
ls -l "$TRELLIS_SCREENSHOTS"
