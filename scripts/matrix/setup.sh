#!/usr/bin/env bash
# Installs what the build matrix needs, skipping what is there (idempotent):
#   rustup targets of the given platforms (default: all five);
#   on a Debian/Ubuntu host building foreign platforms: gcc-aarch64-linux-gnu,
#   qemu-user (linux-arm64), gcc-mingw-w64-x86-64, wine64 (windows-x64), zip;
#   maturin, into the project-local venv .tools/matrix-venv (Python wheels).
#
#   scripts/matrix/setup.sh [PLATFORM...]
set -euo pipefail
. "$(dirname "$0")/common.sh"

platforms=("$@")
[ ${#platforms[@]} -gt 0 ] || platforms=("${ALL_PLATFORMS[@]}")
host="$(host_platform)"

targets=()
for p in "${platforms[@]}"; do targets+=("$(rust_target "$p")"); done
installed="$(rustup target list --installed)"
missing=()
for t in "${targets[@]}"; do grep -qx "$t" <<<"$installed" || missing+=("$t"); done
if [ ${#missing[@]} -gt 0 ]; then
    log "rustup target add ${missing[*]}"
    rustup target add "${missing[@]}"
fi

apt_wanted=()
for p in "${platforms[@]}"; do
    [ "$p" = "$host" ] && continue
    case "$p" in
        linux-arm64) apt_wanted+=(gcc-aarch64-linux-gnu libc6-dev-arm64-cross qemu-user) ;;
        windows-x64) apt_wanted+=(gcc-mingw-w64-x86-64 wine64 zip) ;;
    esac
done
if [ ${#apt_wanted[@]} -gt 0 ] && command -v dpkg >/dev/null; then
    apt_missing=()
    for pkg in "${apt_wanted[@]}"; do
        dpkg -s "$pkg" >/dev/null 2>&1 || apt_missing+=("$pkg")
    done
    if [ ${#apt_missing[@]} -gt 0 ]; then
        sudo=""
        [ "$(id -u)" = 0 ] || sudo="sudo -n"
        log "apt-get install ${apt_missing[*]}"
        $sudo apt-get update -qq
        DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${apt_missing[@]}" >/dev/null
    fi
fi

# maturin for the wheels, in a venv of the project's own.
venv="$ROOT/.tools/matrix-venv"
if [ ! -x "$venv/bin/maturin" ]; then
    py="$(command -v python3 || command -v python)"
    [ -x "$venv/bin/python" ] || [ -x "$venv/Scripts/python.exe" ] || "$py" -m venv "$venv"
    vpy="$venv/bin/python"
    [ -x "$vpy" ] || vpy="$venv/Scripts/python.exe"
    log "installing maturin into $venv"
    "$vpy" -m pip install --quiet --disable-pip-version-check "maturin>=1.5,<2.0"
fi
log "setup done for ${platforms[*]}"
