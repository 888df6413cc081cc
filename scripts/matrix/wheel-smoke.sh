#!/usr/bin/env bash
# Installs this machine's wheel from dist/python/ into a fresh project-local
# venv (never the system Python) and stores and reads a row through it.
# Prints `python wheel: ok (<wheel file>)` or fails.
#
#   scripts/matrix/wheel-smoke.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

case "$(host_platform)" in
    linux-x64) pattern='*manylinux*_x86_64.whl' ;;
    linux-arm64) pattern='*manylinux*_aarch64.whl' ;;
    *) log "wheel-smoke: only on Linux hosts"; exit 0 ;;
esac
wheel="$(find "$DIST/python" -name "$pattern" | head -n 1)"
[ -n "$wheel" ] || { log "no $pattern in $DIST/python"; exit 1; }
work="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-wheel-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT
python3 -m venv "$work/venv"
"$work/venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-index "$wheel"
(cd "$work" && "$work/venv/bin/python" - "$work/db" <<'PY'
import sys
import toonstore

with toonstore.open(sys.argv[1]) as db:
    rid = db.put(b"from the wheel")
    assert db.get(rid) == b"from the wheel", db.get(rid)
print("python wheel: ok")
PY
) | sed "s|ok\$|ok ($(basename "$wheel"))|"
