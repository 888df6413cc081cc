'use strict';
// What was acknowledged survives: a reopen, and a kill -9 of the writer.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { dbPath, pkg } = require('./helpers');
const { ToonStore } = require(pkg);

test('rows, deletes and batches persist across close and reopen', async () => {
  const dir = dbPath();
  let db = ToonStore.open(dir);
  const ids = db.putMany(Array.from({ length: 1000 }, (_, i) => `v${i}`));
  db.delete(ids[3]);
  db.batch().put('in batch').delete(ids[4]).write();
  await db.putAsync('async');
  db.close();

  db = ToonStore.open(dir);
  assert.equal(db.count(), 1000 - 2 + 2);
  assert.equal(db.get(ids[3]), undefined);
  assert.equal(db.get(ids[4]), undefined);
  assert.equal(String(db.get(ids[999])), 'v999');
  assert.deepEqual(db.scan({ start: 1000 }).toArray().map(([, d]) => String(d)), ['in batch', 'async']);
  assert.equal(db.put('next'), 1002, 'ids continue after the last one');
  db.close();

  db = await ToonStore.openAsync(dir, { readOnly: true });
  assert.equal(db.count(), 1001);
  await db.closeAsync();
});

test('a handle never closed (garbage) still leaves its rows readable after reopen', async () => {
  const dir = dbPath();
  const child = spawn(process.execPath, ['-e', `
    const { ToonStore } = require(${JSON.stringify(pkg)});
    const db = ToonStore.open(${JSON.stringify(dir)});
    for (let i = 0; i < 100; i++) db.put('unclosed ' + i);
  `]);
  await new Promise((resolve) => child.once('exit', resolve));
  const db = ToonStore.open(dir);
  assert.equal(db.count(), 100);
  db.close();
});

test('a handle dropped without close is released when collected (its lock too)', () => {
  const dir = dbPath();
  const { spawnSync } = require('node:child_process');
  const r = spawnSync(process.execPath, ['--expose-gc', path.join(__dirname, 'fixtures', 'collected.js'), pkg, dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const other = JSON.parse(r.stdout);
  assert.equal(other.status, 0, `another process could not open it: ${other.stderr}`);
  assert.equal(other.stdout, '1', 'the row put before the handle was collected is there');
});

for (const durability of ['normal', 'off', 'full']) {
  test(`kill -9 of a writer (durability ${durability}): every acknowledged row is read back`, async () => {
    const dir = dbPath();
    const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'writer.js'), pkg, dir, durability], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const acked = new Map(); // id -> i
    let text = '';
    await new Promise((resolve, reject) => {
      child.stdout.on('data', (chunk) => {
        text += chunk;
        let nl;
        while ((nl = text.indexOf('\n')) >= 0) {
          const parts = text.slice(0, nl).split(' ').map(Number);
          text = text.slice(nl + 1);
          const i = parts.pop();
          parts.forEach((id, k) => acked.set(id, { i, second: k === 1 }));
        }
        if (acked.size >= (durability === 'full' ? 300 : 3000) && child.exitCode === null && !child.killed) {
          child.kill('SIGKILL');
        }
      });
      child.once('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`writer exited ${code}`))));
    });
    const db = ToonStore.open(dir);
    try {
      for (const [id, { i, second }] of acked) {
        const value = `row ${i} `.repeat(1 + (i % 13));
        assert.equal(String(db.get(id)), second ? `${value}b` : value, `acknowledged row ${id}`);
      }
      // Rows after the last acknowledged one may or may not be there; ids
      // are still dense and the database takes new writes.
      assert.ok(db.count() >= acked.size);
      const next = db.put('after the crash');
      assert.ok(next >= acked.size);
    } finally {
      db.close();
    }
  });
}
