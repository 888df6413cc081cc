#!/usr/bin/env bash
# Builds the toonstore npm package from source and runs its tests (the
# `node` suite of scripts/test-all-bindings.sh).
#
# Idempotent: rustfmt and clippy check the addon crate; `npm install` in
# bindings/node installs the devDependencies
# (TypeScript, @types/node) locally into bindings/node/node_modules when they
# are missing and runs the package's install script, which builds the addon
# with cargo (profile `addon`, target dir bindings/node/target, incremental)
# and copies it to native/toonstore.node. Then `node --test` runs test/
# (API, errors, iteration, streams, worker threads, persistence and kill -9,
# the roadmap example, packaging, and `tsc --strict` over the typings).
#
# Needs node (>= 18.18) and npm; cargo is found on PATH or in ~/.cargo/bin.
# Environment: NODE_TEST_ARGS extra arguments for `node --test`.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"

log() { printf '==> %s\n' "$*" >&2; }

# Node.js and npm come with this kind of machine; where they do not, Debian's
# packages (Node 18 on bookworm, enough for N-API 8) as root.
if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        log "installing nodejs and npm (apt-get)"
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs npm >/dev/null
    fi
fi
for tool in node npm cargo; do
    command -v "$tool" >/dev/null || { log "$tool is not installed"; exit 1; }
done
log "node $(node --version), npm $(npm --version), $(cargo --version)"

# devDependencies from package-lock.json; `npm install` also runs the
# package's own install script (the cargo build). --no-save keeps the lock
# file as committed.
log "cargo fmt --check, cargo clippy -D warnings (the addon crate)"
cargo fmt --manifest-path Cargo.toml -- --check
nice -n 10 cargo clippy --profile addon --manifest-path Cargo.toml -- -D warnings

log "npm install (builds the addon)"
nice -n 10 npm install --no-audit --no-fund --no-save
[ -f native/toonstore.node ] || { log "the install script did not build native/toonstore.node"; exit 1; }

log "node --test"
# One test file at a time: the packaging test packs and installs this
# directory, and the machine has 2 cores.
# shellcheck disable=SC2086
exec node --test --test-concurrency=1 ${NODE_TEST_ARGS:-} test/*.test.js
