package io.toonstore.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * sqlite-jdbc in its fastest honest setup: WAL with synchronous=NORMAL (no
 * fsync per commit; survives a process crash), an INTEGER PRIMARY KEY table,
 * prepared statements reused, autocommit for single puts and one transaction
 * per batch.
 */
final class SqliteStore implements Store {
    private final Connection conn;
    private final PreparedStatement insert;
    private final PreparedStatement select;
    private long next;

    SqliteStore(Path dir) throws Exception {
        Files.createDirectories(dir);
        conn = DriverManager.getConnection("jdbc:sqlite:" + dir.resolve("bench.sqlite"));
        try (Statement s = conn.createStatement()) {
            s.execute("PRAGMA journal_mode=WAL");
            s.execute("PRAGMA synchronous=NORMAL");
            s.execute("CREATE TABLE IF NOT EXISTS rows (id INTEGER PRIMARY KEY, v BLOB NOT NULL)");
        }
        insert = conn.prepareStatement("INSERT INTO rows (id, v) VALUES (?, ?)");
        select = conn.prepareStatement("SELECT v FROM rows WHERE id = ?");
    }

    private void insertOne(byte[] row) throws Exception {
        insert.setLong(1, next++);
        insert.setBytes(2, row);
        insert.executeUpdate();
    }

    @Override
    public void put(byte[] row) throws Exception {
        insertOne(row);
    }

    @Override
    public void putBatch(byte[][] rows, int from, int to) throws Exception {
        conn.setAutoCommit(false);
        for (int i = from; i < to; i++) {
            insertOne(rows[i]);
        }
        conn.commit();
        conn.setAutoCommit(true);
    }

    @Override
    public byte[] get(long key) throws Exception {
        select.setLong(1, key);
        try (ResultSet rs = select.executeQuery()) {
            return rs.next() ? rs.getBytes(1) : null;
        }
    }

    @Override
    public long scan() throws Exception {
        long n = 0;
        try (Statement s = conn.createStatement(); ResultSet rs = s.executeQuery("SELECT v FROM rows ORDER BY id")) {
            while (rs.next()) {
                n += rs.getBytes(1).length > 0 ? 1 : 0;
            }
        }
        return n;
    }

    @Override
    public void close() throws Exception {
        insert.close();
        select.close();
        conn.close();
    }
}
