#!/usr/bin/env bash
# Runs the conformance runner of every binding over the shared vectors
# (tests/conformance/*.json; the format is tests/conformance/README.md).
#
#   scripts/conformance.sh [binding...]               run the runners
#   scripts/conformance.sh --self-check [binding...]  prove each runner checks
#
# Prints one line per binding, "<binding>: N passed, M failed" (skipped cases
# are listed above it), then the total "N passed, M failed". Exit status 0
# only when nothing failed. Bindings whose files are not in the repository are
# not listed. Vectors come from $TOONSTORE_CONFORMANCE_DIR when set.
#
# --self-check writes altered copies of the cases into a temporary folder
# (tests/conformance/README.md, "The self-check") and requires every runner to
# fail every case it does not skip, at exactly the altered step.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
VECTORS=${TOONSTORE_CONFORMANCE_DIR:-$ROOT/tests/conformance}
VECTORS=$(cd "$VECTORS" && pwd) || { echo "conformance: no vector folder $VECTORS" >&2; exit 2; }
TOOL=(python3 "$ROOT/tests/conformance/tool.py")
WORK="$ROOT/target/conformance"
mkdir -p "$WORK"

log() { printf 'conformance: %s\n' "$*" >&2; }

# --- runners -------------------------------------------------------------------
# Each runner function runs one binding's runner with TOONSTORE_CONFORMANCE_DIR
# and TOONSTORE_CONFORMANCE_REPORT exported (its output goes to the log), and
# reuses the binding's existing build where there is one.

run_rust() {
  # The same profile as the rust suite (`cargo test --release`), so that CI
  # reuses its build.
  (cd "$ROOT" && nice -n 10 cargo test --release --quiet --test conformance)
}

run_ruby() {
  # The gem as the ruby suite installs it (bindings/ruby/.gems/source), built
  # here (with the library) when missing or older than its sources; the
  # runner is a minitest file of that suite's folder.
  local here="$ROOT/bindings/ruby" stamp="$ROOT/bindings/ruby/.gems/.built"
  if [ ! -f "$stamp" ] || [ -n "$(find "$here/ext" "$here/lib" "$here/toonstore.gemspec" "$ROOT/include/toonstore.h" \
    -newer "$stamp" -print -quit)" ]; then
    BUILD_ONLY=1 bash "$here/build_and_test.sh" || return 1
  fi
  (cd "$here" && unset GEM_PATH && GEM_HOME="$here/.gems/source" TOONSTORE_LIB="$ROOT/target/release/libtoonstore.so" \
    nice -n 10 ruby -w -Itest test/conformance_test.rb)
}

run_java() {
  # The java suite's build (cargo's target dir bindings/java/native/target is
  # reused; JUnit and gson come from ~/.m2); only the runner's test class.
  . "$ROOT/bindings/java/ensure_tools.sh" && toonstore_java_tools || return 1
  (cd "$ROOT/bindings/java" && nice -n 10 mvn -q -B -ntp test -Dtest=ConformanceTest -Dsurefire.failIfNoSpecifiedTests=false)
}

run_c() { "$ROOT/tests/c/conformance.sh"; }

run_cpp() { "$ROOT/tests/c/conformance.sh" --lang cpp; }

run_python() {
  # The venv and the installed package of bindings/python/build_and_test.sh
  # (the python suite, which runs before this one in CI); installed here
  # first when it is missing or older than the sources it is built from.
  local venv=${TOONSTORE_PY_VENV:-$ROOT/bindings/python/.venv} so
  so=$("$venv/bin/python" -c "import toonstore._toonstore as m; print(m.__file__)" 2>/dev/null)
  if [ -z "$so" ] || [ -n "$(find "$ROOT/src" "$ROOT/bindings/python/src" "$ROOT/bindings/python/python" \
      "$ROOT/Cargo.toml" "$ROOT/bindings/python/Cargo.toml" -newer "$so" -print -quit)" ]; then
    PYTEST_ARGS="--collect-only -q" "$ROOT/bindings/python/build_and_test.sh" || return 1
  fi
  (cd "$ROOT/bindings/python" &&
    nice -n 10 "$venv/bin/python" -m pytest -q -p no:cacheprovider tests/test_conformance.py)
}

run_node() {
  # The addon as the node suite builds it (bindings/node/native), rebuilt
  # first by cargo (a no-op when it is fresh); the runner is a node:test file
  # of that suite.
  local here="$ROOT/bindings/node"
  (cd "$here" && nice -n 10 node scripts/build.js) || return 1
  (cd "$here" && nice -n 10 node --test test/conformance.test.js)
}

run_csharp() {
  # The assemblies of the csharp suite (target/csharp), rebuilt first so that
  # they are never stale (cargo is a no-op when the library is fresh; mcs takes
  # seconds); the runner is an NUnit fixture run by nunit-console.
  local out="$ROOT/target/csharp/tests"
  BUILD_ONLY=1 bash "$ROOT/bindings/csharp/build_and_test.sh" || return 1
  (cd "$out" && nice -n 10 nunit-console -nologo -noresult ToonStore.Conformance.dll)
}

# --- registry: one line per binding ---------------------------------------------
# runner <name> <path that exists when the binding is in the repository> <command>
# (<command>: a function of this script, or a script path relative to the root)
NAMES=()
declare -A MARKER COMMAND
runner() { NAMES+=("$1"); MARKER[$1]=$2; COMMAND[$1]=$3; }

runner rust   Cargo.toml                                   run_rust
runner c      tests/c/conformance.c                        run_c
runner cpp    tests/cpp/conformance.cpp                    run_cpp
runner python bindings/python/tests/test_conformance.py    run_python
runner ruby   bindings/ruby/toonstore.gemspec               run_ruby
runner go     bindings/go/go.mod                           bindings/go/conformance.sh
runner java   bindings/java/pom.xml                        run_java
runner node   bindings/node/package.json                   run_node
runner csharp bindings/csharp/build_and_test.sh            run_csharp

# --- the lock-holding helper of the hold_lock op ----------------------------------
build_hold_lock() {
  local bin
  bin=$("$ROOT/tests/c/conformance.sh" --lang hold_lock) || return 1
  export TOONSTORE_CONFORMANCE_HOLD_LOCK="$bin"
}

# --- running ------------------------------------------------------------------------
self_check=0
selected=()
for a in "$@"; do
  case "$a" in
    --self-check) self_check=1 ;;
    -h | --help) sed -n '2,17p' "$0"; exit 0 ;;
    *)
      if [ -z "${MARKER[$a]+x}" ]; then
        log "unknown binding '$a' (known: ${NAMES[*]})"
        exit 2
      fi
      selected+=("$a")
      ;;
  esac
done
if [ "${#selected[@]}" -eq 0 ]; then
  for n in "${NAMES[@]}"; do
    [ -e "$ROOT/${MARKER[$n]}" ] && selected+=("$n")
  done
fi

build_hold_lock || { log "cannot build tests/conformance/hold_lock.c"; exit 1; }

total_passed=0
total_failed=0

# run_binding <name> <vector dir> [mutations file]: runs the runner and tallies.
run_binding() {
  local name=$1 dir=$2 mutations=${3:-} tag=${4:-run}
  local report="$WORK/$name.$tag.report" logf="$WORK/$name.$tag.log"
  rm -f "$report"
  local cmd=${COMMAND[$name]}
  declare -F "$cmd" >/dev/null || cmd="$ROOT/$cmd"
  TOONSTORE_CONFORMANCE_DIR="$dir" TOONSTORE_CONFORMANCE_REPORT="$report" "$cmd" >"$logf" 2>&1
  local status=$?
  local out
  out=$("${TOOL[@]}" tally "$dir" "$report" "$name" $mutations)
  local summary=${out##*$'\n'}
  [ "$out" != "$summary" ] && printf '%s\n' "${out%$'\n'*}"
  local p f
  # "N passed, M failed" (or, in the self-check, "N ... caught, M missed").
  p=$(sed -E 's/^.* ([0-9]+) [a-z ]+, ([0-9]+) [a-z]+$/\1/' <<<"$summary")
  f=$(sed -E 's/^.* ([0-9]+) [a-z ]+, ([0-9]+) [a-z]+$/\2/' <<<"$summary")
  if ! [[ "$p" =~ ^[0-9]+$ && "$f" =~ ^[0-9]+$ ]]; then
    printf '%s: FAIL cannot read the tally %s\n' "$name" "$summary"
    p=0 f=1
  fi
  if [ -z "$mutations" ] && [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
    # Every case passed but the runner's own framework failed: say so.
    printf '%s: FAIL the runner exited with status %s (log: %s)\n' "$name" "$status" "$logf"
    f=$((f + 1))
    summary="$name: $p passed, $f failed"
  fi
  if [ "$f" -ne 0 ]; then
    printf '%s: log: %s\n' "$name" "$logf"
  fi
  printf '%s\n' "$summary"
  total_passed=$((total_passed + p))
  total_failed=$((total_failed + f))
}

if [ "$self_check" = 1 ]; then
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/toonstore-conformance.XXXXXX")
  trap 'rm -rf "$tmp"' EXIT
  "${TOOL[@]}" mutate "$VECTORS" "$tmp/altered" "$tmp/mutations" || exit 1
  printf 'self-check: %s altered cases\n' "$(wc -l <"$tmp/mutations")"
  for name in "${selected[@]}"; do
    run_binding "$name" "$tmp/altered" "$tmp/mutations" self-check
  done
  printf 'self-check: %d caught, %d missed\n' "$total_passed" "$total_failed"
else
  for name in "${selected[@]}"; do
    run_binding "$name" "$VECTORS"
  done
fi
printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
[ "$total_failed" -eq 0 ]
