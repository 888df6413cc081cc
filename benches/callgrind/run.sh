#!/usr/bin/env bash
# Instructions per call of toonstore_put, toonstore_get_into, toonstore_get
# (+ toonstore_free_buffer) and toonstore_iter_next, counted by callgrind
# (valgrind): stable on a noisy shared machine where timings are not. A
# benchmark, not a test. BENCHMARKS.md ("Issue 20") records a run.
#
#   benches/callgrind/run.sh [LIBDIR]    (default: target/release, built here)
#
# Installs valgrind from apt when it is missing (as root).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
libdir="${1:-}"
if ! command -v valgrind >/dev/null; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq && apt-get install -y -qq valgrind >/dev/null
  else
    echo "valgrind is missing; install it (apt-get install valgrind)" >&2
    exit 1
  fi
fi
if [ -z "$libdir" ]; then
  (cd "$root" && cargo build --release --lib --quiet)
  libdir="$root/target/release"
fi
work="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-callgrind.XXXXXX")"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/lib"
cp "$libdir/libtoonstore.so" "$work/lib/"
ln -s libtoonstore.so "$work/lib/libtoonstore.so.1"
"${CC:-gcc}" -std=c99 -O2 -g -Wall -Wextra -Werror -I"$root/include" "$here/calls.c" \
  -L"$work/lib" -ltoonstore -Wl,-rpath,"$work/lib" -o "$work/calls"

# count OP ROWS REPEATS CALLS FUNCTION...: instructions inside FUNCTION(s) / CALLS
count() {
  local op="$1" rows="$2" reps="$3" calls="$4"
  shift 4
  local toggles=()
  for f in "$@"; do toggles+=("--toggle-collect=$f"); done
  rm -rf "$work/db"
  local ir
  ir="$(valgrind --tool=callgrind --callgrind-out-file=/dev/null --collect-atstart=no "${toggles[@]}" \
    "$work/calls" "$work/db" "$op" "$rows" "$reps" 2>&1 >/dev/null | sed -n 's/.*Collected : *//p')"
  awk -v ir="$ir" -v n="$calls" -v what="$*" 'BEGIN { printf "%-48s %8.1f instructions per call\n", what, ir / n }'
}
echo "callgrind $(valgrind --version | sed 's/valgrind-//'), libtoonstore from $libdir, $(date -u '+%Y-%m-%d %H:%M UTC')"
count put 100000 0 100000 toonstore_put
count get_into 100000 200000 200000 toonstore_get_into
count get 100000 200000 200000 toonstore_get toonstore_free_buffer
count iter 100000 2 200000 toonstore_iter_next
