#!/usr/bin/env bash
# JMH benchmark of the Java binding against lmdbjava and sqlite-jdbc on the
# same rows (put, put in batches of 1000, random get, scan), one thread.
# Run by scripts/bench-all-bindings.sh; alone:
#
#   bash bindings/java/bench/bench.sh            # 1,000,000 rows
#   TOONSTORE_BENCH_N=200000 bash bindings/java/bench/bench.sh
#
# Installs io.toonstore:toonstore into ~/.m2 (tests skipped: the `java`
# suite runs them), builds target/benchmarks.jar, and prints JMH's output
# and a table: median [min-max] of 5 measured iterations per phase and
# engine, the ratio to the best peer and the floors (get >= 2 M/s, put >= 1 M/s).
#
# Then a plain-loop probe (CpuProbe, no JMH) prints wall-clock and CPU-time
# rates of the calling thread for JAVA_BENCH_PROBE (default toonstore,lmdb;
# empty to skip): on a loaded machine the CPU-time rate is what to hold
# against the floors.
#
# Environment: TOONSTORE_BENCH_N (rows), JAVA_BENCH_DIR (data directory,
# default target/bench-data/binding-java on the repository's disk),
# JAVA_BENCH_ARGS (extra arguments, e.g. "--only get --engines toonstore,lmdb"),
# JAVA_BENCH_PROBE.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../.." && pwd)"
rows="${TOONSTORE_BENCH_N:-1000000}"
data="${JAVA_BENCH_DIR:-$root/target/bench-data/binding-java}"
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"

mvn -q -B -ntp -f "$here/.." install -DskipTests
mvn -q -B -ntp -f "$here" package
mkdir -p "$data"
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); git: $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?');" \
    "java: $(java -version 2>&1 | head -1); nproc: $(nproc); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
# shellcheck disable=SC2086
java -jar "$here/target/benchmarks.jar" --rows "$rows" --dir "$data" ${JAVA_BENCH_ARGS:-}
probe="${JAVA_BENCH_PROBE-toonstore,lmdb}"
if [ -n "$probe" ]; then
    echo "probe: $(date -u '+%H:%M:%S UTC'), load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    java -Xms2g -Xmx4g --add-opens=java.base/java.nio=ALL-UNNAMED --add-opens=java.base/sun.nio.ch=ALL-UNNAMED \
        -jar "$here/target/benchmarks.jar" --rows "$rows" --dir "$data" --probe "$probe"
fi
