#!/usr/bin/env bash
# Builds the Node.js addon of one platform into
#   dist/node/prebuilds/<platform>-<arch>/toonstore.node
# (Node's process.platform and process.arch: linux-x64, linux-arm64,
# win32-x64, darwin-x64, darwin-arm64), the layout bindings/node's loader
# (lib/native.js) looks for inside the package: copy dist/node/prebuilds/
# into bindings/node before `npm pack` to ship every platform in one package.
#
#   scripts/matrix/node.sh PLATFORM
set -euo pipefail
. "$(dirname "$0")/common.sh"

plat="$1"
target="$(rust_target "$plat")"
case "$plat" in
    linux-x64) dir=linux-x64; file=libtoonstore_node.so ;;
    linux-arm64) dir=linux-arm64; file=libtoonstore_node.so ;;
    windows-x64) dir=win32-x64; file=toonstore_node.dll ;;
    macos-x64) dir=darwin-x64; file=libtoonstore_node.dylib ;;
    macos-arm64) dir=darwin-arm64; file=libtoonstore_node.dylib ;;
esac
if [ "$target" = x86_64-pc-windows-gnu ]; then
    # napi-build insists on linking a libnode.dll for windows-gnu; the addon
    # needs none (Cargo.toml: dyn-symbols, N-API is found in the host
    # process at load time). An import library that imports nothing
    # satisfies it: the linker adds no entry for it to the addon.
    stub="$CARGO_TARGET_DIR/libnode-stub"
    mkdir -p "$stub"
    printf 'LIBRARY node.exe\nEXPORTS\n' >"$stub/node.def"
    dlltool="$(command -v x86_64-w64-mingw32-dlltool || command -v dlltool)"
    "$dlltool" -d "$stub/node.def" -l "$stub/libnode.dll.a"
    : >"$stub/libnode.dll"
    export LIBNODE_PATH="$stub"
fi
log "$plat: cargo build --profile addon --target $target (bindings/node)"
(cd "$ROOT/bindings/node" && nice -n 10 cargo build --quiet --profile addon --target "$target")
out="$DIST/node/prebuilds/$dir"
mkdir -p "$out"
cp "$CARGO_TARGET_DIR/$target/addon/$file" "$out/toonstore.node"
if [ "$target" = x86_64-pc-windows-gnu ] && command -v x86_64-w64-mingw32-objdump >/dev/null; then
    # The addon must import nothing from node (see above): only system DLLs.
    if x86_64-w64-mingw32-objdump -p "$out/toonstore.node" | grep -i 'DLL Name: .*node'; then
        log "$plat: the addon imports from node's executable or a libnode"
        exit 1
    fi
fi
log "$plat: dist/node/prebuilds/$dir/toonstore.node"
