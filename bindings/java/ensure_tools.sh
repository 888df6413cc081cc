#!/usr/bin/env bash
# Makes sure a JDK (javac, 17+), Maven and cargo are available, installing the
# first two from Debian's packages when missing (as root). Sourced by
# build_and_test.sh and by the java runner of scripts/conformance.sh.
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
toonstore_java_tools() {
    local need=()
    command -v javac >/dev/null 2>&1 || need+=(default-jdk-headless)
    command -v mvn >/dev/null 2>&1 || need+=(maven)
    if [ "${#need[@]}" -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            printf '==> installing %s (apt-get)\n' "${need[*]}" >&2
            DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
                DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
                return 1
        else
            printf '==> missing %s: run apt-get install -y %s as root\n' "${need[*]}" "${need[*]}" >&2
            return 1
        fi
    fi
    command -v cargo >/dev/null 2>&1 || { printf '==> cargo is missing (rustup)\n' >&2; return 1; }
}
