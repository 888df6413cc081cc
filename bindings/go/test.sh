#!/usr/bin/env bash
# Suite `go` (scripts/test-all-bindings.sh): the Go binding, on a fresh
# machine too.
#
#   1. installs what is missing (cmake, ninja, pkg-config, a C compiler from
#      Debian; the Go toolchain: see find_go);
#   2. builds libtoonstore with CMake and installs it into target/go-prefix
#      (cargo reuses target/release when it is up to date);
#   3. in bindings/go, against that prefix through pkg-config:
#      gofmt, go vet (default and -tags toonstore_static; the benchmark
#      module bench/ is vetted and compiled, not run), go test -race
#      (every call and error, goroutines, reopen, kill -9 of a child, the
#      roadmap example, the conformance vectors of tests/conformance), a
#      short go test -fuzz run of FuzzOps, and the tests
#      again linked statically (-tags toonstore_static);
#   4. the separate module examples/consumer (requires
#      github.com/toonstore/toonstore-go, replace => ../..): builds and runs
#      shared and static; the static binary runs without LD_LIBRARY_PATH and
#      ldd shows no libtoonstore.
#
# Prints one line per step and, last, "go: N passed, M failed".
# Environment: GO_FUZZTIME (default 10s), TOONSTORE_GO_PREFIX (default
# <repo>/target/go-prefix), SKIP_LIB_BUILD=1 to use an installed prefix as is.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PREFIX=${TOONSTORE_GO_PREFIX:-$ROOT/target/go-prefix}

passed=0
failed=0
step() {
  local name=$1
  shift
  printf '\n--- %s: %s\n' "$name" "$*"
  if "$@"; then
    passed=$((passed + 1))
    printf 'ok   %s\n' "$name"
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$name"
    return 1
  fi
}
finish() {
  printf '\ngo: %d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
  exit
}

# shellcheck source=env.sh
. "$HERE/env.sh"
go_tools || { failed=$((failed + 1)); finish; }
if [ "${SKIP_LIB_BUILD:-0}" != 1 ]; then
  step "libtoonstore built and installed into $PREFIX (CMake)" go_build_lib || finish
fi
go_use_lib || { failed=$((failed + 1)); finish; }

# ---------------------------------------------------------------- binding
cd "$HERE" || exit 1
gofmt_clean() {
  local out
  out=$(gofmt -l . 2>&1)
  [ -z "$out" ] || { echo "not gofmt-formatted: $out"; return 1; }
}
step "gofmt -l" gofmt_clean
step "go vet ./..." go vet ./...
step "go vet -tags toonstore_static ./..." go vet -tags toonstore_static ./...
# The benchmark module (bbolt from the module proxy, pinned by go.sum) must
# build; it needs Go >= 1.23 (bbolt's go line), which Debian 12's Go lacks.
bench_vet() {
  local minor
  minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
  if [ "${minor:-0}" -lt 23 ]; then
    echo "Go $(go env GOVERSION) < 1.23: the benchmark module is not built"
    return 0
  fi
  (cd bench && go vet . && go test -run '^$' -bench '^$' .)
}
step "benchmark module bench/ builds (go vet, go test -bench '^\$')" bench_vet
step "go test -race ./... (shared library)" nice go test -race -count=1 ./...
# The fuzz budget is a count of executions, not a duration: with a duration,
# Go <= 1.26's fuzz coordinator can report its own deadline as a failure
# ("context deadline exceeded", no crasher written; go.dev/issue/75804) on
# a loaded machine. A count has no deadline to race. GO_FUZZTIME overrides it
# (either form) for longer local runs.
step "go test -fuzz FuzzOps (${GO_FUZZTIME:-3000x})" \
  nice go test -run '^$' -fuzz '^FuzzOps$' -fuzztime "${GO_FUZZTIME:-3000x}" .
step "go test -tags toonstore_static ./... (libtoonstore.a)" \
  nice go test -tags toonstore_static -count=1 ./...

# ---------------------------------------------------------------- consumer module
OUT=$(mktemp -d "${TMPDIR:-/tmp}/toonstore-go-consumer.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
consumer_runs() {  # TAGS: builds examples/consumer and runs it twice on one database
  local bin="$OUT/consumer$1" db="$OUT/db$1" first second deps
  (cd "$HERE/examples/consumer" && go vet ${1:+-tags "$1"} . && go build ${1:+-tags "$1"} -o "$bin" .) || return 1
  if [ -n "$1" ]; then
    # (ldd's output in a variable: with pipefail, grep -q closing the pipe early fails it)
    deps=$(ldd "$bin")
    if grep -q libtoonstore <<<"$deps"; then echo "static build links libtoonstore.so: $deps"; return 1; fi
    first=$(env -u LD_LIBRARY_PATH "$bin" "$db") || return 1
    second=$(env -u LD_LIBRARY_PATH "$bin" "$db") || return 1
  else
    deps=$(ldd "$bin")
    grep -q "libtoonstore.so.1 => $PREFIX/lib" <<<"$deps" || { echo "not loaded from $PREFIX/lib: $deps"; return 1; }
    first=$("$bin" "$db") || return 1
    second=$("$bin" "$db") || return 1
  fi
  printf '%s\n%s\n' "$first" "$second"
  # Row ids are never reused: the second run's row is 1, and the deleted
  # rows are never printed by the scan.
  [ "$first" = "roadmap example ran against libtoonstore $(pkg-config --modversion toonstore): put row 0, read \"users[1]{id,name}: 1,Alice\", deleted it" ] &&
    [ "$second" = "${first/put row 0/put row 1}" ]
}
step "separate module examples/consumer (replace => bindings/go), shared" consumer_runs ""
step "separate module examples/consumer, -tags toonstore_static, no LD_LIBRARY_PATH" consumer_runs toonstore_static

finish
