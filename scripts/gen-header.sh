#!/usr/bin/env bash
# Regenerates include/toonstore.h from src/ffi with the pinned cbindgen
# (a dev-dependency), the same way tests/header_fresh.rs checks it.
set -euo pipefail
cd "$(dirname "$0")/.."
TOONSTORE_BLESS=1 cargo test --quiet --test header_fresh
echo "include/toonstore.h regenerated"
