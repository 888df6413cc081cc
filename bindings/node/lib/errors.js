'use strict';
// ToonStoreError, and the conversion of the addon's errors into it.
//
// The addon throws plain Errors whose message starts with the C error name
// in brackets ("[TOONSTORE_ERR_LOCKED] ..."; see src/errors.rs); toError()
// turns them into ToonStoreErrors with `code` set to that name.

const native = require('./native');

/** The C API's error codes by name (include/toonstore.h), from the engine. */
const CODES = Object.freeze(Object.fromEntries(native.errorCodes().map(({ name, code }) => [name, code])));

class ToonStoreError extends Error {
  /**
   * @param {string} message the engine's message
   * @param {string} code the C error name, e.g. 'TOONSTORE_ERR_LOCKED'
   */
  constructor(message, code) {
    super(message);
    this.code = code;
    this.errno = Object.hasOwn(CODES, code) ? CODES[code] : 0;
  }

  get name() {
    return 'ToonStoreError';
  }
}

const PREFIX = /^\[(TOONSTORE_ERR_[A-Z_]+)\] ([\s\S]*)$/;

/** The error to throw for an error thrown by the addon. */
function toError(err) {
  if (err instanceof Error && !(err instanceof ToonStoreError)) {
    const m = PREFIX.exec(err.message);
    if (m !== null) {
      return new ToonStoreError(m[2], m[1]);
    }
    // Every error the addon makes itself is prefixed; an unprefixed
    // 'GenericFailure' is napi-rs reporting a panic it caught
    // (#[napi(catch_unwind)]) or a failure of its own.
    if (err.code === 'GenericFailure') {
      return new ToonStoreError(`internal error in the ToonStore addon: ${err.message}`, 'TOONSTORE_ERR_INTERNAL');
    }
  }
  return err;
}

/** A ToonStoreError made on the JavaScript side. */
function error(code, message) {
  return new ToonStoreError(message, code);
}

module.exports = { ToonStoreError, CODES, toError, error };
