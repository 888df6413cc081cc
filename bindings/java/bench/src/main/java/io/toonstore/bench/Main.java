package io.toonstore.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs {@link CompareBench} and prints one table: for each phase and engine
 * the median of the measured iterations in operations (rows) per second, with
 * the range, the ratio to the best peer and the floors of issue 13.
 *
 * <p>Arguments: {@code [--rows N] [--dir DIR] [--engines a,b] [--out FILE] [--only REGEX]
 * [--probe ENGINES]}. With {@code --probe}, it runs {@link CpuProbe} (wall and
 * CPU-time rates, no JMH) for those engines instead.
 */
public final class Main {
    private static final String[] PHASES = {"put", "putBatch1000", "get", "scan"};
    private static final Map<String, Double> FLOORS = Map.of("put", 1_000_000.0, "get", 2_000_000.0);

    private Main() {}

    public static void main(String[] args) throws Exception {
        int rows = 1_000_000;
        String dir = "target/bench-data";
        String engines = "toonstore,lmdb,sqlite";
        String out = null;
        String only = ".*";
        String probe = null;
        for (int i = 0; i < args.length; i += 2) {
            switch (args[i]) {
                case "--rows" -> rows = Integer.parseInt(args[i + 1]);
                case "--dir" -> dir = args[i + 1];
                case "--engines" -> engines = args[i + 1];
                case "--out" -> out = args[i + 1];
                case "--only" -> only = args[i + 1];
                case "--probe" -> probe = args[i + 1];
                default -> throw new IllegalArgumentException("unknown argument " + args[i]);
            }
        }
        if (probe != null) {
            // CompareBench reads these properties; the probe runs in this JVM.
            System.setProperty("toonstore.bench.rows", Integer.toString(rows));
            System.setProperty("toonstore.bench.dir", Path.of(dir).toAbsolutePath().toString());
            String table = CpuProbe.run(probe.split(","), rows, Path.of(dir).toAbsolutePath(), 3);
            System.out.println(table);
            if (out != null) {
                Files.writeString(Path.of(out), table);
            }
            return;
        }
        ChainedOptionsBuilder options = new OptionsBuilder()
                .include(CompareBench.class.getName() + "\\.(" + only + ")$")
                .param("engine", engines.split(","))
                // Replaces @Fork's jvmArgsAppend, so it repeats them (heap; lmdbjava's
                // direct-buffer proxy reads Buffer.address reflectively).
                .jvmArgsAppend("-Xms2g", "-Xmx4g", "--add-opens=java.base/java.nio=ALL-UNNAMED",
                        "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                        "-Dtoonstore.bench.rows=" + rows, "-Dtoonstore.bench.dir=" + Path.of(dir).toAbsolutePath())
                .shouldFailOnError(true);
        Collection<RunResult> results = new Runner(options.build()).run();
        String table = table(results, rows, engines.split(","));
        System.out.println();
        System.out.println(table);
        if (out != null) {
            Files.writeString(Path.of(out), table);
        }
    }

    /** Operations per second of each measured iteration. */
    private static List<Double> perSecond(RunResult r, int rows) {
        List<Double> v = new ArrayList<>();
        for (var br : r.getBenchmarkResults()) {
            for (IterationResult ir : br.getIterationResults()) {
                double score = ir.getPrimaryResult().getScore();
                String unit = ir.getPrimaryResult().getScoreUnit();
                // SingleShotTime phases report ms for N rows; Throughput reports ops/s.
                v.add(unit.startsWith("ms") ? rows / (score / 1000.0) : score);
            }
        }
        v.sort(null);
        return v;
    }

    private static String fmt(double v) {
        return String.format("%,.0f", v);
    }

    static String table(Collection<RunResult> results, int rows, String[] engines) throws IOException {
        Map<String, Map<String, List<Double>>> byPhase = new LinkedHashMap<>();
        for (RunResult r : results) {
            String label = r.getParams().getBenchmark();
            String phase = label.substring(label.lastIndexOf('.') + 1);
            String engine = r.getParams().getParam("engine");
            byPhase.computeIfAbsent(phase, k -> new LinkedHashMap<>()).put(engine, perSecond(r, rows));
        }
        StringBuilder sb = new StringBuilder();
        sb.append("| phase (").append(String.format("%,d", rows)).append(" rows of ").append(CompareBench.ROW_BYTES)
                .append(" B, ops/s, median [min-max]) |");
        for (String e : engines) {
            sb.append(' ').append(e).append(" |");
        }
        sb.append(" toonstore vs best peer | floor |\n|---|");
        sb.append("---:|".repeat(engines.length)).append("---:|---|\n");
        for (String phase : PHASES) {
            Map<String, List<Double>> m = byPhase.get(phase);
            if (m == null) {
                continue;
            }
            sb.append("| ").append(phase).append(" |");
            double best = 0;
            for (String e : engines) {
                List<Double> v = m.get(e);
                if (v == null || v.isEmpty()) {
                    sb.append(" - |");
                    continue;
                }
                double med = v.get(v.size() / 2);
                if (!e.equals("toonstore")) {
                    best = Math.max(best, med);
                }
                sb.append(' ').append(fmt(med)).append(" [").append(fmt(v.get(0))).append('-')
                        .append(fmt(v.get(v.size() - 1))).append("] |");
            }
            List<Double> ts = m.get("toonstore");
            double tsMed = ts == null || ts.isEmpty() ? 0 : ts.get(ts.size() / 2);
            sb.append(best > 0 && tsMed > 0 ? String.format(" %.2fx |", tsMed / best) : " - |");
            Double floor = FLOORS.get(phase);
            sb.append(floor == null ? " |" : (tsMed >= floor ? " met (>= " : " MISSED (>= ") + fmt(floor) + ") |");
            sb.append('\n');
        }
        return sb.toString();
    }
}
