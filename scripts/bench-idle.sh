#!/usr/bin/env bash
# What open, nearly empty databases cost (issue 21): resident memory,
# threads, bytes written and disk for 1, 20 and 500 idle databases of
# ToonStore (NORMAL and FULL), LMDB and SQLite, each in a fresh process
# (benches/compare/idle.c), 3 runs each; prints the median and the range.
#
#   scripts/bench-idle.sh                 # against target/release (built if missing)
#   IDLE_COUNTS="1 20" IDLE_RUNS=1 scripts/bench-idle.sh
#   TOONSTORE_LIBDIR=/some/dir scripts/bench-idle.sh   # another libtoonstore.so
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
COUNTS="${IDLE_COUNTS:-1 20 500}"
RUNS="${IDLE_RUNS:-3}"
ENGINES="${IDLE_ENGINES:-toonstore toonstore-full lmdb sqlite}"
BUILD="${IDLE_BUILD:-$PWD/target/compare}"
DATA="${IDLE_DATA:-$PWD/target/bench-idle-data}"
if [ -z "${TOONSTORE_LIBDIR:-}" ] && [ ! -f target/release/libtoonstore.so ]; then
  nice cargo build --release --lib --quiet
fi
make -s -C benches/compare BUILD="$BUILD" ${TOONSTORE_LIBDIR:+TOONSTORE_LIBDIR="$TOONSTORE_LIBDIR"} "$BUILD/idle"
echo "engine,databases,rss_kib,threads,written_kib,disk_kib (median of $RUNS runs [min-max])"
for n in $COUNTS; do
  for e in $ENGINES; do
    runs=()
    for _ in $(seq "$RUNS"); do
      runs+=("$("$BUILD/idle" "$e" "$n" "$DATA" 3)")
    done
    printf '%s\n' "${runs[@]}" | python3 -c '
import sys, statistics
rows = [l.strip().split(",") for l in sys.stdin if l.strip()]
out = rows[0][:2]
for col in range(2, 6):
    v = sorted(int(r[col]) for r in rows)
    out.append("%d [%d-%d]" % (statistics.median(v), v[0], v[-1]))
print(",".join(out))'
  done
done
