#!/usr/bin/env bash
# Runs the engine's Rust unit tests (`cargo test --lib`) for one platform on
# this machine: natively, under qemu-aarch64 (linux-arm64 on an x86-64
# host) or under wine (windows-x64 on Linux). Prints cargo's per-test lines
# and, last, exactly `<platform> rust unit tests: N passed, M failed`.
#
#   scripts/matrix/test-rust.sh PLATFORM
set -uo pipefail
. "$(dirname "$0")/common.sh"

plat="$1"
target="$(rust_target "$plat")"
host="$(host_platform)"
work="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-matrix-rust.XXXXXX")"
trap 'rm -rf "$work"' EXIT

if [ "$plat" != "$host" ]; then
    case "$plat" in
        linux-arm64)
            export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_RUNNER="qemu-aarch64 -L /usr/aarch64-linux-gnu"
            ;;
        windows-x64)
            # The same Wine set-up as test-c.sh, the bcryptprimitives
            # stand-in found through WINEPATH.
            x86_64-w64-mingw32-gcc -shared -O2 -o "$work/bcryptprimitives.dll" \
                "$ROOT/scripts/matrix/wine-bcryptprimitives.c" -lbcrypt || exit 1
            export WINEPREFIX="${WINEPREFIX:-$ROOT/target/matrix/wineprefix}" WINEDEBUG=-all
            export WINEPATH="$(winepath -w "$work" 2>/dev/null || echo "Z:${work//\//\\}")"
            export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$(command -v wine64 || echo /usr/lib/wine/wine64)"
            ;;
    esac
fi
log "$plat: cargo test --lib --target $target"
(cd "$ROOT" && nice -n 10 cargo test --lib --target "$target" -- --test-threads 2) >"$work/out.txt" 2>&1
grep -E '^test .* \.\.\. ' "$work/out.txt" | grep -v ' ok$' || true
p=0
f=0
found=0
while read -r line; do
    if [[ "$line" =~ ([0-9]+)\ passed\;\ ([0-9]+)\ failed ]]; then
        p=$((p + BASH_REMATCH[1]))
        f=$((f + BASH_REMATCH[2]))
        found=1
    fi
done < <(grep -E '^test result:' "$work/out.txt")
if [ "$found" = 0 ]; then
    tail -n 30 "$work/out.txt" >&2
    f=1
fi
echo "$plat rust unit tests: $p passed, $f failed"
[ "$f" -eq 0 ] && [ "$p" -gt 0 ]
