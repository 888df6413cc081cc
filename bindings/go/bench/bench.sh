#!/usr/bin/env bash
# The Go binding's benchmark against bbolt (run by scripts/bench-all-bindings.sh,
# or on its own): go test -bench in this module (bench_test.go), every
# workload -count times, then the median, min and max of each sub-benchmark
# (summary.py). A benchmark, not a test: the figures go to BENCHMARKS.md.
#
# Environment: GO_BENCH_COUNT (default 5), GO_BENCHTIME (default 1s),
# GO_BENCH (regexp, default .), TOONSTORE_BENCH_ROWS (rows preloaded for Get
# and Scan, default 100000, at most 1000000), TOONSTORE_GO_PREFIX,
# SKIP_LIB_BUILD=1. Needs the module proxy once to fetch bbolt (go.sum pins it).
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
PREFIX=${TOONSTORE_GO_PREFIX:-$ROOT/target/go-prefix}
# shellcheck source=../env.sh
. "$HERE/../env.sh"
go_tools
[ "${SKIP_LIB_BUILD:-0}" = 1 ] || go_build_lib
go_use_lib

cd "$HERE"
OUT=$(mktemp "${TMPDIR:-/tmp}/toonstore-go-bench.XXXXXX")
trap 'rm -f "$OUT"' EXIT
echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "git: $(git -C "$ROOT" rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "go: $(go env GOVERSION); bbolt $(go list -m -f '{{.Version}}' go.etcd.io/bbolt)"
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'); load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "rows preloaded for Get/Scan: ${TOONSTORE_BENCH_ROWS:-100000} (capped at 1000000)"
cmd=(go test -run '^$' -bench "${GO_BENCH:-.}" -benchmem -count "${GO_BENCH_COUNT:-5}" -benchtime "${GO_BENCHTIME:-1s}" .)
echo "command: (cd bindings/go/bench && ${cmd[*]})"
"${cmd[@]}" | tee "$OUT"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
python3 "$HERE/summary.py" "$OUT"
