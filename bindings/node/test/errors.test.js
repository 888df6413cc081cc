'use strict';
// Every error: its class, its code, and that nothing was lost or crashed.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { dbPath, pkg } = require('./helpers');
const { ToonStore, ToonStoreError, errorCodes } = require(pkg);

const BAD_DATA = [undefined, null, 42, 1n, true, {}, [1, 2], () => {}, Symbol('s')];
const BAD_IDS = [undefined, null, '1', 1n, {}, [], true];
const OUT_OF_RANGE_IDS = [-1, 1.5, NaN, Infinity, -Infinity, Number.MAX_SAFE_INTEGER + 1];

test('ToonStoreError: an Error with code, errno, name and the engine message', () => {
  const db = ToonStore.open(dbPath());
  let caught;
  try {
    db.delete(7);
  } catch (err) {
    caught = err;
  }
  db.close();
  assert.ok(caught instanceof ToonStoreError);
  assert.ok(caught instanceof Error);
  assert.equal(caught.name, 'ToonStoreError');
  assert.equal(caught.code, 'TOONSTORE_ERR_NOT_FOUND');
  assert.equal(caught.errno, errorCodes.TOONSTORE_ERR_NOT_FOUND);
  assert.match(caught.message, /7/);
  assert.doesNotMatch(caught.message, /^\[/, 'the code prefix is not left in the message');
  assert.match(caught.stack, /errors\.test\.js/, 'the stack points at the caller');
  const made = new ToonStoreError('m', 'TOONSTORE_ERR_IO');
  assert.equal(made.errno, -3);
  assert.equal(made.message, 'm');
});

test('wrong argument types are TypeErrors, out-of-range values RangeErrors; nothing is written', async () => {
  const db = ToonStore.open(dbPath());
  try {
    db.put('keep');
    for (const bad of BAD_DATA) {
      assert.throws(() => db.put(bad), TypeError, `put(${String(bad)})`);
      await assert.rejects(db.putAsync(bad), TypeError);
      assert.throws(() => db.putMany([bad]), TypeError);
      await assert.rejects(db.putManyAsync([bad]), TypeError);
      assert.throws(() => db.batch().put(bad), TypeError);
    }
    for (const bad of [undefined, null, 42, 'abc', {}]) {
      assert.throws(() => db.putMany(bad), TypeError, `putMany(${String(bad)})`);
    }
    for (const bad of BAD_IDS) {
      for (const call of ['get', 'has', 'delete']) {
        assert.throws(() => db[call](bad), TypeError, `${call}(${String(bad)})`);
      }
      await assert.rejects(db.getAsync(bad), TypeError);
      await assert.rejects(db.deleteAsync(bad), TypeError);
      assert.throws(() => db.batch().delete(bad), TypeError);
      assert.throws(() => db.scan({ start: bad === undefined ? 'x' : bad }), TypeError);
    }
    for (const bad of OUT_OF_RANGE_IDS) {
      for (const call of ['get', 'has', 'delete']) {
        assert.throws(() => db[call](bad), RangeError, `${call}(${bad})`);
      }
      await assert.rejects(db.getAsync(bad), RangeError);
      assert.throws(() => db.scan({ start: bad }), RangeError);
    }
    assert.throws(() => db.scan(5), TypeError);
    assert.throws(() => db.scan({ limit: '1' }), TypeError);
    assert.throws(() => db.scan({ limit: -1 }), RangeError);
    assert.throws(() => db.scan({ chunkRows: 0 }), RangeError);
    assert.throws(() => db.scan({ chunkRows: 1e6 }), RangeError);
    assert.equal(db.count(), 1, 'nothing but the first row was written');
    assert.equal(String(db.get(0)), 'keep');
  } finally {
    db.close();
  }
});

test('wrong open arguments', async () => {
  for (const bad of [undefined, null, 42, {}, '']) {
    assert.throws(() => ToonStore.open(bad), TypeError, `open(${String(bad)})`);
    await assert.rejects(ToonStore.openAsync(bad), TypeError);
  }
  assert.throws(() => ToonStore.open(dbPath(), 'full'), TypeError);
  assert.throws(() => ToonStore.open(dbPath(), { durabilty: 'full' }), /unknown option 'durabilty'/);
  assert.throws(() => ToonStore.open(dbPath(), { readOnly: 'yes' }), TypeError);
  assert.throws(() => ToonStore.open(dbPath(), { segmentSize: '1' }), TypeError);
  assert.throws(() => ToonStore.open(dbPath(), { durability: 'fast' }), RangeError);
  // Values the engine refuses: TOONSTORE_ERR_INVALID_ARG, no directory made.
  for (const options of [{ segmentSize: 10 }, { maxValueSize: 0 }, { maxValueSize: 2 ** 40 }, { syncInterval: 0 }, { segmentSize: 1.5 }]) {
    const dir = dbPath();
    assert.throws(() => ToonStore.open(dir, options), { name: 'ToonStoreError', code: 'TOONSTORE_ERR_INVALID_ARG' }, JSON.stringify(options));
    await assert.rejects(ToonStore.openAsync(dir, options), { code: 'TOONSTORE_ERR_INVALID_ARG' });
    assert.equal(fs.existsSync(dir), false);
  }
});

test('open errors: missing database, a file in the way, read-only on nothing', async () => {
  const missing = dbPath();
  assert.throws(() => ToonStore.open(missing, { createIfMissing: false }), { code: 'TOONSTORE_ERR_IO' });
  await assert.rejects(ToonStore.openAsync(missing, { readOnly: true }), { code: 'TOONSTORE_ERR_IO' });
  const file = dbPath();
  fs.writeFileSync(file, 'not a directory');
  assert.throws(() => ToonStore.open(file), { code: 'TOONSTORE_ERR_IO', message: /not a directory/ });
});

test('every call after close: TOONSTORE_ERR_CLOSED; close twice is harmless', async () => {
  const db = ToonStore.open(dbPath());
  db.put('x');
  const snap = db.snapshot();
  const scan = db.scan({ chunkRows: 1 });
  db.close();
  db.close();
  await db.closeAsync();
  db[Symbol.dispose]();
  assert.equal(db.closed, true);
  const closed = { name: 'ToonStoreError', code: 'TOONSTORE_ERR_CLOSED' };
  const calls = {
    put: () => db.put('x'),
    putString: () => db.put(Buffer.from('x')),
    get: () => db.get(0),
    has: () => db.has(0),
    delete: () => db.delete(0),
    putMany: () => db.putMany(['x']),
    batchWrite: () => db.batch().put('x').write(),
    scan: () => db.scan(),
    createReadStream: () => db.createReadStream(),
    snapshot: () => db.snapshot(),
    sync: () => db.sync(),
    compact: () => db.compact(),
    stats: () => db.stats(),
    count: () => db.count(),
    snapshotGet: () => snap.get(0),
    scanNext: () => scan.next(),
  };
  for (const [name, call] of Object.entries(calls)) {
    assert.throws(call, closed, name);
  }
  const asyncCalls = {
    putAsync: () => db.putAsync('x'),
    getAsync: () => db.getAsync(0),
    deleteAsync: () => db.deleteAsync(0),
    putManyAsync: () => db.putManyAsync(['x']),
    batchWriteAsync: () => db.batch().put('x').writeAsync(),
    syncAsync: () => db.syncAsync(),
    compactAsync: () => db.compactAsync(),
    statsAsync: () => db.statsAsync(),
  };
  for (const [name, call] of Object.entries(asyncCalls)) {
    const p = call();
    assert.ok(p instanceof Promise, `${name} returns a promise`);
    await assert.rejects(p, closed, name);
  }
  assert.equal(db.path.length > 0, true, 'properties stay readable');
});

test('async calls made before close complete; later ones are rejected', async () => {
  const dir = dbPath();
  const db = ToonStore.open(dir, { durability: 'full' });
  const pending = Array.from({ length: 50 }, (_, i) => db.putAsync(`before close ${i}`));
  db.close();
  const ids = await Promise.all(pending);
  assert.equal(new Set(ids).size, 50);
  await assert.rejects(db.putAsync('after'), { code: 'TOONSTORE_ERR_CLOSED' });
  const again = ToonStore.open(dir);
  assert.equal(again.count(), 50, 'every acknowledged async put is there');
  again.close();
});

test('TOONSTORE_ERR_LOCKED when another process has the database open', async () => {
  const dir = dbPath();
  const child = spawn(process.execPath, ['-e', `
    const { ToonStore } = require(${JSON.stringify(pkg)});
    const db = ToonStore.open(${JSON.stringify(dir)});
    process.stdout.write('open\\n');
    process.stdin.on('data', () => { db.close(); process.exit(0); });
  `], { stdio: ['pipe', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  try {
    assert.throws(() => ToonStore.open(dir), (err) => {
      assert.ok(err instanceof ToonStoreError);
      assert.equal(err.code, 'TOONSTORE_ERR_LOCKED');
      assert.equal(err.errno, -5);
      assert.ok(err.message.length > 0);
      return true;
    });
    await assert.rejects(ToonStore.openAsync(dir), { code: 'TOONSTORE_ERR_LOCKED' });
    // A read-only open takes no lock: it opens beside the writer (issue 17).
    const reader = ToonStore.open(dir, { readOnly: true });
    assert.equal(reader.count(), 0);
    reader.close();
  } finally {
    child.stdin.write('x');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  const db = ToonStore.open(dir);
  db.close();
});

test('TOONSTORE_ERR_CORRUPT for a damaged record; repaired, every row is back', () => {
  const dir = dbPath();
  let db = ToonStore.open(dir);
  const marker = 'THIS-ROW-WILL-BE-DAMAGED';
  const ids = db.putMany(['before', marker, 'after']);
  db.close();
  const seg = fs.readdirSync(dir).map((f) => path.join(dir, f)).find((f) => fs.readFileSync(f).includes(marker));
  assert.ok(seg, 'found the segment holding the row');
  const good = fs.readFileSync(seg);
  const bad = Buffer.from(good);
  bad[bad.indexOf(marker) + 3] ^= 0xff;
  fs.writeFileSync(seg, bad);
  assert.throws(() => ToonStore.open(dir), (err) => {
    assert.ok(err instanceof ToonStoreError);
    assert.equal(err.code, 'TOONSTORE_ERR_CORRUPT');
    assert.match(err.message, /checksum/);
    return true;
  });
  // Refusing to open changed nothing: with the byte restored, all is there.
  fs.writeFileSync(seg, good);
  db = ToonStore.open(dir);
  try {
    assert.deepEqual(ids.map((id) => String(db.get(id))), ['before', marker, 'after']);
  } finally {
    db.close();
  }
});

test('the native classes called directly with wrong arguments throw, never crash', () => {
  const native = require(path.join(pkg, 'lib', 'native'));
  const db = native.NativeDatabase.open(dbPath(), undefined);
  const attempts = [
    () => native.dbPut(db.id, 'not bytes'),
    () => native.dbPut(db.id, new Uint16Array(2)),
    () => native.dbPut(db.id + 1, Buffer.alloc(1)),
    () => native.dbPut(-1, Buffer.alloc(1)),
    () => native.dbPut(0.5, Buffer.alloc(1)),
    () => native.dbPut('1', Buffer.alloc(1)),
    () => native.dbGetInto(db.id, 0, 'pool', 0),
    () => native.dbGetInto(db.id, -1, Buffer.alloc(1), 0),
    () => native.dbHas(db.id, '1'),
    () => native.dbDelete(db.id, 0),
    () => native.dbCount(2 ** 60),
    () => db.get('1'),
    () => db.get(-1),
    () => native.dbWriteBatch(db.id, Buffer.alloc(4), new Uint32Array([8]), new Float64Array(0)),
    () => native.dbWriteBatch(db.id, Buffer.alloc(4), new Uint32Array([3, 1]), new Float64Array(0)),
    () => native.dbWriteBatch(db.id, Buffer.alloc(0), new Uint32Array(0), new Float64Array([-1])),
    () => db.scan(-1),
    () => db.scan(0).nextChunk(new Float64Array(4), new Uint32Array(2)),
    () => db.scan(0).nextChunk(new Float64Array(0), new Uint32Array(2)),
    () => native.NativeDatabase.open(dbPath(), { durability: 'fast' }),
    () => native.NativeDatabase.open(dbPath(), { segmentSize: -1 }),
  ];
  for (const attempt of attempts) {
    assert.throws(attempt, Error, attempt.toString());
  }
  assert.equal(native.dbCount(db.id), 0, 'nothing was written');
  db.close();
  assert.throws(() => native.dbCount(db.id), /TOONSTORE_ERR_CLOSED/);
});

test('a panic in the addon is TOONSTORE_ERR_INTERNAL, not an abort (sync and on the thread pool)', async () => {
  const native = require(path.join(pkg, 'lib', 'native'));
  const { toError } = require(path.join(pkg, 'lib', 'errors'));
  const internal = (err) => {
    const e = toError(err);
    assert.ok(e instanceof ToonStoreError);
    assert.equal(e.code, 'TOONSTORE_ERR_INTERNAL');
    assert.match(e.message, /panic/);
    return true;
  };
  assert.throws(() => native.testPanic(false), internal);
  await assert.rejects(native.testPanic(true), internal);
  // The process and the addon go on working.
  const db = ToonStore.open(dbPath());
  assert.equal(db.put('after'), 0);
  db.close();
});
