'use strict';
// The `toonstore` package (CommonJS entry; index.mjs is the ES module one).

const native = require('./lib/native');
const { ToonStore } = require('./lib/database');
const { Batch } = require('./lib/batch');
const { Snapshot } = require('./lib/snapshot');
const { Scan } = require('./lib/scan');
const { ToonStoreError, CODES } = require('./lib/errors');

module.exports = {
  ToonStore,
  ToonStoreError,
  Batch,
  Snapshot,
  Scan,
  errorCodes: CODES,
  version: native.engineVersion(),
};
// `import toonstore from 'toonstore'` through a CommonJS interop, and
// `require('toonstore').default`, give the same object as the ES module's
// default export.
module.exports.default = module.exports;
