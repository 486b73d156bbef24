#!/usr/bin/env bash
# Checks that `cargo test --release` (default members) and the viewer's test
# build resolve every shared dependency with the same features, so CI compiles
# burn, rapier and their dependencies once, not twice. Prints the crates that
# differ (add their extra features to unify/Cargo.toml) and exits 1.
set -euo pipefail
cd "$(dirname "$0")/.."
target=$(rustc -vV | sed -n 's/^host: //p')
tree() { cargo tree "$@" -e normal,build,dev -f '{p} {f}' --prefix none --target "$target" | sed 's/ (\*)$//' | sort -u; }
core=$(mktemp); viz=$(mktemp); trap 'rm -f "$core" "$viz"' EXIT
tree >"$core"
tree -p trellis-viz >"$viz"
# A crate both builds compile must have, in the viewer's build, the very
# feature set(s) the core build gives it; the viewer may add variants of its
# own (host-side copies for its build scripts), which are new units anyway.
key() { awk '{f=$3; if (f=="") f="-"; print $1"@"$2" "f}' "$1" | sort -u; }
shared=$(join <(awk '{print $1"@"$2}' "$core" | sort -u) <(awk '{print $1"@"$2}' "$viz" | sort -u))
missing=$(comm -23 <(key "$core") <(key "$viz") | awk '{print $1}' | sort -u | join - <(echo "$shared") || true)
if [ -n "$missing" ]; then
    echo "these crates are built with other features for the viewer than for the core crates:"
    for c in $missing; do
        echo "  $c"
        echo "    core: $(awk -v c="$c" '$1"@"$2==c {print ($3==""?"-":$3)}' "$core" | paste -sd' ')"
        echo "    viz:  $(awk -v c="$c" '$1"@"$2==c {print ($3==""?"-":$3)}' "$viz" | paste -sd' ')"
    done
    echo "add the viewer's extra features to unify/Cargo.toml"
    exit 1
fi
# The Python extension (built by maturin after the tests): every crate it
# compiles must have a feature set the core build already compiled.
py=$(mktemp); trap 'rm -f "$core" "$viz" "$py"' EXIT
cargo tree -p trellis-py --features extension-module -e normal,build -f '{p} {f}' --prefix none --target "$target" | sed 's/ (\*)$//' | sort -u >"$py"
shared=$(join <(awk '{print $1"@"$2}' "$core" | sort -u) <(awk '{print $1"@"$2}' "$py" | sort -u))
extra=$(comm -13 <(key "$core") <(key "$py") | awk '{print $1}' | sort -u | join - <(echo "$shared") || true)
if [ -n "$extra" ]; then
    echo "these crates are built with other features for the Python extension than for the core crates:"
    for c in $extra; do
        echo "  $c"
        echo "    core:   $(awk -v c="$c" '$1"@"$2==c {print ($3==""?"-":$3)}' "$core" | paste -sd' ')"
        echo "    python: $(awk -v c="$c" '$1"@"$2==c {print ($3==""?"-":$3)}' "$py" | paste -sd' ')"
    done
    echo "add the missing features to python/Cargo.toml (core's) or unify/Cargo.toml (python's)"
    exit 1
fi
echo "features unified: the viewer and the Python extension reuse every dependency the core crates build"
