'use strict';
// Every call of the API, with the values a user relies on.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { pathToFileURL } = require('node:url');
const { dbPath, pkg } = require('./helpers');
const toonstore = require(pkg);
const { ToonStore, ToonStoreError, Batch, Snapshot, Scan, errorCodes, version } = toonstore;

function withDb(options, fn) {
  const db = ToonStore.open(dbPath(), options);
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

test('exports: classes, error codes and the engine version', () => {
  assert.equal(typeof ToonStore.open, 'function');
  assert.equal(typeof ToonStore.openAsync, 'function');
  assert.equal(typeof ToonStoreError, 'function');
  assert.equal(typeof Batch, 'function');
  assert.equal(typeof Snapshot, 'function');
  assert.equal(typeof Scan, 'function');
  const cargo = fs.readFileSync(path.join(pkg, '..', '..', 'Cargo.toml'), 'utf8');
  assert.equal(version, /^version = "([^"]+)"/m.exec(cargo)[1]);
  const npmVersion = JSON.parse(fs.readFileSync(path.join(pkg, 'package.json'), 'utf8')).version;
  assert.equal(npmVersion, version, 'the npm package version follows the crate');
  assert.equal(errorCodes.TOONSTORE_ERR_LOCKED, -5);
  assert.equal(errorCodes.TOONSTORE_ERR_CLOSED, -11);
  assert.equal(toonstore.default, toonstore);
  assert.throws(() => new ToonStore(), TypeError);
});

test('errorCodes and ToonStoreError codes are the C header names and numbers', () => {
  const header = fs.readFileSync(path.join(pkg, '..', '..', 'include', 'toonstore.h'), 'utf8');
  const fromHeader = Object.fromEntries(
    [...header.matchAll(/^#define (TOONSTORE_ERR_[A-Z_]+) (-\d+)$/gm)].map((m) => [m[1], Number(m[2])]),
  );
  assert.ok(Object.keys(fromHeader).length >= 13);
  assert.deepEqual({ ...errorCodes }, fromHeader);
});

test('put returns increasing ids; get returns a Buffer with the bytes', () => {
  withDb({}, (db) => {
    const a = db.put(Buffer.from('alpha'));
    const b = db.put(Buffer.from('beta'));
    assert.equal(a, 0);
    assert.equal(b, 1);
    const got = db.get(a);
    assert.ok(Buffer.isBuffer(got));
    assert.ok(got instanceof Buffer);
    assert.equal(got.constructor, Buffer);
    assert.equal(require('node:util').inspect(got), '<Buffer 61 6c 70 68 61>');
    assert.deepEqual(got.toJSON(), { type: 'Buffer', data: [...Buffer.from('alpha')] });
    assert.ok(Buffer.isBuffer(got.subarray(1, 3)) && got.subarray(1, 3).toString() === 'lp');
    assert.equal(got.length, 5);
    assert.equal(got.toString(), 'alpha');
    assert.equal(db.get(b).toString(), 'beta');
  });
});

test('put accepts Buffer, Uint8Array, other views, ArrayBuffer and strings (UTF-8)', () => {
  withDb({}, (db) => {
    const ids = [
      db.put(Buffer.from([1, 2, 3])),
      db.put(new Uint8Array([4, 5])),
      db.put(new Uint8Array([9, 9, 6, 7, 9]).subarray(2, 4)),
      db.put(new Uint16Array([0x0102])),
      db.put(new DataView(new Uint8Array([8, 8]).buffer)),
      db.put(new Uint8Array([10, 11]).buffer),
      db.put('héllo ✓'),
      db.put(''),
      db.put(Buffer.alloc(0)),
    ];
    const expected = [
      [1, 2, 3],
      [4, 5],
      [6, 7],
      [...new Uint8Array(new Uint16Array([0x0102]).buffer)],
      [8, 8],
      [10, 11],
      [...Buffer.from('héllo ✓', 'utf8')],
      [],
      [],
    ];
    ids.forEach((id, i) => assert.deepEqual([...db.get(id)], expected[i], `value ${i}`));
  });
});

test('get returns undefined for a missing or deleted row, has tells', () => {
  withDb({}, (db) => {
    assert.equal(db.get(0), undefined);
    assert.equal(db.get(Number.MAX_SAFE_INTEGER), undefined);
    const id = db.put('x');
    assert.equal(db.has(id), true);
    db.delete(id);
    assert.equal(db.get(id), undefined);
    assert.equal(db.has(id), false);
    assert.equal(db.has(id + 1), false);
  });
});

test('get: the Buffers handed out stay independent (pooled copies)', () => {
  withDb({}, (db) => {
    const ids = [];
    for (let i = 0; i < 3000; i++) ids.push(db.put(Buffer.alloc(100 + (i % 50), i % 256)));
    const big = db.put(Buffer.alloc(200_000, 7));
    const got = ids.map((id) => db.get(id));
    const gotBig = db.get(big);
    got[0].fill(0xee);
    ids.forEach((id, i) => {
      if (i > 0) assert.ok(got[i].equals(Buffer.alloc(100 + (i % 50), i % 256)), `row ${i}`);
    });
    assert.ok(gotBig.equals(Buffer.alloc(200_000, 7)));
    // Changing a returned Buffer changes neither the row nor later reads.
    assert.ok(db.get(ids[0]).equals(Buffer.alloc(100, 0)));
  });
});

test('values up to maxValueSize round-trip; larger ones are refused', () => {
  withDb({ maxValueSize: 1 << 20 }, (db) => {
    const v = Buffer.alloc(1 << 20);
    for (let i = 0; i < v.length; i++) v[i] = (i * 31) & 0xff;
    const id = db.put(v);
    assert.ok(db.get(id).equals(v));
    assert.throws(() => db.put(Buffer.alloc((1 << 20) + 1)), { code: 'TOONSTORE_ERR_TOO_LARGE' });
    assert.equal(db.count(), 1);
  });
});

test('delete, count and stats', () => {
  withDb({}, (db) => {
    const ids = db.putMany(['a', 'b', 'c']);
    db.delete(ids[1]);
    assert.equal(db.count(), 2);
    const s = db.stats();
    assert.equal(s.liveRows, 2);
    assert.equal(s.deletedRows, 1);
    assert.equal(s.nextRowId, 3);
    assert.ok(s.liveBytes > 0);
    assert.ok(s.diskBytes > 0);
    assert.ok(s.segmentCount >= 1);
    assert.ok(s.garbageFraction > 0 && s.garbageFraction < 1);
    assert.deepEqual(Object.keys(s).sort(), [
      'deletedRows', 'diskBytes', 'garbageFraction', 'liveBytes', 'liveRows', 'nextRowId', 'segmentCount',
    ]);
  });
});

test('putMany: one atomic batch, ids in order', () => {
  withDb({}, (db) => {
    db.put('first');
    const ids = db.putMany([Buffer.from('a'), new Uint8Array([98]), 'c']);
    assert.deepEqual(ids, [1, 2, 3]);
    assert.deepEqual(ids.map((id) => String(db.get(id))), ['a', 'b', 'c']);
    assert.deepEqual(db.putMany([]), []);
    assert.deepEqual(db.putMany(new Set(['d'])), [4]);
  });
});

test('batch: puts and deletes commit together; a failing batch writes nothing', () => {
  withDb({}, (db) => {
    const [a, b] = db.putMany(['a', 'b']);
    const batch = db.batch();
    assert.ok(batch instanceof Batch);
    const src = Buffer.from('copied at put');
    assert.equal(batch.put(src).put('y').delete(a), batch);
    src.fill(0); // the batch copied the bytes when put() was called
    assert.equal(batch.length, 3);
    const ids = batch.write();
    assert.deepEqual(ids, [2, 3]);
    assert.equal(batch.length, 0, 'a written batch is empty');
    assert.equal(String(db.get(2)), 'copied at put');
    assert.equal(db.get(a), undefined);

    const bad = db.batch().put('never').delete(b).delete(a); // a is gone
    assert.throws(() => bad.write(), { name: 'ToonStoreError', code: 'TOONSTORE_ERR_NOT_FOUND' });
    assert.equal(bad.length, 3, 'a failed batch keeps its operations');
    assert.equal(db.has(b), true, 'nothing of the failed batch was written');
    assert.equal(db.stats().nextRowId, 4);
    bad.clear();
    assert.equal(bad.length, 0);
    assert.deepEqual(bad.write(), []);
    // A large batch that grows its buffer.
    const many = db.batch();
    for (let i = 0; i < 5000; i++) many.put(Buffer.alloc(10, i & 0xff));
    const manyIds = many.write();
    assert.equal(manyIds.length, 5000);
    assert.ok(db.get(manyIds[4999]).equals(Buffer.alloc(10, 4999 & 0xff)));
  });
});

test('scan: every live row in id order, as [rowId, Buffer]', () => {
  withDb({}, (db) => {
    const values = [];
    for (let i = 0; i < 2500; i++) values.push(Buffer.from(`row ${i} `.repeat(1 + (i % 7))));
    const ids = db.putMany(values);
    db.delete(ids[10]);
    db.delete(ids[2000]);
    const rows = [...db.scan()];
    assert.equal(rows.length, 2498);
    let prev = -1;
    for (const [id, data] of rows) {
      assert.ok(id > prev);
      prev = id;
      assert.ok(Buffer.isBuffer(data) && data.constructor === Buffer);
      assert.ok(data.equals(values[id]), `row ${id}`);
    }
    assert.ok(!rows.some(([id]) => id === 10 || id === 2000));
  });
});

test('scan options: start, limit, chunkRows; toArray', () => {
  withDb({}, (db) => {
    db.putMany(Array.from({ length: 100 }, (_, i) => `v${i}`));
    assert.deepEqual(db.scan({ start: 95 }).toArray().map(([id]) => id), [95, 96, 97, 98, 99]);
    assert.deepEqual(db.scan({ start: 10, limit: 3 }).toArray().map(([id, d]) => [id, String(d)]), [
      [10, 'v10'],
      [11, 'v11'],
      [12, 'v12'],
    ]);
    assert.deepEqual(db.scan({ limit: 0 }).toArray(), []);
    assert.deepEqual(db.scan({ start: 1000 }).toArray(), []);
    for (const chunkRows of [1, 2, 7, 100, 65536]) {
      assert.equal(db.scan({ chunkRows }).toArray().length, 100, `chunkRows ${chunkRows}`);
    }
  });
});

test('scan options: stop and reverse (bounded and reverse scans, the last rows)', () => {
  withDb({}, (db) => {
    db.putMany(Array.from({ length: 10 }, (_, i) => `v${i}`));
    db.delete(3);
    db.delete(9);
    const ids = (opts) => db.scan(opts).toArray().map(([id]) => id);
    assert.deepEqual(ids({ start: 2, stop: 6 }), [2, 4, 5]);
    assert.deepEqual(ids({ start: 2, stop: 6, reverse: true }), [5, 4, 2]);
    assert.deepEqual(ids({ reverse: true, limit: 2 }), [8, 7]);
    assert.deepEqual(ids({ stop: 3, reverse: true, chunkRows: 1 }), [2, 1, 0]);
    assert.deepEqual(ids({ start: 4, stop: 4, reverse: true }), []);
    assert.deepEqual(ids({ start: 7, stop: 1e6, reverse: true }), [8, 7]);
    assert.deepEqual(db.scan({ reverse: true, limit: 1 }).toArray().map(([id, d]) => [id, String(d)]), [[8, 'v8']]);
    assert.throws(() => db.scan({ start: 5, stop: 4 }), (e) => e instanceof ToonStoreError && e.code === 'TOONSTORE_ERR_INVALID_ARG');
    assert.throws(() => db.scan({ stop: -1 }), RangeError);
    assert.throws(() => db.scan({ reverse: 'yes' }), TypeError);
    const snap = db.snapshot();
    db.put('later');
    assert.deepEqual(snap.scan({ start: 6, reverse: true }).toArray().map(([id]) => id), [8, 7, 6]);
    assert.throws(() => snap.scan({ start: 2, stop: 1 }), (e) => e.code === 'TOONSTORE_ERR_INVALID_ARG');
    snap.close();
    assert.deepEqual(ids({ reverse: true, limit: 1 }), [10]);
  });
});

test('scan of an empty database, and of rows larger than a chunk', () => {
  withDb({}, (db) => {
    assert.deepEqual([...db.scan()], []);
    const big = [Buffer.alloc(300_000, 1), Buffer.alloc(10, 2), Buffer.alloc(500_000, 3)];
    db.putMany(big);
    const rows = [...db.scan()];
    assert.equal(rows.length, 3);
    rows.forEach(([id, data]) => assert.ok(data.equals(big[id])));
  });
});

test('scan is a single-use iterator; next/return by hand', () => {
  withDb({}, (db) => {
    db.putMany(['a', 'b', 'c']);
    const scan = db.scan();
    assert.ok(scan instanceof Scan);
    assert.equal(scan[Symbol.iterator](), scan);
    const first = scan.next();
    assert.equal(first.done, false);
    assert.equal(first.value[0], 0);
    assert.deepEqual(scan.return(), { value: undefined, done: true });
    assert.deepEqual(scan.next(), { value: undefined, done: true });
    const again = db.scan();
    assert.equal([...again].length, 3);
    assert.equal([...again].length, 0, 'a scan is used up once read');
    again.close();
  });
});

test('for await over a scan', async () => {
  const db = ToonStore.open(dbPath());
  try {
    db.putMany(Array.from({ length: 3000 }, (_, i) => `r${i}`));
    let n = 0;
    for await (const [id, data] of db.scan({ chunkRows: 256 })) {
      assert.equal(String(data), `r${id}`);
      assert.equal(id, n);
      n += 1;
    }
    assert.equal(n, 3000);
    // Calls of next() without waiting are served in order.
    const it = db.scan({ start: 5, chunkRows: 2 })[Symbol.asyncIterator]();
    const results = await Promise.all([it.next(), it.next(), it.next(), it.next(), it.next()]);
    assert.deepEqual(results.map((r) => r.value[0]), [5, 6, 7, 8, 9]);
    await it.return();
  } finally {
    db.close();
  }
});

test('snapshot: get and scan as of the moment it was taken', () => {
  withDb({}, (db) => {
    const [a, b] = db.putMany(['a', 'b']);
    const snap = db.snapshot();
    assert.ok(snap instanceof Snapshot);
    assert.equal(snap.endId, 2);
    db.delete(a);
    const c = db.put('c');
    assert.equal(String(snap.get(a)), 'a');
    assert.equal(snap.get(c), undefined);
    assert.equal(snap.get(99), undefined);
    assert.deepEqual(snap.scan().toArray().map(([id]) => id), [a, b]);
    assert.deepEqual(snap.scan({ start: 1 }).toArray().map(([id]) => id), [b]);
    assert.deepEqual(db.scan().toArray().map(([id]) => id), [b, c]);
    assert.equal(snap.closed, false);
    snap.close();
    snap.close();
    assert.equal(snap.closed, true);
    assert.throws(() => snap.get(a), { code: 'TOONSTORE_ERR_CLOSED' });
    assert.throws(() => snap.scan(), { code: 'TOONSTORE_ERR_CLOSED' });
  });
});

test('snapshot get: pooled copies across pools, and rows of their own', () => {
  withDb({}, (db) => {
    const values = Array.from({ length: 4000 }, (_, i) => Buffer.alloc(100 + (i % 300), i & 0xff));
    values.push(Buffer.alloc(200_000, 9), Buffer.alloc(17_000, 8));
    const ids = db.putMany(values);
    const snap = db.snapshot();
    db.delete(ids[0]);
    const got = ids.map((id) => snap.get(id));
    got.forEach((v, i) => assert.ok(Buffer.isBuffer(v) && v.equals(values[i]), `row ${i}`));
    got[1].fill(0xee);
    assert.ok(snap.get(ids[2]).equals(values[2]), 'a changed Buffer touches no other row');
    assert.ok(snap.get(ids[1]).equals(values[1]));
    snap.close();
  });
});

test('snapshot[Symbol.dispose] closes it', () => {
  withDb({}, (db) => {
    const snap = db.snapshot();
    snap[Symbol.dispose]();
    assert.equal(snap.closed, true);
  });
});

test('sync and compact keep every live row; compact reclaims deleted space', () => {
  withDb({ segmentSize: 64 * 1024 }, (db) => {
    const ids = db.putMany(Array.from({ length: 4000 }, (_, i) => Buffer.alloc(100, i & 0xff)));
    for (const id of ids) if (id % 4 !== 0) db.delete(id);
    db.sync();
    const before = db.stats();
    db.compact();
    const after = db.stats();
    assert.ok(after.garbageFraction < before.garbageFraction, `${after.garbageFraction} < ${before.garbageFraction}`);
    assert.equal(after.liveRows, 1000);
    for (const id of ids) {
      const v = db.get(id);
      if (id % 4 === 0) assert.ok(v.equals(Buffer.alloc(100, id & 0xff)));
      else assert.equal(v, undefined);
    }
  });
});

test('open options: durability, readOnly, createIfMissing, verifyChecksums, syncInterval; properties', () => {
  const dir = dbPath();
  for (const durability of ['off', 'normal', 'full']) {
    const db = ToonStore.open(dir, { durability, verifyChecksums: false, syncInterval: 0.05 });
    assert.equal(db.durability, durability);
    assert.equal(db.readOnly, false);
    assert.equal(db.path, dir);
    db.put(durability);
    db.close();
  }
  const ro = ToonStore.open(dir, { readOnly: true });
  assert.equal(ro.readOnly, true);
  assert.deepEqual(ro.scan().toArray().map(([, d]) => String(d)), ['off', 'normal', 'full']);
  assert.throws(() => ro.put('x'), { code: 'TOONSTORE_ERR_READ_ONLY' });
  assert.throws(() => ro.delete(0), { code: 'TOONSTORE_ERR_READ_ONLY' });
  assert.throws(() => ro.putMany(['x']), { code: 'TOONSTORE_ERR_READ_ONLY' });
  assert.throws(() => ro.compact(), { code: 'TOONSTORE_ERR_READ_ONLY' });
  ro.close();
  assert.throws(() => ToonStore.open(dbPath(), { createIfMissing: false }), { code: 'TOONSTORE_ERR_IO' });
});

test('open accepts a file: URL', () => {
  const dir = dbPath();
  const db = ToonStore.open(pathToFileURL(dir));
  db.put('u');
  db.close();
  assert.ok(fs.existsSync(dir));
});

test('two opens of one directory in one process share the engine', () => {
  const dir = dbPath();
  const a = ToonStore.open(dir);
  const b = ToonStore.open(dir);
  const id = a.put('from a');
  assert.equal(String(b.get(id)), 'from a');
  a.close();
  assert.equal(String(b.get(id)), 'from a', 'closing one handle leaves the other working');
  b.put('from b');
  b.close();
  const c = ToonStore.open(dir);
  assert.equal(c.count(), 2);
  c.close();
});

test('a read-only handle beside a writable one in the same process', () => {
  const dir = dbPath();
  const w = ToonStore.open(dir);
  w.put('w');
  const r = ToonStore.open(dir, { readOnly: true });
  assert.equal(String(r.get(0)), 'w');
  assert.throws(() => r.put('x'), { code: 'TOONSTORE_ERR_READ_ONLY' });
  r.close();
  w.close();
  const r2 = ToonStore.open(dir, { readOnly: true });
  assert.throws(() => ToonStore.open(dir), { code: 'TOONSTORE_ERR_LOCKED' });
  r2.close();
});

test('Symbol.dispose and Symbol.asyncDispose close the database', async () => {
  const db = ToonStore.open(dbPath());
  db[Symbol.dispose]();
  assert.equal(db.closed, true);
  const db2 = await ToonStore.openAsync(dbPath());
  await db2[Symbol.asyncDispose]();
  assert.equal(db2.closed, true);
});

test('async variants', async () => {
  const dir = dbPath();
  const db = await ToonStore.openAsync(dir, { durability: 'full' });
  assert.ok(db instanceof ToonStore);
  assert.equal(db.durability, 'full');
  const id = await db.putAsync(Buffer.from('async'));
  assert.equal(await db.putAsync('text'), id + 1);
  assert.equal(await db.putAsync(new Uint8Array([1])), id + 2);
  assert.equal(String(await db.getAsync(id)), 'async');
  assert.equal(await db.getAsync(12345), undefined);
  await db.deleteAsync(id);
  assert.equal(await db.getAsync(id), undefined);
  assert.deepEqual(await db.putManyAsync(['x', 'y']), [id + 3, id + 4]);
  const batch = db.batch().put('z').delete(id + 1);
  assert.deepEqual(await batch.writeAsync(), [id + 5]);
  await db.syncAsync();
  await db.compactAsync();
  const s = await db.statsAsync();
  assert.equal(s.liveRows, 4);
  // Many at once: all complete, ids distinct.
  const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => db.putAsync(`p${i}`)));
  assert.equal(new Set(ids).size, 200);
  await db.closeAsync();
  assert.equal(db.closed, true);
  await db.closeAsync(); // harmless
  const again = ToonStore.open(dir);
  assert.equal(again.count(), 204);
  again.close();
});

test('ESM: import { ToonStore } from "toonstore" gives the same classes', async () => {
  const esm = await import(pathToFileURL(path.join(pkg, 'index.mjs')).href);
  assert.equal(esm.ToonStore, ToonStore);
  assert.equal(esm.ToonStoreError, ToonStoreError);
  assert.equal(esm.default.ToonStore, ToonStore);
  const db = esm.ToonStore.open(dbPath());
  assert.equal(db.put('esm'), 0);
  db.close();
});
