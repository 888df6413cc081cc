package io.toonstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Eight threads on one handle, and close() racing calls in flight. */
class ConcurrencyTest {
    static final int THREADS = 8;

    @TempDir
    Path tmp;

    private static byte[] rowOf(int thread, int i) {
        return ("t" + thread + "-" + i).getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void eightThreadsWriteReadAndScan() throws Exception {
        ConcurrentHashMap<Long, byte[]> written = new ConcurrentHashMap<>();
        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    start.await();
                    try (ToonStore.Batch batch = new ToonStore.Batch()) {
                        for (int i = 0; i < 2000; i++) {
                            byte[] row = rowOf(thread, i);
                            long id;
                            if (i % 100 == 99) {
                                id = db.write(batch.put(row))[0];
                            } else if (i % 2 == 0) {
                                id = db.put(row);
                            } else {
                                id = db.put(ByteBuffer.wrap(row));
                            }
                            written.put(id, row);
                            assertArrayEquals(row, db.get(id));
                            if (i % 500 == 0) {
                                try (ToonStore.Scan scan = db.scan(Math.max(0, id - 50))) {
                                    long last = -1;
                                    for (ToonStore.Row r : scan) {
                                        assertTrue(r.id() > last, "ascending ids");
                                        last = r.id();
                                    }
                                    assertTrue(last >= id, "a scan sees this thread's acknowledged row");
                                }
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : done) {
                f.get(5, TimeUnit.MINUTES);
            }
            assertEquals(THREADS * 2000, written.size(), "every id is distinct");
            assertEquals(THREADS * 2000L, db.stats().liveRows());
            for (var e : written.entrySet()) {
                assertArrayEquals(e.getValue(), db.get(e.getKey()));
            }
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * close() while eight threads are inside calls: every call either
     * completes or throws CLOSED, the JVM survives, and every put that
     * returned an id is in the database afterwards.
     */
    @Test
    void closeRacingCallsInFlight() throws Exception {
        for (int round = 0; round < 5; round++) {
            Path dir = tmp.resolve("db" + round);
            ToonStore db = ToonStore.open(dir);
            ConcurrentHashMap<Long, byte[]> acked = new ConcurrentHashMap<>();
            AtomicLong closedSeen = new AtomicLong();
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            CountDownLatch running = new CountDownLatch(THREADS);
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < THREADS; t++) {
                int thread = t;
                done.add(pool.submit(() -> {
                    running.countDown();
                    ToonStore.Snapshot snap = null;
                    try {
                        for (int i = 0; ; i++) {
                            byte[] row = rowOf(thread, i);
                            long id = db.put(row);
                            acked.put(id, row);
                            db.get(id);
                            if (i % 50 == 0) {
                                try (ToonStore.Scan s = db.scan(id)) {
                                    s.iterator().hasNext();
                                }
                                snap = db.snapshot();
                                snap.get(id);
                                snap.close();
                            }
                            if (i % 200 == 0) {
                                db.stats();
                            }
                        }
                    } catch (ToonStoreException e) {
                        assertEquals(ErrorCode.CLOSED, e.code(), e.getMessage());
                        closedSeen.incrementAndGet();
                    }
                    return null;
                }));
            }
            running.await();
            Thread.sleep(30);
            db.close();
            for (Future<?> f : done) {
                f.get(1, TimeUnit.MINUTES);
            }
            pool.shutdown();
            assertEquals(THREADS, closedSeen.get());
            try (ToonStore again = ToonStore.open(dir)) {
                for (var e : acked.entrySet()) {
                    assertArrayEquals(e.getValue(), again.get(e.getKey()), "acknowledged row " + e.getKey());
                }
            }
        }
    }

    /** A scan and a snapshot used from many threads at once fail cleanly, never crash. */
    @Test
    void sharedSnapshotAcrossThreads() throws Exception {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            for (int i = 0; i < 1000; i++) {
                db.put(rowOf(0, i));
            }
            ExecutorService pool = Executors.newFixedThreadPool(THREADS);
            try (ToonStore.Snapshot snap = db.snapshot()) {
                List<Future<?>> done = new ArrayList<>();
                for (int t = 0; t < THREADS; t++) {
                    done.add(pool.submit(() -> {
                        for (int i = 0; i < 1000; i++) {
                            assertArrayEquals(rowOf(0, i), snap.get(i));
                        }
                        try (ToonStore.Scan s = snap.scan()) {
                            long n = 0;
                            for (ToonStore.Row r : s) {
                                assertEquals(n++, r.id());
                            }
                            assertEquals(1000, n);
                        }
                        return null;
                    }));
                }
                for (Future<?> f : done) {
                    f.get(1, TimeUnit.MINUTES);
                }
            } finally {
                pool.shutdown();
            }
        }
    }
}
