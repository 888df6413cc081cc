#!/usr/bin/env bash
# The Ruby binding's benchmark (run by scripts/bench-all-bindings.sh):
# installs the sqlite3 gem from Debian (ruby-sqlite3) when missing, builds
# and installs the toonstore gem (bindings/ruby/build_and_test.sh with
# BUILD_ONLY=1), then runs bench/bench.rb.
#
# Environment: TOONSTORE_BENCH_ROWS (default 1000000), BENCH_RUNS (3),
# BENCH_DIR (data directory's parent, default target/bench-data),
# SKIP_APT=1, SKIP_GEM_BUILD=1 (reuse bindings/ruby/.gems/source).
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
root="$(cd "$here/../.." && pwd)"

if ! dpkg -s ruby-sqlite3 >/dev/null 2>&1 && [ "${SKIP_APT:-0}" != 1 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    while pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1; do sleep 5; done
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq ruby-sqlite3 >/dev/null
fi
if [ "${SKIP_GEM_BUILD:-0}" != 1 ] || [ ! -d "$here/.gems/source" ]; then
    BUILD_ONLY=1 bash "$here/build_and_test.sh"
fi
export GEM_HOME="$here/.gems/source"
unset GEM_PATH
export TOONSTORE_LIB="$root/target/release/libtoonstore.so"
data="${BENCH_DIR:-$root/target/bench-data}/binding-ruby" # the disk of the repository, as the other benchmarks
mkdir -p "$(dirname "$data")"
exec ruby "$here/bench/bench.rb" --runs "${BENCH_RUNS:-3}" --dir "$data"
