#!/usr/bin/env bash
# The short reliability tier (issue 5), one command; RELIABILITY.md has the
# long runs and their figures.
#
#   1. fault injection: every failpoint x operation x fault kind x countdown
#      (cargo test --features fault-injection --test faults)
#   2. crash torture: kill -9 rounds (TORTURE_ROUNDS, default 60) and
#      kill -9 + simulated power loss rounds (TORTURE_POWER_ROUNDS, default 30)
#   3. fuzzing: each cargo-fuzz target for FUZZ_SECONDS (default 30)
#   4. the loom model check of group commit (src/log/group_commit.rs)
#   5. filesystem faults on real mounts (scripts/faults-fs.sh, as root): a full
#      ext2 / tmpfs / ext4 in every durability, a read-only filesystem
#
# Ends with `N passed, M failed`; exits non-zero when anything failed.
# Set RELIABILITY_SKIP_FUZZ=1 to skip step 3 (cargo-fuzz is installed into
# the project's .tools/cargo first, when missing: a few minutes of compiling).
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# shellcheck source=lib/tools.sh
. "$ROOT/scripts/lib/tools.sh"
export TORTURE_ROUNDS="${TORTURE_ROUNDS:-60}"
export TORTURE_POWER_ROUNDS="${TORTURE_POWER_ROUNDS:-30}"
FUZZ_SECONDS="${FUZZ_SECONDS:-30}"
passed=0
failed=0
failures=()
log_dir="$(mktemp -d)"

step() {
  local name="$1"
  shift
  local log="$log_dir/${name//[^a-zA-Z0-9_-]/_}.log"
  local t0=$SECONDS
  if "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "reliability: $name: ok ($((SECONDS - t0)) s)"
  else
    failed=$((failed + 1))
    failures+=("$name")
    echo "reliability: $name: FAILED ($((SECONDS - t0)) s); last lines of its log:"
    tail -40 "$log"
  fi
  grep -hE '^(faults injected by|kill9_torture:|power_loss_torture:|fuzz |  fs_faults:|faults-fs: skipped)' "$log" | sed 's/^/  /' || true
}

step "fault injection" cargo test --features fault-injection --test faults -- --nocapture
step "kill -9 torture" cargo test --features fault-injection --test torture kill9_torture -- --nocapture
step "power-loss torture" cargo test --features fault-injection --test torture power_loss_torture -- --nocapture
step "filesystem faults" scripts/faults-fs.sh
step "loom group commit" env CARGO_TARGET_DIR=target/loom RUSTFLAGS="--cfg loom" \
  cargo test --lib loom_

if [ "${RELIABILITY_SKIP_FUZZ:-0}" != 1 ]; then
  step "cargo-fuzz $CARGO_FUZZ_VERSION in $TOOLS_CARGO_ROOT" ensure_cargo_fuzz
  for target in open_fuzzed_dir ops_model c_api_calls; do
    step "fuzz $target" scripts/fuzz-short.sh "$FUZZ_SECONDS" "$target"
  done
fi

total_faults=$(cat "$log_dir"/*.log | grep -ho 'faults injected by [A-Za-z]*: [0-9]*' |
  awk -F': ' '{s += $2} END {print s + 0}')
echo "reliability: faults injected: $total_faults"
rm -rf "$log_dir"
if [ "$failed" -gt 0 ]; then
  echo "reliability: failed: ${failures[*]}"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
