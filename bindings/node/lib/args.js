'use strict';
// Argument checks: a wrong type is a TypeError, a value out of range a
// RangeError, before anything reaches the addon.

const { Buffer } = require('node:buffer');

function describe(value) {
  if (value === null) return 'null';
  if (typeof value === 'object') return value.constructor ? `an instance of ${value.constructor.name}` : 'an object';
  if (typeof value === 'function') return 'a function';
  return `type ${typeof value} (${String(value).slice(0, 40)})`;
}

/** Checks a row id: a non-negative safe integer. */
function rowId(id, name = 'rowId') {
  if (typeof id !== 'number') {
    throw new TypeError(`${name} must be a number, got ${describe(id)}`);
  }
  if (!(Number.isSafeInteger(id) && id >= 0)) {
    throw new RangeError(`${name} must be a non-negative safe integer, got ${id}`);
  }
  return id;
}

/**
 * The bytes of a value as a Uint8Array (Buffer and Uint8Array as they are;
 * other typed arrays, DataView and ArrayBuffer as a view of their bytes).
 * Strings are handled by the callers (UTF-8). Anything else: TypeError.
 */
function bytesOf(data, name = 'data') {
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer || (typeof SharedArrayBuffer !== 'undefined' && data instanceof SharedArrayBuffer)) {
    return new Uint8Array(data);
  }
  throw new TypeError(`${name} must be a Buffer, a Uint8Array or a string, got ${describe(data)}`);
}

/** The bytes of a value, strings included (as UTF-8). */
function bytesOrString(data, name = 'data') {
  if (typeof data === 'string') return Buffer.from(data, 'utf8');
  return bytesOf(data, name);
}

const DURABILITIES = ['off', 'normal', 'full'];
const OPTION_TYPES = {
  durability: 'string',
  readOnly: 'boolean',
  createIfMissing: 'boolean',
  verifyChecksums: 'boolean',
  maxValueSize: 'number',
  segmentSize: 'number',
  syncInterval: 'number',
};

/** Checks the options of open(); returns a plain object for the addon. */
function openOptions(options) {
  if (options === undefined || options === null) return undefined;
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError(`options must be an object, got ${describe(options)}`);
  }
  const out = {};
  for (const [key, value] of Object.entries(options)) {
    if (value === undefined) continue;
    const type = OPTION_TYPES[key];
    if (type === undefined) {
      throw new TypeError(`unknown option '${key}' (known: ${Object.keys(OPTION_TYPES).join(', ')})`);
    }
    if (typeof value !== type) {
      throw new TypeError(`option ${key} must be a ${type}, got ${describe(value)}`);
    }
    if (key === 'durability' && !DURABILITIES.includes(value)) {
      throw new RangeError(`option durability must be 'off', 'normal' or 'full', got '${value}'`);
    }
    out[key] = value;
  }
  return out;
}

function path(p, name = 'path') {
  if (typeof p === 'string') {
    if (p.length === 0) throw new TypeError(`${name} must not be empty`);
    return p;
  }
  if (p instanceof URL) {
    return require('node:url').fileURLToPath(p);
  }
  throw new TypeError(`${name} must be a string or a file: URL, got ${describe(p)}`);
}

/** Checks the options of scan() and createReadStream(). */
function scanOptions(options) {
  let start = 0;
  let stop; // undefined: no upper bound
  let reverse = false;
  let limit = Infinity;
  let chunkRows = 1024;
  if (options === undefined || options === null) return { start, stop, reverse, limit, chunkRows };
  if (typeof options !== 'object') {
    throw new TypeError(`scan options must be an object, got ${describe(options)}`);
  }
  if (options.start !== undefined) start = rowId(options.start, 'start');
  // stop below start is refused by the engine (TOONSTORE_ERR_INVALID_ARG).
  if (options.stop !== undefined) stop = rowId(options.stop, 'stop');
  if (options.reverse !== undefined) {
    if (typeof options.reverse !== 'boolean') throw new TypeError(`reverse must be a boolean, got ${describe(options.reverse)}`);
    reverse = options.reverse;
  }
  if (options.limit !== undefined) {
    if (typeof options.limit !== 'number') throw new TypeError(`limit must be a number, got ${describe(options.limit)}`);
    if (!(options.limit >= 0) || !(Number.isSafeInteger(options.limit) || options.limit === Infinity)) {
      throw new RangeError(`limit must be a non-negative integer, got ${options.limit}`);
    }
    limit = options.limit;
  }
  if (options.chunkRows !== undefined) {
    if (typeof options.chunkRows !== 'number') throw new TypeError(`chunkRows must be a number, got ${describe(options.chunkRows)}`);
    if (!(Number.isSafeInteger(options.chunkRows) && options.chunkRows >= 1 && options.chunkRows <= 65536)) {
      throw new RangeError(`chunkRows must be an integer from 1 to 65536, got ${options.chunkRows}`);
    }
    chunkRows = options.chunkRows;
  }
  return { start, stop, reverse, limit, chunkRows };
}

module.exports = { rowId, bytesOf, bytesOrString, openOptions, scanOptions, path, describe };
