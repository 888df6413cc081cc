#!/usr/bin/env bash
# The C# binding's benchmark (run by scripts/bench-all-bindings.sh; a
# benchmark, not a test): builds the assembly (build_and_test.sh with
# BUILD_ONLY=1), compiles bench/Bench.cs, runs the C harness
# (benches/compare, --engines toonstore, built when missing) on the same
# number of rows right before, so its figures come from the same run and
# load, then Bench.exe, which prints both.
#
# Environment: TOONSTORE_BENCH_ROWS (default 1000000), BENCH_RUNS (3),
# BENCH_DIR (data directory's parent, default target/bench-data),
# SKIP_BUILD=1 (reuse target/csharp), SKIP_C=1 (no C harness run).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$root/target/csharp"
rows="${TOONSTORE_BENCH_ROWS:-1000000}"
data="${BENCH_DIR:-$root/target/bench-data}/binding-csharp" # the repository's disk, as the other benchmarks

if [ "${SKIP_BUILD:-0}" != 1 ] || [ ! -f "$out/lib/ToonStore.dll" ]; then
    BUILD_ONLY=1 bash "$here/build_and_test.sh"
fi
mkdir -p "$out/bench" "$data"
mcs -nologo -langversion:experimental -warnaserror -optimize+ -r:"$out/lib/ToonStore.dll" -r:System.Core \
    -out:"$out/bench/Bench.exe" "$here/bench/Bench.cs"
cp "$out/lib/ToonStore.dll" "$out/lib/libtoonstore.so" "$out/bench/"

c_csv=""
if [ "${SKIP_C:-0}" != 1 ]; then
    if [ ! -x "$root/target/compare/compare" ]; then
        make -C "$root/benches/compare" >&2 || echo "benches/compare does not build (peer libraries missing?); no C figures" >&2
    fi
    if [ -x "$root/target/compare/compare" ]; then
        c_csv="$out/bench/c-harness.csv"
        rm -f "$c_csv"
        echo "C harness: target/compare/compare --engines toonstore --rows $rows --no-floor" >&2
        "$root/target/compare/compare" --engines toonstore --rows "$rows" --dir "$data/c" --out "$c_csv" --no-floor >&2
        rm -rf "$data/c"
    fi
fi
exec mono "$out/bench/Bench.exe" --rows "$rows" --runs "${BENCH_RUNS:-3}" --dir "$data" ${c_csv:+--c-csv "$c_csv"}
