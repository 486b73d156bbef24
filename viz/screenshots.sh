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
cargo test --release -p trellis-viz -- --nocapture
ls -l "$TRELLIS_SCREENSHOTS"
