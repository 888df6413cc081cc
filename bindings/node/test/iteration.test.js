'use strict';
// Scans while the database changes, releasing scans early, and streams.

const test = require('node:test');
const assert = require('node:assert/strict');
const path = require('node:path');
const { Writable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { setTimeout: sleep } = require('node:timers/promises');
const { dbPath, pkg } = require('./helpers');
const { ToonStore } = require(pkg);
const native = require(path.join(pkg, 'lib', 'native'));

function withDb(fn) {
  const db = ToonStore.open(dbPath());
  const done = () => db.close();
  const r = fn(db);
  if (r && typeof r.then === 'function') return r.finally(done);
  done();
  return r;
}

/** Native scans and snapshots alive in this process. */
function live() {
  return native.nativeResources();
}

test('a scan reads one snapshot while puts and deletes go on', () =>
  withDb((db) => {
    const ids = db.putMany(Array.from({ length: 5000 }, (_, i) => `orig ${i}`));
    const seen = [];
    let written = 0;
    for (const [id, data] of db.scan({ chunkRows: 64 })) {
      seen.push(id);
      assert.equal(String(data), `orig ${id}`);
      // Every row: delete a row ahead of the scan and append a new one.
      const ahead = ids[ids.length - 1 - seen.length];
      if (ahead > id && db.has(ahead)) db.delete(ahead);
      db.put(`new ${written++}`);
    }
    assert.deepEqual(seen, ids, 'exactly the rows live when the scan started');
    assert.ok(db.count() > 5000 - seen.length);
    // A new scan sees the changes.
    const after = db.scan().toArray();
    assert.equal(after.length, db.count());
    assert.ok(after.some(([, d]) => String(d).startsWith('new ')));
  }));

test('for await reads one snapshot while async writes go on', () =>
  withDb(async (db) => {
    const ids = db.putMany(Array.from({ length: 3000 }, (_, i) => `orig ${i}`));
    const writes = [];
    const seen = [];
    for await (const [id, data] of db.scan({ chunkRows: 100 })) {
      seen.push(id);
      assert.equal(String(data), `orig ${id}`);
      if (seen.length % 10 === 0) writes.push(db.putAsync(`async ${id}`));
      if (seen.length === 1) db.delete(ids[ids.length - 1]);
    }
    await Promise.all(writes);
    assert.deepEqual(seen, ids);
    assert.equal(db.count(), 3000 - 1 + 300);
  }));

test('breaking out of for..of releases the native scan', () =>
  withDb((db) => {
    db.putMany(Array.from({ length: 5000 }, (_, i) => `r${i}`));
    const base = live().scans;
    let n = 0;
    for (const [id] of db.scan({ chunkRows: 16 })) {
      assert.equal(live().scans, base + 1);
      if (id === 100) break;
      n += 1;
    }
    assert.equal(n, 100);
    assert.equal(live().scans, base, 'break called return(), which released it');
    try {
      for (const row of db.scan()) {
        assert.ok(row);
        throw new Error('out');
      }
    } catch (err) {
      assert.equal(err.message, 'out');
    }
    assert.equal(live().scans, base, 'a throw out of the loop released it too');
    const s = db.scan();
    assert.equal(live().scans, base + 1);
    s.toArray();
    assert.equal(live().scans, base, 'reading to the end released it');
    const t = db.scan();
    t.close();
    assert.equal(live().scans, base, 'close() released it');
    const snap = db.snapshot();
    assert.equal(live().snapshots >= 1, true);
    const before = live().snapshots;
    snap.close();
    assert.equal(live().snapshots, before - 1, 'snapshot.close() released it');
  }));

test('breaking out of for await releases the native scan', () =>
  withDb(async (db) => {
    db.putMany(Array.from({ length: 5000 }, (_, i) => `r${i}`));
    const base = live().scans;
    for await (const [id] of db.scan({ chunkRows: 32 })) {
      if (id === 50) break;
    }
    assert.equal(live().scans, base);
  }));

test('createReadStream: every row in order through a pipeline', () =>
  withDb(async (db) => {
    const values = Array.from({ length: 4000 }, (_, i) => Buffer.from(`stream row ${i}`));
    db.putMany(values);
    const got = [];
    await pipeline(
      db.createReadStream({ chunkRows: 128 }),
      new Writable({
        objectMode: true,
        write([id, data], _enc, cb) {
          got.push(id);
          assert.ok(data.equals(values[id]));
          cb();
        },
      }),
    );
    assert.equal(got.length, 4000);
    assert.deepEqual(got, [...got].sort((a, b) => a - b));
    const limited = [];
    for await (const [id] of db.createReadStream({ start: 10, limit: 5 })) limited.push(id);
    assert.deepEqual(limited, [10, 11, 12, 13, 14]);
  }));

test('createReadStream applies back-pressure: a paused consumer stops the reading', () =>
  withDb(async (db) => {
    db.putMany(Array.from({ length: 20000 }, (_, i) => `r${i}`));
    const base = live().scans;
    const stream = db.createReadStream({ highWaterMark: 8, chunkRows: 64 });
    const firstRows = [];
    stream.on('data', (row) => {
      firstRows.push(row[0]);
      if (firstRows.length === 10) stream.pause();
    });
    await sleep(100);
    assert.equal(firstRows.length, 10);
    // Paused: the stream holds at most its high-water mark; the rest of the
    // chunk waits in the scan, and no further chunk was read.
    assert.ok(stream.readableLength <= 8, `buffered ${stream.readableLength}`);
    stream.removeAllListeners('data');
    let count = firstRows.length;
    stream.on('data', () => {
      count += 1;
    });
    stream.resume();
    await new Promise((resolve, reject) => {
      stream.once('end', resolve);
      stream.once('error', reject);
    });
    assert.equal(count, 20000);
    assert.equal(live().scans, base);
  }));

test('destroying a stream early releases the scan', () =>
  withDb(async (db) => {
    db.putMany(Array.from({ length: 5000 }, (_, i) => `r${i}`));
    const base = live().scans;
    const stream = db.createReadStream({ chunkRows: 50 });
    let n = 0;
    for await (const row of stream) {
      assert.ok(row);
      if (++n === 75) break; // for await destroys the stream
    }
    assert.equal(stream.destroyed, true);
    assert.equal(live().scans, base);
  }));

test('a stream of a database closed meanwhile errors with TOONSTORE_ERR_CLOSED', async () => {
  const db = ToonStore.open(dbPath());
  db.putMany(Array.from({ length: 1000 }, (_, i) => `r${i}`));
  const stream = db.createReadStream({ chunkRows: 10, highWaterMark: 1 });
  const rows = [];
  const ended = new Promise((resolve) => stream.once('error', resolve));
  stream.on('data', (row) => {
    rows.push(row);
    if (rows.length === 5) db.close();
  });
  const err = await ended;
  assert.equal(err.code, 'TOONSTORE_ERR_CLOSED');
  assert.ok(rows.length >= 5 && rows.length < 1000);
});

test('snapshot streams and scans while writing', () =>
  withDb(async (db) => {
    db.putMany(['a', 'b']);
    const snap = db.snapshot();
    db.put('c');
    const rows = [];
    for await (const [id, d] of snap.createReadStream()) rows.push([id, String(d)]);
    snap.close();
    assert.deepEqual(rows, [
      [0, 'a'],
      [1, 'b'],
    ]);
  }));

test('a scan closed while its next chunk is read hands out nothing more', () =>
  withDb(async (db) => {
    db.putMany(Array.from({ length: 100 }, (_, i) => `r${i}`));
    const base = live().scans;
    const scan = db.scan({ chunkRows: 10 });
    const it = scan[Symbol.asyncIterator]();
    assert.equal((await it.next()).value[0], 0);
    for (let i = 1; i < 10; i++) await it.next();
    const pending = it.next(); // needs the next chunk: read on the thread pool
    scan.close();
    assert.deepEqual(await pending, { value: undefined, done: true });
    assert.deepEqual(scan.next(), { value: undefined, done: true });
    assert.equal(live().scans, base);
  }));
