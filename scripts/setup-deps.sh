#!/usr/bin/env bash
# Installs what ToonStore's native side needs, skipping what is already there:
#   Debian packages: cmake ninja-build pkg-config valgrind g++ abigail-tools
#                    liblmdb-dev libsqlite3-dev librocksdb-dev
#   PyPI:            ziglang==0.15.2   (run as `python3 -m ziglang`)
#   cargo:           cbindgen          (cargo install cbindgen --locked)
#
# Idempotent: a second run only checks (dpkg -s, command -v) and exits.
# Without root and without password-less sudo it installs nothing from apt
# and prints the exact command to run instead.
#
# Exit status: 0 when everything is present afterwards, 1 otherwise.
set -uo pipefail

APT_PACKAGES=(cmake ninja-build pkg-config valgrind g++ abigail-tools liblmdb-dev libsqlite3-dev librocksdb-dev)
ZIG_VERSION=0.15.2

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
  can_install=0
  SUDO=()
  if [ "$(id -u)" = 0 ]; then
    can_install=1
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    can_install=1
    SUDO=(sudo -n)
  fi
  if [ "$can_install" = 0 ]; then
    say "missing Debian packages, and no root or password-less sudo to install them. Run:"
    printf '  sudo apt-get update && sudo apt-get install -y %s\n' "${missing[*]}"
    status=1
  else
    # Another apt-get/dpkg may be running (e.g. a provisioning step): wait for it.
    for _ in $(seq 1 120); do
      pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1 || break
      say "waiting for another apt-get/dpkg to finish..."
      sleep 5
    done
    say "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    if "${SUDO[@]}" apt-get update -qq && "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"; then
      say "Debian packages installed"
    else
      say "apt-get failed; install by hand: apt-get install -y ${missing[*]}"
      status=1
    fi
  fi
else
  say "Debian packages: all present"
fi

# --- Zig from PyPI -----------------------------------------------------------
PYTHON=${PYTHON:-python3}
zig_version=$("$PYTHON" -m ziglang version 2>/dev/null || true)
if [ "$zig_version" = "$ZIG_VERSION" ]; then
  say "zig $ZIG_VERSION (python3 -m ziglang): present"
elif ! command -v "$PYTHON" >/dev/null 2>&1; then
  say "no $PYTHON: install python3 and pip, then: python3 -m pip install ziglang==$ZIG_VERSION"
  status=1
else
  say "installing ziglang==$ZIG_VERSION from PyPI (found: ${zig_version:-none})"
  if "$PYTHON" -m pip install -q "ziglang==$ZIG_VERSION" 2>/dev/null \
     || "$PYTHON" -m pip install -q --user "ziglang==$ZIG_VERSION"; then
    say "zig $("$PYTHON" -m ziglang version) installed"
  else
    say "pip failed; run: $PYTHON -m pip install ziglang==$ZIG_VERSION (in a virtualenv if your Python is externally managed)"
    status=1
  fi
fi

# --- cbindgen ----------------------------------------------------------------
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
if command -v cbindgen >/dev/null 2>&1; then
  say "cbindgen $(cbindgen --version 2>/dev/null | awk '{print $2}'): present"
elif command -v cargo >/dev/null 2>&1; then
  say "installing cbindgen with cargo"
  if cargo install cbindgen --locked -q; then say "cbindgen installed"; else say "cargo install cbindgen --locked failed"; status=1; fi
else
  say "no cargo: install Rust (https://rustup.rs), then: cargo install cbindgen --locked"
  status=1
fi

if [ "$status" = 0 ]; then say "all native dependencies present"; else say "some dependencies are missing (see above)"; fi
exit "$status"
