#!/usr/bin/env bash
# The Node.js binding's benchmark (run by scripts/bench-all-bindings.sh, or
# on its own): installs the peers (lmdb, better-sqlite3@12) into
# bindings/node/bench/node_modules when missing, builds the addon
# (npm install in bindings/node), and runs bench/run.mjs.
# Environment: TOONSTORE_BENCH_ROWS (default 300000), TOONSTORE_BENCH_RUNS
# (default 3), TOONSTORE_BENCH_DIR; see run.mjs.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
if [ ! -d "$here/node_modules/lmdb" ] || [ ! -d "$here/node_modules/better-sqlite3" ]; then
    echo "==> npm ci (lmdb, better-sqlite3) in $here" >&2
    (cd "$here" && npm ci --no-audit --no-fund >&2)
fi
if [ ! -f "$here/../native/toonstore.node" ] || [ "${SKIP_BUILD:-0}" != 1 ]; then
    echo "==> building the addon (npm install in bindings/node)" >&2
    (cd "$here/.." && npm install --no-audit --no-fund --no-save >&2)
fi
exec node --expose-gc "$here/run.mjs"
