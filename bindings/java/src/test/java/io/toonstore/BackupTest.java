package io.toonstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Online backup and read-only handles beside a writer in another process (issue 17). */
class BackupTest {
    @TempDir
    Path tmp;

    private static Map<Long, String> rows(ToonStore db) {
        Map<Long, String> out = new TreeMap<>();
        try (ToonStore.Scan scan = db.scan()) {
            for (ToonStore.Row r : scan) {
                out.put(r.id(), new String(r.data(), StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static byte[] utf8(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static void assertCode(ErrorCode code, ToonStoreException e) {
        assertEquals(code, e.code());
        assertTrue(e.getMessage().startsWith(code.cName() + ": "), e.getMessage());
    }

    @Test
    void backupOpensOnItsOwnWithEveryRowAndTheSameIds() {
        Path dest = tmp.resolve("backup");
        Map<Long, String> before;
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            for (int i = 0; i < 300; i++) {
                db.put(utf8("row " + i));
            }
            assertTrue(db.delete(7));
            before = rows(db);
            db.backup(dest);
            db.put(utf8("after the backup"));
        }
        try (ToonStore copy = ToonStore.open(dest)) {
            assertEquals(before, rows(copy));
            assertNull(copy.get(7), "a row deleted before the backup stays deleted");
            assertEquals(300, copy.put(utf8("next")), "ids continue after those of the copy");
        }
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            assertEquals(300, db.stats().liveRows(), "the original is untouched");
        }
    }

    @Test
    void backupWithAStringPathAndIntoAnEmptyDirectory() throws IOException {
        Path empty = Files.createDirectory(tmp.resolve("empty"));
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            db.put(utf8("x"));
            db.backup(tmp.resolve("viaString").toString());
            db.backup(empty);
        }
        for (Path p : List.of(tmp.resolve("viaString"), empty)) {
            try (ToonStore copy = ToonStore.open(p)) {
                assertArrayEquals(utf8("x"), copy.get(0));
            }
        }
    }

    @Test
    void backupRefusesADestinationThatExistsAndLeavesItAsItWas() throws IOException {
        Path full = Files.createDirectory(tmp.resolve("full"));
        Files.writeString(full.resolve("keep.txt"), "mine");
        Path file = Files.writeString(tmp.resolve("file"), "a file");
        Path dir = tmp.resolve("db");
        try (ToonStore db = ToonStore.open(dir)) {
            db.put(utf8("x"));
            for (Path dest : List.of(full, file, dir)) {
                assertCode(ErrorCode.INVALID_ARG, assertThrows(ToonStoreException.class, () -> db.backup(dest)));
            }
            assertCode(ErrorCode.INVALID_ARG, assertThrows(ToonStoreException.class, () -> db.backup("bad\0path")));
            assertThrows(NullPointerException.class, () -> db.backup((Path) null));
            assertThrows(NullPointerException.class, () -> db.backup((String) null));
            assertEquals(1, db.stats().liveRows());
        }
        assertEquals(List.of(full.resolve("keep.txt")), Files.list(full).toList());
        assertEquals("mine", Files.readString(full.resolve("keep.txt")));
        assertEquals("a file", Files.readString(file));
    }

    @Test
    void backupToAPlaceThatCannotBeWrittenFailsWithIoAndLeavesNothing() throws IOException {
        Path file = Files.writeString(tmp.resolve("file"), "not a directory");
        Path missing = tmp.resolve("gone").resolve("backup");
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            db.put(utf8("x"));
            assertCode(ErrorCode.IO,
                    assertThrows(ToonStoreException.class, () -> db.backup(file.resolve("backup"))));
            assertCode(ErrorCode.IO, assertThrows(ToonStoreException.class, () -> db.backup(missing)));
            db.put(utf8("still writable"));
            assertEquals(2, db.stats().liveRows());
        }
        assertFalse(Files.exists(missing));
        assertEquals("not a directory", Files.readString(file));
    }

    @Test
    void backupAndRefreshOnAClosedHandle() {
        ToonStore db = ToonStore.open(tmp.resolve("db"));
        db.close();
        assertCode(ErrorCode.CLOSED,
                assertThrows(ToonStoreException.class, () -> db.backup(tmp.resolve("backup"))));
        assertCode(ErrorCode.CLOSED, assertThrows(ToonStoreException.class, db::refresh));
        assertFalse(Files.exists(tmp.resolve("backup")));
    }

    @Test
    void refreshOnAWritableHandleOrOneSharingItDoesNothing() {
        Path dir = tmp.resolve("db");
        try (ToonStore db = ToonStore.open(dir);
                ToonStore ro = ToonStore.open(dir, new ToonStore.Options().readOnly(true))) {
            db.put(utf8("a"));
            assertEquals(1, ro.stats().liveRows(), "a read-only handle sharing the writable engine sees writes at once");
            db.refresh();
            ro.refresh();
            db.put(utf8("b"));
            Map<Long, String> want = Map.of(0L, "a", 1L, "b");
            assertEquals(want, rows(db));
            assertEquals(want, rows(ro));
        }
    }

    /** A writer in another JVM ({@link Child} {@code putter}). */
    private static final class WriterProcess implements AutoCloseable {
        final Process process;
        final BufferedReader out;
        final OutputStreamWriter in;

        WriterProcess(Path dir, ToonStore.Durability durability) throws IOException {
            List<String> cmd = new ArrayList<>();
            cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
            cmd.add("-cp");
            cmd.add(System.getProperty("java.class.path"));
            cmd.add(Child.class.getName());
            cmd.addAll(List.of("putter", dir.toString(), durability.name()));
            process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.INHERIT).start();
            out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
            in = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
            assertEquals("ready", out.readLine());
        }

        /** Puts {@code value} in the writer process; its id once acknowledged. */
        long put(String value) throws IOException {
            in.write(value + "\n");
            in.flush();
            return Long.parseLong(out.readLine());
        }

        /** Closes the writer's stdin: it closes the database and exits. */
        @Override
        public void close() throws IOException {
            in.close();
            try {
                assertTrue(process.waitFor(60, TimeUnit.SECONDS), "the writer process did not exit");
            } catch (InterruptedException e) {
                process.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while waiting for the writer process", e);
            }
            assertEquals(0, process.exitValue());
        }
    }

    @ParameterizedTest
    @EnumSource(ToonStore.Durability.class)
    void aReaderBesideAWriterProcessSeesNewRowsAfterRefresh(ToonStore.Durability durability) throws Exception {
        Path dir = tmp.resolve("db");
        Path dest = tmp.resolve("backup");
        Map<Long, String> want = new TreeMap<>();
        try (WriterProcess writer = new WriterProcess(dir, durability)) {
            for (int i = 0; i < 20; i++) {
                want.put(writer.put("before " + i), "before " + i);
            }
            assertCode(ErrorCode.LOCKED, assertThrows(ToonStoreException.class, () -> ToonStore.open(dir)));
            try (ToonStore reader = ToonStore.open(dir, new ToonStore.Options().readOnly(true))) {
                assertEquals(want, rows(reader), "every row acknowledged before the open");
                long later = writer.put("later");
                assertNull(reader.get(later), "a read-only open is a fixed state until refresh");
                try (ToonStore.Snapshot snap = reader.snapshot()) {
                    reader.refresh();
                    assertArrayEquals(utf8("later"), reader.get(later));
                    assertNull(snap.get(later), "a snapshot taken before keeps its state");
                }
                want.put(later, "later");
                reader.backup(dest);
                long more = writer.put("after the backup");
                reader.refresh();
                assertArrayEquals(utf8("after the backup"), reader.get(more));
            }
        }
        try (ToonStore copy = ToonStore.open(dest, new ToonStore.Options().readOnly(true))) {
            assertEquals(want, rows(copy), "the backup holds the reader's state when it was taken");
        }
    }
}
