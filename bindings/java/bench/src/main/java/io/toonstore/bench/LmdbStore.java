package io.toonstore.bench;

import static java.nio.ByteBuffer.allocateDirect;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import org.lmdbjava.CursorIterable;
import org.lmdbjava.Dbi;
import org.lmdbjava.DbiFlags;
import org.lmdbjava.Env;
import org.lmdbjava.EnvFlags;
import org.lmdbjava.PutFlags;
import org.lmdbjava.Txn;

/**
 * lmdbjava in its fastest honest setup for this workload: no fsync per commit
 * (MDB_NOSYNC | MDB_NOMETASYNC | MDB_WRITEMAP, like ToonStore's NORMAL it
 * survives a process crash), 8-byte big-endian keys appended in order
 * (MDB_APPEND), direct buffers (PROXY_OPTIMAL), and one read transaction
 * reset/renewed per get, as LMDB recommends for point reads.
 */
final class LmdbStore implements Store {
    private final Env<ByteBuffer> env;
    private final Dbi<ByteBuffer> db;
    private final ByteBuffer key = allocateDirect(8);
    private ByteBuffer value = allocateDirect(4096);
    private final Txn<ByteBuffer> reader;
    private long next;

    LmdbStore(Path dir) throws Exception {
        Files.createDirectories(dir);
        env = Env.create()
                .setMapSize(16L << 30)
                .setMaxDbs(1)
                .setMaxReaders(8)
                .open(dir.toFile(), EnvFlags.MDB_NOSYNC, EnvFlags.MDB_NOMETASYNC, EnvFlags.MDB_WRITEMAP,
                        EnvFlags.MDB_NOTLS);
        db = env.openDbi("rows", DbiFlags.MDB_CREATE);
        reader = env.txnRead();
        reader.reset();
    }

    private void putOne(Txn<ByteBuffer> txn, byte[] row) {
        key.clear();
        key.putLong(next++).flip();
        if (value.capacity() < row.length) {
            value = allocateDirect(row.length);
        }
        value.clear();
        value.put(row).flip();
        db.put(txn, key, value, PutFlags.MDB_APPEND);
    }

    @Override
    public void put(byte[] row) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            putOne(txn, row);
            txn.commit();
        }
    }

    @Override
    public void putBatch(byte[][] rows, int from, int to) {
        try (Txn<ByteBuffer> txn = env.txnWrite()) {
            for (int i = from; i < to; i++) {
                putOne(txn, rows[i]);
            }
            txn.commit();
        }
    }

    @Override
    public byte[] get(long k) {
        key.clear();
        key.putLong(k).flip();
        reader.renew();
        try {
            ByteBuffer v = db.get(reader, key);
            if (v == null) {
                return null;
            }
            byte[] out = new byte[v.remaining()];
            v.get(out);
            return out;
        } finally {
            reader.reset();
        }
    }

    @Override
    public long scan() {
        long n = 0;
        try (Txn<ByteBuffer> txn = env.txnRead(); CursorIterable<ByteBuffer> it = db.iterate(txn)) {
            for (CursorIterable.KeyVal<ByteBuffer> kv : it) {
                ByteBuffer v = kv.val();
                byte[] out = new byte[v.remaining()];
                v.get(out);
                n += out.length > 0 ? 1 : 0;
            }
        }
        return n;
    }

    @Override
    public void close() {
        reader.close();
        db.close();
        env.sync(true);
        env.close();
    }
}
