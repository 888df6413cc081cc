#!/usr/bin/env bash
# Builds the Python wheel of one platform into dist/python/ with maturin:
# one abi3 wheel per platform serving CPython 3.11 and later (the binding
# uses the buffer protocol, in the stable ABI only from 3.11, so no abi3
# wheel can serve 3.9 and 3.10). Linux wheels get maturin's manylinux check
# (manylinux_2_34: the glibc symbol versions it needs are checked); the
# Windows wheel links python3.dll through an import library pyo3 generates.
#
#   scripts/matrix/wheel.sh PLATFORM
set -euo pipefail
. "$(dirname "$0")/common.sh"

plat="$1"
target="$(rust_target "$plat")"
venv="$ROOT/.tools/matrix-venv"
maturin="$venv/bin/maturin"
[ -x "$maturin" ] || maturin="$venv/Scripts/maturin.exe"
features="pyo3/abi3-py311"
case "$plat" in
    windows-*) features="$features,pyo3/generate-import-lib" ;;
esac
# The glibc a Linux wheel may require: Debian 12's toolchains link against
# glibc 2.36 and the wheel uses symbols up to 2.34 (maturin's check fails
# the build above that). Older glibc needs a manylinux container or zig.
MANYLINUX="${TOONSTORE_MANYLINUX:-2_34}"
compat=()
case "$plat" in
    linux-*) compat=(--compatibility "manylinux_$MANYLINUX" --auditwheel check) ;;
esac
mkdir -p "$DIST/python"
log "$plat: maturin build --target $target ($features)"
(cd "$ROOT/bindings/python" && nice -n 10 "$maturin" build --release --quiet --target "$target" \
    --features "$features" "${compat[@]}" --out "$DIST/python")
