// A strict TypeScript consumer of the package's typings (ES module). Not
// run: test/types.test.js type-checks it with `tsc --strict --noEmit`.
import { Readable } from 'node:stream';
import toonstoreDefault, {
  Batch,
  Scan,
  Snapshot,
  ToonStore,
  ToonStoreError,
  errorCodes,
  version,
  type Data,
  type Durability,
  type ErrorCode,
  type OpenOptions,
  type Row,
  type Stats,
} from 'toonstore';

const options: OpenOptions = { durability: 'full', readOnly: false, createIfMissing: true, syncInterval: 0.5 };
const db: ToonStore = ToonStore.open('/tmp/db', options);
const fromUrl: ToonStore = ToonStore.open(new URL('file:///tmp/db2'));
fromUrl.close();

const values: Data[] = [Buffer.from('a'), new Uint8Array([1]), 'text', new Float32Array(2), new ArrayBuffer(4)];
const id: number = db.put(values[0]!);
const got: Buffer | undefined = db.get(id);
if (got !== undefined) {
  const text: string = got.toString('utf8');
  void text;
}
const present: boolean = db.has(id);
db.delete(id);
const ids: number[] = db.putMany(values);
const batch: Batch = db.batch().put('x').delete(ids[0]!);
const written: number[] = batch.write();
const n: number = batch.length;

for (const [rowId, data] of db.scan({ start: 0, limit: 10 })) {
  const r: number = rowId;
  const d: Buffer = data;
  void r;
  void d;
}
const scan: Scan = db.scan();
const rows: Row[] = scan.toArray();
const first: IteratorResult<Row, undefined> = db.scan().next();
if (!first.done) {
  const [firstId, firstData] = first.value;
  void firstId;
  void firstData.length;
}

const stream: Readable = db.createReadStream({ highWaterMark: 4, chunkRows: 128 });
stream.destroy();

const snap: Snapshot = db.snapshot();
const end: number = snap.endId;
const old: Buffer | undefined = snap.get(0);
snap.close();

const stats: Stats = db.stats();
const frac: number = stats.garbageFraction;
const count: number = db.count();
const durability: Durability = db.durability;
const path: string = db.path;
db.sync();
db.compact();
db.backup('/tmp/db-backup');
db.backup(new URL('file:///tmp/db-backup2'));
db.refresh();

async function asyncUse(): Promise<void> {
  const adb = await ToonStore.openAsync('/tmp/db3', { durability: 'off' });
  const aid: number = await adb.putAsync('x');
  const av: Buffer | undefined = await adb.getAsync(aid);
  await adb.deleteAsync(aid);
  const many: number[] = await adb.putManyAsync(['a', 'b']);
  const bw: number[] = await adb.batch().put('c').writeAsync();
  await adb.syncAsync();
  await adb.compactAsync();
  const backedUp: Promise<void> = adb.backupAsync('/tmp/db3-backup');
  await backedUp;
  const as: Stats = await adb.statsAsync();
  for await (const [rid, data] of adb.scan()) {
    void rid;
    void data.byteLength;
  }
  for await (const row of adb.createReadStream()) {
    void row;
  }
  await adb.closeAsync();
  void [av, many, bw, as];

  await using disposable = await ToonStore.openAsync('/tmp/db4');
  void disposable.count();
}

function syncDispose(): void {
  using disposable = ToonStore.open('/tmp/db5');
  using snapshot = disposable.snapshot();
  void snapshot.endId;
}

try {
  db.put('x');
} catch (err) {
  if (err instanceof ToonStoreError) {
    const code: ErrorCode = err.code;
    const errno: number = err.errno;
    const name: 'ToonStoreError' = err.name;
    const locked: boolean = code === 'TOONSTORE_ERR_LOCKED';
    void [errno, name, locked];
  }
}
const lockedCode: number = errorCodes.TOONSTORE_ERR_LOCKED;
const v: string = version;
const viaDefault: typeof ToonStore = toonstoreDefault.ToonStore;
const closed: boolean = db.closed;
const ro: boolean = db.readOnly;
db.close();
db[Symbol.dispose]();

export const used = [durability, present, written, n, rows, end, old, frac, count, path, lockedCode, v, viaDefault, closed, ro, asyncUse, syncDispose];
