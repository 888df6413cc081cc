#!/usr/bin/env bash
# Suite `cli` of scripts/test-all-bindings.sh: the toonstore command-line
# tool (cli/): formatting, clippy with -D warnings, then the unit tests and
# the integration tests that run the built binary (cli/tests/cli.rs).
# Needs only cargo (rustup's ~/.cargo/bin); the crate builds the engine from
# the repository root by path.
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export PATH="$PATH:$HOME/.cargo/bin"
cd "$HERE"
cargo fmt -- --check
nice -n 10 cargo clippy --all-targets -- -D warnings
nice -n 10 cargo test
