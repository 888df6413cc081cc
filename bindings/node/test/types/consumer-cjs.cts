// The same typings seen from a CommonJS TypeScript consumer (require).
import toonstore = require('toonstore');

const db: toonstore.ToonStore = toonstore.ToonStore.open('/tmp/cjs');
const id: number = db.put(Buffer.from('users[1]{id,name}: 1,Alice'));
const data: Buffer | undefined = db.get(id);
for (const [rowId, row] of db.scan()) {
  void rowId;
  void row.length;
}
db.close();
export const used = [data];
