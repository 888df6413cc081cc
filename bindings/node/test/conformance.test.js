'use strict';
// The conformance runner of the Node.js binding: executes every case of the
// shared vectors (tests/conformance/*.json, format in
// tests/conformance/README.md) as one node:test subtest, and appends a
// PASS/FAIL/SKIP line per case to $TOONSTORE_CONFORMANCE_REPORT when set
// (scripts/conformance.sh). Vectors come from $TOONSTORE_CONFORMANCE_DIR,
// else the repository's tests/conformance.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { pkg } = require('./helpers');
const { ToonStore, ToonStoreError } = require(pkg);

const VECTORS = process.env.TOONSTORE_CONFORMANCE_DIR ?? path.join(pkg, '..', '..', 'tests', 'conformance');
const REPORT = process.env.TOONSTORE_CONFORMANCE_REPORT;

// ---------------------------------------------------------------------------
// The mapping of the language-neutral outcomes to this binding, in one place:
//
// - "absent" (get, snapshot_get): the call returns `undefined`.
// - "invalid_id" (a negative id): the call throws a RangeError, before
//   reaching the engine (row ids are non-negative safe integers; the
//   documented rule of this binding, docs/nodejs); a batch holding such a
//   delete throws it at batch.delete(), so nothing is written.
// - errors: ToonStoreError.code is already the C name.
// - capabilities: use_after_close and negative_ids are supported; the
//   others, and any this runner does not know, are skipped with a reason.
// ---------------------------------------------------------------------------
const SUPPORTED = new Set(['use_after_close', 'negative_ids']);
const UNSUPPORTED = {
  options_version: 'only the C ABI options struct has a version',
  readers_outlive_close:
    'this binding documents that scans and snapshots of a closed handle throw TOONSTORE_ERR_CLOSED (docs/nodejs), as the Python binding does',
};
const MISSING_OPS = new Set(); // every op of the README exists here

/** The outcome of a call, in the vectors' terms. */
function outcomeOf(err) {
  if (err instanceof ToonStoreError) return { error: err.code };
  if (err instanceof RangeError) return 'invalid_id';
  return { unexpected: `${err.name}: ${err.message}` };
}

function bytes(v) {
  if (v === null || typeof v !== 'object') throw new Error(`bad bytes ${JSON.stringify(v)}`);
  const keys = Object.keys(v);
  if (keys.length !== 1) throw new Error(`bad bytes ${JSON.stringify(v)}`);
  if (keys[0] === 'hex') return Buffer.from(v.hex, 'hex');
  if (keys[0] === 'utf8') return Buffer.from(v.utf8, 'utf8');
  throw new Error(`bad bytes ${JSON.stringify(v)}`);
}

const show = (x) => JSON.stringify(x, (_k, v) => (Buffer.isBuffer(v) ? { hex: v.toString('hex') } : v));

function need(step, key) {
  if (!(key in step)) throw new Error(`step ${step.op} lacks argument '${key}'`);
  return step[key];
}

/** scan_range's arguments as db.scan() options: start, stop, reverse, limit. */
function rangeOptions(step) {
  const out = { start: step.start ?? 0 };
  if ('stop' in step) out.stop = step.stop;
  if ('reverse' in step) out.reverse = step.reverse;
  if ('limit' in step) out.limit = step.limit;
  return out;
}

function openOptions(options = {}) {
  const out = {};
  for (const [k, v] of Object.entries(options)) {
    if (k === 'read_only') out.readOnly = v;
    else if (k === 'create_if_missing') out.createIfMissing = v;
    else if (k === 'max_value_size') out.maxValueSize = v;
    else throw new Error(`unknown open option '${k}'`);
  }
  return out;
}

/**
 * Starts a process that holds the database open for writing: a node child
 * using this package (the README allows any such process; this one needs
 * nothing but the binding under test).
 */
function holdLock(dir) {
  const child = spawn(process.execPath, ['-e', `
      const { ToonStore } = require(${JSON.stringify(pkg)});
      const db = ToonStore.open(${JSON.stringify(dir)});
      process.stdout.write('ready\\n');
      process.stdin.resume();
      process.stdin.on('end', () => { db.close(); process.exit(0); });
    `], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      if (out.includes('ready\n')) resolve(child);
      else if (out.includes('\n')) reject(new Error(`hold_lock: ${out.trim()}`));
    });
    child.once('exit', (code) => reject(new Error(`hold_lock exited with ${code}: ${out.trim()}`)));
  });
}

function releaseLock(child) {
  if (child === null || child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.stdin.end();
  });
}

/** Runs one case; returns undefined (passed) or the failure text. */
async function runCase(c) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'toonstore-conformance-node-'));
  const dbDir = path.join(dir, 'db');
  let db = null;
  const iters = new Map();
  const snaps = new Map();
  let child = null;
  try {
    for (const [i, step] of c.steps.entries()) {
      let got;
      try {
        got = await runStep(step);
      } catch (err) {
        if (err instanceof ToonStoreError || err instanceof RangeError) got = outcomeOf(err);
        else if (err instanceof TypeError) got = outcomeOf(err);
        else return `step ${i} (${step.op}): ${err.message}`;
      }
      const want = step.expect;
      if (!same(got, want)) {
        return `step ${i} (${step.op}): expected ${show(want)}, got ${show(got)}`;
      }
    }
    return undefined;
  } finally {
    for (const it of iters.values()) it.close();
    for (const s of snaps.values()) s.close();
    if (db !== null) db.close();
    await releaseLock(child);
    fs.rmSync(dir, { recursive: true, force: true });
  }

  function same(got, want) {
    return show(normalize(got)) === show(normalize(want));
  }

  // Expected values name bytes as {hex}/{utf8}; results hold Buffers.
  function normalize(x) {
    if (Buffer.isBuffer(x)) return { hex: x.toString('hex') };
    if (Array.isArray(x)) return x.map(normalize);
    if (x !== null && typeof x === 'object') {
      const keys = Object.keys(x);
      if (keys.length === 1 && (keys[0] === 'hex' || keys[0] === 'utf8')) return { hex: bytes(x).toString('hex') };
      return Object.fromEntries(keys.map((k) => [k, normalize(x[k])]));
    }
    return x;
  }

  function rowsOf(scan) {
    return { rows: scan.toArray().map(([id, data]) => [id, Buffer.from(data)]) };
  }

  async function runStep(step) {
    switch (step.op) {
      case 'open':
        db = ToonStore.open(dbDir, openOptions(step.options));
        return 'ok';
      case 'close':
        db.close();
        return 'ok';
      case 'put':
        return { id: db.put(bytes(need(step, 'value'))) };
      case 'get': {
        const v = db.get(need(step, 'id'));
        return v === undefined ? 'absent' : { value: v };
      }
      case 'contains':
        return { bool: db.has(need(step, 'id')) };
      case 'delete':
        db.delete(need(step, 'id'));
        return 'ok';
      case 'count':
        return { count: db.count() };
      case 'scan':
        return rowsOf(db.scan({ start: step.start ?? 0 }));
      case 'scan_range':
        return rowsOf(db.scan(rangeOptions(step)));
      case 'iter_open':
        iters.set(need(step, 'iter'), db.scan({ start: step.start ?? 0 }));
        return 'ok';
      case 'iter_next': {
        const it = iters.get(need(step, 'iter'));
        if (it === undefined) throw new Error(`no iterator '${step.iter}'`);
        const r = it.next();
        return r.done ? 'end' : { row: [r.value[0], Buffer.from(r.value[1])] };
      }
      case 'iter_close':
        iters.get(need(step, 'iter'))?.close();
        iters.delete(step.iter);
        return 'ok';
      case 'batch': {
        const batch = db.batch();
        for (const op of need(step, 'ops')) {
          if ('put' in op) batch.put(bytes(op.put));
          else if ('delete' in op) batch.delete(op.delete);
          else throw new Error(`bad batch op ${JSON.stringify(op)}`);
        }
        return { ids: batch.write() };
      }
      case 'snapshot_open':
        snaps.set(need(step, 'snapshot'), db.snapshot());
        return 'ok';
      case 'snapshot_get': {
        const s = snaps.get(need(step, 'snapshot'));
        if (s === undefined) throw new Error(`no snapshot '${step.snapshot}'`);
        const v = s.get(need(step, 'id'));
        return v === undefined ? 'absent' : { value: v };
      }
      case 'snapshot_scan': {
        const s = snaps.get(need(step, 'snapshot'));
        if (s === undefined) throw new Error(`no snapshot '${step.snapshot}'`);
        return rowsOf(s.scan({ start: step.start ?? 0 }));
      }
      case 'snapshot_scan_range': {
        const s = snaps.get(need(step, 'snapshot'));
        if (s === undefined) throw new Error(`no snapshot '${step.snapshot}'`);
        return rowsOf(s.scan(rangeOptions(step)));
      }
      case 'snapshot_close':
        snaps.get(need(step, 'snapshot'))?.close();
        snaps.delete(step.snapshot);
        return 'ok';
      case 'compact':
        db.compact();
        return 'ok';
      case 'sync':
        db.sync();
        return 'ok';
      case 'hold_lock':
        child = await holdLock(dbDir);
        return 'ok';
      case 'release_lock':
        await releaseLock(child);
        child = null;
        return 'ok';
      default:
        throw new Error(`unknown op '${step.op}'`);
    }
  }
}

function report(line) {
  if (REPORT) fs.appendFileSync(REPORT, `${line}\n`);
}

const files = fs
  .readdirSync(VECTORS)
  .filter((f) => f.endsWith('.json'))
  .sort();

test('the conformance vectors are there', () => {
  assert.ok(files.length > 0, `no *.json vectors in ${VECTORS}`);
});

for (const file of files) {
  const stem = file.slice(0, -'.json'.length);
  const { cases } = JSON.parse(fs.readFileSync(path.join(VECTORS, file), 'utf8'));
  for (const c of cases) {
    const name = `${stem}/${c.name}`;
    const missing = (c.requires ?? []).filter((r) => !SUPPORTED.has(r));
    const missingOps = c.steps.map((s) => s.op).filter((op) => MISSING_OPS.has(op));
    test(name, async (t) => {
      if (missing.length > 0 || missingOps.length > 0) {
        const reason =
          missing.length > 0
            ? missing.map((r) => `requires ${r}: ${UNSUPPORTED[r] ?? 'a capability this runner does not know'}`).join('; ')
            : `ops not in this binding: ${missingOps.join(', ')}`;
        report(`SKIP ${name}: ${reason}`);
        t.skip(reason);
        return;
      }
      const failure = await runCase(c);
      report(failure === undefined ? `PASS ${name}` : `FAIL ${name}: ${failure}`);
      assert.equal(failure, undefined);
    });
  }
}
