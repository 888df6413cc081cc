//! The one error type of the crate.
//!
//! Every failure is an [`Error`] with an [`ErrorKind`]; each kind maps one to
//! one onto a `TOONSTORE_ERR_*` code of the C API (see [`ErrorKind::code`]),
//! so the C layer, the Rust API and every binding agree on what went wrong.

use std::fmt;
use std::io;
use std::path::Path;

/// What kind of failure an [`Error`] is. The numeric codes are part of the
/// stable C ABI: values never change once released, new kinds only append.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An argument was invalid (null pointer, negative row id, bad option).
    InvalidArgument,
    /// The row id was never assigned, or the row was deleted.
    NotFound,
    /// The operating system reported an I/O error.
    Io,
    /// A file of the database failed a checksum or structural check.
    Corrupt,
    /// Another process (or handle) holds the database's lock.
    Locked,
    /// A value or batch exceeds the configured or format limit.
    TooLarge,
    /// A write was attempted on a read-only handle.
    ReadOnly,
    /// A format, struct or interface version this library does not know.
    Version,
    /// Memory could not be allocated.
    NoMemory,
    /// A bug in the library (a caught panic, a broken invariant).
    Internal,
    /// The handle was closed, or is not a live handle.
    Closed,
    /// A caller-supplied buffer is too small for the row.
    BufferTooSmall,
    /// An earlier fsync failed; the handle refuses writes until reopened.
    Poisoned,
}

impl ErrorKind {
    /// The C API's error code for this kind (`TOONSTORE_ERR_*`, negative).
    pub const fn code(self) -> i32 {
        match self {
            ErrorKind::InvalidArgument => -1,
            ErrorKind::NotFound => -2,
            ErrorKind::Io => -3,
            ErrorKind::Corrupt => -4,
            ErrorKind::Locked => -5,
            ErrorKind::TooLarge => -6,
            ErrorKind::ReadOnly => -7,
            ErrorKind::Version => -8,
            ErrorKind::NoMemory => -9,
            ErrorKind::Internal => -10,
            ErrorKind::Closed => -11,
            ErrorKind::BufferTooSmall => -12,
            ErrorKind::Poisoned => -13,
        }
    }

    /// The kind for a C error code, if the code names one.
    pub const fn from_code(code: i32) -> Option<ErrorKind> {
        Some(match code {
            -1 => ErrorKind::InvalidArgument,
            -2 => ErrorKind::NotFound,
            -3 => ErrorKind::Io,
            -4 => ErrorKind::Corrupt,
            -5 => ErrorKind::Locked,
            -6 => ErrorKind::TooLarge,
            -7 => ErrorKind::ReadOnly,
            -8 => ErrorKind::Version,
            -9 => ErrorKind::NoMemory,
            -10 => ErrorKind::Internal,
            -11 => ErrorKind::Closed,
            -12 => ErrorKind::BufferTooSmall,
            -13 => ErrorKind::Poisoned,
            _ => return None,
        })
    }

    /// Static, human-readable name of the kind (what `toonstore_strerror` returns).
    pub const fn describe(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid argument",
            ErrorKind::NotFound => "row not found",
            ErrorKind::Io => "I/O error",
            ErrorKind::Corrupt => "database file is corrupt",
            ErrorKind::Locked => "database is locked by another process",
            ErrorKind::TooLarge => "value or batch too large",
            ErrorKind::ReadOnly => "database is open read-only",
            ErrorKind::Version => "unsupported version",
            ErrorKind::NoMemory => "out of memory",
            ErrorKind::Internal => "internal error",
            ErrorKind::Closed => "handle is closed",
            ErrorKind::BufferTooSmall => "buffer too small",
            ErrorKind::Poisoned => {
                "handle poisoned by an earlier fsync failure; reopen the database"
            }
        }
    }

    /// Every kind, in code order (used by tests and the C API's strerror table).
    pub const ALL: [ErrorKind; 13] = [
        ErrorKind::InvalidArgument,
        ErrorKind::NotFound,
        ErrorKind::Io,
        ErrorKind::Corrupt,
        ErrorKind::Locked,
        ErrorKind::TooLarge,
        ErrorKind::ReadOnly,
        ErrorKind::Version,
        ErrorKind::NoMemory,
        ErrorKind::Internal,
        ErrorKind::Closed,
        ErrorKind::BufferTooSmall,
        ErrorKind::Poisoned,
    ];
}

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
        for kind in ErrorKind::ALL {
            assert!(kind.code() < 0);
            assert!(seen.insert(kind.code()), "duplicate code for {kind:?}");
            assert_eq!(ErrorKind::from_code(kind.code()), Some(kind));
        }
        assert_eq!(ErrorKind::from_code(0), None);
        assert_eq!(ErrorKind::from_code(-999), None);
    }

    #[test]
    fn display_names_kind_and_message() {
        let e = Error::corrupt(Path::new("/db/000001.seg"), 4160, "checksum mismatch");
        let text = e.to_string();
        assert!(text.contains("corrupt"), "{text}");
        assert!(text.contains("000001.seg at offset 4160"), "{text}");
    }
}
