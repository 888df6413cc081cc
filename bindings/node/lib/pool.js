'use strict';
// The pool that get() copies rows into (db.get and snapshot.get).
//
// A get copies the row into the pool and hands out a view of it, the way
// Buffer.allocUnsafe() carves small Buffers out of Node's own pool: one
// native call and one view per row instead of a Buffer made by the addon. A
// region of the pool is handed out once and never written again; a full
// pool is replaced (the old one lives as long as views of it do). Rows
// larger than LARGE get a Buffer of their own. One pool per thread (each
// worker loads its own copy of this module).

const { Buffer } = require('node:buffer');
const { rowView } = require('./rowbuffer');

const SIZE = 256 * 1024;
const LARGE = 16 * 1024;

const pool = {
  /** The Buffer the addon copies into (starts at byte 0 of its ArrayBuffer). */
  buf: Buffer.allocUnsafeSlow(SIZE),
  /** Where the next row goes. */
  offset: 0,
};
let arrayBuffer = pool.buf.buffer;

function renew() {
  pool.buf = Buffer.allocUnsafeSlow(SIZE);
  arrayBuffer = pool.buf.buffer;
  pool.offset = 0;
}

/**
 * The row the addon just copied to `pool.offset` (`n` bytes), as a Buffer;
 * advances the offset (8-byte aligned, as in Node's pool).
 */
function take(n) {
  const start = pool.offset;
  const row = rowView(arrayBuffer, start, n);
  pool.offset = (start + n + 7) & ~7;
  if (pool.offset >= SIZE) renew();
  return row;
}

/**
 * Reads a row through the pool: `readInto(buf, offset)` is the addon's
 * copy (length, -1 when absent, -(len + 2) when it did not fit), `readOwn()`
 * the addon's own Buffer for a large row. A Buffer, or undefined.
 */
function read(readInto, readOwn) {
  let n = readInto(pool.buf, pool.offset);
  if (n < -1) {
    if (-n - 2 > LARGE) return readOwn() ?? undefined;
    renew();
    n = readInto(pool.buf, 0);
    // Still too large: it cannot be the same row (rows never change).
    if (n < -1) return readOwn() ?? undefined;
  }
  return n === -1 ? undefined : take(n);
}

module.exports = { pool, take, renew, read, LARGE };
