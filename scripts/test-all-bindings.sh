#!/usr/bin/env bash
# Runs every test suite of the project, the way CI does (.ci/run calls this
# script), and ends with one summary line:
#
#   suites: N passed, M failed
#
# Suites: Rust (fmt, clippy, cargo test: unit, model, crash, corruption,
# concurrency, header freshness, abi_stable host), C (plain, ASan+UBSan,
# valgrind, ABI baseline), C++ and the install test (CMake + pkg-config
# install, C/C++/Zig examples, shared and static), Python (pytest + mypy),
# Ruby (the gem built and installed, minitest),
# Go (bindings/go/test.sh: vet, go test -race, fuzz, static tag, consumer module),
# Java (Maven: JUnit 5 through Surefire, mvn install, a consumer project),
# Node.js (node --test + tsc --strict),
# C# (Mono: the assembly, NUnit through nunit-console, the quick start),
# the shared conformance vectors of every binding (scripts/conformance.sh and
# its self-check), reliability (fault injection, kill -9 torture, short
# fuzzing), and a correctness smoke run of the side-by-side benchmark harness.
#
# It installs what is missing first (scripts/setup-deps.sh: Debian packages,
# Zig from PyPI into .tools/venv; the Python and fuzzing scripts install their
# own tools, into bindings/python/.venv and .tools/cargo: see
# scripts/lib/tools.sh). Nothing goes into the system's Python, and no suite
# relies on a tool that merely happens to be on PATH:
# scripts/fresh-clone-check.sh runs this in a fresh clone with a bare PATH.
# Environment: ONLY="rust c ..." to run some suites; SKIP_SETUP=1.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
LOGDIR=${LOGDIR:-$ROOT/target/test-logs}
mkdir -p "$LOGDIR"

passed=()
failed=()
suite() {
  local name=$1
  shift
  if [ -n "${ONLY:-}" ] && [[ " $ONLY " != *" $name "* ]]; then
    return
  fi
  printf '\n=== suite %s: %s\n' "$name" "$*"
  local start=$SECONDS
  if "$@" 2>&1 | tee "$LOGDIR/$name.log"; then
    passed+=("$name")
    printf '=== suite %s passed (%ss)\n' "$name" $((SECONDS - start))
  else
    failed+=("$name")
    printf '=== suite %s FAILED (%ss); log: %s\n' "$name" $((SECONDS - start)) "$LOGDIR/$name.log"
  fi
}

if [ "${SKIP_SETUP:-0}" != 1 ]; then
  printf '=== installing missing dependencies (scripts/setup-deps.sh)\n'
  scripts/setup-deps.sh || echo "setup-deps reported missing tools; suites that need them will fail and say which"
fi

rust_suite() {
  # The shared library first: tests/abi_stable_host.rs loads
  # target/release/libtoonstore.so, which `cargo test` alone does not build.
  cargo fmt --all -- --check &&
    cargo clippy --all-targets -- -D warnings &&
    cargo build --release --lib &&
    cargo test --release
}

suite rust rust_suite
suite c tests/c/run_all.sh
suite cpp-install tests/install/test_install.sh
suite python bindings/python/build_and_test.sh
suite ruby bindings/ruby/build_and_test.sh
suite go bindings/go/test.sh
suite java bindings/java/build_and_test.sh
suite node bindings/node/build_and_test.sh
suite csharp bindings/csharp/build_and_test.sh
suite cli cli/test.sh
conformance_suite() {
  # Every binding's runner over tests/conformance (after the binding suites,
  # whose builds it reuses), then the self-check that each runner catches
  # altered expectations.
  scripts/conformance.sh && scripts/conformance.sh --self-check
}
suite conformance conformance_suite
suite reliability scripts/reliability.sh
bench_smoke() {
  # Correctness of every adapter of the comparison harness (verified gets),
  # on a small data set; figures from this run mean nothing.
  BENCH_ROWS=20000 BENCH_RESULTS="$ROOT/target/bench-smoke" BENCH_DIR="$ROOT/target/bench-smoke-data" \
    SKIP_BINDINGS=1 scripts/bench-all-bindings.sh
}

suite bench-smoke bench_smoke

printf '\n'
for s in "${passed[@]}"; do printf 'passed: %s\n' "$s"; done
for s in "${failed[@]}"; do printf 'FAILED: %s (log: %s)\n' "$s" "$LOGDIR/$s.log"; done
printf 'suites: %d passed, %d failed\n' "${#passed[@]}" "${#failed[@]}"
[ "${#failed[@]}" -eq 0 ]
