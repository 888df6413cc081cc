'use strict';
// worker_threads: one database opened in several threads of one process is
// one shared engine (not TOONSTORE_ERR_LOCKED).

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Worker } = require('node:worker_threads');
const { dbPath, pkg } = require('./helpers');
const { ToonStore } = require(pkg);

const WORKER = path.join(__dirname, 'fixtures', 'worker.js');

function runWorker(data) {
  return new Promise((resolve, reject) => {
    const w = new Worker(WORKER, { workerData: { pkg, ...data } });
    w.once('message', (msg) => {
      if (msg.error) reject(Object.assign(new Error(msg.error.message), { code: msg.error.code }));
      else resolve({ ...msg, worker: w });
    });
    w.once('error', reject);
  });
}

function checkRows(db, results, rows) {
  for (const [n, { ids }] of results.entries()) {
    assert.equal(ids.length, rows + 2);
    ids.slice(0, rows).forEach((id, i) => assert.equal(String(db.get(id)), `worker ${n} row ${i}`));
    assert.equal(String(db.get(ids[rows])), `worker ${n} batch 0`);
  }
  const all = results.flatMap((r) => r.ids);
  assert.equal(new Set(all).size, all.length, 'no id was given twice');
}

test('workers and the main thread share one open database', async () => {
  const dir = dbPath();
  const db = ToonStore.open(dir);
  db.put('main');
  const rows = 300;
  const results = await Promise.all(
    [0, 1, 2, 3].map((n) => runWorker({ dir, n, rows, async: n % 2 === 1 })),
  );
  await Promise.all(results.map((r) => r.worker.terminate()));
  checkRows(db, results, rows);
  assert.equal(db.count(), 1 + 4 * (rows + 2));
  db.put('main after');
  db.close();
  const again = ToonStore.open(dir);
  assert.equal(again.count(), 2 + 4 * (rows + 2));
  again.close();
});

test('workers alone share the engine; it is closed with the last of them', async () => {
  const dir = dbPath();
  const rows = 100;
  const results = await Promise.all([0, 1, 2].map((n) => runWorker({ dir, n, rows })));
  await Promise.all(results.map((r) => r.worker.terminate()));
  const db = ToonStore.open(dir);
  checkRows(db, results, rows);
  assert.equal(db.count(), 3 * (rows + 2));
  db.close();
});

test('a worker terminated with its handle open loses nothing acknowledged', async () => {
  const dir = dbPath();
  const rows = 200;
  const { ids, worker } = await runWorker({ dir, n: 0, rows, hold: true });
  await worker.terminate();
  const db = ToonStore.open(dir);
  checkRows(db, [{ ids }], rows);
  db.close();
});
