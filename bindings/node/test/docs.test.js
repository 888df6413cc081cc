'use strict';
// The examples of the documentation run: the Node.js section of the
// repository's README.md and the quick start of docs/nodejs/README.md, with
// 'toonstore' resolved to this package and /tmp/people to a fresh directory.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawnSync } = require('node:child_process');
const { pathToFileURL } = require('node:url');
const { base, dbPath, pkg } = require('./helpers');

const repo = path.join(pkg, '..', '..');

/** The first ```js block after `heading` in a markdown file. */
function example(file, heading) {
  const text = fs.readFileSync(path.join(repo, file), 'utf8');
  const at = text.indexOf(heading);
  assert.ok(at >= 0, `${file} has ${heading}`);
  const m = /```js\n([\s\S]*?)```/.exec(text.slice(at));
  assert.ok(m, `${file} has a js block after ${heading}`);
  return m[1];
}

function run(code) {
  const dir = dbPath('docs');
  const source = code
    .replaceAll("from 'toonstore'", `from ${JSON.stringify(pathToFileURL(path.join(pkg, 'index.mjs')).href)}`)
    .replaceAll("'/tmp/people'", JSON.stringify(dir));
  assert.notEqual(source, code);
  const file = path.join(base, `example-${process.hrtime.bigint()}.mjs`);
  fs.writeFileSync(file, source);
  const r = spawnSync(process.execPath, [file], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

test('the README example runs', () => {
  const out = run(example('README.md', '## Node.js'));
  assert.match(out, /users\[1\]\{id,name\}: 1,Alice/);
  assert.match(out, /^0 users/m);
});

test('the docs/nodejs quick start runs and prints what its comments say', () => {
  const out = run(example('docs/nodejs/README.md', '## Quick start')).split('\n');
  assert.equal(out[0], '0 users[1]{id,name}: 1,Alice');
  assert.equal(out[1], 'undefined');
  assert.deepEqual(out.slice(2, 5), ['0 users[1]{id,name}: 1,Alice', '1 a string is stored as UTF-8', '3 c']);
});
