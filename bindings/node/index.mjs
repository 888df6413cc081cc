// The `toonstore` package as an ES module: the same objects as the
// CommonJS entry (one addon and one class per process, whichever loads it).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const toonstore = require('./index.js');

export const { ToonStore, ToonStoreError, Batch, Snapshot, Scan, errorCodes, version } = toonstore;
export default toonstore;
