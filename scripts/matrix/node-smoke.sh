#!/usr/bin/env bash
# Checks that dist/node/ has the layout bindings/node's loader expects: a
# copy of the package's JavaScript (no native/ build, no Rust sources) plus
# dist/node/prebuilds/ must load this machine's prebuilt addon and store and
# read a row. Prints `node prebuilds: ok (<platform>-<arch>)` or fails.
#
#   scripts/matrix/node-smoke.sh
set -euo pipefail
. "$(dirname "$0")/common.sh"

work="$(mktemp -d "${TMPDIR:-/tmp}/toonstore-node-smoke.XXXXXX")"
trap 'rm -rf "$work"' EXIT
pkg="$work/toonstore"
mkdir -p "$pkg"
cp -r "$ROOT/bindings/node/package.json" "$ROOT/bindings/node/index.js" "$ROOT/bindings/node/lib" "$pkg/"
cp -r "$DIST/node/prebuilds" "$pkg/"
(cd "$work" && env -u TOONSTORE_NODE_ADDON node -e '
const path = require("node:path");
const { ToonStore } = require("./toonstore");
const db = ToonStore.open(path.join(process.argv[1], "db"));
const id = db.put(Buffer.from("from a prebuilt addon"));
const back = db.get(id).toString();
db.close();
if (back !== "from a prebuilt addon") throw new Error("read back " + back);
const addon = require.resolve("./toonstore/prebuilds/" + process.platform + "-" + process.arch + "/toonstore.node");
if (!require.cache[addon]) throw new Error("the addon was not loaded from prebuilds/");
console.log("node prebuilds: ok (" + process.platform + "-" + process.arch + ")");
' "$work")
