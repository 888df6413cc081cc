#!/usr/bin/env bash
# The ruby suite: builds the gem the way a user does, installs it into a
# project-local gem home, and runs the minitest suite against the installed
# gem.
#
#   1. installs Debian's ruby, ruby-dev, ruby-minitest, gcc, make and
#      pkg-config when missing (apt-get update once; needs root or sudo);
#   2. builds libtoonstore (cargo build --release --lib at the repository
#      root; a no-op when target/release/libtoonstore.so is up to date);
#   3. `TOONSTORE_GEM_LIB=none gem build bindings/ruby/toonstore.gemspec` (a
#      source gem) and `gem install --local toonstore-*.gem` into
#      bindings/ruby/.gems/source; `gem build` with the default (a platform
#      gem that bundles target/release/libtoonstore.so) into
#      bindings/ruby/.gems/platform;
#   4. runs test/test_*.rb (minitest) with TOONSTORE_LIB pointing at the
#      library built in step 2.
#
# Environment: TESTOPTS="-n /lock/" (minitest options), SKIP_APT=1,
# BUILD_ONLY=1 (stop after installing the gems; bench/bench.sh uses it).
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"
log() { printf '==> %s\n' "$*" >&2; }

# ------------------------------------------------------------ packages
need=()
command -v ruby >/dev/null || need+=(ruby)
command -v gcc >/dev/null || need+=(gcc)
command -v make >/dev/null || need+=(make)
command -v pkg-config >/dev/null || need+=(pkg-config)
for p in ruby-dev ruby-minitest; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ] && [ "${SKIP_APT:-0}" != 1 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    waited=0
    while pgrep -x apt-get >/dev/null 2>&1 || pgrep -x dpkg >/dev/null 2>&1; do
        [ $waited -eq 0 ] && log "waiting for another apt-get/dpkg to finish"
        sleep 5
        waited=$((waited + 5))
        [ $waited -gt 900 ] && { log "apt-get still busy after 15 min"; exit 1; }
    done
    log "installing ${need[*]} (Debian)"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${need[@]}" >/dev/null
fi

# ------------------------------------------------------------ library
cd "$root"
log "cargo build --release --lib"
nice -n 10 cargo build --release --lib
lib="$root/target/release/libtoonstore.so"
[ -f "$lib" ] || { log "missing $lib"; exit 1; }

# ------------------------------------------------------------ gems
gems="$here/.gems"
work="$here/tmp"
rm -rf "$gems" "$work"
mkdir -p "$gems" "$work"
install_gem() { # $1: gem home, $2: gem file
    GEM_HOME="$1" TOONSTORE_EXT_WERROR=1 nice -n 10 \
        gem install --local --no-document "$2" >/dev/null
}

log "gem build bindings/ruby/toonstore.gemspec (source gem)"
# `gem build` writes the gem into the directory it runs in: the root.
(cd "$root" && TOONSTORE_GEM_LIB=none gem build bindings/ruby/toonstore.gemspec >/dev/null)
mv "$root"/toonstore-*.gem "$work/"
source_gem=$(ls "$work"/toonstore-*.gem)
log "gem install --local $(basename "$source_gem") (GEM_HOME=$gems/source)"
install_gem "$gems/source" "$source_gem"

log "gem build in bindings/ruby (platform gem: bundles $lib by default)"
mkdir -p "$work/platform"
(cd "$here" && unset TOONSTORE_GEM_LIB && gem build toonstore.gemspec >/dev/null && mv toonstore-*.gem "$work/platform/")
platform_gem=$(ls "$work"/platform/toonstore-*.gem)
log "gem install --local $(basename "$platform_gem") (GEM_HOME=$gems/platform)"
install_gem "$gems/platform" "$platform_gem"
rm -rf "$here/lib/toonstore/native" # the gemspec's staging copy
touch "$gems/.built" # scripts/conformance.sh rebuilds when sources are newer

[ "${BUILD_ONLY:-0}" = 1 ] && exit 0

# ------------------------------------------------------------ tests
log "minitest"
cd "$here"
export TOONSTORE_LIB="$lib"
export TOONSTORE_TEST_GEMS="$gems"
export TOONSTORE_TEST_ROOT="$root"
# GEM_HOME first; the default path stays (Debian's minitest is a gem there)
export GEM_HOME="$gems/source"
unset GEM_PATH
# shellcheck disable=SC2086
nice -n 10 ruby -w -Itest -e 'Dir["test/test_*.rb"].sort.each { |f| require File.expand_path(f) }' -- ${TESTOPTS:-}
