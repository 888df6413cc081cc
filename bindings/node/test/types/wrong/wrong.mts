// Misuses the typings must reject (test/types.test.js expects exactly these
// errors, one per line marked `// error`).
import { ToonStore } from 'toonstore';

const db = ToonStore.open('/tmp/db');
db.put(42); // error
db.put({ bytes: 1 }); // error
const a: Buffer = db.get(0); // error
db.get('0'); // error
ToonStore.open('/tmp/db', { durability: 'fast' }); // error
ToonStore.open('/tmp/db', { readonly: true }); // error
new ToonStore(); // error
const b: string = db.put('x'); // error
db.scan({ start: '1' }); // error
db.backup(); // error
db.backup(42); // error
const c: number = db.refresh(); // error
export const used = [a, b, c];
