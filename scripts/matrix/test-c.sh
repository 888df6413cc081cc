#!/usr/bin/env bash
# Runs the C test suite (tests/c: main.c, helpers.c, test_*.c) against one
# platform's packed library (dist/<platform>/..., made by package.sh), on
# this machine: natively, under qemu-aarch64 (linux-arm64 on an x86-64
# host) or under wine (windows-x64 on Linux). Prints the runner's per-test
# lines and, last, exactly `<platform>: N passed, M failed`.
#
#   scripts/matrix/test-c.sh PLATFORM
set -uo pipefail
. "$(dirname "$0")/common.sh"

plat="$1"
host="$(host_platform)"
stage="$DIST/$plat/toonstore-$VERSION-$plat"
work="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-matrix-c.XXXXXX")"
trap 'rm -rf "$work"' EXIT

summary() {
    echo "$plat: $1 passed, $2 failed"
    [ "$2" -eq 0 ] && [ "$1" -gt 0 ]
}

if [ ! -d "$stage/lib" ]; then
    log "$plat: $stage not found (run scripts/matrix/package.sh $plat first)"
    summary 0 1
    exit 1
fi

cc="$(c_compiler "$plat")"
srcs=("$ROOT"/tests/c/main.c "$ROOT"/tests/c/helpers.c "$ROOT"/tests/c/test_*.c)
cflags=(-std=c99 -Wall -Wextra -Wpedantic -Werror -g -O1 "-I$stage/include")
runner=()
case "$plat" in
    windows-*)
        exe="$work/toonstore_c_tests.exe"
        # C99 printf (%zu) from mingw's stdio; winpthreads linked statically.
        "$cc" -D__USE_MINGW_ANSI_STDIO=1 "${cflags[@]}" "${srcs[@]}" "$stage/lib/libtoonstore.dll.a" \
            -static -lpthread -o "$exe" || { summary 0 1; exit 1; }
        cp "$stage/lib/toonstore.dll" "$work/"
        if [ "$host" != "$plat" ]; then
            wine="$(command -v wine64 || echo /usr/lib/wine/wine64)"
            # Wine 8 lacks bcryptprimitives.dll, which Rust's std loads.
            x86_64-w64-mingw32-gcc -shared -O2 -o "$work/bcryptprimitives.dll" \
                "$ROOT/scripts/matrix/wine-bcryptprimitives.c" -lbcrypt || { summary 0 1; exit 1; }
            export WINEPREFIX="${WINEPREFIX:-$ROOT/target/matrix/wineprefix}" WINEDEBUG=-all
            mkdir -p "$WINEPREFIX"
            runner=("$wine")
        fi
        ;;
    *)
        exe="$work/toonstore_c_tests"
        "$cc" "${cflags[@]}" "${srcs[@]}" "-L$stage/lib" -ltoonstore -lpthread \
            "-Wl,-rpath,$stage/lib" -o "$exe" || { summary 0 1; exit 1; }
        if [ "$plat" = linux-arm64 ] && [ "$host" != linux-arm64 ]; then
            runner=(qemu-aarch64 -L /usr/aarch64-linux-gnu)
            # The lock test starts a child process of the suite: under the emulator too.
            export TOONSTORE_TEST_RUNNER="${runner[*]}"
        fi
        ;;
esac

log "$plat: running the C suite${runner:+ under ${runner[*]}}"
rc=0
(cd "$work" && timeout 900 "${runner[@]}" "$exe") >"$work/out.txt" 2>"$work/err.txt" || rc=$?
grep -E '^(ok|FAIL|  )' "$work/out.txt" || true
last="$(tr -d '\r' <"$work/out.txt" | tail -n 1)"
if [[ "$last" =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed$ ]]; then
    p="${BASH_REMATCH[1]}"
    f="${BASH_REMATCH[2]}"
    [ "$rc" -eq 0 ] || [ "$f" -gt 0 ] || f=1
else
    tail -n 20 "$work/err.txt" >&2
    p=0
    f=1
fi
summary "$p" "$f"
