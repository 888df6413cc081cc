using System;
using System.Collections.Generic;

namespace ToonStore
{
    /// <summary>
    /// An open ToonStore database: an append-only row store where every row
    /// is a byte string identified by the row id the database assigned to it.
    /// Thread-safe: one instance may be shared by every thread of the process.
    /// Dispose it to release the lock and flush; a forgotten instance is
    /// closed by its finalizer.
    /// </summary>
    public sealed unsafe class ToonStoreDb : IDisposable
    {
        private const string Name = "ToonStoreDb";
        private readonly DbHandle _handle;

        // Per-thread scratch buffer for Get: one toonstore_get_into call copies
        // the row into it, then into an array of the exact length. Grows to the
        // largest row read on the thread, up to ScratchLimit.
        [ThreadStatic] private static byte[] _scratch;
        private const int ScratchInitial = 4096;
        private const int ScratchLimit = 1 << 20;

        private ToonStoreDb(DbHandle handle, string path)
        {
            _handle = handle;
            Path = path;
        }

        /// <summary>The directory the database was opened from.</summary>
        public string Path { get; private set; }

        /// <summary>True once <see cref="Dispose"/> ran.</summary>
        public bool IsDisposed { get { return _handle.IsClosed; } }

        /// <summary>The library's version string ("MAJOR.MINOR.PATCH").</summary>
        public static string LibraryVersion { get { return Native.Utf8(Native.toonstore_version()); } }

        /// <summary>Opens (creating when missing) the database in directory <paramref name="path"/> with default options.</summary>
        /// <exception cref="ToonStoreException">Locked (another process has it open), Corrupt, Io, ...</exception>
        public static ToonStoreDb Open(string path) { return Open(path, null); }

        /// <summary>Opens the database in directory <paramref name="path"/> with <paramref name="options"/> (null: defaults).</summary>
        /// <exception cref="ToonStoreException">Locked, NotFound (missing and CreateIfMissing false), Corrupt, Io, InvalidArg, Version, ...</exception>
        public static ToonStoreDb Open(string path, ToonStoreOptions options)
        {
            byte[] cpath = Native.CString(path);
            NativeOpenOptions o;
            int rc = Native.toonstore_open_options_init(&o, Native.OpenOptionsVersion);
            if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
            if (options != null)
            {
                if (options.StructVersion.HasValue) o.Version = options.StructVersion.Value;
                if (options.Durability.HasValue) o.Durability = (uint)options.Durability.Value;
                if (options.ReadOnly.HasValue) o.ReadOnly = options.ReadOnly.Value ? 1u : 0u;
                if (options.CreateIfMissing.HasValue) o.CreateIfMissing = options.CreateIfMissing.Value ? 1u : 0u;
                if (options.VerifyChecksums.HasValue) o.VerifyChecksums = options.VerifyChecksums.Value ? 1u : 0u;
                if (options.SyncIntervalMs.HasValue) o.SyncIntervalMs = options.SyncIntervalMs.Value;
                if (options.MaxValueSize.HasValue) o.MaxValueSize = options.MaxValueSize.Value;
                if (options.SegmentSize.HasValue) o.SegmentSize = options.SegmentSize.Value;
            }
            // The SafeHandle exists before the call so that no handle can leak
            // between the native open and SetHandle (no async exception window
            // that matters here: SetHandle is the next statement).
            var h = new DbHandle();
            IntPtr db = IntPtr.Zero;
            fixed (byte* p = cpath)
            {
                rc = Native.toonstore_open_with(p, &o, &db);
            }
            if (rc != Native.Ok)
            {
                var e = ToonStoreException.FromLastError(rc);
                h.SetHandleAsInvalid();
                throw e;
            }
            h.Set(db);
            return new ToonStoreDb(h, path);
        }

        /// <summary>
        /// Verifies every record and the checkpoint of the database in <paramref name="path"/>,
        /// which no process may have open for writing. Damage is a result (Healthy false);
        /// a check that cannot run throws (Locked, Io, ...).
        /// </summary>
        public static CheckReport Check(string path)
        {
            byte[] cpath = Native.CString(path);
            NativeCheckReport r = default(NativeCheckReport);
            r.Version = Native.CheckReportVersion;
            int rc;
            fixed (byte* p = cpath)
            {
                rc = Native.toonstore_check(p, &r);
            }
            if (rc != Native.Ok && rc != (int)ErrorCode.Corrupt) throw ToonStoreException.FromLastError(rc);
            return new CheckReport
            {
                Healthy = rc == Native.Ok,
                HasCheckpoint = r.HasCheckpoint != 0,
                Segments = (long)r.Segments,
                Records = (long)r.Records,
                LiveRows = (long)r.LiveRows,
                FirstProblem = Native.Utf8(r.FirstProblem) ?? "",
            };
        }

        /// <summary>Appends a row holding a copy of <paramref name="data"/> and returns its new row id (ids start at 0, increase, and are never reused).</summary>
        /// <exception cref="ToonStoreException">TooLarge, ReadOnly, Io, Poisoned, ...</exception>
        /// <exception cref="ObjectDisposedException">The database was disposed.</exception>
        public long Put(ReadOnlySpan<byte> data)
        {
            IntPtr db = _handle.Enter(Name);
            long id;
            try
            {
                fixed (byte* p = data)
                {
                    id = Native.toonstore_put(db, p, (UIntPtr)data.Length);
                }
            }
            finally
            {
                _handle.Exit();
            }
            if (id < 0) throw ToonStoreException.FromLastError((int)id);
            return id;
        }

        /// <summary>Appends a row holding a copy of <paramref name="data"/>; see <see cref="Put(ReadOnlySpan{byte})"/>.</summary>
        public long Put(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            return Put(new ReadOnlySpan<byte>(data));
        }

        /// <summary>Appends a row with the given durability for this one write.</summary>
        public long Put(ReadOnlySpan<byte> data, Durability durability)
        {
            IntPtr db = _handle.Enter(Name);
            long id = -1;
            int rc;
            try
            {
                fixed (byte* p = data)
                {
                    rc = Native.toonstore_put_with(db, p, (UIntPtr)data.Length, (uint)durability, &id);
                }
            }
            finally
            {
                _handle.Exit();
            }
            if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
            return id;
        }

        /// <summary>The row's bytes, or null when the row was never assigned or was deleted.</summary>
        /// <exception cref="ToonStoreException">InvalidArg (negative id), Corrupt, Io, ...</exception>
        public byte[] Get(long rowId)
        {
            byte[] data;
            return TryGet(rowId, out data) ? data : null;
        }

        /// <summary>Reads a row: true and its bytes, or false (and null) when absent.</summary>
        /// <exception cref="ToonStoreException">InvalidArg (negative id), Corrupt, Io, ...</exception>
        public bool TryGet(long rowId, out byte[] data)
        {
            byte[] buf = _scratch ?? (_scratch = new byte[ScratchInitial]);
            IntPtr db = _handle.Enter(Name);
            int rc;
            UIntPtr len = UIntPtr.Zero;
            try
            {
                fixed (byte* p = buf)
                {
                    rc = Native.toonstore_get_into(db, rowId, p, (UIntPtr)buf.Length, &len);
                }
                if (rc == (int)ErrorCode.BufferTooSmall)
                {
                    // Rows never change, so the size reported is final.
                    buf = new byte[checked((int)len.ToUInt64())];
                    if (buf.Length <= ScratchLimit) _scratch = buf;
                    fixed (byte* p = buf)
                    {
                        rc = Native.toonstore_get_into(db, rowId, p, (UIntPtr)buf.Length, &len);
                    }
                }
            }
            finally
            {
                _handle.Exit();
            }
            if (rc == Native.Ok)
            {
                int n = (int)len.ToUInt64();
                data = new byte[n];
                Buffer.BlockCopy(buf, 0, data, 0, n);
                return true;
            }
            if (rc == (int)ErrorCode.NotFound)
            {
                data = null;
                return false;
            }
            throw ToonStoreException.FromLastError(rc);
        }

        /// <summary>True when row <paramref name="rowId"/> is live.</summary>
        public bool Contains(long rowId)
        {
            IntPtr db = _handle.Enter(Name);
            int rc;
            try
            {
                rc = Native.toonstore_contains(db, rowId);
            }
            finally
            {
                _handle.Exit();
            }
            if (rc < 0) throw ToonStoreException.FromLastError(rc);
            return rc == 1;
        }

        /// <summary>Deletes a row: true when it was live, false when it was absent or already deleted.</summary>
        /// <exception cref="ToonStoreException">InvalidArg (negative id), ReadOnly, Io, ...</exception>
        public bool Delete(long rowId)
        {
            IntPtr db = _handle.Enter(Name);
            int rc;
            try
            {
                rc = Native.toonstore_delete(db, rowId);
            }
            finally
            {
                _handle.Exit();
            }
            if (rc == Native.Ok) return true;
            if (rc == (int)ErrorCode.NotFound) return false;
            throw ToonStoreException.FromLastError(rc);
        }

        /// <summary>
        /// The live rows with id &gt;= <paramref name="fromRowId"/> in ascending id order, as
        /// of the moment each enumeration starts (a snapshot: later writes are not seen).
        /// Each enumeration holds a native iterator, released when the enumerator is
        /// disposed (foreach does it; LINQ operators too).
        /// </summary>
        /// <exception cref="ObjectDisposedException">The database was disposed (at the call or when an enumeration starts).</exception>
        public IEnumerable<(long RowId, byte[] Data)> Scan(long fromRowId = 0)
        {
            ThrowIfDisposed();
            return new ScanEnumerable(this, fromRowId);
        }

        /// <summary>Opens a native iterator now (the enumerator behind <see cref="Scan"/>).</summary>
        public ScanEnumerator OpenScan(long fromRowId = 0)
        {
            IntPtr db = _handle.Enter(Name);
            var it = new IterHandle();
            IntPtr p;
            try
            {
                p = Native.toonstore_scan_from(db, fromRowId);
                if (p == IntPtr.Zero) throw ToonStoreException.FromLastError(Native.toonstore_last_error_code());
                it.Set(p);
            }
            finally
            {
                _handle.Exit();
            }
            return new ScanEnumerator(it);
        }

        /// <summary><see cref="ScanRange"/>'s stop for "no upper bound" (TOONSTORE_SCAN_END).</summary>
        public const long ScanEnd = long.MaxValue;

        /// <summary>
        /// The live rows with <paramref name="startRowId"/> &lt;= id &lt; <paramref name="stopRowId"/>
        /// (<see cref="ScanEnd"/>: no bound), in ascending id order or, when
        /// <paramref name="reverse"/>, from the highest id down, as of the moment each
        /// enumeration starts. The last n rows: <c>db.ScanRange(0, ToonStoreDb.ScanEnd, true).Take(n)</c>.
        /// A negative bound or a stop below the start throws <see cref="ToonStoreException"/>
        /// (<see cref="ErrorCode.InvalidArg"/>) when the enumeration starts. Since 1.2.
        /// </summary>
        /// <exception cref="ObjectDisposedException">The database was disposed.</exception>
        public IEnumerable<(long RowId, byte[] Data)> ScanRange(long startRowId, long stopRowId = ScanEnd, bool reverse = false)
        {
            ThrowIfDisposed();
            return new LazyScan(() => OpenScanRange(startRowId, stopRowId, reverse));
        }

        /// <summary>Opens a native range iterator now (the enumerator behind <see cref="ScanRange"/>).</summary>
        public ScanEnumerator OpenScanRange(long startRowId, long stopRowId = ScanEnd, bool reverse = false)
        {
            IntPtr db = _handle.Enter(Name);
            var it = new IterHandle();
            try
            {
                IntPtr p = IntPtr.Zero;
                int rc = Native.toonstore_scan_range(db, startRowId, stopRowId, reverse ? Native.ScanReverse : 0u, &p);
                if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
                it.Set(p);
            }
            finally
            {
                _handle.Exit();
            }
            return new ScanEnumerator(it);
        }

        /// <summary>Commits <paramref name="batch"/> atomically: all of its puts and deletes, or none.
        /// Returns the id of its first put (the puts get consecutive ids in order), or -1 when it has
        /// no put. On success the batch is cleared for reuse; on failure it is unchanged and nothing
        /// was written (a delete of an absent row fails the whole batch with NotFound).</summary>
        public long Write(WriteBatch batch)
        {
            if (batch == null) throw new ArgumentNullException("batch");
            IntPtr db = _handle.Enter(Name);
            long first = -1;
            int rc;
            try
            {
                IntPtr b = batch.Handle.Enter("WriteBatch");
                try
                {
                    rc = Native.toonstore_batch_commit(db, b, &first);
                }
                finally
                {
                    batch.Handle.Exit();
                }
            }
            finally
            {
                _handle.Exit();
            }
            if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
            batch.Committed();
            return first;
        }

        /// <summary>A read-only view of the database as of now.</summary>
        public Snapshot OpenSnapshot()
        {
            IntPtr db = _handle.Enter(Name);
            var s = new SnapshotHandle();
            int rc;
            try
            {
                IntPtr p = IntPtr.Zero;
                rc = Native.toonstore_snapshot_open(db, &p);
                if (rc == Native.Ok) s.Set(p);
            }
            finally
            {
                _handle.Exit();
            }
            if (rc != Native.Ok)
            {
                s.SetHandleAsInvalid();
                throw ToonStoreException.FromLastError(rc);
            }
            return new Snapshot(s);
        }

        /// <summary>Makes every acknowledged write durable (fsync).</summary>
        public void Sync() { Call(Native.toonstore_sync, "Sync"); }

        /// <summary>Rewrites segments holding deleted rows to reclaim space; ids do not change.</summary>
        public void Compact() { Call(Native.toonstore_compact, "Compact"); }

        /// <summary>
        /// Writes a complete, consistent copy of the database as of one moment into the directory
        /// <paramref name="dest"/> while other threads and processes keep writing (an online backup).
        /// <paramref name="dest"/> must not exist, or be an empty directory; the copy appears there in
        /// one rename, so a backup that fails or is killed midway leaves nothing at it. The copy opens
        /// on its own with every row of that moment under the same ids. On a read-only handle the copy
        /// is of that handle's state (as of its open or its last <see cref="Refresh"/>).
        /// </summary>
        /// <exception cref="ToonStoreException">InvalidArg (<paramref name="dest"/> exists and is not an
        /// empty directory, or is this database), Io (it cannot be written; nothing is left).</exception>
        /// <exception cref="ArgumentNullException"><paramref name="dest"/> is null.</exception>
        /// <exception cref="ObjectDisposedException">The database was disposed.</exception>
        public void Backup(string dest)
        {
            if (dest == null) throw new ArgumentNullException("dest");
            byte[] cdest = Native.CString(dest);
            IntPtr db = _handle.Enter(Name);
            int rc;
            try
            {
                fixed (byte* p = cdest)
                {
                    rc = Native.toonstore_backup(db, p);
                }
            }
            finally
            {
                _handle.Exit();
            }
            if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
        }

        /// <summary>
        /// Moves a read-only handle to the writer's latest acknowledged state: afterwards it sees every
        /// row whose put had returned in the writing process (in any durability mode) before the call.
        /// A read-only open sees the database as of its open until it is refreshed; snapshots and scans
        /// taken before keep their state. On a writable handle, and on a read-only handle sharing a
        /// database open for writing in this process (both always current), it does nothing.
        /// </summary>
        /// <exception cref="ToonStoreException">Those of a read-only open (Io, Corrupt, Locked when a
        /// writer kept replacing the files); the handle keeps its state.</exception>
        /// <exception cref="ObjectDisposedException">The database was disposed.</exception>
        public void Refresh() { Call(Native.toonstore_refresh, "Refresh"); }

        /// <summary>Row counts and space.</summary>
        public ToonStoreStats Stats()
        {
            NativeStats s = default(NativeStats);
            s.Version = Native.StatsVersion;
            IntPtr db = _handle.Enter(Name);
            int rc;
            try
            {
                rc = Native.toonstore_stats(db, &s);
            }
            finally
            {
                _handle.Exit();
            }
            if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
            return new ToonStoreStats
            {
                LiveRows = (long)s.LiveRows,
                DeletedRows = (long)s.DeletedRows,
                NextRowId = (long)s.NextRowId,
                LiveBytes = (long)s.LiveBytes,
                DiskBytes = (long)s.DiskBytes,
                SegmentCount = (long)s.SegmentCount,
                GarbageFraction = s.GarbageFraction,
            };
        }

        /// <summary>
        /// Closes the database: flushes acknowledged writes, releases the lock. Idempotent.
        /// Later calls throw ObjectDisposedException. A call still running on another
        /// thread finishes normally, and the native close then runs when it returns
        /// (never under it). A failure of the final flush is not thrown here; use
        /// <see cref="Close"/> to see it.
        /// </summary>
        public void Dispose()
        {
            _handle.Dispose();
        }

        /// <summary>
        /// Like <see cref="Dispose"/>, and throws when the final flush failed. A second Close
        /// does nothing. When a call is still running on another thread, the native close
        /// runs as that call returns and its result cannot be reported here: call Close when
        /// no other thread uses the database.
        /// </summary>
        public void Close()
        {
            if (_handle.IsClosed) return;
            _handle.Dispose();
            if (_handle.CloseResult != Native.Ok) throw ToonStoreException.FromLastError(_handle.CloseResult);
        }

        private void ThrowIfDisposed()
        {
            if (_handle.IsClosed) throw new ObjectDisposedException(Name);
        }

        private void Call(Func<IntPtr, int> call, string what)
        {
            IntPtr db = _handle.Enter(Name);
            int rc;
            try
            {
                rc = call(db);
            }
            finally
            {
                _handle.Exit();
            }
            if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
        }

        /// <summary>An enumerable whose every enumeration opens a new scan.</summary>
        internal sealed class LazyScan : IEnumerable<ValueTuple<long, byte[]>>
        {
            private readonly Func<ScanEnumerator> _open;

            internal LazyScan(Func<ScanEnumerator> open) { _open = open; }

            public IEnumerator<ValueTuple<long, byte[]>> GetEnumerator() { return _open(); }

            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() { return GetEnumerator(); }
        }

        private sealed class ScanEnumerable : IEnumerable<ValueTuple<long, byte[]>>
        {
            private readonly ToonStoreDb _db;
            private readonly long _from;

            internal ScanEnumerable(ToonStoreDb db, long from)
            {
                _db = db;
                _from = from;
            }

            public IEnumerator<ValueTuple<long, byte[]>> GetEnumerator() { return _db.OpenScan(_from); }

            System.Collections.IEnumerator System.Collections.IEnumerable.GetEnumerator() { return GetEnumerator(); }
        }
    }
}
