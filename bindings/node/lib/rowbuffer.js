'use strict';
// Views of rows in a chunk or pool, as Buffers.
//
// A row handed out by get() or a scan is a view of a larger ArrayBuffer (a
// scan chunk, or get()'s pool). `buf.subarray()` would make that view, but
// for a Buffer it goes through the species constructor, Buffer(), and
// Buffer.from(): about 2.5x the cost of constructing the view directly,
// which was the largest single cost of a scan (docs/nodejs, performance).
// RowBuffer is constructed directly and is a Buffer in every observable way
// (Node's own FastBuffer is made the same way: a Uint8Array subclass whose
// prototype chain holds Buffer.prototype): `Buffer.isBuffer(row)` and
// `row instanceof Buffer` are true, `row.constructor === Buffer`, every
// Buffer method works, and util.inspect and JSON show a Buffer.

const { Buffer } = require('node:buffer');

class RowBuffer extends Uint8Array {}
Object.setPrototypeOf(RowBuffer.prototype, Buffer.prototype);
Object.defineProperty(RowBuffer.prototype, 'constructor', {
  value: Buffer,
  writable: true,
  enumerable: false,
  configurable: true,
});

/** A Buffer viewing `length` bytes of `arrayBuffer` from `offset`. */
function rowView(arrayBuffer, offset, length) {
  return new RowBuffer(arrayBuffer, offset, length);
}

module.exports = { rowView };
