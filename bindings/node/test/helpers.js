'use strict';
// Shared by the tests: fresh database directories, removed at exit.

const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const base = fs.mkdtempSync(path.join(os.tmpdir(), 'toonstore-node-test-'));
process.on('exit', () => {
  fs.rmSync(base, { recursive: true, force: true });
});

let n = 0;
/** A path for a new database (the directory does not exist yet). */
function dbPath(name = 'db') {
  n += 1;
  return path.join(base, `${name}-${process.pid}-${n}`);
}

/** The package's directory (what `require('toonstore')` resolves to). */
const pkg = path.join(__dirname, '..');

module.exports = { dbPath, base, pkg };
