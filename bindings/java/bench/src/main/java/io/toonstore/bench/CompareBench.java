package io.toonstore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * ToonStore, lmdbjava and sqlite-jdbc on the same rows, one thread:
 *
 * <ul>
 *   <li>{@code put}: N single committed puts into an empty database (one shot per iteration;
 *       3 measured, as SQLite's one commit per row takes a minute on a busy machine);
 *   <li>{@code putBatch1000}: the same N rows in atomic batches of 1000;
 *   <li>{@code get}: reads in a random order (a fixed permutation), each a byte[] copy;
 *   <li>{@code scan}: one full scan of N rows in key order, each row a byte[].
 * </ul>
 *
 * N is {@code -Dtoonstore.bench.rows} (default 1,000,000); rows are 100
 * random bytes from a fixed seed; data lives under {@code -Dtoonstore.bench.dir}.
 */
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx4g",
    "--add-opens=java.base/java.nio=ALL-UNNAMED", "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED"})
public class CompareBench {
    static final int ROWS = Integer.getInteger("toonstore.bench.rows", 1_000_000);
    static final int ROW_BYTES = 100;
    static final Path DIR = Path.of(System.getProperty("toonstore.bench.dir", "target/bench-data"));

    static byte[][] rows() {
        SplittableRandom r = new SplittableRandom(42);
        byte[][] rows = new byte[ROWS][ROW_BYTES];
        for (byte[] row : rows) {
            for (int i = 0; i < row.length; i++) {
                row[i] = (byte) r.nextInt(256);
            }
        }
        return rows;
    }

    static Path freshDir(String engine) throws IOException {
        Files.createDirectories(DIR);
        return Files.createTempDirectory(DIR, "java-" + engine + "-");
    }

    static void delete(Path dir) throws IOException {
        if (dir == null) {
            return;
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }

    /** An empty database per iteration, for the put phases. */
    @State(Scope.Benchmark)
    public static class Empty {
        @Param({"toonstore", "lmdb", "sqlite"})
        public String engine;

        byte[][] rows;
        Store store;
        Path dir;

        @Setup(Level.Trial)
        public void rows() {
            rows = CompareBench.rows();
        }

        @Setup(Level.Iteration)
        public void open() throws Exception {
            dir = freshDir(engine);
            store = Store.open(engine, dir);
        }

        @TearDown(Level.Iteration)
        public void close() throws Exception {
            // Every row put must read back: a fast engine that loses rows does not count.
            for (int i = 0; i < ROWS; i += 997) {
                if (!Arrays.equals(rows[i], store.get(i))) {
                    throw new IllegalStateException(engine + ": row " + i + " did not read back");
                }
            }
            store.close();
            delete(dir);
        }
    }

    /** A database loaded with the N rows, for the read phases. */
    @State(Scope.Benchmark)
    public static class Loaded {
        @Param({"toonstore", "lmdb", "sqlite"})
        public String engine;

        byte[][] rows;
        int[] order;
        int next;
        Store store;
        Path dir;

        @Setup(Level.Trial)
        public void load() throws Exception {
            rows = CompareBench.rows();
            order = new int[ROWS];
            for (int i = 0; i < ROWS; i++) {
                order[i] = i;
            }
            SplittableRandom r = new SplittableRandom(7);
            for (int i = ROWS - 1; i > 0; i--) {
                int j = r.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
            dir = freshDir(engine);
            store = Store.open(engine, dir);
            for (int i = 0; i < ROWS; i += 1000) {
                store.putBatch(rows, i, Math.min(ROWS, i + 1000));
            }
            for (int i = 0; i < ROWS; i++) {
                if (!Arrays.equals(rows[i], store.get(i))) {
                    throw new IllegalStateException(engine + ": row " + i + " did not read back");
                }
            }
        }

        @TearDown(Level.Trial)
        public void close() throws Exception {
            store.close();
            delete(dir);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public void put(Empty s) throws Exception {
        for (byte[] row : s.rows) {
            s.store.put(row);
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 1)
    @Measurement(iterations = 3)
    public void putBatch1000(Empty s) throws Exception {
        for (int i = 0; i < ROWS; i += 1000) {
            s.store.putBatch(s.rows, i, Math.min(ROWS, i + 1000));
        }
    }

    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 5, time = 1)
    public byte[] get(Loaded s) throws Exception {
        int i = s.next;
        s.next = i + 1 == ROWS ? 0 : i + 1;
        return s.store.get(s.order[i]);
    }

    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Warmup(iterations = 2)
    @Measurement(iterations = 5)
    public long scan(Loaded s) throws Exception {
        long n = s.store.scan();
        if (n != ROWS) {
            throw new IllegalStateException(s.engine + ": scan saw " + n + " rows, not " + ROWS);
        }
        return n;
    }
}
