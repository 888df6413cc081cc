#!/usr/bin/env bash
# Suite `go` (scripts/test-all-bindings.sh): the Go binding, on a fresh
# machine too.
#
#   1. installs what is missing (cmake, ninja, pkg-config, a C compiler from
#      Debian; the Go toolchain: see find_go);
#   2. builds libtoonstore with CMake and installs it into target/go-prefix
#      (cargo reuses target/release when it is up to date);
#   3. in bindings/go, against that prefix through pkg-config:
#      gofmt, go vet (default and -tags toonstore_static), go test -race
#      (every call and error, goroutines, reopen, kill -9 of a child, the
#      roadmap example), a short go test -fuzz run of FuzzOps, and the tests
#      again linked statically (-tags toonstore_static);
#   4. the separate module examples/consumer (requires
#      github.com/toonstore/toonstore-go, replace => ../..): builds and runs
#      shared and static; the static binary runs without LD_LIBRARY_PATH and
#      ldd shows no libtoonstore.
#
# Prints one line per step and, last, "go: N passed, M failed".
# Environment: GO_FUZZTIME (default 10s), TOONSTORE_GO_PREFIX (default
# <repo>/target/go-prefix), SKIP_LIB_BUILD=1 to use an installed prefix as is.
set -uo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PREFIX=${TOONSTORE_GO_PREFIX:-$ROOT/target/go-prefix}
BUILD=$ROOT/target/go-cmake
export PATH="$PATH:${CARGO_HOME:-$HOME/.cargo}/bin"

passed=0
failed=0
step() {
  local name=$1
  shift
  printf '\n--- %s: %s\n' "$name" "$*"
  if "$@"; then
    passed=$((passed + 1))
    printf 'ok   %s\n' "$name"
  else
    failed=$((failed + 1))
    printf 'FAIL %s\n' "$name"
    return 1
  fi
}
finish() {
  printf '\ngo: %d passed, %d failed\n' "$passed" "$failed"
  [ "$failed" -eq 0 ]
  exit
}

apt_install() {
  local sudo=""
  [ "$(id -u)" -ne 0 ] && sudo=sudo
  $sudo apt-get update -qq && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@"
}

# ---------------------------------------------------------------- tools
missing=()
for pair in cmake:cmake ninja:ninja-build pkg-config:pkg-config cc:gcc; do
  command -v "${pair%%:*}" >/dev/null 2>&1 || missing+=("${pair#*:}")
done
if ((${#missing[@]})); then
  echo "installing ${missing[*]}"
  apt_install "${missing[@]}" || echo "could not install ${missing[*]}" >&2
fi

# find_go prints the newest Go toolchain on this machine: go on PATH, the
# official tarball's /usr/local/go, $HOME/go, $HOME/sdk/go*, Debian's
# /usr/lib/go-*. Debian's golang-go is installed when there is none (Go 1.19
# on Debian 12: everything but the go1.23 files (DB.All) builds and runs).
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
GO=$(find_go)
if [ -z "$GO" ]; then
  echo "no Go toolchain found: installing Debian's golang-go"
  apt_install golang-go || true
  GO=$(find_go)
fi
if [ -z "$GO" ]; then
  echo "FAIL no Go toolchain (install Go >= 1.19: /usr/local/go or apt-get install golang-go)" >&2
  failed=1
  finish
fi
export PATH="$(dirname "$GO"):$PATH"
export CGO_ENABLED=1 GOTOOLCHAIN=local
echo "Go: $GO ($("$GO" env GOVERSION)); GOCACHE $("$GO" env GOCACHE)"

# ---------------------------------------------------------------- library
build_lib() {
  cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_INSTALL_PREFIX="$PREFIX" \
    -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null &&
    nice cmake --build "$BUILD" &&
    cmake --install "$BUILD" >/dev/null
}
if [ "${SKIP_LIB_BUILD:-0}" != 1 ]; then
  step "libtoonstore built and installed into $PREFIX (CMake)" build_lib || finish
fi
export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
export LD_LIBRARY_PATH="$PREFIX/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
if ! pkg-config --exists toonstore; then
  echo "FAIL pkg-config finds no toonstore in $PREFIX" >&2
  failed=$((failed + 1))
  finish
fi

# ---------------------------------------------------------------- binding
cd "$HERE" || exit 1
gofmt_clean() {
  local out
  out=$(gofmt -l . 2>&1)
  [ -z "$out" ] || { echo "not gofmt-formatted: $out"; return 1; }
}
step "gofmt -l" gofmt_clean
step "go vet ./..." go vet ./...
step "go vet -tags toonstore_static ./..." go vet -tags toonstore_static ./...
step "go test -race ./... (shared library)" nice go test -race -count=1 ./...
step "go test -fuzz FuzzOps (${GO_FUZZTIME:-10s})" \
  nice go test -run '^$' -fuzz '^FuzzOps$' -fuzztime "${GO_FUZZTIME:-10s}" .
step "go test -tags toonstore_static ./... (libtoonstore.a)" \
  nice go test -tags toonstore_static -count=1 ./...

# ---------------------------------------------------------------- consumer module
OUT=$(mktemp -d "${TMPDIR:-/tmp}/toonstore-go-consumer.XXXXXX")
trap 'rm -rf "$OUT"' EXIT
consumer_runs() {  # TAGS: builds examples/consumer and runs it twice on one database
  local bin="$OUT/consumer$1" db="$OUT/db$1" first second deps
  (cd "$HERE/examples/consumer" && go vet ${1:+-tags "$1"} . && go build ${1:+-tags "$1"} -o "$bin" .) || return 1
  if [ -n "$1" ]; then
    # (ldd's output in a variable: with pipefail, grep -q closing the pipe early fails it)
    deps=$(ldd "$bin")
    if grep -q libtoonstore <<<"$deps"; then echo "static build links libtoonstore.so: $deps"; return 1; fi
    first=$(env -u LD_LIBRARY_PATH "$bin" "$db") || return 1
    second=$(env -u LD_LIBRARY_PATH "$bin" "$db") || return 1
  else
    deps=$(ldd "$bin")
    grep -q "libtoonstore.so.1 => $PREFIX/lib" <<<"$deps" || { echo "not loaded from $PREFIX/lib: $deps"; return 1; }
    first=$("$bin" "$db") || return 1
    second=$("$bin" "$db") || return 1
  fi
  printf '%s\n%s\n' "$first" "$second"
  # Row ids are never reused: the second run's row is 1, and the deleted
  # rows are never printed by the scan.
  [ "$first" = "roadmap example ran against libtoonstore $(pkg-config --modversion toonstore): put row 0, read \"users[1]{id,name}: 1,Alice\", deleted it" ] &&
    [ "$second" = "${first/put row 0/put row 1}" ]
}
step "separate module examples/consumer (replace => bindings/go), shared" consumer_runs ""
step "separate module examples/consumer, -tags toonstore_static, no LD_LIBRARY_PATH" consumer_runs toonstore_static

finish
