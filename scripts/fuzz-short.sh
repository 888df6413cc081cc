#!/usr/bin/env bash
# Runs each cargo-fuzz target of fuzz/ for N seconds (default 60), one after
# the other (never two fuzzers at once), starting from the committed corpus
# in fuzz/corpus/<target>/. Fails when any target finds a crash, a panic, a
# timeout (a hang) or an out-of-memory; the reproducer is left in
# fuzz/artifacts/<target>/.
#
#   scripts/fuzz-short.sh [seconds] [target...]
#
# Installs the pinned cargo-fuzz into the project's .tools/cargo when it is
# missing (cargo install --root, from crates.io; scripts/lib/tools.sh) and
# runs it from there; the stable toolchain builds the sanitizer
# instrumentation with RUSTC_BOOTSTRAP=1.
# Leak detection is off: the engine's background threads outlive a single
# fuzz input, which LeakSanitizer's per-input check reports as leaks (the C
# suite checks leaks under valgrind and ASan instead).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=lib/tools.sh
. "$ROOT/scripts/lib/tools.sh"
cd "$ROOT/fuzz"
secs="${1:-60}"
shift || true
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(open_fuzzed_dir ops_model c_api_calls)
fi
if ! ensure_cargo_fuzz; then
  echo "fuzz-short: could not install cargo-fuzz $CARGO_FUZZ_VERSION into $TOOLS_CARGO_ROOT" >&2
  exit 2
fi
export RUSTC_BOOTSTRAP=1
build_log="$(mktemp)"
if ! nice -n 10 cargo fuzz build -O >"$build_log" 2>&1; then
  tail -40 "$build_log"
  echo "fuzz: the targets do not build" >&2
  exit 1
fi
rm -f "$build_log"
failed=0
for t in "${targets[@]}"; do
  mkdir -p "corpus/$t"
  # Fuzz into a scratch copy of the corpus: the committed seeds stay small.
  work="$(mktemp -d)"
  cp -r "corpus/$t/." "$work/"
  log="$(mktemp)"
  if nice -n 10 cargo fuzz run -O "$t" "$work" -- \
      -max_total_time="$secs" -timeout=30 -rss_limit_mb=4096 -detect_leaks=0 \
      -print_final_stats=1 >"$log" 2>&1; then
    runs="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo '?')"
    echo "fuzz $t: ok, $runs executions in ${secs}s"
  else
    echo "fuzz $t: FAILED (log follows)"
    tail -60 "$log"
    failed=$((failed + 1))
  fi
  rm -rf "$work" "$log"
done
[ "$failed" -eq 0 ]
