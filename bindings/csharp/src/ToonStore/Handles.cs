// SafeHandle subclasses for the native objects. The runtime's handle
// reference counting gives two guarantees the binding relies on:
// - a handle is released exactly once (Dispose is idempotent), by the
//   finalizer when the user forgets Dispose;
// - a handle is never released while a call holds a reference on it
//   (DangerousAddRef in NativeHandle.Enter): Dispose racing a call on another
//   thread marks the handle closed at once (later calls throw
//   ObjectDisposedException), and the release runs when that call's
//   DangerousRelease drops the last reference, never under the call.
using System;
using System.Runtime.InteropServices;

namespace ToonStore
{
    internal abstract class NativeHandle : SafeHandle
    {
        protected NativeHandle() : base(IntPtr.Zero, true) { }

        public override bool IsInvalid { get { return handle == IntPtr.Zero; } }

        internal void Set(IntPtr p) { SetHandle(p); }

        /// <summary>
        /// Takes a reference for one native call; throws ObjectDisposedException
        /// when the handle is closed. Pair with Exit in a finally block.
        /// </summary>
        internal IntPtr Enter(string owner)
        {
            bool added = false;
            try
            {
                DangerousAddRef(ref added);
            }
            catch (ObjectDisposedException)
            {
                throw new ObjectDisposedException(owner);
            }
            return handle;
        }

        internal void Exit() { DangerousRelease(); }
    }

    /// <summary>A ToonStore* from toonstore_open_with; released with toonstore_close_checked.</summary>
    internal sealed class DbHandle : NativeHandle
    {
        /// <summary>The result of the final flush at release (0: ok).</summary>
        internal int CloseResult;

        protected override bool ReleaseHandle()
        {
            CloseResult = Native.toonstore_close_checked(handle);
            return true; // the handle is released either way (header contract)
        }
    }

    /// <summary>A ToonStoreIter*; released with toonstore_iter_free.</summary>
    internal sealed class IterHandle : NativeHandle
    {
        protected override bool ReleaseHandle()
        {
            Native.toonstore_iter_free(handle);
            return true;
        }
    }

    /// <summary>A ToonStoreBatch*; released with toonstore_batch_free.</summary>
    internal sealed class BatchHandle : NativeHandle
    {
        protected override bool ReleaseHandle()
        {
            Native.toonstore_batch_free(handle);
            return true;
        }
    }

    /// <summary>A ToonStoreSnapshot*; released with toonstore_snapshot_free.</summary>
    internal sealed class SnapshotHandle : NativeHandle
    {
        protected override bool ReleaseHandle()
        {
            Native.toonstore_snapshot_free(handle);
            return true;
        }
    }
}
