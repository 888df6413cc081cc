using System;
using System.Collections;
using System.Collections.Generic;

namespace ToonStore
{
    /// <summary>
    /// A scan in progress over a native iterator (toonstore_scan_from or a snapshot's scan).
    /// Dispose releases the iterator (foreach does it); a forgotten one is released by its
    /// finalizer. The iterator reads a snapshot and keeps working after the database or
    /// snapshot it came from is disposed. One thread at a time.
    /// </summary>
    public sealed unsafe class ScanEnumerator : IEnumerator<ValueTuple<long, byte[]>>
    {
        private readonly IterHandle _iter;
        private ValueTuple<long, byte[]> _current;
        private bool _ended;

        internal ScanEnumerator(IterHandle iter) { _iter = iter; }

        /// <summary>The row of the last successful MoveNext.</summary>
        public ValueTuple<long, byte[]> Current { get { return _current; } }

        object IEnumerator.Current { get { return _current; } }

        /// <summary>Advances to the next row: false at the end (and on every later call).</summary>
        /// <exception cref="ToonStoreException">Corrupt, Io, ... (the iterator then moves past the failed row).</exception>
        /// <exception cref="ObjectDisposedException">The enumerator was disposed.</exception>
        public bool MoveNext()
        {
            if (_ended && !_iter.IsClosed) return false;
            IntPtr it = _iter.Enter("ScanEnumerator");
            long id = 0;
            byte* data = null;
            UIntPtr len = UIntPtr.Zero;
            int rc;
            byte[] copy = null;
            try
            {
                rc = Native.toonstore_iter_next(it, &id, &data, &len);
                if (rc == 1)
                {
                    // The row is borrowed until the next call: copy it now.
                    int n = checked((int)len.ToUInt64());
                    copy = new byte[n];
                    if (n > 0)
                    {
                        fixed (byte* dst = copy)
                        {
                            Buffer.MemoryCopy(data, dst, n, n);
                        }
                    }
                }
            }
            finally
            {
                _iter.Exit();
            }
            if (rc == 1)
            {
                _current = (id, copy);
                return true;
            }
            if (rc == 0)
            {
                _ended = true;
                return false;
            }
            throw ToonStoreException.FromLastError(rc);
        }

        /// <summary>Not supported: start a new scan instead.</summary>
        public void Reset() { throw new NotSupportedException("start a new scan"); }

        /// <summary>Releases the native iterator. Idempotent.</summary>
        public void Dispose() { _iter.Dispose(); }
    }

    /// <summary>
    /// A consistent read-only view of the database as of <see cref="ToonStoreDb.OpenSnapshot"/>.
    /// Thread-safe; keeps working after the database is disposed. Dispose releases it.
    /// </summary>
    public sealed unsafe class Snapshot : IDisposable
    {
        private readonly SnapshotHandle _snap;

        internal Snapshot(SnapshotHandle snap) { _snap = snap; }

        /// <summary>The row's bytes as of the snapshot, or null when absent then.</summary>
        public byte[] Get(long rowId)
        {
            IntPtr s = _snap.Enter("Snapshot");
            byte* data = null;
            UIntPtr len = UIntPtr.Zero;
            int rc;
            byte[] copy = null;
            try
            {
                rc = Native.toonstore_snapshot_get(s, rowId, &data, &len);
                if (rc == Native.Ok)
                {
                    int n = checked((int)len.ToUInt64());
                    copy = new byte[n];
                    if (n > 0)
                    {
                        fixed (byte* dst = copy)
                        {
                            Buffer.MemoryCopy(data, dst, n, n);
                        }
                    }
                }
            }
            finally
            {
                _snap.Exit();
            }
            if (rc == Native.Ok) return copy;
            if (rc == (int)ErrorCode.NotFound) return null;
            throw ToonStoreException.FromLastError(rc);
        }

        /// <summary>The snapshot's live rows with id &gt;= <paramref name="fromRowId"/>, in id order.</summary>
        public IEnumerable<(long RowId, byte[] Data)> Scan(long fromRowId = 0)
        {
            if (_snap.IsClosed) throw new ObjectDisposedException("Snapshot");
            return new Enumerable(this, fromRowId);
        }

        /// <summary>Opens a native iterator over the snapshot now.</summary>
        public ScanEnumerator OpenScan(long fromRowId = 0)
        {
            IntPtr s = _snap.Enter("Snapshot");
            var it = new IterHandle();
            try
            {
                IntPtr p = Native.toonstore_snapshot_scan(s, fromRowId);
                if (p == IntPtr.Zero) throw ToonStoreException.FromLastError(Native.toonstore_last_error_code());
                it.Set(p);
            }
            finally
            {
                _snap.Exit();
            }
            return new ScanEnumerator(it);
        }

        /// <summary>The snapshot's live rows with <paramref name="startRowId"/> &lt;= id &lt;
        /// <paramref name="stopRowId"/>, ascending or, when <paramref name="reverse"/>, from the
        /// highest id down (as <see cref="ToonStoreDb.ScanRange"/>). Since 1.2.</summary>
        public IEnumerable<(long RowId, byte[] Data)> ScanRange(long startRowId, long stopRowId = ToonStoreDb.ScanEnd, bool reverse = false)
        {
            if (_snap.IsClosed) throw new ObjectDisposedException("Snapshot");
            return new ToonStoreDb.LazyScan(() => OpenScanRange(startRowId, stopRowId, reverse));
        }

        /// <summary>Opens a native range iterator over the snapshot now.</summary>
        public ScanEnumerator OpenScanRange(long startRowId, long stopRowId = ToonStoreDb.ScanEnd, bool reverse = false)
        {
            IntPtr s = _snap.Enter("Snapshot");
            var it = new IterHandle();
            try
            {
                IntPtr p = IntPtr.Zero;
                int rc = Native.toonstore_snapshot_scan_range(s, startRowId, stopRowId, reverse ? Native.ScanReverse : 0u, &p);
                if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
                it.Set(p);
            }
            finally
            {
                _snap.Exit();
            }
            return new ScanEnumerator(it);
        }

        /// <summary>Releases the snapshot. Idempotent.</summary>
        public void Dispose() { _snap.Dispose(); }

        private sealed class Enumerable : IEnumerable<ValueTuple<long, byte[]>>
        {
            private readonly Snapshot _s;
            private readonly long _from;
            internal Enumerable(Snapshot s, long from) { _s = s; _from = from; }
            public IEnumerator<ValueTuple<long, byte[]>> GetEnumerator() { return _s.OpenScan(_from); }
            IEnumerator IEnumerable.GetEnumerator() { return GetEnumerator(); }
        }
    }

    /// <summary>
    /// Puts and deletes committed atomically by <see cref="ToonStoreDb.Write"/>. Not tied to a
    /// database; one thread at a time. Dispose releases it.
    /// </summary>
    public sealed unsafe class WriteBatch : IDisposable
    {
        internal readonly BatchHandle Handle = new BatchHandle();
        private int _puts;
        private int _count;

        /// <summary>A new, empty batch.</summary>
        public WriteBatch()
        {
            IntPtr p = Native.toonstore_batch_new();
            if (p == IntPtr.Zero) throw ToonStoreException.FromLastError((int)ErrorCode.NoMem);
            Handle.Set(p);
        }

        /// <summary>Operations in the batch.</summary>
        public int Count { get { return _count; } }

        /// <summary>Puts in the batch (they get consecutive ids at commit).</summary>
        public int PutCount { get { return _puts; } }

        /// <summary>Adds a put of a copy of <paramref name="data"/>.</summary>
        public WriteBatch Put(ReadOnlySpan<byte> data)
        {
            IntPtr b = Handle.Enter("WriteBatch");
            int rc;
            try
            {
                fixed (byte* p = data)
                {
                    rc = Native.toonstore_batch_put(b, p, (UIntPtr)data.Length);
                }
            }
            finally
            {
                Handle.Exit();
            }
            if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
            _puts++;
            _count++;
            return this;
        }

        /// <summary>Adds a put of a copy of <paramref name="data"/>.</summary>
        public WriteBatch Put(byte[] data)
        {
            if (data == null) throw new ArgumentNullException("data");
            return Put(new ReadOnlySpan<byte>(data));
        }

        /// <summary>Adds a delete of <paramref name="rowId"/> (the commit fails with NotFound if that row is absent then).</summary>
        public WriteBatch Delete(long rowId)
        {
            IntPtr b = Handle.Enter("WriteBatch");
            int rc;
            try
            {
                rc = Native.toonstore_batch_delete(b, rowId);
            }
            finally
            {
                Handle.Exit();
            }
            if (rc != Native.Ok) throw ToonStoreException.FromLastError(rc);
            _count++;
            return this;
        }

        /// <summary>Removes every operation.</summary>
        public void Clear()
        {
            Handle.Enter("WriteBatch");
            try
            {
                Native.toonstore_batch_clear(Handle.DangerousGetHandle());
            }
            finally
            {
                Handle.Exit();
            }
            Committed();
        }

        internal void Committed()
        {
            _puts = 0;
            _count = 0;
        }

        /// <summary>Releases the batch (uncommitted operations are discarded). Idempotent.</summary>
        public void Dispose() { Handle.Dispose(); }
    }
}
