package io.toonstore;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** Every call of the API, and every error it can report from one process. */
class ApiTest {
    @TempDir
    Path tmp;

    private static byte[] b(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static ToonStoreException fails(ErrorCode code, Executable call) {
        ToonStoreException e = assertThrows(ToonStoreException.class, call);
        assertEquals(code, e.code(), e.getMessage());
        assertEquals(code.cName() + ": " + e.engineMessage(), e.getMessage());
        return e;
    }

    private static List<ToonStore.Row> all(ToonStore.Scan scan) {
        List<ToonStore.Row> rows = new ArrayList<>();
        try (scan) {
            for (ToonStore.Row r : scan) {
                rows.add(r);
            }
        }
        return rows;
    }

    @Test
    void putGetDeleteContains() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db").toString())) {
            long a = db.put(b("alpha"));
            long empty = db.put(new byte[0]);
            long c = db.put(b("xxgammaxx"), 2, 5);
            assertEquals(0, a);
            assertEquals(1, empty);
            assertEquals(2, c);
            assertArrayEquals(b("alpha"), db.get(a));
            assertArrayEquals(new byte[0], db.get(empty));
            assertArrayEquals(b("gamma"), db.get(c));
            assertTrue(db.contains(a));
            assertNull(db.get(99), "never assigned");
            assertFalse(db.contains(99));
            assertTrue(db.delete(a));
            assertFalse(db.delete(a), "already deleted");
            assertFalse(db.delete(1000), "never assigned");
            assertNull(db.get(a), "deleted");
            assertFalse(db.contains(a));
            // The caller's array may change after put: the row was copied.
            byte[] reused = b("one");
            long id = db.put(reused);
            reused[0] = 'X';
            assertArrayEquals(b("one"), db.get(id));
            // A returned array belongs to the caller.
            db.get(id)[0] = 'Y';
            assertArrayEquals(b("one"), db.get(id));
        }
    }

    @Test
    void getRowsAroundTheLandingBufferSize() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            for (int size : new int[] {16 * 1024 - 1, 16 * 1024, 16 * 1024 + 1, 1 << 20}) {
                byte[] row = new byte[size];
                for (int i = 0; i < size; i++) {
                    row[i] = (byte) (i * 7 + size);
                }
                long id = db.put(row);
                assertArrayEquals(row, db.get(id), "row of " + size + " bytes");
                try (ToonStore.Snapshot snap = db.snapshot()) {
                    assertArrayEquals(row, snap.get(id));
                }
            }
        }
    }

    @Test
    void putByteBuffers() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            ByteBuffer heap = ByteBuffer.wrap(b("..heap.."));
            heap.position(2).limit(6);
            assertArrayEquals(b("heap"), db.get(db.put(heap)));
            assertEquals(2, heap.position(), "position unchanged");
            assertEquals(6, heap.limit(), "limit unchanged");

            ByteBuffer sliced = ByteBuffer.wrap(b("abcdefgh"), 1, 6).slice(); // arrayOffset 1
            sliced.position(1);
            assertArrayEquals(b("cdefg"), db.get(db.put(sliced)));

            ByteBuffer direct = ByteBuffer.allocateDirect(16);
            direct.put(b("..direct")).flip().position(2);
            assertArrayEquals(b("direct"), db.get(db.put(direct)));
            assertEquals(2, direct.position());

            ByteBuffer readOnly = ByteBuffer.wrap(b("read-only")).asReadOnlyBuffer();
            assertFalse(readOnly.hasArray());
            assertArrayEquals(b("read-only"), db.get(db.put(readOnly)));

            assertArrayEquals(new byte[0], db.get(db.put(ByteBuffer.allocate(0))));
        }
    }

    @Test
    void putWithDurabilityAndOptions() {
        for (ToonStore.Durability d : ToonStore.Durability.values()) {
            Path dir = tmp.resolve(d.name());
            ToonStore.Options options = new ToonStore.Options().durability(d).syncIntervalMillis(50)
                    .verifyChecksums(false).segmentSize(1 << 16).maxValueSize(1 << 20);
            try (ToonStore db = ToonStore.open(dir, options)) {
                assertEquals(d, db.options().durability());
                assertEquals(1 << 16, db.options().segmentSize());
                assertEquals(dir, db.path());
                for (ToonStore.Durability per : ToonStore.Durability.values()) {
                    long id = db.put(b(per.name()), per);
                    assertArrayEquals(b(per.name()), db.get(id));
                }
                // Rows larger than a segment get a segment of their own.
                byte[] big = new byte[200_000];
                big[199_999] = 7;
                assertArrayEquals(big, db.get(db.put(big)));
            }
        }
        ToonStore.Options defaults = new ToonStore.Options();
        assertEquals(ToonStore.Durability.NORMAL, defaults.durability());
        assertFalse(defaults.readOnly());
        assertTrue(defaults.createIfMissing());
        assertTrue(defaults.verifyChecksums());
        assertEquals(1000, defaults.syncIntervalMillis());
        assertEquals(64L << 20, defaults.maxValueSize());
        assertEquals(64L << 20, defaults.segmentSize());
    }

    @Test
    void scanInIdOrderFromAnId() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            for (int i = 0; i < 10; i++) {
                db.put(b("r" + i));
            }
            db.delete(3);
            List<ToonStore.Row> rows = all(db.scan());
            assertEquals(9, rows.size());
            assertEquals(new ToonStore.Row(0, b("r0")), rows.get(0));
            assertFalse(rows.stream().anyMatch(r -> r.id() == 3));
            List<ToonStore.Row> tail = all(db.scan(5));
            assertEquals(List.of(5L, 6L, 7L, 8L, 9L), tail.stream().map(ToonStore.Row::id).toList());
            assertArrayEquals(b("r9"), tail.get(4).data());
            assertTrue(all(db.scan(100)).isEmpty());

            // A scan reads the moment it was opened.
            try (ToonStore.Scan scan = db.scan()) {
                db.put(b("later"));
                db.delete(0);
                List<Long> ids = new ArrayList<>();
                scan.forEach(r -> ids.add(r.id()));
                assertEquals(9, ids.size());
                assertEquals(0L, ids.get(0));
            }
        }
    }

    @Test
    void scanRangeBoundsReverseAndTheLastRows() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            for (int i = 0; i < 10; i++) {
                db.put(b("r" + i));
            }
            db.delete(3);
            db.delete(9);
            assertEquals(List.of(2L, 4L, 5L), ids(db.scanRange(2, 6, false)));
            assertEquals(List.of(5L, 4L, 2L), ids(db.scanRange(2, 6, true)));
            assertEquals(List.of(8L, 7L), ids(db.scanRange(7, ToonStore.SCAN_END, true)));
            assertTrue(ids(db.scanRange(4, 4, true)).isEmpty());
            // The last two rows, newest first: read two and close.
            try (ToonStore.Scan scan = db.scanRange(0, ToonStore.SCAN_END, true)) {
                Iterator<ToonStore.Row> it = scan.iterator();
                assertEquals(new ToonStore.Row(8, b("r8")), it.next());
                assertEquals(7L, it.next().id());
            }
            fails(ErrorCode.INVALID_ARG, () -> db.scanRange(5, 4, false));
            fails(ErrorCode.INVALID_ARG, () -> db.scanRange(-1, 4, false));
            fails(ErrorCode.INVALID_ARG, () -> db.scanRange(0, -1, true));
            try (ToonStore.Snapshot snap = db.snapshot()) {
                db.put(b("later"));
                assertEquals(List.of(8L, 7L, 6L), ids(snap.scanRange(6, ToonStore.SCAN_END, true)));
                fails(ErrorCode.INVALID_ARG, () -> snap.scanRange(2, 1, false));
            }
            assertEquals(List.of(10L), ids(db.scanRange(9, ToonStore.SCAN_END, true)));
        }
    }

    private static List<Long> ids(ToonStore.Scan scan) {
        return all(scan).stream().map(ToonStore.Row::id).toList();
    }

    @Test
    void scanIteratorContract() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            db.put(b("only"));
            try (ToonStore.Scan scan = db.scan()) {
                Iterator<ToonStore.Row> it = scan.iterator();
                assertThrows(IllegalStateException.class, scan::iterator);
                assertTrue(it.hasNext());
                assertTrue(it.hasNext(), "hasNext does not consume");
                assertEquals(new ToonStore.Row(0, b("only")), it.next());
                assertFalse(it.hasNext());
                assertThrows(NoSuchElementException.class, it::next);
            }
            try (ToonStore other = ToonStore.open(tmp.resolve("empty")); ToonStore.Scan empty = other.scan()) {
                assertFalse(empty.iterator().hasNext());
            }
        }
    }

    @Test
    void scanRowsLargerThanABlockAndAcrossBlocks() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            List<byte[]> rows = new ArrayList<>();
            int first = ToonStore.Scan.FIRST_BLOCK_BYTES;
            int block = ToonStore.Scan.BLOCK_BYTES;
            int[] sizes = {10, first - 12 - 22, first - 11, 5, block - 12, 5, block * 3, 0, block - 11, 1000,
                first, block + 1};
            for (int s : sizes) {
                byte[] r = new byte[s];
                for (int i = 0; i < s; i++) {
                    r[i] = (byte) (i * 31 + s);
                }
                rows.add(r);
                db.put(r);
            }
            for (int i = 0; i < 3000; i++) {
                rows.add(b("small-" + i));
                db.put(b("small-" + i));
            }
            for (int from = 0; from < sizes.length + 2; from++) {
                List<ToonStore.Row> got = all(db.scan(from));
                assertEquals(rows.size() - from, got.size());
                for (int i = from; i < rows.size(); i++) {
                    assertEquals(i, got.get(i - from).id());
                    assertArrayEquals(rows.get(i), got.get(i - from).data(), "row " + i + " from " + from);
                }
            }
        }
    }

    @Test
    void streamsCloseTheirScan() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            for (int i = 0; i < 100; i++) {
                db.put(b(Integer.toString(i)));
            }
            try (Stream<ToonStore.Row> s = db.stream()) {
                assertEquals(4950, s.mapToInt(r -> Integer.parseInt(new String(r.data(), StandardCharsets.UTF_8))).sum());
            }
            ToonStore.Scan scan = db.scan(90);
            Stream<ToonStore.Row> s = scan.stream();
            assertEquals(List.of(90L, 91L), s.limit(2).map(ToonStore.Row::id).collect(Collectors.toList()));
            s.close();
            fails(ErrorCode.CLOSED, () -> scan.iterator());
        }
    }

    @Test
    void snapshots() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            db.put(b("a"));
            db.put(b("b"));
            ToonStore.Snapshot snap = db.snapshot();
            try {
                db.put(b("c"));
                db.delete(0);
                assertEquals(2, snap.endId());
                assertArrayEquals(b("a"), snap.get(0));
                assertTrue(snap.contains(0));
                assertNull(snap.get(2), "written after the snapshot");
                assertFalse(snap.contains(2));
                assertNull(db.get(0));
                assertEquals(List.of(0L, 1L), all(snap.scan()).stream().map(ToonStore.Row::id).toList());
                assertEquals(List.of(1L), all(snap.scan(1)).stream().map(ToonStore.Row::id).toList());
                try (Stream<ToonStore.Row> s = snap.stream()) {
                    assertEquals(2, s.count());
                }
                fails(ErrorCode.INVALID_ARG, () -> snap.get(-1));
                fails(ErrorCode.INVALID_ARG, () -> snap.contains(-1));
                fails(ErrorCode.INVALID_ARG, () -> snap.scan(-1));
                // A scan of the snapshot outlives the snapshot's close.
                ToonStore.Scan scan = snap.scan();
                snap.close();
                snap.close();
                assertEquals(2, all(scan).size());
                fails(ErrorCode.CLOSED, () -> snap.get(1));
                fails(ErrorCode.CLOSED, () -> snap.contains(1));
                fails(ErrorCode.CLOSED, snap::endId);
                fails(ErrorCode.CLOSED, snap::scan);
                fails(ErrorCode.CLOSED, () -> snap.scan(1));
                fails(ErrorCode.CLOSED, snap::stream);
            } finally {
                snap.close();
            }
        }
    }

    @Test
    void snapshotsAndScansOutliveTheDatabase() {
        ToonStore db = ToonStore.open(tmp.resolve("db"));
        db.put(b("kept"));
        ToonStore.Snapshot snap = db.snapshot();
        ToonStore.Scan scan = db.scan();
        db.close();
        assertArrayEquals(b("kept"), snap.get(0));
        assertEquals(1, all(scan).size());
        snap.close();
    }

    @Test
    void batchesAreAtomic() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db")); ToonStore.Batch batch = new ToonStore.Batch()) {
            db.put(b("zero"));
            assertTrue(batch.isEmpty());
            ByteBuffer direct = ByteBuffer.allocateDirect(8).put(b("direct")).flip();
            ByteBuffer readOnly = ByteBuffer.wrap(b("ro")).asReadOnlyBuffer();
            batch.put(b("one")).put(ByteBuffer.wrap(b("two"))).put(direct).put(readOnly).delete(0);
            assertEquals(5, batch.size());
            assertEquals(0, direct.position());
            long[] ids = db.write(batch);
            assertArrayEquals(new long[] {1, 2, 3, 4}, ids);
            assertTrue(batch.isEmpty(), "a committed batch is emptied");
            assertNull(db.get(0));
            assertArrayEquals(b("two"), db.get(2));
            assertArrayEquals(b("direct"), db.get(3));
            assertArrayEquals(b("ro"), db.get(4));

            // A delete of an absent row fails the whole batch; nothing is written.
            batch.put(b("never")).delete(0);
            ToonStoreException e = fails(ErrorCode.NOT_FOUND, () -> db.write(batch));
            assertTrue(e.engineMessage().contains("0"), e.engineMessage());
            assertEquals(2, batch.size(), "a failed batch is left as it was");
            assertNull(db.get(5));
            assertEquals(5, db.stats().nextRowId());
            batch.clear();
            assertEquals(0, batch.size());
            assertArrayEquals(new long[0], db.write(batch));
            batch.delete(1);
            assertArrayEquals(new long[0], db.write(batch), "deletes only: no ids");
            assertNull(db.get(1));
            fails(ErrorCode.INVALID_ARG, () -> batch.delete(-1));
        }
    }

    @Test
    void batchAfterClose() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            ToonStore.Batch batch = new ToonStore.Batch();
            batch.put(b("x"));
            batch.close();
            batch.close();
            fails(ErrorCode.CLOSED, () -> batch.put(b("y")));
            fails(ErrorCode.CLOSED, () -> batch.put(ByteBuffer.allocateDirect(1)));
            fails(ErrorCode.CLOSED, () -> batch.delete(0));
            fails(ErrorCode.CLOSED, batch::size);
            fails(ErrorCode.CLOSED, batch::isEmpty);
            fails(ErrorCode.CLOSED, batch::clear);
            fails(ErrorCode.CLOSED, () -> db.write(batch));
            assertEquals(0, db.stats().nextRowId());
        }
    }

    @Test
    void syncCompactAndStats() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"), new ToonStore.Options().segmentSize(1 << 14))) {
            ToonStore.Stats empty = db.stats();
            assertEquals(0, empty.liveRows());
            assertEquals(0, empty.nextRowId());
            byte[] row = new byte[100];
            for (int i = 0; i < 1000; i++) {
                db.put(row);
            }
            for (int i = 0; i < 900; i++) {
                assertTrue(db.delete(i));
            }
            db.sync();
            ToonStore.Stats before = db.stats();
            assertEquals(100, before.liveRows());
            assertEquals(900, before.deletedRows());
            assertEquals(1000, before.nextRowId());
            assertTrue(before.liveBytes() >= 100 * 100);
            assertTrue(before.diskBytes() > 0);
            assertTrue(before.segmentCount() > 1);
            assertTrue(before.garbageFraction() > 0.5, before.toString());
            db.compact();
            ToonStore.Stats after = db.stats();
            assertEquals(100, after.liveRows());
            assertTrue(after.garbageFraction() < before.garbageFraction(), after.toString());
            assertTrue(after.diskBytes() < before.diskBytes(), after.toString());
            for (int i = 900; i < 1000; i++) {
                assertArrayEquals(row, db.get(i));
            }
        }
    }

    @Test
    void everyCallAfterCloseThrowsClosed() {
        ToonStore db = ToonStore.open(tmp.resolve("db"));
        db.put(b("x"));
        assertFalse(db.isClosed());
        db.close();
        db.close(); // idempotent
        assertTrue(db.isClosed());
        assertTrue(db.toString().contains("closed"));
        ToonStore.Batch batch = new ToonStore.Batch().put(b("y"));
        List<Executable> calls = List.of(
                () -> db.put(b("x")),
                () -> db.put(b("x"), 0, 1),
                () -> db.put(b("x"), ToonStore.Durability.FULL),
                () -> db.put(ByteBuffer.wrap(b("x"))),
                () -> db.put(ByteBuffer.allocateDirect(1)),
                () -> db.get(0),
                () -> db.contains(0),
                () -> db.delete(0),
                () -> db.write(batch),
                db::scan,
                () -> db.scan(0),
                db::stream,
                db::snapshot,
                db::sync,
                db::compact,
                db::stats);
        for (Executable call : calls) {
            fails(ErrorCode.CLOSED, call);
        }
        assertEquals(1, batch.size(), "a batch refused by a closed database is kept");
        // The data is there for the next open.
        try (ToonStore again = ToonStore.open(tmp.resolve("db"))) {
            assertArrayEquals(b("x"), again.get(0));
        }
    }

    @Test
    void scanAfterCloseThrowsClosed() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            for (int i = 0; i < 10; i++) {
                db.put(b("r" + i));
            }
            ToonStore.Scan scan = db.scan();
            Iterator<ToonStore.Row> it = scan.iterator();
            assertEquals(0, it.next().id());
            scan.close();
            scan.close();
            fails(ErrorCode.CLOSED, it::hasNext);
            fails(ErrorCode.CLOSED, it::next);
        }
    }

    @Test
    void nullArgumentsThrowNullPointerException() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db")); ToonStore.Batch batch = new ToonStore.Batch()) {
            List<Executable> calls = List.of(
                    () -> ToonStore.open((String) null),
                    () -> ToonStore.open((Path) null),
                    () -> ToonStore.open((String) null, new ToonStore.Options()),
                    () -> ToonStore.open(tmp.resolve("x"), null),
                    () -> ToonStore.open(tmp.resolve("x").toString(), null),
                    () -> db.put((byte[]) null),
                    () -> db.put((ByteBuffer) null),
                    () -> db.put(null, 0, 0),
                    () -> db.put(null, ToonStore.Durability.FULL),
                    () -> db.put(b("x"), (ToonStore.Durability) null),
                    () -> db.write(null),
                    () -> batch.put((byte[]) null),
                    () -> batch.put((ByteBuffer) null),
                    () -> new ToonStore.Options().durability(null),
                    () -> new ToonStore.Row(0, null));
            for (Executable call : calls) {
                assertThrows(NullPointerException.class, call);
            }
            assertEquals(0, db.stats().nextRowId(), "nothing was written");
            assertEquals(0, batch.size());
        }
    }

    @Test
    void invalidArguments() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"))) {
            db.put(b("x"));
            fails(ErrorCode.INVALID_ARG, () -> db.get(-1));
            fails(ErrorCode.INVALID_ARG, () -> db.contains(-1));
            fails(ErrorCode.INVALID_ARG, () -> db.delete(-1));
            fails(ErrorCode.INVALID_ARG, () -> db.scan(-5));
            assertThrows(IndexOutOfBoundsException.class, () -> db.put(b("abc"), 2, 5));
            assertThrows(IndexOutOfBoundsException.class, () -> db.put(b("abc"), -1, 1));
            assertEquals(1, db.stats().nextRowId());
        }
        fails(ErrorCode.INVALID_ARG, () -> ToonStore.open(""));
        fails(ErrorCode.INVALID_ARG, () -> ToonStore.open("a\0b"));
        Consumer<ToonStore.Options> bad = o -> fails(ErrorCode.INVALID_ARG, () -> ToonStore.open(tmp.resolve("bad"), o));
        bad.accept(new ToonStore.Options().segmentSize(10));
        bad.accept(new ToonStore.Options().segmentSize(-1));
        bad.accept(new ToonStore.Options().maxValueSize(0));
        bad.accept(new ToonStore.Options().maxValueSize(-1));
        bad.accept(new ToonStore.Options().syncIntervalMillis(0));
        bad.accept(new ToonStore.Options().syncIntervalMillis(-1));
        assertFalse(Files.exists(tmp.resolve("bad")), "a refused open creates nothing");
    }

    @Test
    void tooLarge() {
        try (ToonStore db = ToonStore.open(tmp.resolve("db"), new ToonStore.Options().maxValueSize(16));
                ToonStore.Batch batch = new ToonStore.Batch()) {
            assertEquals(0, db.put(new byte[16]));
            fails(ErrorCode.TOO_LARGE, () -> db.put(new byte[17]));
            fails(ErrorCode.TOO_LARGE, () -> db.put(ByteBuffer.allocateDirect(17)));
            batch.put(b("fine")).put(new byte[17]);
            fails(ErrorCode.TOO_LARGE, () -> db.write(batch));
            assertEquals(1, db.stats().nextRowId(), "nothing of the batch was written");
            assertNull(db.get(1));
        }
    }

    @Test
    void readOnlyHandles() {
        Path dir = tmp.resolve("db");
        ToonStore.Options ro = new ToonStore.Options().readOnly(true);
        fails(ErrorCode.IO, () -> ToonStore.open(dir, ro));
        fails(ErrorCode.IO, () -> ToonStore.open(dir, new ToonStore.Options().createIfMissing(false)));
        assertFalse(Files.exists(dir));
        try (ToonStore db = ToonStore.open(dir)) {
            db.put(b("x"));
        }
        try (ToonStore db = ToonStore.open(dir, ro); ToonStore.Batch batch = new ToonStore.Batch()) {
            assertTrue(db.options().readOnly());
            assertArrayEquals(b("x"), db.get(0));
            assertEquals(1, all(db.scan()).size());
            assertEquals(1, db.stats().liveRows());
            fails(ErrorCode.READ_ONLY, () -> db.put(b("y")));
            fails(ErrorCode.READ_ONLY, () -> db.put(ByteBuffer.allocateDirect(1)));
            fails(ErrorCode.READ_ONLY, () -> db.delete(0));
            batch.put(b("z"));
            fails(ErrorCode.READ_ONLY, () -> db.write(batch));
            fails(ErrorCode.READ_ONLY, db::compact);
            // Two read-only handles share the directory.
            try (ToonStore second = ToonStore.open(dir, ro)) {
                assertArrayEquals(b("x"), second.get(0));
            }
        }
    }

    @Test
    void twoHandlesOfOneDirectoryShareTheEngine() {
        Path dir = tmp.resolve("db");
        ToonStore first = ToonStore.open(dir);
        long id;
        try (ToonStore second = ToonStore.open(dir.toString())) {
            id = first.put(b("shared"));
            assertArrayEquals(b("shared"), second.get(id), "one engine: a put through one handle is read through the other");
            try (ToonStore ro = ToonStore.open(dir, new ToonStore.Options().readOnly(true))) {
                assertArrayEquals(b("shared"), ro.get(id));
                fails(ErrorCode.READ_ONLY, () -> ro.put(b("x")));
            }
            fails(ErrorCode.INVALID_ARG, () -> ToonStore.open(dir, new ToonStore.Options().durability(ToonStore.Durability.FULL)));
            first.close();
            fails(ErrorCode.CLOSED, () -> first.get(id));
            assertArrayEquals(b("shared"), second.get(id), "the engine stays open while a handle has it");
            assertEquals(id + 1, second.put(b("more")));
        } finally {
            first.close();
        }
        try (ToonStore again = ToonStore.open(dir)) {
            assertEquals(2, again.stats().liveRows());
        }
    }

    @Test
    void notADirectoryIsAnIoError() throws Exception {
        Path file = Files.writeString(tmp.resolve("file"), "not a database");
        ToonStoreException e = fails(ErrorCode.IO, () -> ToonStore.open(file));
        assertTrue(e.engineMessage().contains(file.toString()), e.engineMessage());
    }

    @Test
    void corruptRecordIsReported() throws Exception {
        Path dir = tmp.resolve("db");
        byte[] marker = b("corrupt-me-please-0123456789");
        try (ToonStore db = ToonStore.open(dir)) {
            db.put(marker);
            for (int i = 0; i < 100; i++) {
                db.put(b("filler-" + i));
            }
        }
        boolean flipped = false;
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                byte[] bytes = Files.readAllBytes(f);
                int at = indexOf(bytes, marker);
                if (at >= 0) {
                    bytes[at + 3] ^= 0x55;
                    Files.write(f, bytes);
                    flipped = true;
                }
            }
        }
        assertTrue(flipped, "the row's bytes are in a segment file");
        // Either open refuses the database or the read names the bad record.
        ToonStoreException e = assertThrows(ToonStoreException.class, () -> {
            try (ToonStore db = ToonStore.open(dir)) {
                db.get(0);
            }
        });
        assertEquals(ErrorCode.CORRUPT, e.code(), e.getMessage());
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i + needle.length <= hay.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }

    @Test
    void rowEqualityUsesContents() {
        ToonStore.Row a = new ToonStore.Row(1, b("x"));
        assertEquals(a, new ToonStore.Row(1, b("x")));
        assertEquals(a.hashCode(), new ToonStore.Row(1, b("x")).hashCode());
        assertNotEquals(a, new ToonStore.Row(2, b("x")));
        assertNotEquals(a, new ToonStore.Row(1, b("y")));
        assertEquals("Row[id=1, 1 bytes]", a.toString());
    }

    @Test
    void version() throws Exception {
        String header = Files.readString(Path.of("../../include/toonstore.h"));
        assertTrue(header.contains("#define TOONSTORE_VERSION_STRING \"" + ToonStore.version() + "\""), ToonStore.version());
    }

    @Test
    void unclosedObjectsAreFreedByTheGarbageCollector() throws Exception {
        Path dir = tmp.resolve("db");
        for (int round = 0; round < 3; round++) {
            ToonStore db = ToonStore.open(dir.resolve("r" + round));
            db.put(b("x"));
            db.scan().iterator().hasNext();
            db.snapshot();
            new ToonStore.Batch().put(b("y"));
            db.close();
        }
        for (int i = 0; i < 5; i++) {
            System.gc();
            Thread.sleep(20);
        }
        try (ToonStore db = ToonStore.open(dir.resolve("r0"))) {
            assertArrayEquals(b("x"), db.get(0));
        }
    }
}
