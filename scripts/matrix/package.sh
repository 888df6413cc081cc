#!/usr/bin/env bash
# Builds the C library for one platform and packs it:
#   dist/<platform>/toonstore-<version>-<platform>.tar.gz (.zip for Windows)
# holding include/ (toonstore.h, toonstore.hpp), lib/ (the shared library:
# libtoonstore.so.<version> with its libtoonstore.so.1 and libtoonstore.so
# links, or toonstore.dll with its import library libtoonstore.dll.a
# (toonstore.lib, the same file, for MSVC's linker), or libtoonstore.dylib;
# the static library; pkgconfig/; cmake/ToonStore/) and a README.
#
#   scripts/matrix/package.sh PLATFORM
set -euo pipefail
. "$(dirname "$0")/common.sh"

plat="$1"
target="$(rust_target "$plat")"
log "$plat: cargo build --release --lib --target $target"
(cd "$ROOT" && nice -n 10 cargo build --release --lib --quiet --target "$target")
rel="$(release_dir "$plat")"

name="toonstore-$VERSION-$plat"
stage="$DIST/$plat/$name"
rm -rf "$stage"
mkdir -p "$stage/include" "$stage/lib/pkgconfig" "$stage/lib/cmake/ToonStore"
cp "$ROOT/include/toonstore.h" "$ROOT/include/toonstore.hpp" "$stage/include/"

# The system libraries a program linking the static library needs.
native_libs="$(cd "$rel" && echo 'pub fn f() {}' >probe.rs &&
    rustc --target "$target" --crate-type staticlib --print native-static-libs \
        -o probe.a probe.rs 2>&1 | sed -n 's/.*native-static-libs: //p' | head -n 1)"
rm -f "$rel/probe.rs" "$rel/probe.a"

major="${VERSION%%.*}"
case "$plat" in
    linux-*)
        cp "$rel/libtoonstore.so" "$stage/lib/libtoonstore.so.$VERSION"
        ln -s "libtoonstore.so.$VERSION" "$stage/lib/libtoonstore.so.$major"
        ln -s "libtoonstore.so.$major" "$stage/lib/libtoonstore.so"
        cp "$rel/libtoonstore.a" "$stage/lib/"
        shared="libtoonstore.so.$VERSION"; soname="libtoonstore.so.$major"; implib=""
        ;;
    windows-*)
        cp "$rel/toonstore.dll" "$stage/lib/"
        cp "$rel/libtoonstore.dll.a" "$stage/lib/"
        cp "$rel/libtoonstore.dll.a" "$stage/lib/toonstore.lib"
        cp "$rel/libtoonstore.a" "$stage/lib/"
        shared="toonstore.dll"; soname="toonstore.dll"; implib="libtoonstore.dll.a"
        ;;
    macos-*)
        cp "$rel/libtoonstore.dylib" "$stage/lib/"
        cp "$rel/libtoonstore.a" "$stage/lib/"
        shared="libtoonstore.dylib"; soname="libtoonstore.dylib"; implib=""
        ;;
esac

# pkg-config: the repository's templates, relocatable (prefix from the .pc's place).
fill() {
    sed -e "s|@TOONSTORE_PC_PREFIX@|\${pcfiledir}/../..|" \
        -e "s|@TOONSTORE_PC_LIBDIR_EXPR@|\${prefix}/lib|" \
        -e "s|@TOONSTORE_PC_INCLUDEDIR_EXPR@|\${prefix}/include|" \
        -e "s|@PROJECT_DESCRIPTION@|An embedded row store with a hand-stable C ABI|" \
        -e "s|@PROJECT_VERSION@|$VERSION|" \
        -e "s|@TOONSTORE_NATIVE_STATIC_LIBS@|$native_libs|" \
        -e "s|@TOONSTORE_SONAME@|$soname|" \
        -e "s|@TOONSTORE_SOVERSION@|$major|" "$1"
}
fill "$ROOT/pkgconfig/toonstore.pc.in" >"$stage/lib/pkgconfig/toonstore.pc"
fill "$ROOT/pkgconfig/toonstore-static.pc.in" >"$stage/lib/pkgconfig/toonstore-static.pc"

# CMake package: the same targets as CMakeLists.txt's install exports.
link_items="$(for f in $native_libs; do case "$f" in -l*) printf '%s;' "${f#-l}" ;; *) printf '%s;' "$f" ;; esac; done)"
link_items="${link_items%;}"
{
    echo "# CMake package file for ToonStore $VERSION ($plat; made by scripts/matrix/package.sh)."
    echo "#   find_package(ToonStore 1 CONFIG REQUIRED)"
    echo "#   target_link_libraries(app PRIVATE ToonStore::toonstore)         # shared"
    echo "#   target_link_libraries(app PRIVATE ToonStore::toonstore_static)  # static"
    echo 'get_filename_component(_toonstore_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)'
    echo "set(ToonStore_SONAME \"$soname\")"
    echo "set(ToonStore_NATIVE_STATIC_LIBS \"$link_items\")"
    echo 'if(NOT TARGET ToonStore::toonstore)'
    echo '  add_library(ToonStore::toonstore SHARED IMPORTED)'
    echo '  set_target_properties(ToonStore::toonstore PROPERTIES'
    echo "    IMPORTED_LOCATION \"\${_toonstore_prefix}/lib/$shared\""
    if [ -n "$implib" ]; then
        echo "    IMPORTED_IMPLIB \"\${_toonstore_prefix}/lib/$implib\""
    else
        echo "    IMPORTED_SONAME \"$soname\""
    fi
    echo '    INTERFACE_INCLUDE_DIRECTORIES "${_toonstore_prefix}/include")'
    echo 'endif()'
    echo 'if(NOT TARGET ToonStore::toonstore_static)'
    echo '  add_library(ToonStore::toonstore_static STATIC IMPORTED)'
    echo '  set_target_properties(ToonStore::toonstore_static PROPERTIES'
    echo '    IMPORTED_LOCATION "${_toonstore_prefix}/lib/libtoonstore.a"'
    echo '    IMPORTED_LINK_INTERFACE_LANGUAGES "C"'
    echo '    INTERFACE_INCLUDE_DIRECTORIES "${_toonstore_prefix}/include"'
    echo '    INTERFACE_LINK_LIBRARIES "${ToonStore_NATIVE_STATIC_LIBS}")'
    echo 'endif()'
    echo 'set(ToonStore_LIBRARIES ToonStore::toonstore)'
    echo 'set(ToonStore_INCLUDE_DIRS "${_toonstore_prefix}/include")'
} >"$stage/lib/cmake/ToonStore/ToonStoreConfig.cmake"
cat >"$stage/lib/cmake/ToonStore/ToonStoreConfigVersion.cmake" <<CMAKE
# Same major version: compatible (the C API contract promises 1.x compatibility).
set(PACKAGE_VERSION "$VERSION")
string(REGEX MATCH "^[0-9]+" _toonstore_major "\${PACKAGE_FIND_VERSION}")
if(PACKAGE_FIND_VERSION VERSION_GREATER PACKAGE_VERSION OR NOT _toonstore_major STREQUAL "$major")
  set(PACKAGE_VERSION_COMPATIBLE FALSE)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
  if(PACKAGE_FIND_VERSION STREQUAL PACKAGE_VERSION)
    set(PACKAGE_VERSION_EXACT TRUE)
  endif()
endif()
CMAKE

cat >"$stage/README" <<README
ToonStore $VERSION for $plat (Rust target $target)

include/   toonstore.h (C ABI), toonstore.hpp (C++ wrapper)
lib/       $shared (shared library)${implib:+, $implib and toonstore.lib (import library)}
           libtoonstore.a (static library; link also: $native_libs)
           pkgconfig/toonstore.pc, pkgconfig/toonstore-static.pc (relocatable)
           cmake/ToonStore/ (find_package(ToonStore 1 CONFIG): ToonStore::toonstore,
           ToonStore::toonstore_static)

Unpack anywhere; point PKG_CONFIG_PATH at lib/pkgconfig or CMAKE_PREFIX_PATH at
the unpacked directory. The C API contract: docs/c/CONTRACT.md in the source
repository; what each platform was built and tested with: docs/platforms.md.
README

cd "$DIST/$plat"
case "$plat" in
    windows-*) rm -f "$name.zip"; zip -qr "$name.zip" "$name"; log "$plat: dist/$plat/$name.zip" ;;
    *) tar -czf "$name.tar.gz" "$name"; log "$plat: dist/$plat/$name.tar.gz" ;;
esac
