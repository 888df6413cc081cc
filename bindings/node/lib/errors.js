'use strict';
// ToonStoreError, and the conversion of the addon's errors into it.
//
// The addon throws plain Errors whose message starts with the C error name
// in brackets ("[TOONSTORE_ERR_LOCKED] ..."; see src/errors.rs); toError()
// turns them into ToonStoreErrors with `code` set to that name.

/** The C API's error codes, by name (include/toonstore.h). */
const CODES = Object.freeze({
  TOONSTORE_ERR_INVALID_ARG: -1,
  TOONSTORE_ERR_NOT_FOUND: -2,
  TOONSTORE_ERR_IO: -3,
  TOONSTORE_ERR_CORRUPT: -4,
  TOONSTORE_ERR_LOCKED: -5,
  TOONSTORE_ERR_TOO_LARGE: -6,
  TOONSTORE_ERR_READ_ONLY: -7,
  TOONSTORE_ERR_VERSION: -8,
  TOONSTORE_ERR_NOMEM: -9,
  TOONSTORE_ERR_INTERNAL: -10,
  TOONSTORE_ERR_CLOSED: -11,
  TOONSTORE_ERR_BUFFER_TOO_SMALL: -12,
  TOONSTORE_ERR_POISONED: -13,
});

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
  }
  return err;
}

/** A ToonStoreError made on the JavaScript side. */
function error(code, message) {
  return new ToonStoreError(message, code);
}

module.exports = { ToonStoreError, CODES, toError, error };
