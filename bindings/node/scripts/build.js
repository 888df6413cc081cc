#!/usr/bin/env node
'use strict';
// Builds the addon from source and puts it where lib/native.js looks.
//
//   node scripts/build.js             cargo build + copy to native/toonstore.node
//   node scripts/build.js --install   the `install` lifecycle script: as above
//                                     in a source checkout; in a packed package
//                                     (no Rust sources), the prebuilt addon for
//                                     this platform is used
//   node scripts/build.js --prebuild  build, then copy to
//                                     prebuilds/<platform>-<arch>/ (prepack)
//   node scripts/build.js --clean-prebuild   remove prebuilds/ (postpack)
//
// Environment: CARGO (the cargo to run; default: cargo on PATH, then
// ~/.cargo/bin/cargo), TOONSTORE_NODE_PROFILE (cargo profile, default
// `addon`: see Cargo.toml), CARGO_TARGET_DIR (default: ./target).

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawnSync } = require('node:child_process');

const root = path.join(__dirname, '..');
const target = `${process.platform}-${process.arch}`;
const prebuilt = path.join(root, 'prebuilds', target, 'toonstore.node');
const mode = process.argv[2] ?? '--build';

function log(msg) {
  process.stderr.write(`toonstore: ${msg}\n`);
}

function fail(msg) {
  log(msg);
  process.exit(1);
}

function findCargo() {
  if (process.env.CARGO) return process.env.CARGO;
  const onPath = spawnSync('cargo', ['--version'], { stdio: 'ignore' });
  if (onPath.status === 0) return 'cargo';
  const home = path.join(os.homedir(), '.cargo', 'bin', process.platform === 'win32' ? 'cargo.exe' : 'cargo');
  if (fs.existsSync(home)) return home;
  return null;
}

function libraryName() {
  switch (process.platform) {
    case 'win32':
      return 'toonstore_node.dll';
    case 'darwin':
      return 'libtoonstore_node.dylib';
    default:
      return 'libtoonstore_node.so';
  }
}

/** Copies through a temporary name: a process that has the old addon loaded keeps its mapping. */
function install(from, to) {
  fs.mkdirSync(path.dirname(to), { recursive: true });
  const tmp = `${to}.${process.pid}.tmp`;
  fs.copyFileSync(from, tmp);
  fs.renameSync(tmp, to);
  log(`addon at ${path.relative(process.cwd(), to) || to}`);
}

function build() {
  const manifest = path.join(root, 'Cargo.toml');
  if (!fromSource()) {
    fail(
      `no prebuilt addon for ${target} in this package, and no ToonStore source tree to build one ` +
        `from (${manifest} and the engine crate two directories above it). Install from a checkout ` +
        `(npm install <repo>/bindings/node) or from a package built for ${target}.`,
    );
  }
  const cargo = findCargo();
  if (cargo === null) {
    fail('cargo (Rust) is needed to build the addon from source: install it from https://rustup.rs');
  }
  const profile = process.env.TOONSTORE_NODE_PROFILE || 'addon';
  const targetDir = process.env.CARGO_TARGET_DIR || path.join(root, 'target');
  log(`cargo build --profile ${profile} (${targetDir})`);
  const r = spawnSync(cargo, ['build', '--profile', profile, '--manifest-path', manifest], {
    stdio: 'inherit',
    env: { ...process.env, CARGO_TARGET_DIR: targetDir },
  });
  if (r.error) fail(`could not run ${cargo}: ${r.error.message}`);
  if (r.status !== 0) fail(`cargo build failed (exit status ${r.status})`);
  const dir = profile === 'dev' ? 'debug' : profile;
  const lib = path.join(targetDir, dir, libraryName());
  if (!fs.existsSync(lib)) fail(`cargo build succeeded but ${lib} is missing`);
  return lib;
}

/** Whether this is a source checkout (the crate and the engine beside it), not a packed package. */
function fromSource() {
  return fs.existsSync(path.join(root, 'Cargo.toml')) && fs.existsSync(path.join(root, '..', '..', 'Cargo.toml'));
}

/** In a checkout, prebuilds/ only exists while `npm pack` runs; one left behind would shadow new builds. */
function removeStalePrebuilds() {
  fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
}

switch (mode) {
  case '--install':
    if (!fromSource() && fs.existsSync(prebuilt)) {
      log(`using the prebuilt addon for ${target}`);
      break;
    }
    removeStalePrebuilds();
    install(build(), path.join(root, 'native', 'toonstore.node'));
    break;
  case '--build':
    removeStalePrebuilds();
    install(build(), path.join(root, 'native', 'toonstore.node'));
    break;
  case '--prebuild': {
    const lib = build();
    install(lib, path.join(root, 'native', 'toonstore.node'));
    install(lib, prebuilt);
    break;
  }
  case '--clean-prebuild':
    fs.rmSync(path.join(root, 'prebuilds'), { recursive: true, force: true });
    break;
  default:
    fail(`unknown argument ${mode}`);
}
