#!/usr/bin/env bash
# The build matrix (issue 19), on one Linux x86-64 machine: installs what it
# needs (scripts/matrix/setup.sh), then
#   * linux-x64, linux-arm64, windows-x64: the C library packed in
#     dist/<platform>/toonstore-<version>-<platform>.tar.gz (.zip on Windows),
#     a Python wheel in dist/python/ and a Node.js addon in
#     dist/node/prebuilds/<platform>-<arch>/;
#   * the C test suite against each packed library: natively, under
#     qemu-aarch64, under wine; under the emulators also the engine's Rust
#     unit tests (cargo test --lib), counted in the platform's line;
#   * macos-x64, macos-arm64 (and windows-x64): cargo check of the crate and
#     every Rust binding crate (macOS cannot be linked or run here).
# Ends with exactly these lines (the per-test lines come before them):
#   linux-x64: N passed, M failed
#   linux-arm64: N passed, M failed
#   windows-x64: N passed, M failed
#   total: N passed, M failed
#   windows-x64: check ok      (cargo check of every Rust crate, as for macOS)
#   macos-x64: check ok
#   macos-arm64: check ok
# Exit status 0 only when every suite passed and every step succeeded.
#
# Not part of the README's test command (it takes long): run it by hand or
# through .github/workflows/matrix.yml, whose jobs call the same step
# scripts (scripts/matrix/*.sh) on native runners.
#
#   scripts/build-matrix.sh [PLATFORM...]     (default: all five)
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
. "$here/matrix/common.sh"

platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=("${ALL_PLATFORMS[@]}")

"$here/matrix/setup.sh" "${platforms[@]}" || { log "setup failed"; exit 1; }

status=0
step() {
    if ! "$@"; then
        log "FAILED: $*"
        status=1
    fi
}

results=()
macos=()
checks=()
total_p=0
total_f=0
for plat in "${platforms[@]}"; do
    case "$plat" in
        macos-*)
            line="$("$here/matrix/check-crates.sh" "$plat")" || status=1
            macos+=("$line")
            continue
            ;;
    esac
    if [ "$plat" = windows-x64 ]; then
        # The crates not built for Windows below (java native, cli).
        line="$("$here/matrix/check-crates.sh" "$plat")" || status=1
        checks+=("$line")
    fi
    step "$here/matrix/package.sh" "$plat"
    step "$here/matrix/wheel.sh" "$plat"
    step "$here/matrix/node.sh" "$plat"
    # The C suite, and on emulated platforms the engine's unit tests too;
    # the platform's line adds them up.
    parts=(test-c.sh)
    [ "$plat" = "$(host_platform)" ] || parts+=(test-rust.sh)
    pp=0
    pf=0
    for part in "${parts[@]}"; do
        out="$("$here/matrix/$part" "$plat")" || status=1
        printf '%s\n' "$out" | sed '$d'
        line="$(printf '%s\n' "$out" | tail -n 1)"
        if [[ "$line" =~ :\ ([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
            pp=$((pp + BASH_REMATCH[1]))
            pf=$((pf + BASH_REMATCH[2]))
        else
            pf=$((pf + 1))
        fi
        case "$part" in
            test-c.sh) echo "$plat C suite: ${line#*: }" ;;
            *) echo "$line" ;;
        esac
    done
    results+=("$plat: $pp passed, $pf failed")
    total_p=$((total_p + pp))
    total_f=$((total_f + pf))
done

# This machine's wheel and addon, installed and used the way users would.
if [ -d "$DIST/python" ]; then step "$here/matrix/wheel-smoke.sh"; fi
if [ -d "$DIST/node/prebuilds" ]; then step "$here/matrix/node-smoke.sh"; fi

for line in "${results[@]}"; do echo "$line"; done
[ ${#results[@]} -eq 0 ] || echo "total: $total_p passed, $total_f failed"
for line in "${checks[@]}" "${macos[@]}"; do echo "$line"; done
[ "$total_f" -eq 0 ] || status=1
exit "$status"
