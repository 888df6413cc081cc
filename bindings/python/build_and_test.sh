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
#   PYTHON              interpreter to create the venv with (default: python3)
#   TOONSTORE_PY_VENV   venv directory (default: bindings/python/.venv)
#   PYTEST_ARGS         extra arguments for pytest (e.g. "-x -k batch")
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
python="${PYTHON:-python3}"
venv="${TOONSTORE_PY_VENV:-$here/.venv}"

log() { printf '==> %s\n' "$*" >&2; }

if [ ! -x "$venv/bin/python" ]; then
    log "creating virtual environment $venv"
    if ! "$python" -m venv "$venv" 2>/dev/null; then
        rm -rf "$venv"
        # Debian's python3 comes without the venv module (python3-venv).
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
            log "python -m venv failed; installing python3-venv"
            apt-get install -y -qq python3-venv >/dev/null || true
        fi
        if ! "$python" -m venv "$venv" 2>/dev/null; then
            rm -rf "$venv"
            log "python -m venv failed; using virtualenv from PyPI"
            "$python" -m pip install --quiet --user virtualenv ||
                "$python" -m pip install --quiet --user --break-system-packages virtualenv
            "$python" -m virtualenv --quiet "$venv"
        fi
    fi
fi
vpy="$venv/bin/python"

missing=()
[ -x "$venv/bin/maturin" ] || missing+=("maturin>=1.5,<2.0")
"$vpy" -c "import pytest" 2>/dev/null || missing+=(pytest)
"$vpy" -c "import mypy" 2>/dev/null || missing+=(mypy)
"$vpy" -c "import lmdb" 2>/dev/null || missing+=(lmdb)
if [ "${#missing[@]}" -gt 0 ]; then
    log "installing ${missing[*]}"
    "$vpy" -m pip install --quiet --disable-pip-version-check "${missing[@]}"
fi

# Build and install from source. The build tools are already in the venv, so
# no isolated build environment is needed; cargo's target directory
# (bindings/python/target) is kept between runs, so rebuilds are incremental.
log "building and installing toonstore from $here"
nice -n 10 "$vpy" -m pip install --quiet --disable-pip-version-check \
    --no-build-isolation --force-reinstall --no-deps "$here"

log "running pytest"
cd "$here"
# shellcheck disable=SC2086
exec "$vpy" -m pytest tests ${PYTEST_ARGS:-}
