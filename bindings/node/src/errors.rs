//! Errors crossing into JavaScript.
//!
//! Every error this addon throws (or rejects a promise with) is a plain
//! `Error` whose message starts with the C error name in brackets:
//! `[TOONSTORE_ERR_LOCKED] /path is locked by another process`. The
//! JavaScript side (lib/errors.js) recognizes that prefix and rethrows a
//! `ToonStoreError` with `code` set to the name and the engine's message. A
//! bracketed prefix rather than napi's `code` property because the errors of
//! async work (napi `Task::compute`) carry a fixed status type, and both
//! paths should look the same.

use napi::Status;
use napi_derive::napi;
use toonstore::ErrorKind;

/// The C API's name of an error kind (`TOONSTORE_ERR_*` of
/// include/toonstore.h): the engine's own table, as `toonstore_error_name`
/// returns it.
pub fn error_name(kind: ErrorKind) -> &'static str {
    kind.name()
}

/// One error kind, for `errorCodes` (lib/errors.js).
#[napi(object)]
pub struct NativeErrorCode {
    pub name: String,
    pub code: i32,
}

/// Every error kind of the engine: its C name and code.
#[napi(catch_unwind)]
pub fn error_codes() -> Vec<NativeErrorCode> {
    ErrorKind::ALL
        .iter()
        .map(|&kind| NativeErrorCode {
            name: error_name(kind).to_owned(),
            code: kind.code(),
        })
        .collect()
}

/// An error of `kind` with `message`, for JavaScript.
pub fn make_error(kind: ErrorKind, message: &str) -> napi::Error {
    napi::Error::new(
        Status::GenericFailure,
        format!("[{}] {}", error_name(kind), message),
    )
}

/// An engine error, for JavaScript.
pub fn engine_error(err: toonstore::Error) -> napi::Error {
    make_error(err.kind(), err.message())
}

/// The error of every call on a closed handle, scan or snapshot.
pub fn closed_error(what: &str) -> napi::Error {
    make_error(ErrorKind::Closed, &format!("the {what} is closed"))
}

/// Maps an engine result to a napi result.
pub trait EngineResult<T> {
    fn js(self) -> napi::Result<T>;
}

impl<T> EngineResult<T> for toonstore::Result<T> {
    #[inline]
    fn js(self) -> napi::Result<T> {
        self.map_err(engine_error)
    }
}

/// Checks a row id handed over as a JavaScript number: a non-negative
/// integer no larger than 2^53 - 1 (lib/args.js has already rejected
/// anything else with a TypeError or RangeError; this guards direct callers).
#[inline]
pub fn row_id(value: f64) -> napi::Result<u64> {
    if (0.0..=9_007_199_254_740_991.0).contains(&value) && value.fract() == 0.0 {
        Ok(value as u64)
    } else {
        Err(make_error(
            ErrorKind::InvalidArgument,
            &format!("row id must be a non-negative safe integer, got {value}"),
        ))
    }
}

/// Runs `f`, turning a panic into `TOONSTORE_ERR_INTERNAL` (the work of
/// async tasks, which napi-rs runs on the thread pool without a panic
/// boundary; a panic unwinding out of it would abort the process). The
/// synchronous calls get the same boundary from `#[napi(catch_unwind)]`.
/// `AssertUnwindSafe`: after a panic the engine's own locks are poisoned and
/// report it on the next call; nothing here reads half-updated state.
pub fn panic_boundary<T>(f: impl FnOnce() -> napi::Result<T>) -> napi::Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).unwrap_or_else(|payload| {
        let what = payload
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "unknown panic".to_owned());
        Err(make_error(
            ErrorKind::Internal,
            &format!("panic in the ToonStore addon: {what}"),
        ))
    })
}
