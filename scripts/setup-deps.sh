#!/usr/bin/env bash
# Installs what ToonStore's native side needs, skipping what is already there:
#   Debian packages: cmake ninja-build pkg-config valgrind g++ abigail-tools
#                    liblmdb-dev libsqlite3-dev librocksdb-dev
#                    libcjson-dev (the C/C++ conformance runners' JSON reader)
#                    (python3-venv too, when `python3 -m venv` fails)
#   PyPI:            ziglang==0.15.2, into the project's venv .tools/venv
#                    (run as `.tools/venv/bin/python -m ziglang`; see
#                    scripts/lib/tools.sh, which pins the versions)
#
# (cbindgen is a pinned dev-dependency of the crate, used as a library by
# tests/header_fresh.rs and scripts/gen-header.sh: no binary to install.)
#
# Idempotent: a second run only checks (dpkg -s, command -v) and exits.
# Without root and without password-less sudo it installs nothing from apt
# and prints the exact command to run instead.
#
# Exit status: 0 when everything is present afterwards, 1 otherwise.
set -uo pipefail

APT_PACKAGES=(cmake ninja-build pkg-config valgrind g++ abigail-tools liblmdb-dev libsqlite3-dev librocksdb-dev libcjson-dev)
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=lib/tools.sh
. "$ROOT/scripts/lib/tools.sh"

say() { printf 'setup-deps: %s\n' "$*"; }
status=0

# --- Debian packages ---------------------------------------------------------
missing=()
if command -v dpkg >/dev/null 2>&1; then
  for pkg in "${APT_PACKAGES[@]}"; do
    grep -q '^Status: install ok installed' <<<"$(dpkg -s "$pkg" 2>/dev/null)" || missing+=("$pkg")
  done
else
  say "no dpkg (not Debian/Ubuntu): install the equivalents of: ${APT_PACKAGES[*]}"
  for tool in cmake ninja pkg-config c++; do
    command -v "$tool" >/dev/null 2>&1 || { say "missing: $tool"; status=1; }
  done
fi

if ((${#missing[@]})); then
  say "installing: ${missing[*]}"
  if apt_install "${missing[@]}"; then
    say "Debian packages installed"
  else
    say "Debian packages missing: ${missing[*]}"
    status=1
  fi
else
  say "Debian packages: all present"
fi

# --- Zig from PyPI, into the project's tools venv -----------------------------
if ensure_zig; then
  say "zig $("${ZIG[@]}" version) ($TOOLS_VENV/bin/python -m ziglang): present"
else
  say "could not install ziglang==$ZIG_VERSION into $TOOLS_VENV (see above)"
  status=1
fi

if [ "$status" = 0 ]; then say "all native dependencies present"; else say "some dependencies are missing (see above)"; fi
exit "$status"
