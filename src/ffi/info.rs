//! Error text, versions and freeing what the library handed over.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

use crate::error::ErrorKind;
use crate::ffi::boundary::{self, guard};
use crate::ffi::TOONSTORE_OK;

/// The library's version, "MAJOR.MINOR.PATCH" (compare with the header's
/// `TOONSTORE_VERSION_STRING`): static, never NULL, never to be freed.
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

/// A static description of an error code: "ok" for `TOONSTORE_OK`, the
/// error's text for a `TOONSTORE_ERR_*` code, "unknown error code" for any
/// other value. Library-owned text: never NULL, never to be freed.
#[no_mangle]
pub extern "C" fn toonstore_strerror(code: c_int) -> *const c_char {
    strerror(code).as_ptr()
}

pub(crate) fn strerror(code: c_int) -> &'static CStr {
    match ErrorKind::from_code(code) {
        Some(kind) => kind.describe_c(),
        None if code == TOONSTORE_OK => c"ok",
        None => c"unknown error code",
    }
}

/// The name of an error code's constant: "TOONSTORE_OK" for 0,
/// "TOONSTORE_ERR_LOCKED" for `TOONSTORE_ERR_LOCKED`, and so on, and
/// "TOONSTORE_ERR_UNKNOWN" for a value that is no code of this library.
/// Library-owned static text: never NULL, never to be freed. (Since 1.1.)
#[no_mangle]
pub extern "C" fn toonstore_error_name(code: c_int) -> *const c_char {
    error_name(code).as_ptr()
}

pub(crate) fn error_name(code: c_int) -> &'static CStr {
    match ErrorKind::from_code(code) {
        Some(kind) => kind.name_c(),
        None if code == TOONSTORE_OK => c"TOONSTORE_OK",
        None => c"TOONSTORE_ERR_UNKNOWN",
    }
}

/// The message of the most recent failure on the calling thread, or NULL
/// when there was none. Owned by the library: valid until the next failing
/// call on this thread; never free it. Successful calls leave it unchanged,
/// and reading it never changes it. Never fails.
#[no_mangle]
pub extern "C" fn toonstore_last_error() -> *const c_char {
    boundary::last_error_ptr()
}

/// The code (`TOONSTORE_ERR_*`) of the most recent failure on the calling
/// thread, or `TOONSTORE_OK` when there was none. Never fails.
#[no_mangle]
pub extern "C" fn toonstore_last_error_code() -> c_int {
    boundary::last_error_code()
}

/// A copy of the calling thread's last error message, owned by the caller
/// and released with `toonstore_free_string`; NULL when there was none (or
/// on `TOONSTORE_ERR_INTERNAL`).
#[no_mangle]
pub extern "C" fn toonstore_last_error_copy() -> *mut c_char {
    guard(|| Ok(boundary::last_error_owned().map_or(std::ptr::null_mut(), |s| s.into_raw())))
}

/// Frees a string the library handed over as owned (from
/// `toonstore_last_error_copy`), once. NULL is a no-op. Never fails.
#[no_mangle]
pub unsafe extern "C" fn toonstore_free_string(s: *mut c_char) {
    if !s.is_null() {
        // SAFETY: `s` came from `CString::into_raw` (caller's contract).
        drop(unsafe { std::ffi::CString::from_raw(s) });
    }
}

/// Frees a buffer that `toonstore_get` handed over, once. NULL is a no-op.
/// The length is never passed back. Never fails.
#[no_mangle]
pub unsafe extern "C" fn toonstore_free_buffer(data: *mut u8) {
    // SAFETY: such buffers come from libc::malloc; free(NULL) is a no-op.
    unsafe { libc::free(data.cast()) }
}

const VERSION_C: &str = concat!(env!("CARGO_PKG_VERSION"), "\0");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strerror_and_error_name_come_from_the_error_table() {
        for &kind in ErrorKind::ALL {
            assert_eq!(strerror(kind.code()).to_str().unwrap(), kind.describe());
            assert_eq!(error_name(kind.code()).to_str().unwrap(), kind.name());
            // SAFETY: both return static NUL-terminated strings.
            let (text, name) = unsafe {
                (
                    CStr::from_ptr(toonstore_strerror(kind.code())),
                    CStr::from_ptr(toonstore_error_name(kind.code())),
                )
            };
            assert_eq!(text.to_str().unwrap(), kind.describe());
            assert_eq!(name.to_str().unwrap(), kind.name());
        }
        assert_eq!(strerror(0).to_str().unwrap(), "ok");
        assert_eq!(error_name(0).to_str().unwrap(), "TOONSTORE_OK");
        for unknown in [-999, 1, -15, i32::MIN, i32::MAX] {
            assert_eq!(strerror(unknown).to_str().unwrap(), "unknown error code");
            assert_eq!(
                error_name(unknown).to_str().unwrap(),
                "TOONSTORE_ERR_UNKNOWN"
            );
        }
    }

    /// The header's `#define TOONSTORE_ERR_*` lines are exactly the table:
    /// same names, same values, nothing missing, nothing extra.
    #[test]
    fn header_error_constants_are_the_error_table() {
        let header = include_str!("../../include/toonstore.h");
        let mut defined: Vec<(String, i32)> = header
            .lines()
            .filter_map(|line| line.strip_prefix("#define TOONSTORE_ERR_"))
            .map(|rest| {
                let (name, value) = rest.split_once(' ').expect("#define NAME VALUE");
                (
                    format!("TOONSTORE_ERR_{name}"),
                    value.trim().parse().unwrap(),
                )
            })
            .collect();
        defined.sort_by_key(|(_, v)| -v);
        let table: Vec<(String, i32)> = ErrorKind::ALL
            .iter()
            .map(|k| (k.name().to_string(), k.code()))
            .collect();
        assert_eq!(defined, table);
        assert!(header.contains("#define TOONSTORE_OK 0"));
    }
}
