//! Error text, versions and freeing what the library handed over.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

use crate::error::ErrorKind;
use crate::ffi::boundary::{self, guard};

/// The message of the most recent failure on the calling thread, or NULL
/// when there was none. Owned by the library: valid until the next failing
/// call on this thread; never free it. Successful calls leave it unchanged,
/// and reading it never changes it.
#[no_mangle]
pub extern "C" fn toonstore_last_error() -> *const c_char {
    boundary::last_error_ptr()
}

/// The code of the most recent failure on the calling thread, or 0
/// (`TOONSTORE_OK`) when there was none.
#[no_mangle]
pub extern "C" fn toonstore_last_error_code() -> c_int {
    boundary::last_error_code()
}

/// A copy of the calling thread's last error message, owned by the caller
/// and released with `toonstore_free_string`; NULL when there was none.
#[no_mangle]
pub extern "C" fn toonstore_last_error_copy() -> *mut c_char {
    guard(|| Ok(boundary::last_error_owned().map_or(std::ptr::null_mut(), |s| s.into_raw())))
}

/// Frees a string the library handed over as owned (from
/// `toonstore_last_error_copy`). NULL is a no-op.
///
/// # Safety
/// `s` is null or a string from `toonstore_last_error_copy`, freed once.
#[no_mangle]
pub unsafe extern "C" fn toonstore_free_string(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` came from `CString::into_raw` (caller's contract).
        drop(unsafe { std::ffi::CString::from_raw(s) });
    }
}

/// Frees a buffer that `toonstore_get` handed over. NULL is a no-op. The
/// length is never passed back.
///
/// # Safety
/// `data` is null or a buffer from `toonstore_get`, freed once.
#[no_mangle]
pub unsafe extern "C" fn toonstore_free_buffer(data: *mut u8) {
    // SAFETY: such buffers come from libc::malloc; free(NULL) is a no-op.
    unsafe { libc::free(data.cast()) }
}

/// A static description of an error code (`TOONSTORE_OK` included); never
/// NULL, never to be freed. Unknown codes give "unknown error code".
#[no_mangle]
pub extern "C" fn toonstore_strerror(code: c_int) -> *const c_char {
    strerror(code).as_ptr()
}

pub(crate) fn strerror(code: c_int) -> &'static CStr {
    if code == 0 {
        return c"ok";
    }
    match ErrorKind::from_code(code) {
        Some(ErrorKind::InvalidArgument) => c"invalid argument",
        Some(ErrorKind::NotFound) => c"row not found",
        Some(ErrorKind::Io) => c"I/O error",
        Some(ErrorKind::Corrupt) => c"database file is corrupt",
        Some(ErrorKind::Locked) => c"database is locked by another process",
        Some(ErrorKind::TooLarge) => c"value or batch too large",
        Some(ErrorKind::ReadOnly) => c"database is open read-only",
        Some(ErrorKind::Version) => c"unsupported version",
        Some(ErrorKind::NoMemory) => c"out of memory",
        Some(ErrorKind::Internal) => c"internal error",
        Some(ErrorKind::Closed) => c"handle is closed",
        Some(ErrorKind::BufferTooSmall) => c"buffer too small",
        Some(ErrorKind::Poisoned) => {
            c"handle poisoned by an earlier fsync failure; reopen the database"
        }
        _ => c"unknown error code",
    }
}

/// The library's version, "MAJOR.MINOR.PATCH"; static, never NULL.
#[no_mangle]
pub extern "C" fn toonstore_version() -> *const c_char {
    VERSION_C.as_ptr().cast()
}

/// The library's version as MAJOR*1000000 + MINOR*1000 + PATCH, to compare
/// with the header's `TOONSTORE_VERSION_NUMBER`.
#[no_mangle]
pub extern "C" fn toonstore_version_number() -> u32 {
    crate::ffi::TOONSTORE_VERSION_NUMBER
}

const VERSION_C: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strerror_matches_the_rust_descriptions() {
        for kind in ErrorKind::ALL {
            assert_eq!(strerror(kind.code()).to_str().unwrap(), kind.describe());
        }
        assert_eq!(strerror(-999).to_str().unwrap(), "unknown error code");
    }
}
