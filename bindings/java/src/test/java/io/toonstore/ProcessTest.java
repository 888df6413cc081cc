package io.toonstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Other processes: the lock, kill -9, persistence across reopen, library loading. */
class ProcessTest {
    @TempDir
    Path tmp;

    /** A child JVM running {@link Child} with this test's class path. */
    private static Process child(List<String> jvmArgs, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(jvmArgs);
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(Child.class.getName());
        cmd.addAll(List.of(args));
        return new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    }

    private static BufferedReader out(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    @Test
    void reopenKeepsEveryRowAndId() {
        Path dir = tmp.resolve("db");
        Map<Long, byte[]> written = new LinkedHashMap<>();
        try (ToonStore db = ToonStore.open(dir)) {
            for (long seq = 0; seq < 500; seq++) {
                written.put(db.put(Child.rowBytes(seq)), Child.rowBytes(seq));
            }
            assertTrue(db.delete(7));
            written.remove(7L);
        }
        try (ToonStore db = ToonStore.open(dir)) {
            for (Map.Entry<Long, byte[]> e : written.entrySet()) {
                assertArrayEquals(e.getValue(), db.get(e.getKey()), "row " + e.getKey());
            }
            assertEquals(null, db.get(7));
            assertEquals(500, db.stats().nextRowId());
            assertEquals(499, db.stats().liveRows());
            assertEquals(500, db.put(new byte[] {1}), "ids are never reused");
        }
    }

    @Test
    void secondProcessIsRefusedWithLocked() throws Exception {
        Path dir = tmp.resolve("db");
        // This process holds the database: the child is refused.
        try (ToonStore db = ToonStore.open(dir)) {
            db.put(new byte[] {1});
            Process p = child(List.of(), "open", dir.toString());
            assertEquals("error LOCKED", out(p).readLine());
            assertEquals(0, p.waitFor());
        }
        // The child holds it: this process is refused, then gets it once the child exits.
        Process p = child(List.of(), "hold", dir.toString());
        try {
            assertEquals("ready", out(p).readLine());
            ToonStoreException e = assertThrows(ToonStoreException.class, () -> ToonStore.open(dir));
            assertEquals(ErrorCode.LOCKED, e.code());
            assertTrue(e.getMessage().startsWith("TOONSTORE_ERR_LOCKED: "), e.getMessage());
            // A read-only open takes no lock: it opens beside the writer and
            // sees the rows it had put (issue 17).
            try (ToonStore ro = ToonStore.open(dir, new ToonStore.Options().readOnly(true))) {
                assertEquals(2, ro.stats().liveRows());
            }
        } finally {
            p.getOutputStream().close();
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(0, p.exitValue());
        try (ToonStore db = ToonStore.open(dir)) {
            assertEquals(2, db.stats().liveRows());
        }
    }

    @ParameterizedTest
    @EnumSource(ToonStore.Durability.class)
    void killMinus9LosesNoAcknowledgedRow(ToonStore.Durability durability) throws Exception {
        Path dir = tmp.resolve("db");
        Process p = child(List.of(), "write", dir.toString(), durability.name());
        Map<Long, Long> acked = new LinkedHashMap<>();
        try (BufferedReader r = out(p)) {
            String line;
            while (acked.size() < 3000 && (line = r.readLine()) != null) {
                String[] f = line.split(" ");
                if (f.length == 4 && f[0].equals("ack") && f[3].equals(".")) {
                    acked.put(Long.parseLong(f[1]), Long.parseLong(f[2]));
                }
            }
            p.destroyForcibly(); // SIGKILL on Linux
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        }
        assertEquals(3000, acked.size(), "the child wrote rows before it was killed");
        try (ToonStore db = ToonStore.open(dir)) {
            for (Map.Entry<Long, Long> e : acked.entrySet()) {
                assertArrayEquals(Child.rowBytes(e.getValue()), db.get(e.getKey()), "acknowledged row " + e.getKey());
            }
            // Rows are dense and in order: the scan agrees with the gets.
            long expectedId = 0;
            try (ToonStore.Scan scan = db.scan()) {
                for (ToonStore.Row row : scan) {
                    assertEquals(expectedId, row.id());
                    assertArrayEquals(Child.rowBytes(expectedId), row.data());
                    expectedId++;
                }
            }
            assertTrue(expectedId >= acked.size());
            // The database takes writes again.
            assertEquals(expectedId, db.put(new byte[] {9}));
        }
    }

    @Test
    void libraryComesFromTheJarUnlessJavaLibraryPathHasOne() throws Exception {
        Process p = child(List.of(), "where");
        BufferedReader r = out(p);
        assertEquals(ToonStore.version(), r.readLine());
        String mapped = r.readLine();
        assertEquals(0, p.waitFor());
        assertTrue(mapped.contains("toonstore-jni"), "extracted to a temp dir: " + mapped);

        // A copy on java.library.path takes precedence.
        Path libDir = Files.createDirectory(tmp.resolve("lib"));
        String file = System.mapLibraryName(NativeLibrary.NAME);
        try (var in = NativeLibrary.class.getResourceAsStream("/native/" + NativeLibrary.platform() + "/" + file)) {
            Files.copy(in, libDir.resolve(file));
        }
        p = child(List.of("-Djava.library.path=" + libDir), "where");
        r = out(p);
        assertEquals(ToonStore.version(), r.readLine());
        mapped = r.readLine();
        assertEquals(0, p.waitFor());
        assertEquals(libDir.resolve(file).toString(), mapped.trim());
    }
}
