'use strict';
// The roadmap's example (../shared/seed/FFI_ROADMAP.md, section 2), as
// written. It uses `await` at the top level of a CommonJS file, which Node
// only allows inside an async function, so the test runs the example's text
// unchanged as the body of one (with `require` resolving 'toonstore' to this
// package and '/path/to/db' to a temporary directory).

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { dbPath, pkg } = require('./helpers');

const EXAMPLE = fs.readFileSync(path.join(__dirname, 'fixtures', 'roadmap-example.js'), 'utf8');

test('the fixture is the roadmap example, character for character', (t) => {
  // shared/ lies beside the repository's checkout (TOONSTORE_SHARED overrides).
  const shared = process.env.TOONSTORE_SHARED ?? path.join(pkg, '..', '..', '..', 'shared');
  const roadmap = path.join(shared, 'seed', 'FFI_ROADMAP.md');
  if (!fs.existsSync(roadmap)) {
    t.skip(`${roadmap} is not beside this checkout`);
    return;
  }
  const text = fs.readFileSync(roadmap, 'utf8');
  const section = text.slice(text.indexOf('## 2. Node.js Bindings'));
  const m = /```javascript\n([\s\S]*?)```/.exec(section);
  assert.ok(m, 'the roadmap has a javascript block in section 2');
  assert.equal(EXAMPLE, m[1]);
});

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
