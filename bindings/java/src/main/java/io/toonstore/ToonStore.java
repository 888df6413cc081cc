package io.toonstore;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * An open ToonStore database: rows of bytes addressed by dense, increasing
 * {@code long} ids that are never reused.
 *
 * <pre>{@code
 * try (ToonStore db = ToonStore.open("/tmp/example-db")) {
 *     long id = db.put("hello".getBytes(StandardCharsets.UTF_8));
 *     byte[] row = db.get(id);                   // null when absent
 *     try (ToonStore.Scan scan = db.scan()) {
 *         for (ToonStore.Row r : scan) { ... }
 *     }
 * }
 * }</pre>
 *
 * <p><b>Threads.</b> A {@code ToonStore} may be used from many threads at once:
 * reads take no lock, writes are serialized by the engine. A {@link Scan} or a
 * {@link Batch} belongs to one thread at a time; a {@link Snapshot} may be
 * shared.
 *
 * <p><b>Closing.</b> {@link #close()} waits for calls in flight on other
 * threads, flushes every acknowledged write and releases the directory's
 * lock; it is idempotent. Any later call throws {@link ToonStoreException}
 * with code {@link ErrorCode#CLOSED}. Scans and snapshots taken before keep
 * reading their moment until they are closed themselves. Native memory is also
 * released when an unclosed object is garbage collected, but the database's
 * lock is held until then: always close.
 *
 * <p><b>Errors.</b> Engine failures throw {@link ToonStoreException}, whose
 * {@link ToonStoreException#code() code()} names the C error; a {@code null}
 * argument throws {@link NullPointerException}; a negative row id is
 * {@link ErrorCode#INVALID_ARG}.
 */
public final class ToonStore implements AutoCloseable {
    /** Frees native state of objects that were never closed (or after close). */
    static final Cleaner CLEANER = Cleaner.create();

    /**
     * {@link #scanRange}'s {@code stopRowId} for "no upper bound" (the C
     * API's {@code TOONSTORE_SCAN_END}). Since 1.2.
     */
    public static final long SCAN_END = Long.MAX_VALUE;

    /** The JNI layer's code for "the database's durability". */
    private static final int DEFAULT_DURABILITY = -1;

    static {
        NativeLibrary.load();
    }

    private final long handle;
    private final Path path;
    private final Options options;
    private volatile boolean closed;

    private ToonStore(long handle, Path path, Options options) {
        this.handle = handle;
        this.path = path;
        this.options = options;
        CLEANER.register(this, new Free(handle));
    }

    /** Cleaner action; holds no reference to the wrapper. */
    private record Free(long handle) implements Runnable {
        @Override
        public void run() {
            nFree(handle);
        }
    }

    // ------------------------------------------------------------------
    // Opening
    // ------------------------------------------------------------------

    /**
     * Opens (creating if needed) the database in directory {@code path} with
     * default {@link Options}.
     *
     * @param path the database directory
     * @return the open database
     * @throws ToonStoreException {@link ErrorCode#LOCKED} when another process
     *     (or handle) has it open for writing, {@link ErrorCode#CORRUPT},
     *     {@link ErrorCode#VERSION}, {@link ErrorCode#IO}
     * @throws NullPointerException if {@code path} is null
     */
    public static ToonStore open(String path) {
        return open(path, new Options());
    }

    /**
     * Opens (creating if needed) the database in directory {@code path} with
     * default {@link Options}.
     *
     * @param path the database directory
     * @return the open database
     * @throws ToonStoreException as {@link #open(String)}
     * @throws NullPointerException if {@code path} is null
     */
    public static ToonStore open(Path path) {
        return open(path, new Options());
    }

    /**
     * Opens the database in directory {@code path} with {@code options}.
     *
     * @param path the database directory
     * @param options durability, read-only and the other settings (copied)
     * @return the open database
     * @throws ToonStoreException as {@link #open(String)}, plus
     *     {@link ErrorCode#INVALID_ARG} for a bad option and {@link ErrorCode#IO}
     *     when the database is missing and {@code createIfMissing} is off or
     *     the handle is read-only
     * @throws NullPointerException if an argument is null
     */
    public static ToonStore open(String path, Options options) {
        Objects.requireNonNull(path, "path");
        Path p;
        try {
            p = Path.of(path);
        } catch (InvalidPathException e) {
            throw new ToonStoreException(ErrorCode.INVALID_ARG, "invalid path: " + e.getMessage());
        }
        return open(p, options);
    }

    /**
     * Opens the database in directory {@code path} with {@code options}.
     *
     * @param path the database directory
     * @param options durability, read-only and the other settings (copied)
     * @return the open database
     * @throws ToonStoreException as {@link #open(String, Options)}
     * @throws NullPointerException if an argument is null
     */
    public static ToonStore open(Path path, Options options) {
        Objects.requireNonNull(path, "path");
        Options o = Objects.requireNonNull(options, "options").copy();
        long h = nOpen(path.toString(), o.durability.ordinal(), o.readOnly, o.createIfMissing,
                o.verifyChecksums, o.syncIntervalMillis, o.maxValueSize, o.segmentSize);
        return new ToonStore(h, path, o);
    }

    /**
     * The version of the native engine, e.g. {@code "1.0.0"}.
     *
     * @return the engine's version string
     */
    public static String version() {
        return nVersion();
    }

    // ------------------------------------------------------------------
    // Writes
    // ------------------------------------------------------------------

    /**
     * Appends a row and returns its new id, with the database's durability.
     * The bytes are copied: the array may be reused at once.
     *
     * @param data the row's bytes (may be empty)
     * @return the new row id ({@code >= 0}, larger than every earlier one)
     * @throws ToonStoreException {@link ErrorCode#TOO_LARGE} above
     *     {@code maxValueSize}, {@link ErrorCode#READ_ONLY},
     *     {@link ErrorCode#POISONED}, {@link ErrorCode#IO}, {@link ErrorCode#CLOSED}
     * @throws NullPointerException if {@code data} is null
     */
    public long put(byte[] data) {
        Objects.requireNonNull(data, "data");
        return nPut(handle, data, 0, data.length, DEFAULT_DURABILITY);
    }

    /**
     * Appends {@code data[offset .. offset + length)} as a row.
     *
     * @param data the array holding the row
     * @param offset where the row starts in {@code data}
     * @param length the row's length
     * @return the new row id
     * @throws IndexOutOfBoundsException if the range is outside {@code data}
     * @throws ToonStoreException as {@link #put(byte[])}
     * @throws NullPointerException if {@code data} is null
     */
    public long put(byte[] data, int offset, int length) {
        Objects.requireNonNull(data, "data");
        Objects.checkFromIndexSize(offset, length, data.length);
        return nPut(handle, data, offset, length, DEFAULT_DURABILITY);
    }

    /**
     * Appends a row with a durability chosen for this call:
     * {@link Durability#FULL} returns once the row is on stable storage.
     *
     * @param data the row's bytes
     * @param durability the durability of this write
     * @return the new row id
     * @throws ToonStoreException as {@link #put(byte[])}
     * @throws NullPointerException if an argument is null
     */
    public long put(byte[] data, Durability durability) {
        Objects.requireNonNull(data, "data");
        Objects.requireNonNull(durability, "durability");
        return nPut(handle, data, 0, data.length, durability.ordinal());
    }

    /**
     * Appends the bytes between the buffer's position and limit as a row. The
     * buffer's position, limit and contents are not changed. A direct buffer
     * is read in place; a heap buffer through its array.
     *
     * @param data the row's bytes
     * @return the new row id
     * @throws ToonStoreException as {@link #put(byte[])}
     * @throws NullPointerException if {@code data} is null
     */
    public long put(ByteBuffer data) {
        Objects.requireNonNull(data, "data");
        int pos = data.position();
        int len = data.remaining();
        if (data.isDirect()) {
            return nPutDirect(handle, data, pos, len, DEFAULT_DURABILITY);
        }
        if (data.hasArray()) {
            return nPut(handle, data.array(), data.arrayOffset() + pos, len, DEFAULT_DURABILITY);
        }
        byte[] copy = new byte[len];
        data.duplicate().get(copy);
        return nPut(handle, copy, 0, len, DEFAULT_DURABILITY);
    }

    /**
     * Deletes a row.
     *
     * @param rowId the row's id
     * @return true when the row existed (and is now deleted); false when it
     *     was never assigned or is already deleted
     * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} for a negative
     *     id, {@link ErrorCode#READ_ONLY}, {@link ErrorCode#POISONED},
     *     {@link ErrorCode#IO}, {@link ErrorCode#CLOSED}
     */
    public boolean delete(long rowId) {
        return nDelete(handle, rowId);
    }

    /**
     * Commits a batch atomically: all of its puts and deletes, or none (also
     * across a crash). On success the batch is emptied for reuse; on failure
     * it is left as it was and nothing was written.
     *
     * @param batch the operations
     * @return the ids of the batch's puts, consecutive, in the order they were added
     * @throws ToonStoreException {@link ErrorCode#NOT_FOUND} when a delete
     *     names an absent row (nothing is written), {@link ErrorCode#TOO_LARGE},
     *     {@link ErrorCode#READ_ONLY}, {@link ErrorCode#CLOSED} (database or batch), ...
     * @throws NullPointerException if {@code batch} is null
     */
    public long[] write(Batch batch) {
        Objects.requireNonNull(batch, "batch");
        return nWrite(handle, batch, batch.handle);
    }

    /**
     * Makes every acknowledged write durable (fsync of the log).
     *
     * @throws ToonStoreException {@link ErrorCode#IO} (the handle is then
     *     poisoned), {@link ErrorCode#READ_ONLY}, {@link ErrorCode#POISONED},
     *     {@link ErrorCode#CLOSED}
     */
    public void sync() {
        nSync(handle);
    }

    /**
     * Rewrites log segments that hold deleted rows, keeping row ids, and
     * frees their space once no snapshot reads them. Readers and writers keep
     * working meanwhile.
     *
     * @throws ToonStoreException {@link ErrorCode#IO}, {@link ErrorCode#CORRUPT}
     *     (nothing is dropped), {@link ErrorCode#READ_ONLY}, {@link ErrorCode#CLOSED}
     */
    public void compact() {
        nCompact(handle);
    }

    /**
     * Writes a complete, consistent copy of the database as of one moment
     * into the directory {@code dest} while other threads and processes keep
     * writing (an online backup). {@code dest} must not exist, or be an
     * empty directory; the copy appears there in one rename, so a backup
     * that fails or is killed midway leaves nothing at {@code dest}. The
     * copy opens on its own with every row of that moment under the same
     * ids. On a read-only handle the copy is of that handle's state (as of
     * its open or its last {@link #refresh()}).
     *
     * @param dest the directory to create
     * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} when {@code dest}
     *     exists and is not an empty directory (or is this database),
     *     {@link ErrorCode#IO} when it cannot be written, {@link ErrorCode#CLOSED}
     * @throws NullPointerException if {@code dest} is null
     */
    public void backup(Path dest) {
        Objects.requireNonNull(dest, "dest");
        nBackup(handle, dest.toString());
    }

    /**
     * As {@link #backup(Path)}.
     *
     * @param dest the directory to create
     * @throws ToonStoreException as {@link #backup(Path)}, and
     *     {@link ErrorCode#INVALID_ARG} for a string that is not a path
     * @throws NullPointerException if {@code dest} is null
     */
    public void backup(String dest) {
        Objects.requireNonNull(dest, "dest");
        Path p;
        try {
            p = Path.of(dest);
        } catch (InvalidPathException e) {
            throw new ToonStoreException(ErrorCode.INVALID_ARG, "invalid path: " + e.getMessage());
        }
        backup(p);
    }

    /**
     * Moves a read-only handle to the writer's latest acknowledged state:
     * afterwards it sees every row whose put had returned in the writing
     * process (in any durability mode) before this call. A read-only open
     * sees the database as of its open until it is refreshed; snapshots and
     * scans taken before keep their state. On a writable handle, and on a
     * read-only handle sharing a database open for writing in this process
     * (both always see the latest state), it does nothing.
     *
     * @throws ToonStoreException {@link ErrorCode#CLOSED}, and those of a
     *     read-only open ({@link ErrorCode#IO}, {@link ErrorCode#CORRUPT},
     *     {@link ErrorCode#LOCKED} when a writer kept replacing the files);
     *     the handle keeps its state
     */
    public void refresh() {
        nRefresh(handle);
    }

    // ------------------------------------------------------------------
    // Reads
    // ------------------------------------------------------------------

    /**
     * A copy of the row's bytes.
     *
     * @param rowId the row's id
     * @return the bytes, or null when the id was never assigned or the row was deleted
     * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} for a negative
     *     id, {@link ErrorCode#CORRUPT} when the record fails its checksum,
     *     {@link ErrorCode#CLOSED}
     */
    public byte[] get(long rowId) {
        ReadBuffer landing = ReadBuffer.LOCAL.get();
        int n = nGetInto(handle, rowId, landing.address, ReadBuffer.BYTES);
        if (n >= 0) {
            byte[] out = new byte[n];
            landing.buffer.get(0, out);
            return out;
        }
        // -1: absent; -2: larger than the landing buffer, so the native side
        // allocates the array itself.
        return n == -1 ? null : nGet(handle, rowId);
    }

    /**
     * The calling thread's landing buffer for {@link #get(long)}: the native
     * side copies a row into it without any JNI call back into the JVM, and
     * Java copies it into an exact-size array, which is cheaper than a
     * {@code NewByteArray} from native code. The buffer stays reachable
     * through the local variable for the whole native call.
     */
    private static final class ReadBuffer {
        static final int BYTES = 16 * 1024;
        static final ThreadLocal<ReadBuffer> LOCAL = ThreadLocal.withInitial(ReadBuffer::new);

        final ByteBuffer buffer = ByteBuffer.allocateDirect(BYTES);
        final long address = nAddress(buffer);
    }

    /**
     * Whether the row is live.
     *
     * @param rowId the row's id
     * @return true when {@link #get(long)} would return bytes
     * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} for a negative
     *     id, {@link ErrorCode#CLOSED}
     */
    public boolean contains(long rowId) {
        return nContains(handle, rowId);
    }

    /**
     * Iterates over the live rows, in id order, as of this moment (a
     * snapshot: later writes are not seen). Close it (try-with-resources).
     *
     * @return the scan
     * @throws ToonStoreException {@link ErrorCode#CLOSED}
     */
    public Scan scan() {
        return new Scan(nScan(handle, 0));
    }

    /**
     * Iterates over the live rows with id {@code >= fromRowId}, in id order,
     * as of this moment. Close it (try-with-resources).
     *
     * @param fromRowId the first id to return (when live)
     * @return the scan
     * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} for a negative
     *     id, {@link ErrorCode#CLOSED}
     */
    public Scan scan(long fromRowId) {
        return new Scan(nScan(handle, fromRowId));
    }

    /**
     * Iterates over the live rows with {@code startRowId <= id < stopRowId},
     * as of this moment (a snapshot), in ascending id order or, when
     * {@code reverse}, from the highest id down. The scan finds its first
     * row directly. The last N rows: {@code scanRange(0, SCAN_END, true)}
     * and read N. Close it (try-with-resources). Since 1.2.
     *
     * @param startRowId the lowest id to return (when live)
     * @param stopRowId the first id not returned; {@link #SCAN_END} for no bound
     * @param reverse whether to walk from the highest id down
     * @return the scan
     * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} for a negative
     *     bound or {@code stopRowId < startRowId}, {@link ErrorCode#CLOSED}
     */
    public Scan scanRange(long startRowId, long stopRowId, boolean reverse) {
        return new Scan(nScanRange(handle, startRowId, stopRowId, reverse));
    }

    /**
     * The live rows as a {@link Stream}, in id order, as of this moment. The
     * stream holds a scan: close it (try-with-resources).
     *
     * @return the stream; closing it closes its scan
     * @throws ToonStoreException {@link ErrorCode#CLOSED}
     */
    public Stream<Row> stream() {
        return scan().stream();
    }

    /**
     * A consistent, read-only view of this moment, for reads that must agree
     * with each other. Close it: it keeps the log segments it reads alive.
     *
     * @return the snapshot
     * @throws ToonStoreException {@link ErrorCode#CLOSED}
     */
    public Snapshot snapshot() {
        return new Snapshot(nSnapshot(handle));
    }

    /**
     * Row counts and space.
     *
     * @return the statistics of this moment
     * @throws ToonStoreException {@link ErrorCode#CLOSED}
     */
    public Stats stats() {
        long[] s = nStats(handle);
        return new Stats(s[0], s[1], s[2], s[3], s[4], s[5], Double.longBitsToDouble(s[6]));
    }

    /**
     * The directory this database was opened from.
     *
     * @return the path given to {@code open}
     */
    public Path path() {
        return path;
    }

    /**
     * The options this database was opened with.
     *
     * @return a copy of the options
     */
    public Options options() {
        return options.copy();
    }

    /**
     * Whether {@link #close()} was called.
     *
     * @return true after close
     */
    public boolean isClosed() {
        return closed;
    }

    /**
     * Closes this handle: waits for calls in flight on other threads; when it
     * is the last handle of the directory in this process (opens of one
     * directory share one engine), flushes every acknowledged write, writes a
     * checkpoint when replay would otherwise be long and releases the lock.
     * Calling it again does nothing.
     *
     * @throws ToonStoreException the failure of the final flush (the handle
     *     is closed and the lock released anyway)
     */
    @Override
    public void close() {
        closed = true;
        nClose(handle);
    }

    @Override
    public String toString() {
        return "ToonStore[" + path + (closed ? ", closed]" : "]");
    }

    // ------------------------------------------------------------------
    // Nested types
    // ------------------------------------------------------------------

    /** When an acknowledged write is safe, and against what. */
    public enum Durability {
        /** No background flush (bulk loads): survives a process crash; {@code sync}/{@code close} flush. */
        OFF,
        /** The default: survives a process crash; flushed in the background every {@code syncIntervalMillis}. */
        NORMAL,
        /** Each write is on stable storage before it returns (concurrent writers share one fsync). */
        FULL
    }

    /**
     * Settings for {@link ToonStore#open(Path, Options)}; a mutable builder
     * whose setters return {@code this}. {@code open} copies it.
     */
    public static final class Options {
        private Durability durability = Durability.NORMAL;
        private boolean readOnly;
        private boolean createIfMissing = true;
        private boolean verifyChecksums = true;
        private long syncIntervalMillis = 1000;
        private long maxValueSize = 64L << 20;
        private long segmentSize = 64L << 20;

        /** The defaults: {@code NORMAL} durability, writable, created when missing. */
        public Options() {}

        Options copy() {
            Options o = new Options();
            o.durability = durability;
            o.readOnly = readOnly;
            o.createIfMissing = createIfMissing;
            o.verifyChecksums = verifyChecksums;
            o.syncIntervalMillis = syncIntervalMillis;
            o.maxValueSize = maxValueSize;
            o.segmentSize = segmentSize;
            return o;
        }

        /**
         * Sets the durability of writes (default {@link Durability#NORMAL}).
         *
         * @param durability the durability
         * @return this
         * @throws NullPointerException if {@code durability} is null
         */
        public Options durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /**
         * Opens for reading only (default false): takes no lock, so it opens
         * beside a writer in another process, and sees the database as of its
         * open until {@link ToonStore#refresh()}; writes throw
         * {@link ErrorCode#READ_ONLY}.
         *
         * @param readOnly true for a read-only handle
         * @return this
         */
        public Options readOnly(boolean readOnly) {
            this.readOnly = readOnly;
            return this;
        }

        /**
         * Creates the directory and database when missing (default true).
         *
         * @param createIfMissing false to fail with {@link ErrorCode#IO} instead
         * @return this
         */
        public Options createIfMissing(boolean createIfMissing) {
            this.createIfMissing = createIfMissing;
            return this;
        }

        /**
         * Checks each record's CRC when it is read (default true).
         *
         * @param verifyChecksums false to skip the check
         * @return this
         */
        public Options verifyChecksums(boolean verifyChecksums) {
            this.verifyChecksums = verifyChecksums;
            return this;
        }

        /**
         * Milliseconds between background flushes in {@code NORMAL} mode (default 1000; must be positive).
         *
         * @param millis the interval
         * @return this
         */
        public Options syncIntervalMillis(long millis) {
            this.syncIntervalMillis = millis;
            return this;
        }

        /**
         * Largest value accepted, in bytes (default 64 MiB).
         *
         * @param bytes the limit
         * @return this
         */
        public Options maxValueSize(long bytes) {
            this.maxValueSize = bytes;
            return this;
        }

        /**
         * Size of a log segment file in bytes (default 64 MiB, at least 4096).
         *
         * @param bytes the size
         * @return this
         */
        public Options segmentSize(long bytes) {
            this.segmentSize = bytes;
            return this;
        }

        /**
         * The durability.
         *
         * @return the durability of writes
         */
        public Durability durability() {
            return durability;
        }

        /**
         * Whether the handle is read-only.
         *
         * @return true for read-only
         */
        public boolean readOnly() {
            return readOnly;
        }

        /**
         * Whether a missing database is created.
         *
         * @return true when created
         */
        public boolean createIfMissing() {
            return createIfMissing;
        }

        /**
         * Whether reads check CRCs.
         *
         * @return true when checked
         */
        public boolean verifyChecksums() {
            return verifyChecksums;
        }

        /**
         * The background flush interval.
         *
         * @return milliseconds
         */
        public long syncIntervalMillis() {
            return syncIntervalMillis;
        }

        /**
         * The largest value accepted.
         *
         * @return bytes
         */
        public long maxValueSize() {
            return maxValueSize;
        }

        /**
         * The segment size.
         *
         * @return bytes
         */
        public long segmentSize() {
            return segmentSize;
        }
    }

    /**
     * One row of a scan. {@code equals} and {@code hashCode} compare the
     * bytes' contents. The array belongs to the caller.
     *
     * @param id the row's id
     * @param data the row's bytes
     */
    public record Row(long id, byte[] data) {
        /**
         * A row.
         *
         * @param id the row's id
         * @param data the row's bytes
         * @throws NullPointerException if {@code data} is null
         */
        public Row {
            Objects.requireNonNull(data, "data");
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Row r && r.id == id && Arrays.equals(r.data, data);
        }

        @Override
        public int hashCode() {
            return Long.hashCode(id) * 31 + Arrays.hashCode(data);
        }

        @Override
        public String toString() {
            return "Row[id=" + id + ", " + data.length + " bytes]";
        }
    }

    /**
     * Row counts and space of a database.
     *
     * @param liveRows rows that can be read
     * @param deletedRows ids assigned and then deleted
     * @param nextRowId the id the next put will receive
     * @param liveBytes bytes of the records (headers included) of live rows
     * @param diskBytes bytes the database's files occupy on disk
     * @param segmentCount log segment files
     * @param garbageFraction fraction (0..1) of record bytes a compaction would reclaim
     */
    public record Stats(long liveRows, long deletedRows, long nextRowId, long liveBytes,
            long diskBytes, long segmentCount, double garbageFraction) {}

    /**
     * The live rows of one moment, in ascending id order, read in blocks: a
     * {@code for} loop over it, or {@link #stream()}. It can be iterated once,
     * by one thread at a time. Close it (try-with-resources); it holds the
     * log segments it reads.
     */
    public static final class Scan implements Iterable<Row>, AutoCloseable {
        /**
         * Bytes of the block a native call fills. A scan starts with
         * {@link #FIRST_BLOCK_BYTES}, so that a short range read allocates
         * little, and moves to this size once a block came back full; a row
         * larger than the block gets a block of its own size.
         */
        static final int BLOCK_BYTES = 64 * 1024;
        static final int FIRST_BLOCK_BYTES = 4 * 1024;

        static {
            NativeLibrary.load();
        }

        /** Little-endian views of the block: a row's id (i64) and length (i32). */
        private static final VarHandle ID = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);
        private static final VarHandle LENGTH = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);

        private final long handle;
        private byte[] block;
        /** Rows in {@code block} not returned yet, and where the next starts. */
        private int rowsLeft;
        private int at;
        private boolean ended;
        private boolean iterated;
        private volatile boolean closed;

        Scan(long handle) {
            this.handle = handle;
            CLEANER.register(this, new FreeScan(handle));
        }

        private record FreeScan(long handle) implements Runnable {
            @Override
            public void run() {
                nFree(handle);
            }
        }

        /**
         * The rows, in id order. A scan has one iterator.
         *
         * @return the iterator; its {@code hasNext} and {@code next} throw
         *     {@link ToonStoreException} ({@link ErrorCode#CLOSED} after close,
         *     {@link ErrorCode#CORRUPT} for a bad record)
         * @throws IllegalStateException on the second call
         * @throws ToonStoreException {@link ErrorCode#CLOSED} after {@link #close()}
         */
        @Override
        public Iterator<Row> iterator() {
            if (closed) {
                throw new ToonStoreException(ErrorCode.CLOSED, "the scan is closed");
            }
            if (iterated) {
                throw new IllegalStateException("a ToonStore.Scan can be iterated only once");
            }
            iterated = true;
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return advance();
                }

                @Override
                public Row next() {
                    if (!advance()) {
                        throw new NoSuchElementException();
                    }
                    return take();
                }
            };
        }

        /**
         * The rows as a stream, which closes this scan when closed.
         *
         * @return a sequential, ordered stream
         * @throws IllegalStateException if the scan was already iterated
         */
        public Stream<Row> stream() {
            Spliterator<Row> split = Spliterators.spliteratorUnknownSize(iterator(),
                    Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.DISTINCT);
            return StreamSupport.stream(split, false).onClose(this::close);
        }

        /** True when a row is buffered, fetching a block when needed. */
        private boolean advance() {
            if (closed) {
                throw new ToonStoreException(ErrorCode.CLOSED, "the scan is closed");
            }
            if (rowsLeft > 0) {
                return true;
            }
            if (ended) {
                return false;
            }
            if (block == null) {
                block = new byte[FIRST_BLOCK_BYTES];
            } else if (block.length < BLOCK_BYTES) {
                // The previous block was used up and more rows may follow.
                block = new byte[BLOCK_BYTES];
            }
            while (true) {
                int n = nNext(handle, block);
                if (n >= 0) {
                    rowsLeft = n;
                    at = 0;
                    ended = n == 0;
                    return n > 0;
                }
                // A row larger than the block: grow it to fit (-n bytes).
                block = new byte[-n];
            }
        }

        /** The next buffered row (block layout: id i64, length i32, bytes; little-endian). */
        private Row take() {
            long id = (long) ID.get(block, at);
            int len = (int) LENGTH.get(block, at + 8);
            byte[] data = Arrays.copyOfRange(block, at + 12, at + 12 + len);
            at += 12 + len;
            rowsLeft--;
            return new Row(id, data);
        }

        /** Releases the scan's snapshot; idempotent. Iterating afterwards throws {@link ErrorCode#CLOSED}. */
        @Override
        public void close() {
            closed = true;
            nClose(handle);
        }

        private native int nNext(long h, byte[] block);

        private native void nClose(long h);

        private static native void nFree(long h);
    }

    /**
     * An immutable view of the database as of one moment: later puts and
     * deletes do not change what it returns. May be shared between threads.
     * Close it (try-with-resources): it keeps the segments it reads alive.
     */
    public static final class Snapshot implements AutoCloseable {
        static {
            NativeLibrary.load();
        }

        private final long handle;

        Snapshot(long handle) {
            this.handle = handle;
            CLEANER.register(this, new FreeSnapshot(handle));
        }

        private record FreeSnapshot(long handle) implements Runnable {
            @Override
            public void run() {
                nFree(handle);
            }
        }

        /**
         * A copy of the row's bytes as of the snapshot's moment.
         *
         * @param rowId the row's id
         * @return the bytes, or null when the row was absent at that moment
         * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} for a
         *     negative id, {@link ErrorCode#CORRUPT}, {@link ErrorCode#CLOSED}
         */
        public byte[] get(long rowId) {
            return nGet(handle, rowId);
        }

        /**
         * Whether the row was live at the snapshot's moment.
         *
         * @param rowId the row's id
         * @return true when {@link #get(long)} returns bytes
         * @throws ToonStoreException as {@link #get(long)}
         */
        public boolean contains(long rowId) {
            return nContains(handle, rowId);
        }

        /**
         * Ids at or above this were not assigned when the snapshot was taken.
         *
         * @return the next row id of the snapshot's moment
         * @throws ToonStoreException {@link ErrorCode#CLOSED}
         */
        public long endId() {
            return nEndId(handle);
        }

        /**
         * The snapshot's live rows, in id order.
         *
         * @return a scan (close it)
         * @throws ToonStoreException {@link ErrorCode#CLOSED}
         */
        public Scan scan() {
            return new Scan(nScan(handle, 0));
        }

        /**
         * The snapshot's live rows with id {@code >= fromRowId}, in id order.
         *
         * @param fromRowId the first id to return (when live)
         * @return a scan (close it)
         * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} for a
         *     negative id, {@link ErrorCode#CLOSED}
         */
        public Scan scan(long fromRowId) {
            return new Scan(nScan(handle, fromRowId));
        }

        /**
         * The snapshot's live rows with {@code startRowId <= id < stopRowId},
         * ascending or, when {@code reverse}, from the highest id down. Since 1.2.
         *
         * @param startRowId the lowest id to return (when live)
         * @param stopRowId the first id not returned; {@link ToonStore#SCAN_END} for no bound
         * @param reverse whether to walk from the highest id down
         * @return a scan (close it)
         * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} for a
         *     negative bound or {@code stopRowId < startRowId}, {@link ErrorCode#CLOSED}
         */
        public Scan scanRange(long startRowId, long stopRowId, boolean reverse) {
            return new Scan(nScanRange(handle, startRowId, stopRowId, reverse));
        }

        /**
         * The snapshot's live rows as a stream that must be closed.
         *
         * @return the stream; closing it closes its scan
         * @throws ToonStoreException {@link ErrorCode#CLOSED}
         */
        public Stream<Row> stream() {
            return scan().stream();
        }

        /** Releases the snapshot; idempotent. Scans taken from it keep working until closed. */
        @Override
        public void close() {
            nClose(handle);
        }

        private native byte[] nGet(long h, long rowId);

        private native boolean nContains(long h, long rowId);

        private native long nEndId(long h);

        private native long nScan(long h, long from);

        private native long nScanRange(long h, long start, long stop, boolean reverse);

        private native void nClose(long h);

        private static native void nFree(long h);
    }

    /**
     * Puts and deletes that {@link ToonStore#write(Batch)} commits together
     * or not at all. Not tied to a database; reusable after a commit (which
     * empties it) or {@link #clear()}. One thread at a time. Close it to
     * release its memory at once.
     */
    public static final class Batch implements AutoCloseable {
        static {
            NativeLibrary.load();
        }

        final long handle;

        /** An empty batch. */
        public Batch() {
            this.handle = nNew();
            CLEANER.register(this, new FreeBatch(handle));
        }

        private record FreeBatch(long handle) implements Runnable {
            @Override
            public void run() {
                nFree(handle);
            }
        }

        /**
         * Adds a put of {@code data} (copied).
         *
         * @param data the row's bytes
         * @return this
         * @throws ToonStoreException {@link ErrorCode#CLOSED}
         * @throws NullPointerException if {@code data} is null
         */
        public Batch put(byte[] data) {
            Objects.requireNonNull(data, "data");
            nPut(handle, data, 0, data.length);
            return this;
        }

        /**
         * Adds a put of the bytes between the buffer's position and limit
         * (copied; the buffer is not changed).
         *
         * @param data the row's bytes
         * @return this
         * @throws ToonStoreException {@link ErrorCode#CLOSED}
         * @throws NullPointerException if {@code data} is null
         */
        public Batch put(ByteBuffer data) {
            Objects.requireNonNull(data, "data");
            int pos = data.position();
            int len = data.remaining();
            if (data.isDirect()) {
                nPutDirect(handle, data, pos, len);
            } else if (data.hasArray()) {
                nPut(handle, data.array(), data.arrayOffset() + pos, len);
            } else {
                byte[] copy = new byte[len];
                data.duplicate().get(copy);
                nPut(handle, copy, 0, len);
            }
            return this;
        }

        /**
         * Adds a delete of row {@code rowId}; the whole batch fails with
         * {@link ErrorCode#NOT_FOUND} at commit if that row is absent then.
         *
         * @param rowId the row's id
         * @return this
         * @throws ToonStoreException {@link ErrorCode#INVALID_ARG} for a
         *     negative id, {@link ErrorCode#CLOSED}
         */
        public Batch delete(long rowId) {
            if (rowId < 0) {
                throw new ToonStoreException(ErrorCode.INVALID_ARG, "row id must be >= 0, got " + rowId);
            }
            nDelete(handle, rowId);
            return this;
        }

        /**
         * Number of operations.
         *
         * @return puts plus deletes added since the last commit or clear
         * @throws ToonStoreException {@link ErrorCode#CLOSED}
         */
        public int size() {
            return nSize(handle);
        }

        /**
         * Whether the batch has no operations.
         *
         * @return true when empty
         * @throws ToonStoreException {@link ErrorCode#CLOSED}
         */
        public boolean isEmpty() {
            return size() == 0;
        }

        /**
         * Removes every operation.
         *
         * @throws ToonStoreException {@link ErrorCode#CLOSED}
         */
        public void clear() {
            nClear(handle);
        }

        /** Discards the operations and releases the memory; idempotent. */
        @Override
        public void close() {
            nClose(handle);
        }

        private static native long nNew();

        private native void nPut(long h, byte[] data, int off, int len);

        private native void nPutDirect(long h, ByteBuffer data, int pos, int len);

        private native void nDelete(long h, long rowId);

        private native int nSize(long h);

        private native void nClear(long h);

        private native void nClose(long h);

        private static native void nFree(long h);
    }

    // ------------------------------------------------------------------
    // Natives (bindings/java/native/src/db.rs). Instance methods, so that
    // this object stays reachable (and its handle unfreed) during each call.
    // ------------------------------------------------------------------

    private static native long nOpen(String path, int durability, boolean readOnly,
            boolean createIfMissing, boolean verifyChecksums, long syncIntervalMillis,
            long maxValueSize, long segmentSize);

    private static native void nFree(long h);

    private static native String nVersion();

    private native void nClose(long h);

    private native long nPut(long h, byte[] data, int off, int len, int durability);

    private native long nPutDirect(long h, ByteBuffer data, int pos, int len, int durability);

    private native byte[] nGet(long h, long rowId);

    private native int nGetInto(long h, long rowId, long address, int capacity);

    private static native long nAddress(ByteBuffer direct);

    private native boolean nContains(long h, long rowId);

    private native boolean nDelete(long h, long rowId);

    private native long[] nWrite(long h, Batch batch, long batchHandle);

    private native long nSnapshot(long h);

    private native long nScan(long h, long from);

    private native long nScanRange(long h, long start, long stop, boolean reverse);

    private native void nSync(long h);

    private native void nCompact(long h);

    private native void nBackup(long h, String dest);

    private native void nRefresh(long h);

    private native long[] nStats(long h);
}
