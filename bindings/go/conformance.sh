#!/usr/bin/env bash
# The Go runner of the shared conformance vectors, as scripts/conformance.sh
# calls it (`runner go ...`), with TOONSTORE_CONFORMANCE_DIR and
# TOONSTORE_CONFORMANCE_REPORT exported: TestConformance of
# bindings/go/conformance_test.go, against the library that the go suite
# installs into target/go-prefix (built here when missing or out of date).
# SKIP_LIB_BUILD=1 uses the installed prefix as it is.
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PREFIX=${TOONSTORE_GO_PREFIX:-$ROOT/target/go-prefix}
# shellcheck source=env.sh
. "$HERE/env.sh"
go_tools >&2
[ "${SKIP_LIB_BUILD:-0}" = 1 ] || go_build_lib >&2
go_use_lib
cd "$HERE"
nice -n 10 go test -count=1 -run '^TestConformance$' .
