#!/usr/bin/env bash
# Builds the toonstore Python package from source and runs its pytest suite.
#
# Idempotent: creates (or reuses) a virtual environment in
# bindings/python/.venv, installs the build and test tools into it when they
# are missing (maturin, pytest, mypy, lmdb: from PyPI), installs this package
# with `pip install bindings/python` (cargo fetches crates from crates.io), and
# runs `pytest`. Exits non-zero on any failure.
#
# Environment:
#   PYTHON              interpreter to create the venv with (default: python3;
#                       an existing venv is reused as it is)
#   TOONSTORE_PY_VENV   venv directory (default: bindings/python/.venv)
#   PYTEST_ARGS         extra arguments for pytest (e.g. "-x -k batch")
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$here/../.." && pwd)"
# shellcheck source=../../scripts/lib/tools.sh
. "$ROOT/scripts/lib/tools.sh"
venv="${TOONSTORE_PY_VENV:-$here/.venv}"

log() { printf '==> %s\n' "$*" >&2; }

# A venv made with `python -m venv` (python3-venv from apt when Debian's
# python3 lacks it); never the system Python's site-packages.
ensure_venv "$venv"
vpy="$venv/bin/python"

missing=()
[ -x "$venv/bin/maturin" ] || missing+=("maturin>=1.5,<2.0")
"$vpy" -c "import pytest" 2>/dev/null || missing+=(pytest)
"$vpy" -c "import mypy" 2>/dev/null || missing+=(mypy)
"$vpy" -c "import lmdb" 2>/dev/null || missing+=(lmdb)
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]} into $venv"
    venv_pip "$venv" "${missing[@]}"
fi

# Build and install from source. The build tools are already in the venv, so
# no isolated build environment is needed; cargo's target directory
# (bindings/python/target) is kept between runs, so rebuilds are incremental.
# maturin's build backend runs the `maturin` executable found on PATH: the
# venv's bin/ goes first, so it is the one installed above and never another.
log "building and installing toonstore from $here"
PATH="$venv/bin:$PATH" nice -n 10 "$vpy" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation --force-reinstall --no-deps "$here"

log "running pytest"
cd "$here"
# shellcheck disable=SC2086
exec "$vpy" -m pytest tests ${PYTEST_ARGS:-}
