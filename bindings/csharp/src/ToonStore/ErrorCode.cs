using System;

namespace ToonStore
{
    /// <summary>
    /// The error codes of the C ABI (<c>TOONSTORE_ERR_*</c> in include/toonstore.h);
    /// each value is the C code. <see cref="ToonStoreException.ErrorName"/> gives the C name.
    /// </summary>
    public enum ErrorCode
    {
        /// <summary>TOONSTORE_ERR_INVALID_ARG: an invalid argument (negative row id, bad option).</summary>
        InvalidArg = -1,
        /// <summary>TOONSTORE_ERR_NOT_FOUND: the row id was never assigned, or the row was deleted.</summary>
        NotFound = -2,
        /// <summary>TOONSTORE_ERR_IO: the operating system reported an I/O error.</summary>
        Io = -3,
        /// <summary>TOONSTORE_ERR_CORRUPT: a file failed a checksum or structural check.</summary>
        Corrupt = -4,
        /// <summary>TOONSTORE_ERR_LOCKED: another process has the database open for writing.</summary>
        Locked = -5,
        /// <summary>TOONSTORE_ERR_TOO_LARGE: a value or batch exceeds the configured or format limit.</summary>
        TooLarge = -6,
        /// <summary>TOONSTORE_ERR_READ_ONLY: a write on a read-only handle.</summary>
        ReadOnly = -7,
        /// <summary>TOONSTORE_ERR_VERSION: a format or struct version this library does not know.</summary>
        Version = -8,
        /// <summary>TOONSTORE_ERR_NOMEM: memory could not be allocated.</summary>
        NoMem = -9,
        /// <summary>TOONSTORE_ERR_INTERNAL: a bug in the library (a caught panic).</summary>
        Internal = -10,
        /// <summary>TOONSTORE_ERR_CLOSED: the native handle was closed.</summary>
        Closed = -11,
        /// <summary>TOONSTORE_ERR_BUFFER_TOO_SMALL (handled inside the binding; never thrown by it).</summary>
        BufferTooSmall = -12,
        /// <summary>TOONSTORE_ERR_POISONED: an earlier fsync failed; reopen the database.</summary>
        Poisoned = -13,
        /// <summary>TOONSTORE_ERR_FORKED: the handle was inherited by a forked child process.</summary>
        Forked = -14,
    }

    /// <summary>C names of the error codes.</summary>
    public static class ErrorNames
    {
        /// <summary>
        /// The C name of <paramref name="code"/>, e.g. "TOONSTORE_ERR_LOCKED", from the
        /// library (toonstore_error_name, a static string): the one table of names.
        /// </summary>
        public static unsafe string Of(int code) { return Native.Utf8(Native.toonstore_error_name(code)); }

        /// <summary>The C name of <paramref name="code"/>.</summary>
        public static string Of(ErrorCode code) { return Of((int)code); }
    }

    /// <summary>
    /// An error reported by the engine: <see cref="Code"/>, the C name in
    /// <see cref="ErrorName"/> and the engine's message (the message of the
    /// failing call on the calling thread).
    /// </summary>
    public class ToonStoreException : Exception
    {
        /// <summary>The error code (its value is the C code).</summary>
        public ErrorCode Code { get; private set; }

        /// <summary>The C name of the code, e.g. "TOONSTORE_ERR_LOCKED".</summary>
        public string ErrorName { get; private set; }

        /// <summary>The engine's message alone (without the C name).</summary>
        public string EngineMessage { get; private set; }

        /// <summary>An exception for <paramref name="code"/> with the engine's <paramref name="engineMessage"/>.</summary>
        public ToonStoreException(ErrorCode code, string engineMessage)
            : base(ErrorNames.Of(code) + ": " + engineMessage)
        {
            Code = code;
            ErrorName = ErrorNames.Of(code);
            EngineMessage = engineMessage;
        }

        /// <summary>
        /// The exception for a failed call that returned <paramref name="rc"/>:
        /// reads the engine's message right away, on the calling thread (the
        /// C last error is thread-local and a P/Invoke runs on the caller's thread).
        /// </summary>
        internal static unsafe ToonStoreException FromLastError(int rc)
        {
            string msg = Native.Utf8(Native.toonstore_last_error());
            if (string.IsNullOrEmpty(msg)) msg = Native.Utf8(Native.toonstore_strerror(rc)) ?? "error";
            return new ToonStoreException((ErrorCode)rc, msg);
        }
    }
}
