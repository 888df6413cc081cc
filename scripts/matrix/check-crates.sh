#!/usr/bin/env bash
# `cargo check` of the crate and every Rust binding crate (python, node,
# java native, cli) for one platform. For macOS, which cannot be linked or
# run on a Linux machine, this is what is verified here (the CI workflow
# builds and tests on macOS runners); for Windows it covers the crates the
# matrix does not build (java native, cli). Prints `<platform>: check ok`
# or `<platform>: check FAILED (<crates>)`.
#
#   scripts/matrix/check-crates.sh PLATFORM
set -uo pipefail
. "$(dirname "$0")/common.sh"

plat="$1"
target="$(rust_target "$plat")"
failed=()
crates=(. bindings/python bindings/node bindings/java/native cli)
# Windows: wheel.sh and node.sh build the python and node crates (node's
# build needs the stub node.sh makes); the check covers the others.
[ "$plat" = windows-x64 ] && crates=(. bindings/java/native cli)
for crate in "${crates[@]}"; do
    manifest="$ROOT/$crate/Cargo.toml"
    [ -f "$manifest" ] || { failed+=("$crate (missing)"); continue; }
    extra=()
    # The wheels' configuration (wheel.sh): abi3, so no macOS Python is needed.
    [ "$crate" = bindings/python ] && extra=(--features pyo3/abi3-py311)
    log "$plat: cargo check --target $target ($crate)"
    if ! nice -n 10 cargo check --quiet --target "$target" --manifest-path "$manifest" "${extra[@]}" \
        2>"$CARGO_TARGET_DIR/check-$plat.log"; then
        tail -n 20 "$CARGO_TARGET_DIR/check-$plat.log" >&2
        failed+=("$crate")
    fi
done
if [ ${#failed[@]} -eq 0 ]; then
    echo "$plat: check ok"
else
    echo "$plat: check FAILED (${failed[*]})"
    exit 1
fi
