'use strict';
// Scans: iterable (for..of), async-iterable (for await) and readable as a
// stream, over one snapshot of the database.
//
// The addon hands rows over a chunk at a time (src/scan.rs): one Buffer
// with up to `chunkRows` rows, their ids and end offsets. Each row given to
// the caller is a Buffer viewing its chunk (lib/rowbuffer.js): no copy and
// no native call per row.
// A view keeps its whole chunk (about 128 KiB) alive; copy the rows you keep
// for long (`Buffer.from(row)`) if that matters.

const { Readable } = require('node:stream');
const { toError } = require('./errors');
const { rowView } = require('./rowbuffer');

/** The rows of one native scan, a chunk at a time. */
class Cursor {
  #native;
  #remaining;
  #chunkRows;
  // The reused arrays of the synchronous path.
  #syncIds;
  #syncOffs;
  // The current chunk.
  #data = null;
  #base = 0;
  #ids = null;
  #offs = null;
  #i = 0;
  #n = 0;
  #done = false;
  #fetching = null;

  constructor(native, { limit, chunkRows }) {
    this.#native = native;
    this.#remaining = limit;
    this.#chunkRows = Math.min(chunkRows, limit === Infinity ? chunkRows : Math.max(1, limit));
    if (limit === 0) this.close();
  }

  get done() {
    return this.#done;
  }

  /** The next row of the current chunk, or undefined when it has none left. */
  buffered() {
    const i = this.#i;
    if (i >= this.#n) return undefined;
    this.#i = i + 1;
    const offs = this.#offs;
    const start = offs[i + 1];
    const row = [this.#ids[i], rowView(this.#data, this.#base + start, offs[i + 2] - start)];
    if (--this.#remaining === 0) this.close();
    return row;
  }

  /** Reads the next chunk on this thread. */
  fillSync() {
    if (this.#done) return;
    if (this.#syncIds === undefined) {
      this.#syncIds = new Float64Array(this.#chunkRows);
      this.#syncOffs = new Uint32Array(this.#chunkRows + 2);
    }
    let data;
    try {
      data = this.#native.nextChunk(this.#syncIds, this.#syncOffs);
    } catch (err) {
      this.close();
      throw toError(err);
    }
    this.#set(data, this.#syncIds, this.#syncOffs);
  }

  /** Reads the next chunk on the thread pool. */
  fillAsync() {
    if (this.#done) return Promise.resolve();
    if (this.#fetching !== null) return this.#fetching;
    let task;
    try {
      task = this.#native.nextChunkAsync(this.#chunkRows);
    } catch (err) {
      this.close();
      return Promise.reject(toError(err));
    }
    this.#fetching = task.then(
      (chunk) => {
        this.#fetching = null;
        // Closed while the chunk was read: its rows are not handed out.
        if (this.#done) return;
        if (chunk === undefined || chunk === null) this.#set(undefined);
        else this.#set(chunk.data, chunk.ids, chunk.offs);
      },
      (err) => {
        this.#fetching = null;
        this.close();
        throw toError(err);
      },
    );
    return this.#fetching;
  }

  #set(data, ids, offs) {
    if (data === undefined || data === null) {
      this.close();
      return;
    }
    // Rows are views of the chunk's ArrayBuffer (see rowbuffer.js).
    this.#data = data.buffer;
    this.#base = data.byteOffset;
    this.#ids = ids;
    this.#offs = offs;
    this.#i = 0;
    this.#n = offs[0];
  }

  /** Releases the native scan (and its snapshot). Idempotent. */
  close() {
    if (!this.#done) {
      this.#done = true;
      this.#native.close();
    }
    this.#n = 0;
    this.#data = null;
  }
}

/**
 * A scan of the live rows of one snapshot, in ascending row id order:
 * `for (const [rowId, data] of scan)` or `for await (...)`. Single use, like
 * a generator; breaking out of a loop releases it.
 */
class Scan {
  #cursor;

  constructor(native, options) {
    this.#cursor = new Cursor(native, options);
  }

  /** The next row: `{ value: [rowId, Buffer], done: false }`, or done. */
  next() {
    const cursor = this.#cursor;
    let row = cursor.buffered();
    while (row === undefined) {
      if (cursor.done) return { value: undefined, done: true };
      cursor.fillSync();
      row = cursor.buffered();
    }
    return { value: row, done: false };
  }

  /** Ends the scan early (a `break` out of for..of calls this). */
  return(value) {
    this.#cursor.close();
    return { value, done: true };
  }

  [Symbol.iterator]() {
    return this;
  }

  [Symbol.asyncIterator]() {
    const cursor = this.#cursor;
    return {
      async next() {
        let row = cursor.buffered();
        while (row === undefined) {
          if (cursor.done) return { value: undefined, done: true };
          await cursor.fillAsync();
          row = cursor.buffered();
        }
        return { value: row, done: false };
      },
      async return(value) {
        cursor.close();
        return { value, done: true };
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
  }

  /** Every remaining row, in an array. */
  toArray() {
    return Array.from(this);
  }

  /** Releases the scan without reading further. Idempotent. */
  close() {
    this.#cursor.close();
  }

  /** @internal the cursor, for streams */
  get _cursor() {
    return this.#cursor;
  }
}

/**
 * A Readable (object mode) of `[rowId, Buffer]` rows. Rows are read a chunk
 * at a time on the thread pool, and the next chunk only when the consumer
 * has taken the previous one (back-pressure). Destroying the stream
 * releases the scan.
 */
class ScanStream extends Readable {
  #cursor;
  #busy = false;

  constructor(scan, options = {}) {
    super({ objectMode: true, highWaterMark: options.highWaterMark ?? 16 });
    this.#cursor = scan._cursor;
  }

  _read() {
    if (this.#busy) return;
    this.#busy = true;
    this.#pump();
  }

  #pump() {
    for (;;) {
      const row = this.#cursor.buffered();
      if (row === undefined) break;
      if (!this.push(row)) {
        this.#busy = false;
        return;
      }
    }
    if (this.#cursor.done) {
      this.#busy = false;
      this.push(null);
      return;
    }
    this.#cursor.fillAsync().then(
      () => {
        if (!this.destroyed) this.#pump();
      },
      (err) => {
        this.#busy = false;
        this.destroy(err);
      },
    );
  }

  _destroy(err, callback) {
    this.#cursor.close();
    callback(err);
  }
}

module.exports = { Scan, ScanStream };
