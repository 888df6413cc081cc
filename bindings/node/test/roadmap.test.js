'use strict';
// The roadmap's example (the owner's FFI roadmap, section 2, copied
// character for character into fixtures/roadmap-example.js), as written. It
// uses `await` at the top level of a CommonJS file, which Node only allows
// inside an async function, so the test runs the example's text
// unchanged as the body of one (with `require` resolving 'toonstore' to this
// package and '/path/to/db' to a temporary directory).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { dbPath, pkg } = require('./helpers');

const EXAMPLE = fs.readFileSync(path.join(__dirname, 'fixtures', 'roadmap-example.js'), 'utf8');

test('the roadmap example runs unchanged', async () => {
  const dir = dbPath('roadmap');
  const logged = [];
  const fakeRequire = (name) => {
    assert.equal(name, 'toonstore');
    return require(pkg);
  };
  const fakeConsole = { log: (line) => logged.push(line) };
  const body = EXAMPLE.replace("'/path/to/db'", JSON.stringify(dir));
  assert.notEqual(body, EXAMPLE, 'the example opens /path/to/db');
  const AsyncFunction = (async () => {}).constructor;
  const run = new AsyncFunction('require', 'console', body);
  await run(fakeRequire, fakeConsole);
  // It put one row, deleted it, iterated (nothing left), then put `data`
  // again asynchronously.
  assert.deepEqual(logged, []);
  const { ToonStore } = require(pkg);
  const db = ToonStore.open(dir);
  try {
    assert.equal(db.get(0), undefined, 'the first row was deleted');
    assert.equal(String(db.get(1)), 'users[1]{id,name}: 1,Alice');
    assert.equal(db.count(), 1);
  } finally {
    db.close();
  }
});
