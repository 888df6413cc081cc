#!/usr/bin/env bash
# One command for the performance picture (issue 6):
#   1. installs the peer databases' development packages when missing
#      (liblmdb-dev, libsqlite3-dev, librocksdb-dev),
#   2. builds libtoonstore (cargo build --release --lib) and the C harness
#      benches/compare (against include/toonstore.h and target/release),
#   3. runs ToonStore, LMDB, SQLite and RocksDB side by side on the same rows
#      in a directory on the repository's disk, and writes
#      benches/compare/results/{results.csv,compare.txt,compare.svg,summary.md,machine.txt},
#   4. runs each language binding's benchmark that exists
#      (bindings/<lang>/bench/bench.py, bench.mjs/bench.js, bench.sh; Ruby:
#      bindings/ruby/bench/bench.sh, the gem against the sqlite3 gem) with
#      TOONSTORE_BENCH_N / TOONSTORE_BENCH_ROWS = the same row count; Python uses
#      bindings/python/.venv/bin/python when it exists, and also runs
#      bindings/python/bench/bulk.py (put loop vs batch vs put_many vs py-lmdb
#      putmulti, BENCH_BULK_ROWS rows, 7 runs); Go is
#      bindings/go/bench/bench.sh (go test -bench against bbolt, -count 5).
#      C#: bindings/csharp/bench/bench.sh (Mono; runs the C harness with
#      --engines toonstore on the same row count first and prints both).
#      Node.js: bindings/node/bench/bench.sh (lmdb-js and better-sqlite3@12,
#      installed into bindings/node/bench/node_modules; TOONSTORE_BENCH_ROWS).
#
# Environment:
#   BENCH_ROWS=1000000        rows of the comparison (20000 is the quick smoke size)
#   BENCH_DIR=target/bench-data   data directory (same disk as the repository)
#   BENCH_RESULTS=benches/compare/results   where results and the chart go
#   BENCH_ENGINES=toonstore,lmdb,sqlite,rocksdb
#   BENCH_BULK_ROWS=BENCH_ROWS  rows of each run of Python's bulk-put bench
#   BENCH_ARGS="..."          extra arguments for the compare program
#   SKIP_BUILD=1 SKIP_COMPARE=1 SKIP_BINDINGS=1 SKIP_APT=1
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

ROWS="${BENCH_ROWS:-1000000}"
DATA="${BENCH_DIR:-$ROOT/target/bench-data}"
RESULTS="${BENCH_RESULTS:-$ROOT/benches/compare/results}"
ENGINES="${BENCH_ENGINES:-toonstore,lmdb,sqlite,rocksdb}"
status=0
mkdir -p "$RESULTS"

log() { printf '\n=== %s\n' "$*"; }

# ---------------------------------------------------------------- packages
ensure_packages() {
    local missing=()
    for p in liblmdb-dev libsqlite3-dev librocksdb-dev; do
        dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    log "installing ${missing[*]}"
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    # never run apt-get while another apt-get runs
    local waited=0
    while pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1; do
        [ $waited -eq 0 ] && echo "waiting for another apt-get/dpkg to finish..."
        sleep 5
        waited=$((waited + 5))
        [ $waited -gt 900 ] && { echo "apt-get still busy after 15 min" >&2; return 1; }
    done
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}"
}
[ "${SKIP_APT:-0}" = 1 ] || ensure_packages

# ---------------------------------------------------------------- build
if [ "${SKIP_BUILD:-0}" != 1 ]; then
    log "cargo build --release --lib"
    cargo build --release --lib
    log "building benches/compare"
    make -C benches/compare
fi
COMPARE="$ROOT/target/compare/compare"

# ---------------------------------------------------------------- comparison
if [ "${SKIP_COMPARE:-0}" != 1 ]; then
    mkdir -p "$RESULTS" "$DATA"
    {
        echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
        echo "command: $(env | grep -E '^(BENCH|SKIP)_' | sort | tr '\n' ' ')scripts/bench-all-bindings.sh (nice $(nice))"
        echo "compare: $COMPARE --rows $ROWS --dir $DATA --engines $ENGINES ${BENCH_ARGS:-}"
        echo "git: $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
        echo "nproc: $(nproc)"
        echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
        echo "memory: $(grep -m1 MemTotal /proc/meminfo | awk '{printf "%.1f GiB", $2/1048576}')"
        echo "kernel: $(uname -srm)"
        echo "filesystem of $DATA: $(df -T "$DATA" | awk 'NR==2 {print $2 " on " $1 " (mounted on " $7 ")"}')"
        echo "load average before the run: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "peers: lmdb $(dpkg-query -W -f='${Version}' liblmdb-dev 2>/dev/null), sqlite $(dpkg-query -W -f='${Version}' libsqlite3-dev 2>/dev/null), rocksdb $(dpkg-query -W -f='${Version}' librocksdb-dev 2>/dev/null)"
    } > "$RESULTS/machine.txt"
    cat "$RESULTS/machine.txt"

    log "compare: $ROWS rows in $DATA"
    # shellcheck disable=SC2086
    if ! "$COMPARE" --rows "$ROWS" --dir "$DATA" --engines "$ENGINES" --out "$RESULTS/results.csv" ${BENCH_ARGS:-} \
        2>&1 | tee "$RESULTS/compare.txt"; then
        echo "!!!!! compare reported failures (see $RESULTS/compare.txt)" >&2
        status=1
    fi
    if [ -s "$RESULTS/results.csv" ]; then
        python3 benches/compare/chart.py "$RESULTS/results.csv" "$RESULTS/compare.svg" \
            --markdown "$RESULTS/summary.md"
    fi
fi

# ---------------------------------------------------------------- bindings
if [ "${SKIP_BINDINGS:-0}" != 1 ]; then
    export TOONSTORE_LIB_DIR="$ROOT/target/release"
    export LD_LIBRARY_PATH="$ROOT/target/release${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
    export TOONSTORE_BENCH_ROWS="$ROWS"
    export TOONSTORE_BENCH_N="$ROWS"
    for dir in bindings/*/bench; do
        [ -d "$dir" ] || continue
        lang="$(basename "$(dirname "$dir")")"
        bdir="$(dirname "$dir")"
        cmd=()
        if [ -f "$dir/bench.py" ]; then
            py=python3
            [ -x "$bdir/.venv/bin/python" ] && py="$bdir/.venv/bin/python"
            if ! "$py" -c 'import toonstore' >/dev/null 2>&1; then
                echo "binding $lang: 'import toonstore' fails with $py; build the binding first (see $bdir/README.md); skipped" >&2
                status=1
                continue
            fi
            mkdir -p "$DATA/binding-$lang"
            cmd=("$py" "$dir/bench.py" --dir "$DATA/binding-$lang")
        elif [ -f "$dir/bench.mjs" ]; then cmd=(node "$dir/bench.mjs")
        elif [ -f "$dir/bench.js" ]; then cmd=(node "$dir/bench.js")
        elif [ -f "$dir/bench.sh" ]; then cmd=(bash "$dir/bench.sh")
        else continue
        fi
        log "binding $lang: ${cmd[*]}"
        if ! "${cmd[@]}" 2>&1 | tee "$RESULTS/binding-$lang.txt"; then
            echo "!!!!! binding benchmark $lang failed" >&2
            status=1
        fi
        # Python's bulk-put bench: put loop, batch, put_many, py-lmdb putmulti.
        if [ -f "$dir/bench.py" ] && [ -f "$dir/bulk.py" ]; then
            bulk=("$py" "$dir/bulk.py" "${BENCH_BULK_ROWS:-$ROWS}" 7)
            log "binding $lang bulk puts: ${bulk[*]}"
            if ! "${bulk[@]}" 2>&1 | tee "$RESULTS/binding-$lang-bulk.txt"; then
                echo "!!!!! binding benchmark $lang (bulk.py) failed" >&2
                status=1
            fi
        fi
    done
fi

exit $status
