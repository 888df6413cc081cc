# Sourced by bindings/go/test.sh and bindings/go/bench/bench.sh: the tools
# the Go binding needs, found or installed, and the C library it links.
# Expects ROOT (the repository) and PREFIX (where the library is installed).
#
#   go_tools       cmake, ninja, pkg-config and a C compiler (Debian packages
#                  when missing) and a Go toolchain (find_go; Debian's
#                  golang-go when there is none); puts go first on PATH
#   go_build_lib   builds libtoonstore with CMake (cargo reuses
#                  target/release when it is up to date) and installs it
#                  into PREFIX
#   go_use_lib     PKG_CONFIG_PATH and LD_LIBRARY_PATH for PREFIX

export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"

apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

# find_go prints the newest Go toolchain on this machine: go on PATH, the
# official tarball's /usr/local/go, $HOME/go, $HOME/sdk/go*, Debian's
# /usr/lib/go-*.
find_go() {
  local best="" bestv=0 g v
  for g in "$(command -v go 2>/dev/null)" /usr/local/go/bin/go "$HOME"/go/bin/go \
    "$HOME"/sdk/go*/bin/go /usr/lib/go/bin/go /usr/lib/go-*/bin/go; do
    [ -n "$g" ] && [ -x "$g" ] || continue
    # go1.26.8 -> 1026008, for comparison
    v=$("$g" env GOVERSION 2>/dev/null | sed -n 's/^go\([0-9]*\)\.\([0-9]*\)\.\{0,1\}\([0-9]*\).*/\1 \2 \3/p' |
      awk '{ printf "%d", $1 * 1000000 + $2 * 1000 + $3 }')
    [ -n "$v" ] || continue
    if [ "$v" -gt "$bestv" ]; then best=$g bestv=$v; fi
  done
  [ -n "$best" ] && echo "$best"
}

go_tools() {
  local missing=() pair
  for pair in cmake:cmake ninja:ninja-build pkg-config:pkg-config cc:gcc; do
    command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
  done
  if ((${#missing[@]})); then
    echo "installing ${missing[*]}"
    apt_install "${missing[@]}" || echo "could not install ${missing[*]}" >&2
  fi
  GO=$(find_go)
  if [ -z "$GO" ]; then
    # Debian 12's golang-go is Go 1.19: everything but the go1.23 files
    # (DB.All and its test) builds and runs.
    echo "no Go toolchain found: installing Debian's golang-go"
    apt_install golang-go || true
    GO=$(find_go)
  fi
  if [ -z "$GO" ]; then
    echo "no Go toolchain (install Go >= 1.19: /usr/local/go or apt-get install golang-go)" >&2
    return 1
  fi
  export PATH="$(dirname "$GO"):$PATH"
  # cgo must not be switched off silently; no toolchain download.
  export CGO_ENABLED=1 GOTOOLCHAIN=local
  if [ -z "${HOME:-}" ] && [ -z "${GOCACHE:-}" ]; then export GOCACHE="$ROOT/target/go-cache"; fi
  echo "Go: $GO ($("$GO" env GOVERSION)); GOCACHE $("$GO" env GOCACHE)"
}

go_build_lib() {
  cmake -G Ninja -S "$ROOT" -B "$ROOT/target/go-cmake" -DCMAKE_INSTALL_PREFIX="$PREFIX" \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null &&
    nice cmake --build "$ROOT/target/go-cmake" &&
    cmake --install "$ROOT/target/go-cmake" >/dev/null
}

go_use_lib() {
  export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
  export LD_LIBRARY_PATH="$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  if ! pkg-config --exists toonstore; then
    echo "pkg-config finds no toonstore in $PREFIX/lib/pkgconfig" >&2
    return 1
  fi
  # Go's build cache does not hash C headers outside the module: after the
  # installed toonstore.h changes, a cached build compiled against the old
  # header would be reused. A macro naming the header's hash in CGO_CFLAGS
  # (which Go does hash) makes any change of the header rebuild the package.
  local sum
  sum=$(sha256sum "$PREFIX/include/toonstore.h" | cut -c1-16)
  export CGO_CFLAGS="${CGO_CFLAGS:--O2 -g} -DTOONSTORE_GO_HEADER_SHA256=$sum"
}
