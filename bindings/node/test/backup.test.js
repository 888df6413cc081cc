'use strict';
// Online backup (backup / backupAsync) and read-only handles beside a
// writer in another process (refresh), issue 17.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');
const { spawn } = require('node:child_process');
const { dbPath, pkg } = require('./helpers');
const { ToonStore, ToonStoreError } = require(pkg);

function rows(db) {
  return db.scan().toArray().map(([id, d]) => [id, String(d)]);
}

function code(c) {
  return (err) => err instanceof ToonStoreError && err.code === c;
}

/** A writer in another process (test/fixtures/holder.js). */
async function holder(dir, durability = 'normal') {
  const child = spawn(process.execPath, [path.join(__dirname, 'fixtures', 'holder.js'), pkg, dir, durability], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async () => {
    const { value, done } = await lines.next();
    assert.ok(!done, 'the writer process ended early');
    return value;
  };
  assert.equal(await next(), 'open');
  return {
    /** Puts `value` in the writer; resolves with its id once acknowledged. */
    async put(value) {
      child.stdin.write(`${value}\n`);
      return Number(await next());
    },
    async close() {
      child.stdin.write('close\n');
      assert.equal(await next(), 'closed');
      await new Promise((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', resolve)));
    },
  };
}

test('backup writes a copy that opens on its own with every row and the same ids', () => {
  const dir = dbPath();
  const dest = dbPath('backup');
  const db = ToonStore.open(dir);
  const ids = db.putMany(Array.from({ length: 300 }, (_, i) => `row ${i}`));
  db.delete(ids[7]);
  const before = rows(db);
  db.backup(dest);
  db.put('after the backup');
  db.close();

  const copy = ToonStore.open(dest);
  assert.deepEqual(rows(copy), before);
  assert.equal(copy.get(ids[7]), undefined, 'a row deleted before the backup stays deleted');
  assert.equal(copy.put('next'), 300, 'ids continue after those of the copy');
  copy.close();
  assert.equal(ToonStore.open(dir).count(), 300, 'the original is untouched by the copy');
});

test('backupAsync returns a promise and copies while the handle keeps writing', async () => {
  const dir = dbPath();
  const dest = new URL(`file://${dbPath('backup')}`);
  const db = ToonStore.open(dir);
  db.putMany(Array.from({ length: 200 }, (_, i) => `v${i}`));
  const pending = db.backupAsync(dest);
  assert.ok(pending instanceof Promise);
  db.put('while the backup runs');
  await pending;
  await db.closeAsync();
  const copy = ToonStore.open(dest, { readOnly: true });
  const got = rows(copy);
  assert.ok(got.length === 200 || got.length === 201, `a copy of one moment, got ${got.length} rows`);
  assert.deepEqual(got.slice(0, 200), Array.from({ length: 200 }, (_, i) => [i, `v${i}`]));
  copy.close();
});

test('backup into an empty directory succeeds', () => {
  const db = ToonStore.open(dbPath());
  db.put('x');
  const dest = dbPath('empty');
  fs.mkdirSync(dest);
  db.backup(dest);
  db.close();
  const copy = ToonStore.open(dest);
  assert.deepEqual(rows(copy), [[0, 'x']]);
  copy.close();
});

test('backup refuses a destination that exists (TOONSTORE_ERR_INVALID_ARG) and leaves it as it was', async () => {
  const db = ToonStore.open(dbPath());
  db.put('x');
  const full = dbPath('full');
  fs.mkdirSync(full);
  fs.writeFileSync(path.join(full, 'keep.txt'), 'mine');
  const file = dbPath('file');
  fs.writeFileSync(file, 'a file');
  assert.throws(() => db.backup(full), code('TOONSTORE_ERR_INVALID_ARG'));
  await assert.rejects(db.backupAsync(full), code('TOONSTORE_ERR_INVALID_ARG'));
  assert.throws(() => db.backup(file), code('TOONSTORE_ERR_INVALID_ARG'));
  assert.throws(() => db.backup(db.path), code('TOONSTORE_ERR_INVALID_ARG'));
  assert.deepEqual(fs.readdirSync(full), ['keep.txt']);
  assert.equal(fs.readFileSync(file, 'utf8'), 'a file');
  assert.equal(db.count(), 1);
  db.close();
});

test('backup to a place that cannot be written fails with TOONSTORE_ERR_IO and leaves nothing', async () => {
  const db = ToonStore.open(dbPath());
  db.put('x');
  const file = dbPath('file');
  fs.writeFileSync(file, 'not a directory');
  const dest = path.join(file, 'backup');
  assert.throws(() => db.backup(dest), code('TOONSTORE_ERR_IO'));
  await assert.rejects(db.backupAsync(dest), code('TOONSTORE_ERR_IO'));
  assert.equal(fs.readFileSync(file, 'utf8'), 'not a directory');
  const missingParent = path.join(dbPath('gone'), 'backup');
  assert.throws(() => db.backup(missingParent), code('TOONSTORE_ERR_IO'));
  assert.equal(fs.existsSync(missingParent), false);
  db.put('still writable');
  assert.equal(db.count(), 2);
  db.close();
});

test('backup and refresh check their arguments and fail on a closed handle', async () => {
  const db = ToonStore.open(dbPath());
  assert.throws(() => db.backup(42), TypeError);
  assert.throws(() => db.backup(''), TypeError);
  await assert.rejects(db.backupAsync(undefined), TypeError);
  db.close();
  assert.throws(() => db.backup(dbPath('backup')), code('TOONSTORE_ERR_CLOSED'));
  await assert.rejects(db.backupAsync(dbPath('backup')), code('TOONSTORE_ERR_CLOSED'));
  assert.throws(() => db.refresh(), code('TOONSTORE_ERR_CLOSED'));
});

test('refresh on a writable handle, or a read-only one sharing it in this process, does nothing', () => {
  const dir = dbPath();
  const db = ToonStore.open(dir);
  const ro = ToonStore.open(dir, { readOnly: true });
  db.put('a');
  assert.equal(ro.count(), 1, 'a read-only handle sharing the writable engine sees writes at once');
  db.refresh();
  ro.refresh();
  db.put('b');
  assert.deepEqual(rows(db), [[0, 'a'], [1, 'b']]);
  assert.deepEqual(rows(ro), [[0, 'a'], [1, 'b']]);
  ro.close();
  db.close();
});

for (const durability of ['off', 'normal', 'full']) {
  test(`a read-only handle beside a writer in another process (${durability}) sees new rows after refresh`, async () => {
    const dir = dbPath();
    const writer = await holder(dir, durability);
    try {
      const first = [];
      for (let i = 0; i < 20; i++) first.push(await writer.put(`before ${i}`));
      assert.throws(() => ToonStore.open(dir), code('TOONSTORE_ERR_LOCKED'), 'one writer at a time');
      const reader = ToonStore.open(dir, { readOnly: true });
      assert.deepEqual(rows(reader), first.map((id, i) => [id, `before ${i}`]), 'every row acknowledged before the open');

      const later = await writer.put('later');
      assert.equal(reader.get(later), undefined, 'a read-only open is a fixed state until refresh');
      const snap = reader.snapshot();
      reader.refresh();
      assert.equal(String(reader.get(later)), 'later');
      assert.equal(reader.count(), 21);
      assert.equal(snap.get(later), undefined, 'a snapshot taken before keeps its state');
      snap.close();

      const dest = dbPath('backup');
      await reader.backupAsync(dest);
      const more = await writer.put('after the backup');
      reader.refresh();
      assert.equal(String(reader.get(more)), 'after the backup');
      reader.close();

      const copy = ToonStore.open(dest, { readOnly: true });
      assert.equal(copy.count(), 21, 'the backup holds the reader\'s state when it was taken');
      assert.equal(String(copy.get(later)), 'later');
      copy.close();
    } finally {
      await writer.close();
    }
  });
}
