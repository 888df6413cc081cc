'use strict';
// ToonStore: the database handle, over NativeDatabase (src/database.rs).

const { Buffer } = require('node:buffer');
const native = require('./native');
const args = require('./args');
const { toError } = require('./errors');
const { Scan, ScanStream } = require('./scan');
const { Batch, encodeValues, idsFrom } = require('./batch');
const { Snapshot } = require('./snapshot');
const pooled = require('./pool');

const dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');
const asyncDispose = Symbol.asyncDispose ?? Symbol.for('nodejs.asyncDispose');

/** Calls a native async method, turning every failure into a rejection. */
async function run(fn) {
  try {
    return await fn();
  } catch (err) {
    throw toError(err);
  }
}

class ToonStore {
  #db;
  // The handle's number for the per-row calls (src/handles.rs).
  #id;

  /** @internal use ToonStore.open() or ToonStore.openAsync() */
  constructor(nativeDb) {
    if (!(nativeDb instanceof native.NativeDatabase)) {
      throw new TypeError('use ToonStore.open(path, options) or ToonStore.openAsync(path, options)');
    }
    this.#db = nativeDb;
    this.#id = nativeDb.id;
  }

  /** Opens (by default creating) the database in directory `path`. */
  static open(path, options) {
    const p = args.path(path);
    const opts = args.openOptions(options);
    try {
      return new ToonStore(native.NativeDatabase.open(p, opts));
    } catch (err) {
      throw toError(err);
    }
  }

  /** As open(), with recovery on the thread pool. */
  static async openAsync(path, options) {
    const p = args.path(path);
    const opts = args.openOptions(options);
    return new ToonStore(await run(() => native.NativeDatabase.openAsync(p, opts)));
  }

  get path() {
    return this.#db.path;
  }

  get readOnly() {
    return this.#db.readOnly;
  }

  get durability() {
    return this.#db.durability;
  }

  get closed() {
    return this.#db.closed;
  }

  /** Appends a row; returns its id. */
  put(data) {
    try {
      if (data instanceof Uint8Array) return native.dbPut(this.#id, data);
      if (typeof data === 'string') return native.dbPutString(this.#id, data);
      return native.dbPut(this.#id, args.bytesOf(data));
    } catch (err) {
      throw toError(err);
    }
  }

  /** A copy of the row, or undefined when it is absent or deleted. */
  get(rowId) {
    if (typeof rowId !== 'number' || !(rowId >= 0 && Number.isSafeInteger(rowId))) args.rowId(rowId);
    // The pool's fast path inline (lib/pool.js has the general one).
    const pool = pooled.pool;
    let n;
    try {
      n = native.dbGetInto(this.#id, rowId, pool.buf, pool.offset);
      if (n < -1) {
        return pooled.read(
          (buf, offset) => native.dbGetInto(this.#id, rowId, buf, offset),
          () => this.#db.get(rowId),
        );
      }
    } catch (err) {
      throw toError(err);
    }
    return n === -1 ? undefined : pooled.take(n);
  }

  /** Whether the row is live. */
  has(rowId) {
    args.rowId(rowId);
    try {
      return native.dbHas(this.#id, rowId);
    } catch (err) {
      throw toError(err);
    }
  }

  /** Deletes a live row (TOONSTORE_ERR_NOT_FOUND when it is not). */
  delete(rowId) {
    args.rowId(rowId);
    try {
      native.dbDelete(this.#id, rowId);
    } catch (err) {
      throw toError(err);
    }
  }

  /** Puts every value in one atomic batch; returns their ids, in order. */
  putMany(values) {
    const { data, ends } = encodeValues(values);
    try {
      return idsFrom(native.dbWriteBatch(this.#id, data, ends, EMPTY_IDS), ends.length);
    } catch (err) {
      throw toError(err);
    }
  }

  /** A batch of puts and deletes, committed atomically by its write(). */
  batch() {
    return new Batch(this.#db);
  }

  /** Iterates over the live rows of a new snapshot: `[rowId, Buffer]`. */
  scan(options) {
    const opts = args.scanOptions(options);
    try {
      return new Scan(this.#db.scan(opts.start, opts.stop, opts.reverse), opts);
    } catch (err) {
      throw toError(err);
    }
  }

  /** A Readable (object mode) of the rows of a new snapshot. */
  createReadStream(options) {
    return new ScanStream(this.scan(options), options ?? {});
  }

  /** A snapshot of this moment: get() and scan() as of now. */
  snapshot() {
    try {
      return new Snapshot(this.#db.snapshot());
    } catch (err) {
      throw toError(err);
    }
  }

  /** Flushes every acknowledged write to stable storage. */
  sync() {
    try {
      this.#db.sync();
    } catch (err) {
      throw toError(err);
    }
  }

  /** Rewrites segments that hold deleted rows, freeing their space. */
  compact() {
    try {
      this.#db.compact();
    } catch (err) {
      throw toError(err);
    }
  }

  /**
   * Writes a consistent copy of the database as of one moment into the
   * directory `dest` (which must not exist, or be empty) while writes go on.
   * Works on a read-only handle too (it copies that handle's state).
   */
  backup(dest) {
    const p = args.path(dest, 'dest');
    try {
      this.#db.backup(p);
    } catch (err) {
      throw toError(err);
    }
  }

  /**
   * Moves a read-only handle to the writer's latest acknowledged state (a
   * read-only open sees the database as of its open until then). Does
   * nothing on a handle that shares a writable engine.
   */
  refresh() {
    try {
      this.#db.refresh();
    } catch (err) {
      throw toError(err);
    }
  }

  /** Row counts and space. */
  stats() {
    try {
      return this.#db.stats();
    } catch (err) {
      throw toError(err);
    }
  }

  /** The number of live rows. */
  count() {
    try {
      return native.dbCount(this.#id);
    } catch (err) {
      throw toError(err);
    }
  }

  /** Closes the handle; every later call fails. Closing again does nothing. */
  close() {
    try {
      this.#db.close();
    } catch (err) {
      throw toError(err);
    }
  }

  // ------------------------------------------------------------ async

  putAsync(data) {
    return run(() => this.#db.putAsync(args.bytesOrString(data)));
  }

  getAsync(rowId) {
    return run(async () => (await this.#db.getAsync(args.rowId(rowId))) ?? undefined);
  }

  deleteAsync(rowId) {
    return run(() => this.#db.deleteAsync(args.rowId(rowId)));
  }

  putManyAsync(values) {
    return run(async () => {
      const { data, ends } = encodeValues(values);
      return idsFrom(await this.#db.writeBatchAsync(data, ends, EMPTY_IDS), ends.length);
    });
  }

  syncAsync() {
    return run(() => this.#db.syncAsync());
  }

  compactAsync() {
    return run(() => this.#db.compactAsync());
  }

  /** As backup(), with the copy on the thread pool. */
  backupAsync(dest) {
    return run(() => this.#db.backupAsync(args.path(dest, 'dest')));
  }

  statsAsync() {
    return run(() => this.#db.statsAsync());
  }

  closeAsync() {
    return run(() => this.#db.closeAsync());
  }

  [dispose]() {
    this.close();
  }

  [asyncDispose]() {
    return this.closeAsync();
  }

  get [Symbol.toStringTag]() {
    return 'ToonStore';
  }
}

const EMPTY_IDS = new Float64Array(0);

module.exports = { ToonStore };
