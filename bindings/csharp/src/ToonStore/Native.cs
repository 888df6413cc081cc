// The C ABI of include/toonstore.h as P/Invoke declarations.
//
// Invariants:
// - Every signature is blittable (pointers, IntPtr/UIntPtr, fixed-size
//   integers, blittable structs): no marshalling stubs, no string or array
//   marshalling, no SetLastError. Strings go in as NUL-terminated UTF-8
//   bytes the caller pins, and come out as `byte*` read by Utf8.
// - `size_t` is UIntPtr (the same width as the C type on every platform).
// - Handles are passed as IntPtr taken from a SafeHandle that the caller
//   holds a reference on (DangerousAddRef) for the duration of the call, so
//   a concurrent Dispose can never free a handle that a call is using.
// - DllImport (not the LibraryImport source generator) so that the same code
//   builds with Mono's mcs and the .NET SDK.
using System;
using System.Runtime.InteropServices;
using System.Security;
using System.Text;

namespace ToonStore
{
    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeOpenOptions
    {
        public uint Version;
        public uint Durability;
        public uint ReadOnly;
        public uint CreateIfMissing;
        public uint VerifyChecksums;
        public uint SyncIntervalMs;
        public ulong MaxValueSize;
        public ulong SegmentSize;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeStats
    {
        public uint Version;
        public uint Reserved;
        public ulong LiveRows;
        public ulong DeletedRows;
        public ulong NextRowId;
        public ulong LiveBytes;
        public ulong DiskBytes;
        public ulong SegmentCount;
        public double GarbageFraction;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct NativeCheckReport
    {
        public uint Version;
        public uint HasCheckpoint;
        public ulong Segments;
        public ulong Records;
        public ulong LiveRows;
        public fixed byte FirstProblem[512];
    }

    [SuppressUnmanagedCodeSecurity]
    internal static unsafe class Native
    {
        /// <summary>The library name: libtoonstore.so / libtoonstore.dylib / toonstore.dll.</summary>
        internal const string Lib = "toonstore";

        internal const int Ok = 0;
        internal const uint OpenOptionsVersion = 1;
        internal const uint StatsVersion = 1;
        internal const uint CheckReportVersion = 1;
        internal const uint DurabilityDefault = 0xFFFFFFFF;

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern byte* toonstore_version();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern byte* toonstore_last_error();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_last_error_code();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern byte* toonstore_strerror(int code);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern byte* toonstore_error_name(int code);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_open_options_init(NativeOpenOptions* opts, uint version);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_open_with(byte* path, NativeOpenOptions* opts, IntPtr* outDb);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_close_checked(IntPtr db);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern long toonstore_put(IntPtr db, byte* data, UIntPtr len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_put_with(IntPtr db, byte* data, UIntPtr len, uint durability, long* outRowId);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_get(IntPtr db, long rowId, byte** data, UIntPtr* len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_get_into(IntPtr db, long rowId, byte* buf, UIntPtr cap, UIntPtr* outLen);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_contains(IntPtr db, long rowId);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_delete(IntPtr db, long rowId);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void toonstore_free_buffer(byte* data);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_sync(IntPtr db);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_compact(IntPtr db);

        // 1.2 (function table version 3).
        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_backup(IntPtr db, byte* destPath);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_refresh(IntPtr db);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_stats(IntPtr db, NativeStats* stats);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_check(byte* path, NativeCheckReport* report);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr toonstore_scan_from(IntPtr db, long startRowId);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_scan_range(IntPtr db, long start, long stop, uint flags, IntPtr* outIter);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_snapshot_scan_range(IntPtr snapshot, long start, long stop, uint flags, IntPtr* outIter);

        /// <summary>TOONSTORE_SCAN_REVERSE.</summary>
        internal const uint ScanReverse = 1;

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_iter_next(IntPtr iter, long* rowId, byte** data, UIntPtr* len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void toonstore_iter_free(IntPtr iter);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr toonstore_batch_new();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_batch_put(IntPtr batch, byte* data, UIntPtr len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_batch_delete(IntPtr batch, long rowId);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void toonstore_batch_clear(IntPtr batch);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_batch_commit(IntPtr db, IntPtr batch, long* outFirstRowId);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void toonstore_batch_free(IntPtr batch);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_snapshot_open(IntPtr db, IntPtr* outSnapshot);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern int toonstore_snapshot_get(IntPtr snapshot, long rowId, byte** data, UIntPtr* len);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern IntPtr toonstore_snapshot_scan(IntPtr snapshot, long startRowId);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl, ExactSpelling = true)]
        internal static extern void toonstore_snapshot_free(IntPtr snapshot);

        /// <summary>A NUL-terminated UTF-8 string from the library (null for NULL).</summary>
        internal static string Utf8(byte* s)
        {
            if (s == null) return null;
            int n = 0;
            while (s[n] != 0) n++;
            return Encoding.UTF8.GetString(s, n);
        }

        /// <summary>`text` as NUL-terminated UTF-8 (for paths).</summary>
        internal static byte[] CString(string text)
        {
            if (text == null) throw new ArgumentNullException("path");
            if (text.IndexOf('\0') >= 0) throw new ArgumentException("the path holds a NUL character", "path");
            byte[] b = new byte[Encoding.UTF8.GetByteCount(text) + 1];
            Encoding.UTF8.GetBytes(text, 0, text.Length, b, 0);
            return b;
        }
    }
}
