//! The panic boundary and the thread-local last error.
//!
//! Every exported function runs its body inside [`guard`]: a Rust panic is
//! caught there and becomes `TOONSTORE_ERR_INTERNAL`; an `Err` becomes the
//! function's error return value. Either way the thread's last error is set
//! to the message. A function taking a closure (not a macro around the body)
//! keeps rustfmt and the compiler's diagnostics working, as in rustls-ffi.

use std::cell::RefCell;
use std::ffi::CString;
use std::os::raw::{c_char, c_int};
use std::panic::{catch_unwind, AssertUnwindSafe};

use crate::error::{Error, ErrorKind};

thread_local! {
    /// The most recent failure on this thread: its code and message.
    static LAST_ERROR: RefCell<Option<(c_int, CString)>> = const { RefCell::new(None) };
}

/// Records `err` as this thread's last error.
pub(crate) fn set_last_error(err: &Error) {
    let text = err.to_string().replace('\0', " ");
    let message = CString::new(text).unwrap_or_default();
    LAST_ERROR.with(|slot| *slot.borrow_mut() = Some((err.code(), message)));
}

/// This thread's last error message (borrowed; valid until the next failing
/// call on this thread), or null.
pub(crate) fn last_error_ptr() -> *const c_char {
    LAST_ERROR.with(|slot| match &*slot.borrow() {
        Some((_, message)) => message.as_ptr(),
        None => std::ptr::null(),
    })
}

/// This thread's last error code, or 0.
pub(crate) fn last_error_code() -> c_int {
    LAST_ERROR.with(|slot| slot.borrow().as_ref().map_or(0, |(code, _)| *code))
}

/// A copy of this thread's last error message, or `None`.
pub(crate) fn last_error_owned() -> Option<CString> {
    LAST_ERROR.with(|slot| slot.borrow().as_ref().map(|(_, m)| m.clone()))
}

/// What an exported function returns when it fails.
pub(crate) trait ErrorReturn {
    fn from_error(err: &Error) -> Self;
}

impl ErrorReturn for c_int {
    fn from_error(err: &Error) -> c_int {
        err.code()
    }
}

impl ErrorReturn for i64 {
    fn from_error(err: &Error) -> i64 {
        i64::from(err.code())
    }
}

impl ErrorReturn for usize {
    fn from_error(_: &Error) -> usize {
        0
    }
}

impl<T> ErrorReturn for *mut T {
    fn from_error(_: &Error) -> *mut T {
        std::ptr::null_mut()
    }
}

impl<T> ErrorReturn for *const T {
    fn from_error(_: &Error) -> *const T {
        std::ptr::null()
    }
}

impl ErrorReturn for () {
    fn from_error(_: &Error) {}
}

/// Runs `body`, turning errors and panics into the C return value and the
/// thread's last error.
pub(crate) fn guard<R: ErrorReturn>(body: impl FnOnce() -> Result<R, Error>) -> R {
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(Ok(value)) => value,
        Ok(Err(err)) => {
            set_last_error(&err);
            R::from_error(&err)
        }
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            let err = Error::new(
                ErrorKind::Internal,
                format!("a bug in libtoonstore panicked: {what}"),
            );
            set_last_error(&err);
            R::from_error(&err)
        }
    }
}

/// Writes `value` through an out-pointer the caller may have passed as NULL
/// (then nothing is written). Every function stores its "nothing" value
/// (NULL, 0, -1 for a row id) this way in each non-NULL out-pointer before
/// it can fail, so that on every failure, including another argument being
/// NULL, no out-pointer keeps what the caller had in it.
///
/// # Safety
/// `out` is null or valid for a write of `T`.
pub(crate) unsafe fn set_out<T>(out: *mut T, value: T) {
    if !out.is_null() {
        // SAFETY: non-null, and writable by the caller's contract.
        unsafe { out.write(value) };
    }
}

/// The row id written to an out-pointer when there is none: never a row id.
pub(crate) const NO_ROW_ID: i64 = -1;

/// An `InvalidArgument` error naming the argument.
pub(crate) fn invalid(what: &str) -> Error {
    Error::new(ErrorKind::InvalidArgument, what.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn panics_become_internal_errors_with_a_message() {
        let rc: c_int = guard(|| -> Result<c_int, Error> { panic!("boom") });
        assert_eq!(rc, ErrorKind::Internal.code());
        assert_eq!(last_error_code(), ErrorKind::Internal.code());
        let text = last_error_owned().unwrap().into_string().unwrap();
        assert!(text.contains("boom"), "{text}");
        let ok: c_int = guard(|| Ok(5));
        assert_eq!(ok, 5);
        assert_eq!(
            last_error_code(),
            ErrorKind::Internal.code(),
            "success keeps the last error"
        );
    }
}
