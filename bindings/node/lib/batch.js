'use strict';
// Batch: puts and deletes committed atomically (all or none).

const { Buffer } = require('node:buffer');
const args = require('./args');
const native = require('./native');
const { toError } = require('./errors');

/** The ids of a batch's puts: consecutive from the first. */
function idsFrom(first, count) {
  const ids = new Array(count);
  for (let i = 0; i < count; i++) ids[i] = first + i;
  return ids;
}

/** Concatenates values (Buffers, Uint8Arrays, strings) for the addon. */
function encodeValues(values) {
  if (values === null || typeof values !== 'object' || typeof values[Symbol.iterator] !== 'function') {
    throw new TypeError(`values must be an array (or iterable) of Buffers, Uint8Arrays or strings, got ${args.describe(values)}`);
  }
  const parts = Array.isArray(values) ? values : Array.from(values);
  const bytes = new Array(parts.length);
  let total = 0;
  for (let i = 0; i < parts.length; i++) {
    const b = args.bytesOrString(parts[i], `values[${i}]`);
    bytes[i] = b;
    total += b.length;
  }
  if (total > 0xffffffff) {
    throw new RangeError('a batch holds at most 4 GiB of values');
  }
  const data = Buffer.allocUnsafe(total);
  const ends = new Uint32Array(parts.length);
  let at = 0;
  for (let i = 0; i < bytes.length; i++) {
    data.set(bytes[i], at);
    at += bytes[i].length;
    ends[i] = at;
  }
  return { data, ends };
}

class Batch {
  #db;
  #data = Buffer.allocUnsafe(4096);
  #len = 0;
  #ends = [];
  #deletes = [];

  /** @internal use db.batch() */
  constructor(nativeDb) {
    this.#db = nativeDb;
  }

  /** Adds a put (the bytes are copied now). Returns the batch. */
  put(data) {
    const bytes = args.bytesOrString(data);
    const need = this.#len + bytes.length;
    if (need > 0xffffffff) throw new RangeError('a batch holds at most 4 GiB of values');
    if (need > this.#data.length) {
      const grown = Buffer.allocUnsafe(Math.max(need, this.#data.length * 2));
      this.#data.copy(grown, 0, 0, this.#len);
      this.#data = grown;
    }
    this.#data.set(bytes, this.#len);
    this.#len = need;
    this.#ends.push(need);
    return this;
  }

  /** Adds a delete of a live row. Returns the batch. */
  delete(rowId) {
    this.#deletes.push(args.rowId(rowId));
    return this;
  }

  /** Puts and deletes added so far. */
  get length() {
    return this.#ends.length + this.#deletes.length;
  }

  /** Forgets everything added. */
  clear() {
    this.#len = 0;
    this.#ends = [];
    this.#deletes = [];
  }

  #parts() {
    return [this.#data.subarray(0, this.#len), Uint32Array.from(this.#ends), Float64Array.from(this.#deletes)];
  }

  /**
   * Commits everything atomically; returns the ids of the puts in the order
   * they were added. The batch is empty afterwards. On failure (e.g. a
   * delete of an absent row: TOONSTORE_ERR_NOT_FOUND) nothing is written and
   * the batch keeps its contents.
   */
  write() {
    const count = this.#ends.length;
    let first;
    try {
      first = native.dbWriteBatch(this.#db.id, ...this.#parts());
    } catch (err) {
      throw toError(err);
    }
    this.clear();
    return idsFrom(first, count);
  }

  /** write() on the thread pool. */
  async writeAsync() {
    const count = this.#ends.length;
    let first;
    try {
      first = await this.#db.writeBatchAsync(...this.#parts());
    } catch (err) {
      throw toError(err);
    }
    this.clear();
    return idsFrom(first, count);
  }
}

module.exports = { Batch, encodeValues, idsFrom };
