'use strict';
// index.d.ts under `tsc --strict`: a consumer that uses every call
// type-checks cleanly (ES module and CommonJS), and misuses are rejected.
// TypeScript comes from this package's devDependencies (npm install).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { pkg } = require('./helpers');

const tsc = path.join(pkg, 'node_modules', 'typescript', 'bin', 'tsc');

function runTsc(project) {
  assert.ok(fs.existsSync(tsc), `TypeScript is not installed (${tsc}): run npm install in ${pkg}`);
  return spawnSync(process.execPath, [tsc, '-p', project, '--strict', '--noEmit'], { cwd: pkg, encoding: 'utf8' });
}

test('a strict TypeScript consumer of index.d.ts type-checks', () => {
  const r = runTsc(path.join(__dirname, 'types'));
  assert.equal(r.stdout + r.stderr, '');
  assert.equal(r.status, 0);
});

test('misuses are type errors, exactly where marked', () => {
  const dir = path.join(__dirname, 'types', 'wrong');
  const source = fs.readFileSync(path.join(dir, 'wrong.mts'), 'utf8').split('\n');
  const marked = source.flatMap((line, i) => (line.endsWith('// error') ? [i + 1] : []));
  const r = runTsc(dir);
  assert.notEqual(r.status, 0);
  const lines = [...r.stdout.matchAll(/wrong\.mts\((\d+),\d+\): error TS\d+/g)].map((m) => Number(m[1]));
  assert.deepEqual([...new Set(lines)], marked, r.stdout);
});
