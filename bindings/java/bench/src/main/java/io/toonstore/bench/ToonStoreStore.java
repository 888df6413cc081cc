package io.toonstore.bench;

import io.toonstore.ToonStore;
import java.nio.file.Path;

/** ToonStore with its default options (NORMAL durability: crash-safe, fsync in the background). */
final class ToonStoreStore implements Store {
    private final ToonStore db;
    private final ToonStore.Batch batch = new ToonStore.Batch();

    ToonStoreStore(Path dir) {
        db = ToonStore.open(dir);
    }

    @Override
    public void put(byte[] row) {
        db.put(row);
    }

    @Override
    public void putBatch(byte[][] rows, int from, int to) {
        for (int i = from; i < to; i++) {
            batch.put(rows[i]);
        }
        db.write(batch);
    }

    @Override
    public byte[] get(long key) {
        return db.get(key);
    }

    @Override
    public long scan() {
        long n = 0;
        try (ToonStore.Scan scan = db.scan()) {
            for (ToonStore.Row row : scan) {
                n += row.data().length > 0 ? 1 : 0;
            }
        }
        return n;
    }

    @Override
    public void close() {
        batch.close();
        db.close();
    }
}
