// Benchmark of the toonstore npm package against lmdb-js (`lmdb`) and
// better-sqlite3 (v12). Not a test: it prints figures (and exits non-zero
// only when an engine returned wrong data).
//
// The same rows (N rows of 100 bytes: TOON lines padded with '.', as in
// bindings/python/bench/bench.py) go through every database in one run:
//
//   put    one call per row, each acknowledged before the next
//   get    every row once, in one random order (the same for all)
//   scan   every row, in key order
//   batch  N rows in atomic batches of 1,000 (into a fresh database)
//
// Every database acknowledges a write once it is in the operating system
// (it survives the process being killed and reaches the disk at the next
// sync), toonstore's default durability 'normal':
//
//   toonstore       ToonStore.open(dir); db.put(row); db.get(id); for..of db.scan();
//                   db.putMany(rows)
//   lmdb-js         open({ noSync: true, keyEncoding: 'uint32', encoding: 'binary' });
//                   db.putSync(i, row) (one write transaction per row);
//                   db.getBinary(i) (a copy, like toonstore's get); db.getRange();
//                   db.transactionSync(() => puts) per batch
//   better-sqlite3  WAL, synchronous=NORMAL, INTEGER PRIMARY KEY + BLOB;
//                   prepared INSERT per row (autocommit); pluck().get(id);
//                   pluck().iterate(); db.transaction(...) per batch
//
// Each engine runs RUNS times (default 3), interleaved (run 1 of every
// engine, then run 2, ...), each run in a fresh directory; the table shows
// the median and the spread (min-max) of the rates.
//
// Environment: TOONSTORE_BENCH_ROWS (default 300000), TOONSTORE_BENCH_RUNS
// (default 3), TOONSTORE_BENCH_DIR (default <repo>/target/bench-data/
// binding-node; the repository's disk), TOONSTORE_BENCH_ENGINES
// (default toonstore,lmdb,sqlite).

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const root = path.join(here, '..', '..', '..');
const { ToonStore, version } = require(path.join(here, '..'));

const N = Number(process.env.TOONSTORE_BENCH_ROWS ?? 300000);
const RUNS = Number(process.env.TOONSTORE_BENCH_RUNS ?? 3);
const BATCH = 1000;
const VALUE_SIZE = 100;
const DIR = process.env.TOONSTORE_BENCH_DIR ?? path.join(process.env.BENCH_DIR ?? path.join(root, 'target', 'bench-data'), 'binding-node');
const ENGINES = (process.env.TOONSTORE_BENCH_ENGINES ?? 'toonstore,lmdb,sqlite').split(',');

let failed = false;
function check(ok, what) {
  if (!ok) {
    failed = true;
    console.error(`WRONG DATA: ${what}`);
  }
}

function makeRows(n) {
  const rows = new Array(n);
  for (let i = 0; i < n; i++) {
    rows[i] = Buffer.from(`users[1]{id,name,email}: ${i},user${i},user${i}@example.com `.padEnd(VALUE_SIZE, '.'));
  }
  return rows;
}

/** A fixed pseudo-random permutation (xorshift), the same for every engine. */
function permutation(n) {
  const order = Array.from({ length: n }, (_, i) => i);
  let x = 0x9e3779b9;
  for (let i = n - 1; i > 0; i--) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    const j = (x >>> 0) % (i + 1);
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}

// Seconds of wall clock, and of CPU time of the whole process (every
// thread: the engines' background threads count too) in `cpu`.
const cpu = { toonstore: {}, lmdb: {}, sqlite: {} };
let timing = null;
function time(fn) {
  if (global.gc) global.gc();
  const c = process.cpuUsage();
  const t = process.hrtime.bigint();
  const r = fn();
  const wall = Number(process.hrtime.bigint() - t) / 1e9;
  const used = process.cpuUsage(c);
  timing = (used.user + used.system) / 1e6;
  return [wall, r];
}

/** Runs `time` for one workload and records its CPU seconds. */
function timed(engine, op, out, fn) {
  const [wall, r] = time(fn);
  out[op] = wall;
  cpu[engine][op] = timing;
  return r;
}

function freshDir(name) {
  const d = path.join(DIR, name);
  fs.rmSync(d, { recursive: true, force: true });
  fs.mkdirSync(d, { recursive: true });
  return d;
}

const rows = makeRows(N);
const order = permutation(N);
const chunks = [];
for (let i = 0; i < N; i += BATCH) chunks.push(rows.slice(i, i + BATCH));

// Each returns { put, get, scan, batch } in seconds.
const engines = {
  toonstore(run) {
    const out = {};
    const dir = freshDir(`toonstore-${run}`);
    const db = ToonStore.open(path.join(dir, 'db'));
    let ids;
    ids = timed('toonstore', 'put', out, () => {
      const ids = new Array(N);
      for (let i = 0; i < N; i++) ids[i] = db.put(rows[i]);
      return ids;
    });
    check(ids[N - 1] === N - 1, 'toonstore put ids');
    let bytes;
    bytes = timed('toonstore', 'get', out, () => {
      let bytes = 0;
      for (let k = 0; k < N; k++) bytes += db.get(ids[order[k]]).length;
      return bytes;
    });
    check(bytes === N * VALUE_SIZE, 'toonstore get bytes');
    check(order.slice(0, 1000).every((i) => db.get(ids[i]).equals(rows[i])), 'toonstore get values');
    let count;
    count = timed('toonstore', 'scan', out, () => {
      let count = 0;
      for (const [id, data] of db.scan()) {
        if (data.length === VALUE_SIZE && id >= 0) count += 1;
      }
      return count;
    });
    check(count === N, 'toonstore scan count');
    db.close();
    const db2 = ToonStore.open(path.join(dir, 'batch'));
    let last;
    last = timed('toonstore', 'batch', out, () => {
      let last;
      for (const chunk of chunks) last = db2.putMany(chunk);
      return last;
    });
    check(last[last.length - 1] === N - 1 && db2.get(N - 1).equals(rows[N - 1]), 'toonstore batch');
    db2.close();
    fs.rmSync(dir, { recursive: true, force: true });
    return out;
  },

  lmdb(run) {
    const { open } = require('lmdb');
    const out = {};
    const dir = freshDir(`lmdb-${run}`);
    const opts = { noSync: true, keyEncoding: 'uint32', encoding: 'binary', mapSize: 2 * 1024 ** 3 };
    const db = open({ path: path.join(dir, 'db'), ...opts });
    timed('lmdb', 'put', out, () => {
      for (let i = 0; i < N; i++) db.putSync(i, rows[i]);
    });
    let bytes;
    bytes = timed('lmdb', 'get', out, () => {
      let bytes = 0;
      for (let k = 0; k < N; k++) bytes += db.getBinary(order[k]).length;
      return bytes;
    });
    check(bytes === N * VALUE_SIZE, 'lmdb get bytes');
    check(order.slice(0, 1000).every((i) => Buffer.from(db.getBinary(i)).equals(rows[i])), 'lmdb get values');
    let count;
    count = timed('lmdb', 'scan', out, () => {
      let count = 0;
      for (const { key, value } of db.getRange()) {
        if (value.length === VALUE_SIZE && key >= 0) count += 1;
      }
      return count;
    });
    check(count === N, 'lmdb scan count');
    db.close();
    const db2 = open({ path: path.join(dir, 'batch'), ...opts });
    timed('lmdb', 'batch', out, () => {
      let k = 0;
      for (const chunk of chunks) {
        db2.transactionSync(() => {
          for (const row of chunk) db2.put(k++, row);
        });
      }
    });
    check(Buffer.from(db2.getBinary(N - 1)).equals(rows[N - 1]), 'lmdb batch');
    db2.close();
    fs.rmSync(dir, { recursive: true, force: true });
    return out;
  },

  sqlite(run) {
    const Database = require('better-sqlite3');
    const out = {};
    const dir = freshDir(`sqlite-${run}`);
    const openDb = (name) => {
      const db = new Database(path.join(dir, name));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, v BLOB NOT NULL)');
      return db;
    };
    const db = openDb('db.sqlite');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    let ids;
    ids = timed('sqlite', 'put', out, () => {
      const ids = new Array(N);
      for (let i = 0; i < N; i++) ids[i] = insert.run(rows[i]).lastInsertRowid;
      return ids;
    });
    const select = db.prepare('SELECT v FROM t WHERE id = ?').pluck();
    let bytes;
    bytes = timed('sqlite', 'get', out, () => {
      let bytes = 0;
      for (let k = 0; k < N; k++) bytes += select.get(ids[order[k]]).length;
      return bytes;
    });
    check(bytes === N * VALUE_SIZE, 'sqlite get bytes');
    check(order.slice(0, 1000).every((i) => select.get(ids[i]).equals(rows[i])), 'sqlite get values');
    const all = db.prepare('SELECT v FROM t ORDER BY id').pluck();
    let count;
    count = timed('sqlite', 'scan', out, () => {
      let count = 0;
      for (const v of all.iterate()) if (v.length === VALUE_SIZE) count += 1;
      return count;
    });
    check(count === N, 'sqlite scan count');
    db.close();
    const db2 = openDb('batch.sqlite');
    const insert2 = db2.prepare('INSERT INTO t (v) VALUES (?)');
    const many = db2.transaction((chunk) => {
      for (const row of chunk) insert2.run(row);
    });
    timed('sqlite', 'batch', out, () => {
      for (const chunk of chunks) many(chunk);
    });
    check(db2.prepare('SELECT count(*) FROM t').pluck().get() === N, 'sqlite batch');
    db2.close();
    fs.rmSync(dir, { recursive: true, force: true });
    return out;
  },
};

const versionOf = (name) => JSON.parse(fs.readFileSync(path.join(here, 'node_modules', name, 'package.json'), 'utf8')).version;
const NAMES = { toonstore: `toonstore ${version}`, lmdb: `lmdb-js ${versionOf('lmdb')}`, sqlite: `better-sqlite3 ${versionOf('better-sqlite3')}` };
const OPS = ['put', 'get', 'scan', 'batch'];
const LABEL = { put: 'put (one per call)', get: 'get (random order)', scan: 'scan (rows)', batch: `batch put (${BATCH} per batch)` };

console.log(`date: ${new Date().toISOString()}`);
console.log(`node ${process.version}, ${os.cpus().length} cpus (${os.cpus()[0].model}), load ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
console.log(`rows: ${N} x ${VALUE_SIZE} bytes, runs: ${RUNS}, dir: ${DIR}`);
console.log(`engines: ${ENGINES.map((e) => NAMES[e]).join(', ')}\n`);

const results = Object.fromEntries(ENGINES.map((e) => [e, Object.fromEntries(OPS.map((o) => [o, []]))]));
const cpuResults = Object.fromEntries(ENGINES.map((e) => [e, Object.fromEntries(OPS.map((o) => [o, []]))]));
for (let run = 0; run < RUNS; run++) {
  for (const e of ENGINES) {
    const secs = engines[e](run);
    for (const o of OPS) {
      results[e][o].push(N / secs[o]);
      cpuResults[e][o].push(N / cpu[e][o]);
    }
    process.stdout.write(`run ${run + 1} ${e}: ${OPS.map((o) => `${o} ${(N / secs[o] / 1e6).toFixed(2)}M/s`).join(', ')}\n`);
  }
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const fmt = (x) => (x >= 1e6 ? `${(x / 1e6).toFixed(2)} M/s` : `${(x / 1e3).toFixed(0)} k/s`);

function table(title, res) {
  console.log(`\n${title}, median (min-max) of ${RUNS} runs:\n`);
  console.log(`| workload | ${ENGINES.map((e) => NAMES[e]).join(' | ')} |`);
  console.log(`|---|${ENGINES.map(() => '---').join('|')}|`);
  for (const o of OPS) {
    const cells = ENGINES.map((e) => {
      const xs = res[e][o];
      return `${fmt(median(xs))} (${fmt(Math.min(...xs))}-${fmt(Math.max(...xs))})`;
    });
    console.log(`| ${LABEL[o]} | ${cells.join(' | ')} |`);
  }
  if (ENGINES.includes('toonstore')) {
    console.log('');
    for (const e of ENGINES.filter((x) => x !== 'toonstore')) {
      console.log(`toonstore / ${NAMES[e]}: ${OPS.map((o) => `${o} ${(median(res.toonstore[o]) / median(res[e][o])).toFixed(2)}x`).join(', ')}`);
    }
    const floors = { get: 1e6, put: 1e6, scan: 5e6 };
    console.log(`floors (one thread): ${Object.entries(floors).map(([o, f]) => `${o} ${fmt(median(res.toonstore[o]))} ${median(res.toonstore[o]) >= f ? 'met' : 'MISSED'} (${fmt(f)})`).join('; ')}`);
  }
}

table('Operations (rows) per second of wall-clock time', results);
table('Operations (rows) per second of CPU time (all threads of the process; steadier on a busy machine)', cpuResults);
console.log(`\nload average after the run: ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
fs.rmSync(DIR, { recursive: true, force: true });
if (failed) process.exit(1);
