#!/usr/bin/env bash
# The main job, end to end: build libtoonstore with cargo (through CMake),
# install it into ./prefix, then build and run the C, C++ and Zig examples
# against that prefix, the way a user of the installed library would:
#
#   C    with pkg-config (examples/c/Makefile) and with find_package (examples/c/CMakeLists.txt)
#   C++  with find_package (examples/cpp)
#   CLI  $PREFIX/bin/toonstore stat on the C example's database
#   Zig  with @cImport and pkg-config (examples/zig/build.zig, `zig build` with
#        the pinned Zig from PyPI in the project's venv, .tools/venv)
#
# Usage: scripts/run-examples.sh         (from anywhere; works in the repository root)
# Environment: PREFIX (default <repo>/prefix), BUILD_DIR (default <repo>/build),
#              SKIP_SETUP=1 to skip scripts/setup-deps.sh.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
PREFIX=${PREFIX:-$ROOT/prefix}
BUILD_DIR=${BUILD_DIR:-$ROOT/build}
EXAMPLES_BUILD=$BUILD_DIR/examples
# shellcheck source=lib/tools.sh
. "$ROOT/scripts/lib/tools.sh"

step() { printf '\n==> %s\n' "$*"; }
done_list=()
did() { done_list+=("$*"); }

if [ "${SKIP_SETUP:-0}" != 1 ]; then
  step "Checking native dependencies (scripts/setup-deps.sh)"
  "$ROOT/scripts/setup-deps.sh" || echo "(continuing: the examples need only cmake, ninja, pkg-config, a C/C++ compiler, cargo and zig)"
fi
missing=()
for tool in cargo cmake ninja pkg-config cc c++ make; do
  command -v "$tool" >/dev/null 2>&1 || missing+=("$tool")
done
ensure_zig || missing+=("zig $ZIG_VERSION (ziglang from PyPI in $TOOLS_VENV)")
if ((${#missing[@]})); then
  echo "missing: ${missing[*]}" >&2
  echo "install them (scripts/setup-deps.sh does it on Debian/Ubuntu) and run again" >&2
  exit 1
fi

step "Building libtoonstore (cargo build --release --lib, via CMake) and installing into $PREFIX"
cmake -G Ninja -S "$ROOT" -B "$BUILD_DIR" -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_BUILD_TYPE=Release
nice cmake --build "$BUILD_DIR" --target toonstore_cargo toonstore_cli
cmake --install "$BUILD_DIR"
did "built libtoonstore $(sed -n 's/^version *= *"\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1) and installed it into $PREFIX:"
while IFS= read -r f; do did "    ${f#"$PREFIX"/}"; done < <(find "$PREFIX" \( -type f -o -type l \) | sort)

export PKG_CONFIG_PATH="$PREFIX/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
mkdir -p "$EXAMPLES_BUILD"

step "C example with pkg-config: $(pkg-config --cflags --libs toonstore)"
mkdir -p "$EXAMPLES_BUILD/c-pkgconfig"
make -s -C "$EXAMPLES_BUILD/c-pkgconfig" -f "$ROOT/examples/c/Makefile" clean all
"$EXAMPLES_BUILD/c-pkgconfig/toonstore_example_c"
did "C   (pkg-config)      $EXAMPLES_BUILD/c-pkgconfig/toonstore_example_c: ran OK"

step "C example with CMake find_package(ToonStore)"
cmake -G Ninja -S "$ROOT/examples/c" -B "$EXAMPLES_BUILD/c-cmake" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
cmake --build "$EXAMPLES_BUILD/c-cmake"
rm -rf "$EXAMPLES_BUILD/c-cmake/kept" && mkdir -p "$EXAMPLES_BUILD/c-cmake/kept"
"$EXAMPLES_BUILD/c-cmake/toonstore_example_c" "$EXAMPLES_BUILD/c-cmake/kept"
did "C   (find_package)    $EXAMPLES_BUILD/c-cmake/toonstore_example_c: ran OK"

step "The toonstore command-line tool (docs/cli.md) on the C example's database"
cli_db="$EXAMPLES_BUILD/c-cmake/kept/db"
cli_copy="$EXAMPLES_BUILD/cli-copy"
(
  set -x
  "$PREFIX/bin/toonstore" stat "$cli_db"
  "$PREFIX/bin/toonstore" check "$cli_db"
  "$PREFIX/bin/toonstore" scan "$cli_db" --limit 3
  rm -rf "$cli_copy"
  "$PREFIX/bin/toonstore" dump "$cli_db" | "$PREFIX/bin/toonstore" load "$cli_copy"
  cmp <("$PREFIX/bin/toonstore" dump "$cli_db") <("$PREFIX/bin/toonstore" dump "$cli_copy")
  rm -rf "$cli_copy.bak"
  "$PREFIX/bin/toonstore" backup "$cli_db" "$cli_copy.bak"
  "$PREFIX/bin/toonstore" check "$cli_copy.bak"
)
did "CLI                   $PREFIX/bin/toonstore stat, check, scan, dump | load, backup on $cli_db: ran OK"

step "C++ example with CMake find_package(ToonStore) and toonstore.hpp"
cmake -G Ninja -S "$ROOT/examples/cpp" -B "$EXAMPLES_BUILD/cpp-cmake" -DCMAKE_PREFIX_PATH="$PREFIX" >/dev/null
cmake --build "$EXAMPLES_BUILD/cpp-cmake"
"$EXAMPLES_BUILD/cpp-cmake/toonstore_example_cpp"
did "C++ (find_package)    $EXAMPLES_BUILD/cpp-cmake/toonstore_example_cpp: ran OK"

step "Zig example: @cImport(\"toonstore.h\"), linked through pkg-config (zig $("${ZIG[@]}" version))"
(cd "$ROOT/examples/zig" && "${ZIG[@]}" build run \
   --prefix "$EXAMPLES_BUILD/zig-out" --cache-dir "$EXAMPLES_BUILD/zig-cache")
did "Zig (pkg-config)      $EXAMPLES_BUILD/zig-out/bin/toonstore_example_zig: ran OK"

step "Summary"
for line in "${done_list[@]}"; do echo "  $line"; done
echo "All examples built against $PREFIX and ran successfully."
