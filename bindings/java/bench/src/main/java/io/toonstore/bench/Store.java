package io.toonstore.bench;

import java.nio.file.Path;

/**
 * One database under test, used the same way for every engine: rows are
 * numbered 0..N-1 in insertion order, and a read returns a caller-owned
 * {@code byte[]} copy of the row.
 */
interface Store {
    /** One committed write of {@code row} (key = the next number). */
    void put(byte[] row) throws Exception;

    /** One atomic commit of {@code rows[from..to)}. */
    void putBatch(byte[][] rows, int from, int to) throws Exception;

    /** A copy of row {@code key}, or null. */
    byte[] get(long key) throws Exception;

    /** Reads every row in key order into a {@code byte[]}; returns the row count. */
    long scan() throws Exception;

    /** Releases the database (flushing what it buffers). */
    void close() throws Exception;

    static Store open(String engine, Path dir) throws Exception {
        return switch (engine) {
            case "toonstore" -> new ToonStoreStore(dir);
            case "lmdb" -> new LmdbStore(dir);
            case "sqlite" -> new SqliteStore(dir);
            default -> throw new IllegalArgumentException("unknown engine " + engine);
        };
    }
}
