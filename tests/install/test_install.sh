#!/usr/bin/env bash
# Install test: installs ToonStore the way a user would and builds every
# example against the installed tree only, shared and static.
#
#   1. cmake --install into a temporary prefix (CMAKE_INSTALL_PREFIX), and
#      again with DESTDIR=<tmp> into the prefix /opt/toonstore;
#   2. for each of the two trees: checks the installed files (real file +
#      SONAME/dev symlinks, SONAME inside the .so, no debug info in the .so
#      and the .a, headers, .pc, CMake package);
#      builds and runs the C example with pkg-config (shared, `--static` link
#      line, and toonstore-static) and with find_package (shared, static), the
#      C++ example (shared, static) and the Zig example (shared, static);
#      checks with ldd that every shared build loads libtoonstore.so.N from
#      that tree, and that every static build has no libtoonstore dependency;
#   3. the debug component installs the split-off debug file;
#      pkg-config --modversion equals the crate version; the CMake version
#      file accepts 1 / 1.0 and refuses 2 (and a newer minor);
#   4. builds the C tests (tests/c) and the C++ tests (tests/cpp) against the
#      installed package and runs them.
#
# Prints one line per check and, last, "N passed, M failed"; exits non-zero
# when anything failed. KEEP=1 keeps the temporary directory.
set -uo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source=../../scripts/lib/tools.sh
. "$ROOT/scripts/lib/tools.sh"
WORK=$(mktemp -d "${TMPDIR:-/tmp}/toonstore-install-test.XXXXXX")
BUILD="$WORK/build"
LOG="$WORK/log"
mkdir -p "$LOG"
cleanup() { if [ "${KEEP:-0}" = 1 ]; then echo "kept $WORK"; else rm -rf "$WORK"; fi; }
trap cleanup EXIT

passed=0
failed=0
failures=()
pass() { passed=$((passed + 1)); printf 'ok   %s\n' "$1"; }
fail() {
  failed=$((failed + 1)); failures+=("$1"); printf 'FAIL %s\n' "$1"
  if [ -n "${2:-}" ] && [ -f "$2" ]; then sed 's/^/     | /' "$2" | tail -25; fi
}
# check NAME COMMAND...: runs the command with its output in a log file.
check() {
  local name=$1; shift
  local log="$LOG/$(printf '%s' "$name" | tr -c 'A-Za-z0-9._-' '_').log"
  if "$@" >"$log" 2>&1; then pass "$name"; else fail "$name" "$log"; fi
}

CRATE_VERSION=$(sed -n 's/^version *= *"\([0-9.]*\)".*/\1/p' "$ROOT/Cargo.toml" | head -1)
ABI_MAJOR=${CRATE_VERSION%%.*}
SONAME="libtoonstore.so.$ABI_MAJOR"
REALNAME="libtoonstore.so.$CRATE_VERSION"
echo "install test of ToonStore $CRATE_VERSION (SONAME $SONAME) in $WORK"

for tool in cmake ninja pkg-config cc c++ make ldd readelf nm; do
  command -v "$tool" >/dev/null 2>&1 || fail "tool available: $tool (run scripts/setup-deps.sh)"
done
# The pinned Zig, from PyPI into the project's venv (installed when missing).
HAVE_ZIG=0
ensure_zig && HAVE_ZIG=1
[ "$HAVE_ZIG" = 1 ] || fail "zig $ZIG_VERSION available ($TOOLS_VENV/bin/python -m ziglang)"

# --- build and install ---------------------------------------------------------
PREFIX="$WORK/prefix"
DESTDIR_ROOT="$WORK/destdir"
DEST_PREFIX=/opt/toonstore
check "configure (cmake -G Ninja, CMAKE_INSTALL_PREFIX=$PREFIX)" \
  cmake -G Ninja -S "$ROOT" -B "$BUILD" -DCMAKE_INSTALL_PREFIX="$PREFIX" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF
check "build (cargo build --release --lib through CMake)" nice cmake --build "$BUILD"
check "cmake --install (prefix)" cmake --install "$BUILD"
check "cmake --install with DESTDIR ($DESTDIR_ROOT + $DEST_PREFIX)" \
  env DESTDIR="$DESTDIR_ROOT" cmake --install "$BUILD" --prefix "$DEST_PREFIX"

# realpath of the libtoonstore that a program loads, according to ldd
loaded_lib() { ldd "$1" 2>/dev/null | awk '/libtoonstore/ { print $3 }' | head -1; }

expect_shared() {  # NAME BINARY TREE
  local lib
  lib=$(loaded_lib "$2")
  if [ -z "$lib" ]; then fail "$1: ldd shows no libtoonstore"; return; fi
  if ! grep -q "$SONAME =>" <<<"$(ldd "$2")"; then fail "$1: not linked by SONAME $SONAME"; return; fi
  if [ "$(readlink -f "$lib")" = "$(readlink -f "$3/lib/$REALNAME")" ]; then
    pass "$1: ldd loads $SONAME from $3/lib"
  else
    fail "$1: ldd loads $lib, not $3/lib/$SONAME"
  fi
}

expect_static() {  # NAME BINARY
  # (grep reads captured output: `cmd | grep -q` can fail under pipefail
  # when grep exits early and cmd gets SIGPIPE)
  if grep -q libtoonstore <<<"$(ldd "$2" 2>/dev/null)"; then
    fail "$1: static build depends on libtoonstore.so"
  elif ! grep -Eq ' [Tt] toonstore_open$' <<<"$(nm "$2" 2>/dev/null)"; then
    fail "$1: toonstore_open is not linked into the binary"
  else
    pass "$1: no libtoonstore dependency (toonstore_* linked in)"
  fi
}

run_example() {  # NAME BINARY: runs it and requires its OK line
  local log="$LOG/run-$(printf '%s' "$1" | tr -c 'A-Za-z0-9._-' '_').log"
  if "$2" >"$log" 2>&1 && grep -q 'example: OK' "$log"; then pass "$1 runs"; else fail "$1 runs" "$log"; fi
}

check_tree() {  # LABEL TREE
  local label=$1 tree=$2 out="$WORK/examples-$1"
  mkdir -p "$out"

  # installed files
  if [ -f "$tree/lib/$REALNAME" ] && [ ! -L "$tree/lib/$REALNAME" ] \
     && [ "$(readlink "$tree/lib/$SONAME")" = "$REALNAME" ] \
     && [ "$(readlink "$tree/lib/libtoonstore.so")" = "$SONAME" ] \
     && [ -f "$tree/lib/libtoonstore.a" ]; then
    pass "[$label] lib/$REALNAME with symlinks $SONAME -> $REALNAME, libtoonstore.so -> $SONAME, and libtoonstore.a"
  else
    fail "[$label] library files and symlinks in $tree/lib"; ls -l "$tree/lib" | sed 's/^/     | /'
  fi
  if grep -q "SONAME.*\[$SONAME\]" <<<"$(readelf -d "$tree/lib/$REALNAME" 2>/dev/null)"; then
    pass "[$label] installed .so carries SONAME $SONAME"
  else
    fail "[$label] installed .so carries SONAME $SONAME"
  fi
  # No debug information in the installed libraries (it ships separately, see
  # the debug component below); the .so names its debug file.
  # (DWARF's sections; a Rust crate's own `.debug_impl_details` is not one)
  local dwarf='\.z?debug_(info|abbrev|line|line_str|str|str_offsets|ranges|rnglists|aranges|loc|loclists|frame|pubnames|pubtypes|addr|macro)( |$)'
  local sections
  sections=$(readelf -S -W "$tree/lib/$REALNAME" 2>&1)
  if grep -Eq "$dwarf" <<<"$sections"; then
    fail "[$label] installed .so has no DWARF sections (found: $(grep -Eo "$dwarf" <<<"$sections" | sort -u | xargs))"
  elif ! grep -q "$REALNAME.debug" <<<"$(readelf --string-dump=.gnu_debuglink "$tree/lib/$REALNAME" 2>&1)"; then
    fail "[$label] installed .so has a .gnu_debuglink to $REALNAME.debug"
  else
    pass "[$label] installed .so carries no debug info ($(stat -c %s "$tree/lib/$REALNAME") bytes; .gnu_debuglink -> $REALNAME.debug)"
  fi
  if grep -Eq "$dwarf" <<<"$(readelf -S -W "$tree/lib/libtoonstore.a" 2>&1)"; then
    fail "[$label] installed libtoonstore.a has no DWARF sections"
  else
    pass "[$label] installed libtoonstore.a carries no debug info ($(stat -c %s "$tree/lib/libtoonstore.a") bytes)"
  fi
  if [ -e "$tree/lib/.debug" ]; then
    fail "[$label] a default install leaves out the debug file (found $tree/lib/.debug)"
  else
    pass "[$label] a default install leaves out the debug file"
  fi
  local f missing_files=()
  for f in include/toonstore.h include/toonstore.hpp lib/pkgconfig/toonstore.pc lib/pkgconfig/toonstore-static.pc \
           lib/cmake/ToonStore/ToonStoreConfig.cmake lib/cmake/ToonStore/ToonStoreConfigVersion.cmake; do
    [ -f "$tree/$f" ] || missing_files+=("$f")
  done
  if ((${#missing_files[@]})); then fail "[$label] installed files: missing ${missing_files[*]}"; else pass "[$label] headers, .pc files and CMake package installed"; fi

  # The command-line tool (cli/, docs/cli.md) beside the library.
  check "[$label] bin/toonstore put + stat on a new database" \
    sh -c "rm -rf '$out/cli-db' && '$tree/bin/toonstore' put '$out/cli-db' hello >/dev/null && '$tree/bin/toonstore' stat --json '$out/cli-db' | grep -q '\"live_rows\":1'"

  export PKG_CONFIG_PATH="$tree/lib/pkgconfig"
  local modversion
  modversion=$(pkg-config --modversion toonstore 2>&1)
  if [ "$modversion" = "$CRATE_VERSION" ]; then pass "[$label] pkg-config --modversion toonstore = $modversion"; else fail "[$label] pkg-config --modversion toonstore = '$modversion', want $CRATE_VERSION"; fi
  if grep -q -- '-lpthread' <<<"$(pkg-config --static --libs toonstore)"; then
    pass "[$label] pkg-config --static --libs toonstore lists the native libs ($(pkg-config --static --libs-only-l toonstore | xargs))"
  else
    fail "[$label] pkg-config --static --libs toonstore lacks the native libs"
  fi

  # C with pkg-config: shared, the --static link line, and toonstore-static
  local cflags="-std=c11 -Wall -Wextra -Werror -Wpedantic"
  check "[$label] C/pkg-config shared: cc main.c \$(pkg-config --cflags --libs toonstore)" \
    sh -c "cc $cflags '$ROOT/examples/c/main.c' -o '$out/c_pc_shared' \$(pkg-config --cflags --libs toonstore) -Wl,-rpath,\$(pkg-config --variable=libdir toonstore)"
  run_example "[$label] C/pkg-config shared" "$out/c_pc_shared"
  expect_shared "[$label] C/pkg-config shared" "$out/c_pc_shared" "$tree"
  check "[$label] C/pkg-config: cc main.c \$(pkg-config --static --cflags --libs toonstore)" \
    sh -c "cc $cflags '$ROOT/examples/c/main.c' -o '$out/c_pc_static_flags' \$(pkg-config --static --cflags --libs toonstore) -Wl,-rpath,\$(pkg-config --variable=libdir toonstore)"
  run_example "[$label] C/pkg-config --static link line" "$out/c_pc_static_flags"
  check "[$label] C/pkg-config static: make -f examples/c/Makefile static (toonstore-static)" \
    make -s -C "$out" -f "$ROOT/examples/c/Makefile" static
  run_example "[$label] C/pkg-config static" "$out/toonstore_example_c_static"
  expect_static "[$label] C/pkg-config static" "$out/toonstore_example_c_static"

  # C and C++ with find_package, shared and static
  local lang kind static exe
  for lang in c cpp; do
    for kind in shared static; do
      static=OFF; [ "$kind" = static ] && static=ON
      exe="$out/$lang-cmake-$kind/toonstore_example_$lang"
      check "[$label] $lang/find_package $kind: configure + build" sh -c \
        "cmake -G Ninja -S '$ROOT/examples/$lang' -B '$out/$lang-cmake-$kind' -DCMAKE_PREFIX_PATH='$tree' -DTOONSTORE_STATIC=$static && cmake --build '$out/$lang-cmake-$kind'"
      run_example "[$label] $lang/find_package $kind" "$exe"
      if [ "$kind" = shared ]; then
        expect_shared "[$label] $lang/find_package shared" "$exe" "$tree"
      else
        expect_static "[$label] $lang/find_package static" "$exe"
      fi
    done
  done

  # Zig, through pkg-config, shared and static
  if [ "$HAVE_ZIG" = 1 ]; then
    for kind in shared static; do
      local zflag=false name=toonstore_example_zig
      [ "$kind" = static ] && { zflag=true; name=toonstore_example_zig_static; }
      check "[$label] zig build -Dstatic=$zflag (pkg-config)" sh -c \
        "cd '$ROOT/examples/zig' && '$TOOLS_VENV/bin/python' -m ziglang build -Dstatic=$zflag --prefix '$out/zig-out' --cache-dir '$WORK/zig-cache'"
      run_example "[$label] Zig $kind" "$out/zig-out/bin/$name"
      if [ "$kind" = shared ]; then
        expect_shared "[$label] Zig shared" "$out/zig-out/bin/$name" "$tree"
      else
        expect_static "[$label] Zig static" "$out/zig-out/bin/$name"
      fi
    done
  fi

  # the CMake version rule: same major, at least the requested version
  local want expect
  for want in "1" "1.0" "$CRATE_VERSION" "2" "0" "$ABI_MAJOR.999"; do
    case "$want" in
      1|1.0|"$CRATE_VERSION") expect=accept ;;
      *) expect=refuse ;;
    esac
    local proj="$WORK/version-probe-$label-$want"
    mkdir -p "$proj"
    printf 'cmake_minimum_required(VERSION 3.16)\nproject(probe NONE)\nfind_package(ToonStore %s CONFIG REQUIRED)\nmessage(STATUS "found ToonStore ${ToonStore_VERSION}")\n' "$want" >"$proj/CMakeLists.txt"
    if cmake -S "$proj" -B "$proj/build" -DCMAKE_PREFIX_PATH="$tree" >"$proj/log" 2>&1; then got=accept; else got=refuse; fi
    if [ "$got" = "$expect" ]; then
      pass "[$label] find_package(ToonStore $want): $([ "$expect" = accept ] && echo accepted || echo refused)"
    else
      fail "[$label] find_package(ToonStore $want): wanted $expect, got $got" "$proj/log"
    fi
  done
  unset PKG_CONFIG_PATH
}

check_tree prefix "$PREFIX"
check_tree destdir "$DESTDIR_ROOT$DEST_PREFIX"

# The debug component: the split-off debug info, where gdb finds it through
# the .gnu_debuglink (<libdir>/.debug/), with the line tables in it.
DEBUG_PREFIX="$WORK/debug-prefix"
check "cmake --install --component debug" cmake --install "$BUILD" --prefix "$DEBUG_PREFIX" --component debug
DEBUG_FILE="$DEBUG_PREFIX/lib/.debug/$REALNAME.debug"
if grep -q '\.debug_line' <<<"$(readelf -S -W "$DEBUG_FILE" 2>&1)"; then
  pass "debug component installs lib/.debug/$REALNAME.debug with the debug sections"
else
  fail "debug component installs lib/.debug/$REALNAME.debug with the debug sections"
fi

# the C suite (tests/c, when present) and the C++ tests, built through the installed package
if [ -f "$ROOT/tests/c/CMakeLists.txt" ]; then
  check "C tests built against the installed package (tests/c, find_package)" sh -c \
    "cmake -G Ninja -S '$ROOT/tests/c' -B '$WORK/c-tests' -DCMAKE_PREFIX_PATH='$PREFIX' -DTOONSTORE_C_SANITIZERS=OFF -DTOONSTORE_C_VALGRIND=OFF && cmake --build '$WORK/c-tests'"
  check "C tests pass against the installed library (ctest)" \
    ctest --test-dir "$WORK/c-tests" --output-on-failure
fi
# With the ASan+UBSan variants and the valgrind run (when valgrind is
# installed): this is where CI runs the C++ wrapper's tests.
check "C++ tests built against the installed package (tests/cpp, find_package)" sh -c \
  "cmake -G Ninja -S '$ROOT/tests/cpp' -B '$WORK/cpp-tests' -DCMAKE_PREFIX_PATH='$PREFIX' -DTOONSTORE_CPP_SANITIZERS=ON && cmake --build '$WORK/cpp-tests'"
check "C++ tests pass against the installed library (ctest)" \
  ctest --test-dir "$WORK/cpp-tests" --output-on-failure

if ((failed)); then
  echo "failed checks:"
  for f in "${failures[@]}"; do echo "  - $f"; done
fi
echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
