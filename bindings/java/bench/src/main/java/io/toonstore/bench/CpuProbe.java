package io.toonstore.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * A plain loop (not JMH) that times each phase by wall clock and by the
 * calling thread's CPU time ({@link ThreadMXBean#getCurrentThreadCpuTime()}).
 * On a shared, loaded machine the wall-clock rate falls with the share of a
 * core the thread gets; the CPU-time rate is what one thread achieves while it
 * runs, so it is the figure to hold against the floors. Work done by other
 * threads (ToonStore's background flush) is not in the calling thread's CPU
 * time. Each phase is run {@code rounds} times on a fresh database after one
 * warm-up round; medians are printed.
 */
final class CpuProbe {
    private CpuProbe() {}

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    /** Wall and CPU nanoseconds of one phase. */
    private record Time(long wall, long cpu) {}

    private interface Phase {
        void run() throws Exception;
    }

    private static Time time(Phase p) throws Exception {
        long w = System.nanoTime();
        long c = THREADS.getCurrentThreadCpuTime();
        p.run();
        return new Time(System.nanoTime() - w, THREADS.getCurrentThreadCpuTime() - c);
    }

    static String run(String[] engines, int rows, Path dir, int rounds) throws Exception {
        byte[][] data = CompareBench.rows();
        int[] order = new int[rows];
        for (int i = 0; i < rows; i++) {
            order[i] = i;
        }
        SplittableRandom r = new SplittableRandom(7);
        for (int i = rows - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            int t = order[i];
            order[i] = order[j];
            order[j] = t;
        }
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "| engine (%,d rows, median of %d) | put wall/s | put CPU/s | get wall/s | get CPU/s | get in id order wall/s | get in id order CPU/s | scan wall/s | scan CPU/s |%n",
                rows, rounds));
        sb.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (String engine : engines) {
            List<Time> puts = new ArrayList<>();
            List<Time> gets = new ArrayList<>();
            List<Time> inOrder = new ArrayList<>();
            List<Time> scans = new ArrayList<>();
            for (int round = 0; round <= rounds; round++) {
                Path d = CompareBench.freshDir(engine);
                Store s = Store.open(engine, d);
                try {
                    Time put = time(() -> {
                        for (byte[] row : data) {
                            s.put(row);
                        }
                    });
                    Time get = time(() -> {
                        for (int i : order) {
                            if (s.get(i) == null) {
                                throw new IllegalStateException(engine + ": row " + i + " missing");
                            }
                        }
                    });
                    Time sequential = time(() -> {
                        for (int i = 0; i < rows; i++) {
                            if (s.get(i) == null) {
                                throw new IllegalStateException(engine + ": row " + i + " missing");
                            }
                        }
                    });
                    Time scan = time(() -> {
                        if (s.scan() != rows) {
                            throw new IllegalStateException(engine + ": scan count");
                        }
                    });
                    if (!Arrays.equals(data[rows / 2], s.get(rows / 2))) {
                        throw new IllegalStateException(engine + ": wrong bytes");
                    }
                    if (round > 0) { // round 0 warms the JIT up
                        puts.add(put);
                        gets.add(get);
                        inOrder.add(sequential);
                        scans.add(scan);
                    }
                } finally {
                    s.close();
                    CompareBench.delete(d);
                }
            }
            sb.append("| ").append(engine).append(" |")
                    .append(rate(puts, rows, true)).append(rate(puts, rows, false))
                    .append(rate(gets, rows, true)).append(rate(gets, rows, false))
                    .append(rate(inOrder, rows, true)).append(rate(inOrder, rows, false))
                    .append(rate(scans, rows, true)).append(rate(scans, rows, false)).append('\n');
        }
        return sb.toString();
    }

    private static String rate(List<Time> times, int rows, boolean wall) {
        double[] v = times.stream().mapToDouble(t -> rows / ((wall ? t.wall() : t.cpu()) / 1e9)).sorted().toArray();
        return String.format(Locale.ROOT, " %,.0f [%,.0f-%,.0f] |", v[v.length / 2], v[0], v[v.length - 1]);
    }
}
