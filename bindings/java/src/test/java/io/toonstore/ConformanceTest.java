package io.toonstore;

import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The conformance runner of the Java binding: executes every case of the
 * shared vectors ({@code tests/conformance/*.json}, format in
 * {@code tests/conformance/README.md}) as one JUnit dynamic test, and appends
 * a PASS/FAIL/SKIP line per case to {@code $TOONSTORE_CONFORMANCE_REPORT}
 * when set. Vectors come from {@code $TOONSTORE_CONFORMANCE_DIR}, else the
 * repository's folder. {@code scripts/conformance.sh} runs it as {@code java}.
 */
class ConformanceTest {
    /** Capabilities of this API (README "Requirements and skips"); options_version is C-only; unknown ones skip. */
    static final Set<String> CAPABILITIES = Set.of("use_after_close", "negative_ids", "readers_outlive_close");
    /** Ops of the vector format this binding lacks: none. */
    static final Set<String> MISSING_OPS = Set.of();

    static final HexFormat HEX = HexFormat.of();

    /**
     * The one place where the language-neutral expectations map to this
     * binding's idioms (README "The language-neutral outcomes"):
     * <ul>
     *   <li>{@code "absent"}: {@code get}/{@code Snapshot.get} return null;
     *   <li>{@code "invalid_id"}: a negative id throws {@code INVALID_ARG}
     *       for every op (the C ABI's rule; {@code Batch.delete(-1)} throws
     *       before the commit, so nothing is written);
     *   <li>{@code delete} of an absent row returns false, which counts as
     *       {@code TOONSTORE_ERR_NOT_FOUND};
     *   <li>errors: {@link ToonStoreException#code()}'s {@link ErrorCode#cName()}.
     * </ul>
     */
    static JsonElement expected(JsonElement expect) {
        if (expect.isJsonPrimitive() && expect.getAsString().equals("invalid_id")) {
            return error(ErrorCode.INVALID_ARG.cName());
        }
        return normalize(expect);
    }

    static JsonElement error(String cName) {
        JsonObject o = new JsonObject();
        o.addProperty("error", cName);
        return o;
    }

    /** Bytes as {"hex": ...} and integers as longs, so that equal values compare equal. */
    static JsonElement normalize(JsonElement e) {
        if (e.isJsonObject()) {
            JsonObject o = e.getAsJsonObject();
            if (o.size() == 1 && (o.has("utf8") || o.has("hex"))) {
                return bytes(bytesOf(o));
            }
            JsonObject n = new JsonObject();
            for (Map.Entry<String, JsonElement> m : o.entrySet()) {
                n.add(m.getKey(), normalize(m.getValue()));
            }
            return n;
        }
        if (e.isJsonArray()) {
            JsonArray n = new JsonArray();
            e.getAsJsonArray().forEach(x -> n.add(normalize(x)));
            return n;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            return new JsonPrimitive(e.getAsLong());
        }
        return e;
    }

    static byte[] bytesOf(JsonElement e) {
        JsonObject o = e.getAsJsonObject();
        if (o.size() != 1) {
            throw new BadStep("bytes must be {\"hex\": ...} or {\"utf8\": ...}: " + e);
        }
        if (o.has("hex")) {
            return HEX.parseHex(o.get("hex").getAsString());
        }
        if (o.has("utf8")) {
            return o.get("utf8").getAsString().getBytes(StandardCharsets.UTF_8);
        }
        throw new BadStep("bytes must be {\"hex\": ...} or {\"utf8\": ...}: " + e);
    }

    static JsonElement bytes(byte[] b) {
        JsonObject o = new JsonObject();
        o.addProperty("hex", HEX.formatHex(b));
        return o;
    }

    static JsonElement obj(String key, JsonElement value) {
        JsonObject o = new JsonObject();
        o.add(key, value);
        return o;
    }

    static JsonArray row(ToonStore.Row r) {
        JsonArray a = new JsonArray();
        a.add(new JsonPrimitive(r.id()));
        a.add(bytes(r.data()));
        return a;
    }

    static JsonElement rows(ToonStore.Scan scan) {
        JsonArray a = new JsonArray();
        try (scan) {
            for (ToonStore.Row r : scan) {
                a.add(row(r));
            }
        }
        return obj("rows", a);
    }

    static final JsonElement OK = new JsonPrimitive("ok");

    /** A range scan of a database or a snapshot: {@code scanRange(start, stop, reverse)}. */
    interface RangeScan {
        ToonStore.Scan scanRange(long start, long stop, boolean reverse);
    }

    /** scan_range / snapshot_scan_range: at most {@code limit} rows are read, then the scan is closed. */
    static JsonElement rangeRows(JsonObject step, RangeScan how) {
        long start = step.has("start") ? step.get("start").getAsLong() : 0;
        long stop = step.has("stop") ? step.get("stop").getAsLong() : ToonStore.SCAN_END;
        boolean reverse = step.has("reverse") && step.get("reverse").getAsBoolean();
        long limit = step.has("limit") ? step.get("limit").getAsLong() : Long.MAX_VALUE;
        JsonArray a = new JsonArray();
        try (ToonStore.Scan scan = how.scanRange(start, stop, reverse)) {
            for (ToonStore.Row r : scan) {
                if (a.size() >= limit) {
                    break;
                }
                a.add(row(r));
            }
        }
        return obj("rows", a);
    }

    /** A malformed step (unknown op, missing argument): fails the case. */
    static final class BadStep extends RuntimeException {
        private static final long serialVersionUID = 1L;

        BadStep(String message) {
            super(message);
        }
    }

    // ------------------------------------------------------------------
    // One case
    // ------------------------------------------------------------------

    /** The state of one case: its directory, handle, iterators, snapshots and lock holder. */
    static final class CaseRun implements AutoCloseable {
        final Path dir;
        ToonStore db;
        final Map<String, ToonStore.Scan> scans = new LinkedHashMap<>();
        final Map<String, Iterator<ToonStore.Row>> iters = new LinkedHashMap<>();
        final Map<String, ToonStore.Snapshot> snapshots = new LinkedHashMap<>();
        Process holder;

        CaseRun(Path dir) {
            this.dir = dir;
        }

        static JsonElement arg(JsonObject step, String name) {
            JsonElement v = step.get(name);
            if (v == null) {
                throw new BadStep("missing argument '" + name + "'");
            }
            return v;
        }

        static long start(JsonObject step) {
            return step.has("start") ? step.get("start").getAsLong() : 0;
        }

        /** Runs one step and returns its outcome in the vectors' notation. */
        JsonElement run(JsonObject step) throws Exception {
            String op = arg(step, "op").getAsString();
            try {
                return switch (op) {
                    case "open" -> open(step.has("options") ? step.getAsJsonObject("options") : new JsonObject());
                    case "close" -> {
                        db.close();
                        yield OK;
                    }
                    case "put" -> obj("id", new JsonPrimitive(db.put(bytesOf(arg(step, "value")))));
                    case "get" -> {
                        byte[] v = db.get(arg(step, "id").getAsLong());
                        yield v == null ? new JsonPrimitive("absent") : obj("value", bytes(v));
                    }
                    case "contains" -> obj("bool", new JsonPrimitive(db.contains(arg(step, "id").getAsLong())));
                    case "delete" -> db.delete(arg(step, "id").getAsLong()) ? OK : error(ErrorCode.NOT_FOUND.cName());
                    case "count" -> obj("count", new JsonPrimitive(db.stats().liveRows()));
                    case "scan" -> rows(db.scan(start(step)));
                    case "scan_range" -> rangeRows(step, db::scanRange);
                    case "iter_open" -> {
                        String name = arg(step, "iter").getAsString();
                        ToonStore.Scan scan = db.scan(start(step));
                        scans.put(name, scan);
                        iters.put(name, scan.iterator());
                        yield OK;
                    }
                    case "iter_next" -> {
                        Iterator<ToonStore.Row> it = iters.get(arg(step, "iter").getAsString());
                        if (it == null) {
                            throw new BadStep("no iterator " + step.get("iter"));
                        }
                        yield it.hasNext() ? obj("row", row(it.next())) : new JsonPrimitive("end");
                    }
                    case "iter_close" -> {
                        String name = arg(step, "iter").getAsString();
                        iters.remove(name);
                        ToonStore.Scan scan = scans.remove(name);
                        if (scan != null) {
                            scan.close();
                        }
                        yield OK;
                    }
                    case "batch" -> batch(arg(step, "ops").getAsJsonArray());
                    case "snapshot_open" -> {
                        snapshots.put(arg(step, "snapshot").getAsString(), db.snapshot());
                        yield OK;
                    }
                    case "snapshot_get" -> {
                        byte[] v = snapshot(step).get(arg(step, "id").getAsLong());
                        yield v == null ? new JsonPrimitive("absent") : obj("value", bytes(v));
                    }
                    case "snapshot_scan" -> rows(snapshot(step).scan(start(step)));
                    case "snapshot_scan_range" -> {
                        ToonStore.Snapshot s = snapshot(step);
                        yield rangeRows(step, s::scanRange);
                    }
                    case "snapshot_close" -> {
                        ToonStore.Snapshot s = snapshots.remove(arg(step, "snapshot").getAsString());
                        if (s != null) {
                            s.close();
                        }
                        yield OK;
                    }
                    case "compact" -> {
                        db.compact();
                        yield OK;
                    }
                    case "sync" -> {
                        db.sync();
                        yield OK;
                    }
                    case "hold_lock" -> holdLock();
                    case "release_lock" -> {
                        releaseLock();
                        yield OK;
                    }
                    default -> throw new BadStep("unknown op '" + op + "'");
                };
            } catch (ToonStoreException e) {
                return error(e.code().cName());
            }
        }

        ToonStore.Snapshot snapshot(JsonObject step) {
            ToonStore.Snapshot s = snapshots.get(arg(step, "snapshot").getAsString());
            if (s == null) {
                throw new BadStep("no snapshot " + step.get("snapshot"));
            }
            return s;
        }

        JsonElement open(JsonObject options) {
            ToonStore.Options o = new ToonStore.Options();
            for (Map.Entry<String, JsonElement> e : options.entrySet()) {
                switch (e.getKey()) {
                    case "read_only" -> o.readOnly(e.getValue().getAsBoolean());
                    case "create_if_missing" -> o.createIfMissing(e.getValue().getAsBoolean());
                    case "max_value_size" -> o.maxValueSize(e.getValue().getAsLong());
                    default -> throw new BadStep("unknown open option '" + e.getKey() + "'");
                }
            }
            db = ToonStore.open(dir, o);
            return OK;
        }

        JsonElement batch(JsonArray ops) {
            try (ToonStore.Batch batch = new ToonStore.Batch()) {
                for (JsonElement op : ops) {
                    JsonObject o = op.getAsJsonObject();
                    if (o.has("put")) {
                        batch.put(bytesOf(o.get("put")));
                    } else if (o.has("delete")) {
                        batch.delete(o.get("delete").getAsLong());
                    } else {
                        throw new BadStep("batch op must be put or delete: " + op);
                    }
                }
                JsonArray ids = new JsonArray();
                for (long id : db.write(batch)) {
                    ids.add(new JsonPrimitive(id));
                }
                return obj("ids", ids);
            }
        }

        /** Another process that opens the directory for writing and keeps it open. */
        JsonElement holdLock() throws IOException {
            String helper = System.getenv("TOONSTORE_CONFORMANCE_HOLD_LOCK");
            List<String> cmd = new ArrayList<>();
            if (helper != null && !helper.isEmpty()) {
                cmd.add(helper);
            } else {
                // No helper exported (the runner run alone): a child JVM of Child.
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                cmd.add("-cp");
                cmd.add(System.getProperty("java.class.path"));
                cmd.add(Child.class.getName());
                cmd.add("lock");
            }
            cmd.add(dir.toString());
            holder = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            BufferedReader out = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
            String line = out.readLine();
            return "ready".equals(line) ? OK : obj("holder", new JsonPrimitive(String.valueOf(line)));
        }

        void releaseLock() throws IOException {
            if (holder != null) {
                holder.getOutputStream().close();
                try {
                    if (!holder.waitFor(60, TimeUnit.SECONDS)) {
                        holder.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    holder.destroyForcibly();
                    Thread.currentThread().interrupt();
                }
                holder = null;
            }
        }

        @Override
        public void close() throws IOException {
            iters.clear();
            scans.values().forEach(ToonStore.Scan::close);
            snapshots.values().forEach(ToonStore.Snapshot::close);
            if (db != null) {
                db.close();
            }
            releaseLock();
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    /** Runs a case; returns null when it passed, else the FAIL text. */
    static String runCase(JsonArray steps) throws Exception {
        Path dir = Files.createTempDirectory("toonstore-conformance-java");
        try (CaseRun run = new CaseRun(dir)) {
            for (int i = 0; i < steps.size(); i++) {
                JsonObject step = steps.get(i).getAsJsonObject();
                String op = step.has("op") ? step.get("op").getAsString() : "?";
                JsonElement got;
                JsonElement want;
                try {
                    if (!step.has("expect")) {
                        throw new BadStep("missing 'expect'");
                    }
                    want = expected(step.get("expect"));
                    got = run.run(step);
                } catch (BadStep e) {
                    return "step " + i + " (" + op + "): malformed step: " + e.getMessage();
                } catch (Exception | Error e) {
                    return "step " + i + " (" + op + "): expected " + normalize(step.get("expect"))
                            + ", got " + e;
                }
                if (!want.equals(got)) {
                    return "step " + i + " (" + op + "): expected " + want + ", got " + got;
                }
            }
        }
        return null;
    }

    static void report(String line) throws IOException {
        String path = System.getenv("TOONSTORE_CONFORMANCE_REPORT");
        if (path != null && !path.isEmpty()) {
            Files.writeString(Path.of(path), line + "\n", StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    static Path vectors() {
        String env = System.getenv("TOONSTORE_CONFORMANCE_DIR");
        return env != null && !env.isEmpty() ? Path.of(env) : Path.of("../../tests/conformance");
    }

    @TestFactory
    Stream<DynamicTest> conformance() throws IOException {
        List<DynamicTest> tests = new ArrayList<>();
        List<Path> files;
        try (Stream<Path> list = Files.list(vectors())) {
            files = list.filter(p -> p.toString().endsWith(".json")).sorted().toList();
        }
        if (files.isEmpty()) {
            throw new IllegalStateException("no vector files in " + vectors().toAbsolutePath());
        }
        for (Path file : files) {
            String stem = file.getFileName().toString().replaceFirst("\\.json$", "");
            JsonObject doc;
            try (Reader r = Files.newBufferedReader(file)) {
                doc = JsonParser.parseReader(r).getAsJsonObject();
            }
            for (JsonElement c : doc.getAsJsonArray("cases")) {
                JsonObject kase = c.getAsJsonObject();
                String id = stem + "/" + kase.get("name").getAsString();
                tests.add(DynamicTest.dynamicTest(id, () -> runOne(id, kase)));
            }
        }
        return tests.stream();
    }

    static void runOne(String id, JsonObject kase) throws Exception {
        List<String> missing = new ArrayList<>();
        if (kase.has("requires")) {
            for (JsonElement r : kase.getAsJsonArray("requires")) {
                if (!CAPABILITIES.contains(r.getAsString())) {
                    missing.add("requires " + r.getAsString());
                }
            }
        }
        for (JsonElement s : kase.getAsJsonArray("steps")) {
            JsonElement op = s.getAsJsonObject().get("op");
            if (op != null && MISSING_OPS.contains(op.getAsString())) {
                missing.add("the binding has no " + op.getAsString());
            }
        }
        if (!missing.isEmpty()) {
            String reason = String.join(", ", missing);
            report("SKIP " + id + ": " + reason);
            Assumptions.abort(reason);
        }
        String failure = runCase(kase.getAsJsonArray("steps"));
        if (failure == null) {
            report("PASS " + id);
        } else {
            report("FAIL " + id + ": " + failure);
            fail(failure);
        }
    }
}
