'use strict';
// Snapshot: reads as of one moment, over NativeSnapshot (src/scan.rs).

const args = require('./args');
const { toError } = require('./errors');
const { Scan, ScanStream } = require('./scan');
const pooled = require('./pool');

const dispose = Symbol.dispose ?? Symbol.for('nodejs.dispose');

class Snapshot {
  #snap;

  /** @internal use db.snapshot() */
  constructor(nativeSnapshot) {
    this.#snap = nativeSnapshot;
  }

  /** Row ids at or above this were not assigned when it was taken. */
  get endId() {
    try {
      return this.#snap.endId;
    } catch (err) {
      throw toError(err);
    }
  }

  get closed() {
    return this.#snap.closed;
  }

  /** A copy of the row as of the snapshot, or undefined. */
  get(rowId) {
    args.rowId(rowId);
    try {
      return pooled.read(
        (buf, offset) => this.#snap.getInto(rowId, buf, offset),
        () => this.#snap.get(rowId),
      );
    } catch (err) {
      throw toError(err);
    }
  }

  /** The snapshot's rows, as db.scan() gives them. */
  scan(options) {
    const opts = args.scanOptions(options);
    try {
      return new Scan(this.#snap.scan(opts.start, opts.stop, opts.reverse), opts);
    } catch (err) {
      throw toError(err);
    }
  }

  createReadStream(options) {
    return new ScanStream(this.scan(options), options ?? {});
  }

  /** Releases the snapshot (its space can be reclaimed). Idempotent. */
  close() {
    this.#snap.release();
  }

  [dispose]() {
    this.close();
  }
}

module.exports = { Snapshot };
