//! The one error type of the crate.
//!
//! Every failure is an [`Error`] with an [`ErrorKind`]; each kind maps one to
//! one onto a `TOONSTORE_ERR_*` code of the C API (see [`ErrorKind::code`]),
//! so the C layer, the Rust API and every binding agree on what went wrong.

use std::fmt;
use std::io;
use std::path::Path;

/// The one table of error codes: for each kind, its `ErrorKind` variant and
/// doc, its C code, its C constant's name and its `toonstore_strerror` text.
/// Everything else is derived from it: the enum, [`ErrorKind::code`],
/// [`ErrorKind::from_code`], [`ErrorKind::describe`], [`ErrorKind::name`],
/// [`ErrorKind::ALL`], the C API's `toonstore_strerror` and
/// `toonstore_error_name`, and a compile-time check that each
/// `TOONSTORE_ERR_*` constant of `src/ffi/mod.rs` (which cbindgen copies into
/// the header and so must be written out) has the table's value.
///
/// Codes are part of the stable C ABI: a released code never changes its
/// value or meaning; new kinds are appended with the next code.
///
/// `error_table!(callback)` expands to `callback! { rows }`.
macro_rules! error_table {
    ($callback:ident) => {
        $callback! {
            /// An argument was invalid (null pointer, negative row id, bad option).
            InvalidArgument = -1, TOONSTORE_ERR_INVALID_ARG, "invalid argument";
            /// The row id was never assigned, or the row was deleted.
            NotFound = -2, TOONSTORE_ERR_NOT_FOUND, "row not found";
            /// The operating system reported an I/O error.
            Io = -3, TOONSTORE_ERR_IO, "I/O error";
            /// A file of the database failed a checksum or structural check.
            Corrupt = -4, TOONSTORE_ERR_CORRUPT, "database file is corrupt";
            /// Another process (or handle) holds the database's lock.
            Locked = -5, TOONSTORE_ERR_LOCKED, "database is locked by another process";
            /// A value or batch exceeds the configured or format limit.
            TooLarge = -6, TOONSTORE_ERR_TOO_LARGE, "value or batch too large";
            /// A write was attempted on a read-only handle.
            ReadOnly = -7, TOONSTORE_ERR_READ_ONLY, "database is open read-only";
            /// A format, struct or interface version this library does not know.
            Version = -8, TOONSTORE_ERR_VERSION, "unsupported version";
            /// Memory could not be allocated.
            NoMemory = -9, TOONSTORE_ERR_NOMEM, "out of memory";
            /// A bug in the library (a caught panic, a broken invariant).
            Internal = -10, TOONSTORE_ERR_INTERNAL, "internal error";
            /// The handle was closed, or is not a live handle.
            Closed = -11, TOONSTORE_ERR_CLOSED, "handle is closed";
            /// A caller-supplied buffer is too small for the row.
            BufferTooSmall = -12, TOONSTORE_ERR_BUFFER_TOO_SMALL, "buffer too small";
            /// An earlier fsync failed; the handle refuses writes until reopened.
            Poisoned = -13, TOONSTORE_ERR_POISONED,
                "handle poisoned by an earlier fsync failure; reopen the database";
            /// The handle was opened in another process: this process is a
            /// `fork()` child of the one that opened it.
            Forked = -14, TOONSTORE_ERR_FORKED,
                "the handle was opened in another process (fork); reopen it in this process";
        }
    };
}
pub(crate) use error_table;

/// Defines `ErrorKind` and its table-driven methods from the rows.
macro_rules! define_error_kind {
    ($($(#[doc = $doc:literal])* $kind:ident = $code:literal, $c_name:ident, $text:literal;)*) => {
        /// What kind of failure an [`Error`] is. The numeric codes are part of
        /// the stable C ABI: values never change once released, new kinds
        /// only append.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum ErrorKind {
            $($(#[doc = $doc])* $kind,)*
        }

        impl ErrorKind {
            /// Every kind, in code order.
            pub const ALL: &'static [ErrorKind] = &[$(ErrorKind::$kind,)*];

            /// The C API's error code for this kind (`TOONSTORE_ERR_*`, negative).
            pub const fn code(self) -> i32 {
                match self {
                    $(ErrorKind::$kind => $code,)*
                }
            }

            /// The kind for a C error code, if the code names one.
            pub const fn from_code(code: i32) -> Option<ErrorKind> {
                match code {
                    $($code => Some(ErrorKind::$kind),)*
                    _ => None,
                }
            }

            /// Static, human-readable description of the kind (what
            /// `toonstore_strerror` returns).
            pub const fn describe(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => $text,)*
                }
            }

            /// The name of the C constant, e.g. `"TOONSTORE_ERR_LOCKED"`
            /// (what `toonstore_error_name` returns, and what every binding's
            /// errors carry).
            pub const fn name(self) -> &'static str {
                match self {
                    $(ErrorKind::$kind => stringify!($c_name),)*
                }
            }

            /// `describe` as a NUL-terminated C string.
            pub(crate) const fn describe_c(self) -> &'static std::ffi::CStr {
                match self {
                    $(ErrorKind::$kind => {
                        match std::ffi::CStr::from_bytes_with_nul(concat!($text, "\0").as_bytes()) {
                            Ok(s) => s,
                            Err(_) => panic!("error text with a NUL byte"),
                        }
                    })*
                }
            }

            /// `name` as a NUL-terminated C string.
            pub(crate) const fn name_c(self) -> &'static std::ffi::CStr {
                match self {
                    $(ErrorKind::$kind => {
                        match std::ffi::CStr::from_bytes_with_nul(
                            concat!(stringify!($c_name), "\0").as_bytes(),
                        ) {
                            Ok(s) => s,
                            Err(_) => panic!("error name with a NUL byte"),
                        }
                    })*
                }
            }
        }
    };
}

error_table!(define_error_kind);

/// An error of the ToonStore engine: a kind and a message that says what
/// happened and where (file and offset for corruption, the path for I/O).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    kind: ErrorKind,
    message: String,
}

/// The crate's result type.
pub type Result<T> = std::result::Result<T, Error>;

impl Error {
    /// A new error of `kind` with `message`.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
        }
    }

    /// The kind of failure.
    pub fn kind(&self) -> ErrorKind {
        self.kind
    }

    /// The message, without the kind prefix.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The C API code of this error.
    pub fn code(&self) -> i32 {
        self.kind.code()
    }

    /// An I/O error on `path`, keeping the OS message (and mapping a full disk
    /// and allocation failures to the right kinds).
    pub fn io(context: &str, path: &Path, err: io::Error) -> Error {
        let kind = match err.kind() {
            io::ErrorKind::OutOfMemory => ErrorKind::NoMemory,
            _ => ErrorKind::Io,
        };
        Error::new(kind, format!("{context} {}: {err}", path.display()))
    }

    /// Corruption found in `path` at byte `offset`.
    pub fn corrupt(path: &Path, offset: u64, what: impl fmt::Display) -> Error {
        Error::new(
            ErrorKind::Corrupt,
            format!("{} at offset {offset}: {what}", path.display()),
        )
    }

    pub(crate) fn not_found(id: u64) -> Error {
        Error::new(ErrorKind::NotFound, format!("row {id} not found"))
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Error {
        Error::new(ErrorKind::InvalidArgument, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.kind.describe(), self.message)
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip_and_are_distinct() {
        let mut seen = std::collections::HashSet::new();
        for (i, &kind) in ErrorKind::ALL.iter().enumerate() {
            assert_eq!(kind.code(), -(i as i32) - 1, "codes are dense, in order");
            assert!(kind.name().starts_with("TOONSTORE_ERR_"));
            assert_eq!(kind.name_c().to_str().unwrap(), kind.name());
            assert_eq!(kind.describe_c().to_str().unwrap(), kind.describe());
            assert!(seen.insert(kind.code()), "duplicate code for {kind:?}");
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::from_code(-999), None);
        assert_eq!(ErrorKind::Locked.name(), "TOONSTORE_ERR_LOCKED");
        assert_eq!(ErrorKind::Forked.code(), -14);
        assert_eq!(ErrorKind::Forked.name(), "TOONSTORE_ERR_FORKED");
    }

    #[test]
    fn display_names_kind_and_message() {
        let e = Error::corrupt(Path::new("/db/000001.seg"), 4160, "checksum mismatch");
        let text = e.to_string();
        assert!(text.contains("corrupt"), "{text}");
        assert!(text.contains("000001.seg at offset 4160"), "{text}");
    }
}
