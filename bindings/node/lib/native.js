'use strict';
// Finds and loads the compiled addon (toonstore.node), in this order:
//   1. $TOONSTORE_NODE_ADDON, when set (a path to a .node file);
//   2. prebuilds/<platform>-<arch>/toonstore.node inside this package (what
//      `npm pack` ships for the platform it ran on);
//   3. the per-platform package toonstore-<platform>-<arch> (napi-rs style;
//      published by the build matrix, optional dependencies of this one);
//   4. native/toonstore.node, built from source by `npm install`
//      (scripts/build.js: cargo build + copy).
// Every failure is kept, so that the final error says what was tried.

const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const target = `${process.platform}-${process.arch}`;

function candidates() {
  const list = [];
  if (process.env.TOONSTORE_NODE_ADDON) {
    list.push({ file: path.resolve(process.env.TOONSTORE_NODE_ADDON) });
  }
  list.push({ file: path.join(root, 'prebuilds', target, 'toonstore.node') });
  list.push({ module: `toonstore-${target}` });
  list.push({ file: path.join(root, 'native', 'toonstore.node') });
  return list;
}

function load() {
  const tried = [];
  for (const c of candidates()) {
    if (c.file !== undefined) {
      if (!fs.existsSync(c.file)) {
        tried.push(`${c.file}: not found`);
        continue;
      }
      try {
        return require(c.file);
      } catch (err) {
        tried.push(`${c.file}: ${err.message}`);
      }
    } else {
      try {
        return require(c.module);
      } catch (err) {
        tried.push(`${c.module}: ${err.code === 'MODULE_NOT_FOUND' ? 'not installed' : err.message}`);
      }
    }
  }
  const err = new Error(
    `toonstore: no native addon for ${target} could be loaded. Build it with ` +
      `\`npm run build\` in ${root} (needs Rust's cargo), or install a package ` +
      `that ships a prebuilt addon for this platform. Tried:\n  ${tried.join('\n  ')}`,
  );
  err.code = 'TOONSTORE_ADDON_NOT_FOUND';
  throw err;
}

module.exports = load();
