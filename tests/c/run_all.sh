#!/usr/bin/env bash
# Everything that checks the C ABI, in one command:
#   1. the C suite, plain + ASan/UBSan + valgrind  (tests/c/run.sh)
#   2. the ABI baseline check                      (tests/abi/check_abi.sh)
#   3. the abi_stable host test                    (cargo test --release --test abi_stable_host)
# The release library is built once (cargo build --release --lib) and reused.
# Ends with one line, `N passed, M failed`, summed over the three; a part
# that dies without its own summary counts as one failure.
#
#   tests/c/run_all.sh
set -uo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
total_pass=0
total_fail=0

# tally NAME LOGFILE REGEX: adds the pass/fail counts the regex captures.
tally() {
    local name="$1" log="$2" regex="$3" line p f
    line="$(grep -E "$regex" "$log" | tail -n 1)"
    if [[ "$line" =~ $regex ]]; then
        p="${BASH_REMATCH[1]}"
        f="${BASH_REMATCH[2]}"
    else
        p=0
        f=1
        line="no summary (crashed or did not build); see above"
    fi
    total_pass=$((total_pass + p))
    total_fail=$((total_fail + f))
    echo "== $name: $line"
}

logs="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-run-all.XXXXXX")"
trap 'rm -rf "$logs"' EXIT

echo "== building the release library once"
if ! nice cargo build --release --lib --quiet; then
    echo "cargo build --release --lib failed"
    echo "0 passed, 1 failed"
    exit 1
fi

echo "== 1. C suite (plain, ASan+UBSan, valgrind)"
tests/c/run.sh --no-build 2>&1 | tee "$logs/c.log"
tally "C suite" "$logs/c.log" '^([0-9]+) passed, ([0-9]+) failed$'

echo "== 2. ABI check"
tests/abi/check_abi.sh --no-build 2>&1 | tee "$logs/abi.log"
tally "ABI check" "$logs/abi.log" '^([0-9]+) passed, ([0-9]+) failed$'

echo "== 3. abi_stable host"
nice cargo test --release --quiet --test abi_stable_host 2>&1 | tee "$logs/host.log"
tally "abi_stable host" "$logs/host.log" 'test result: [a-zA-Z]+\. ([0-9]+) passed; ([0-9]+) failed'

echo "$total_pass passed, $total_fail failed"
[ "$total_fail" -eq 0 ]
