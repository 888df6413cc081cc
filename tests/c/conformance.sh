#!/usr/bin/env bash
# Builds and runs the C conformance runner (tests/c/conformance.c) against
# target/release/libtoonstore.so, over the vectors of
# $TOONSTORE_CONFORMANCE_DIR (default: tests/conformance). Called by
# scripts/conformance.sh; runs on its own too. With --lang cpp it does the
# same for the C++ runner (tests/cpp/conformance.cpp, over toonstore.hpp);
# with --lang hold_lock it builds tests/conformance/hold_lock.c and prints its
# path (scripts/conformance.sh exports it as TOONSTORE_CONFORMANCE_HOLD_LOCK).
#
# Needs cJSON (Debian libcjson-dev): installed here when missing and this
# runs as root (else the apt-get command to run is printed).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
lang=c
if [ "${1:-}" = "--lang" ]; then lang=$2; shift 2; fi
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
export TOONSTORE_CONFORMANCE_DIR="${TOONSTORE_CONFORMANCE_DIR:-$root/tests/conformance}"
out="$root/target/conformance"
mkdir -p "$out"

if [ ! -f /usr/include/cjson/cJSON.h ]; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        echo "conformance: installing libcjson-dev" >&2
        export DEBIAN_FRONTEND=noninteractive
        apt-get install -y -qq libcjson-dev >/dev/null 2>&1 ||
            { apt-get update -qq && apt-get install -y -qq libcjson-dev >/dev/null; }
    else
        echo "conformance: cJSON is missing; run: sudo apt-get install -y libcjson-dev" >&2
        exit 1
    fi
fi

# The library of the rust suite; cargo only checks it when it is fresh (in
# CI), and rebuilds it when the sources moved on.
lib="$root/target/release/libtoonstore.so"
(cd "$root" && nice -n 10 cargo build --release --lib --quiet)

# A private copy of the library (a concurrent cargo build cannot swap it under
# a running runner) with the SONAME link the dynamic loader looks for.
libdir="$out/lib"
if [ ! -f "$libdir/libtoonstore.so" ] || [ "$lib" -nt "$libdir/libtoonstore.so" ]; then
    mkdir -p "$libdir"
    cp "$lib" "$libdir/libtoonstore.so.tmp"
    mv -f "$libdir/libtoonstore.so.tmp" "$libdir/libtoonstore.so"
    ln -sf libtoonstore.so "$libdir/libtoonstore.so.1"
fi
lib="$libdir/libtoonstore.so"

link=(-I"$root/include" -L"$libdir" -ltoonstore -Wl,-rpath,"$libdir" -lcjson)
if [ "$lang" = hold_lock ]; then
    src="$root/tests/conformance/hold_lock.c"
    bin="$out/hold_lock"
    build=(gcc -std=c11 -O1 -Wall -Wextra -Werror "$src" -o "$bin" -I"$root/include" -L"$libdir" -ltoonstore -Wl,-rpath,"$libdir")
elif [ "$lang" = c ]; then
    src="$root/tests/c/conformance.c"
    bin="$out/conformance-c"
    build=(gcc -std=c11 -O1 -Wall -Wextra -Wshadow -Werror "$src" -o "$bin" "${link[@]}" -lm)
else
    src="$root/tests/cpp/conformance.cpp"
    bin="$out/conformance-cpp"
    build=(g++ -std=c++17 -O1 -Wall -Wextra -Wshadow -Werror "$src" -o "$bin" "${link[@]}")
fi
if [ ! -x "$bin" ] || [ "$src" -nt "$bin" ] || [ "$lib" -nt "$bin" ] ||
   [ "$root/include/toonstore.h" -nt "$bin" ] || [ "$root/include/toonstore.hpp" -nt "$bin" ]; then
    nice -n 10 "${build[@]}"
fi
if [ "$lang" = hold_lock ]; then
    echo "$bin"
    exit 0
fi
exec "$bin" "$@"
