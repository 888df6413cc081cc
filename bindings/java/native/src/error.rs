//! Turning engine errors and panics into Java exceptions.

use std::panic::{catch_unwind, AssertUnwindSafe};

use jni::objects::{JThrowable, JValue};
use jni::JNIEnv;
use toonstore::ErrorKind;

/// Why a native call failed.
pub enum Fail {
    /// An engine error: becomes `ToonStoreException` with its code and message.
    Engine(toonstore::Error),
    /// A Java exception is already pending (thrown by a JNI call): leave it.
    Pending,
}

impl From<toonstore::Error> for Fail {
    fn from(e: toonstore::Error) -> Fail {
        Fail::Engine(e)
    }
}

impl From<jni::errors::Error> for Fail {
    fn from(e: jni::errors::Error) -> Fail {
        match e {
            // The JNI call threw (OutOfMemoryError, ArrayIndexOutOfBounds...):
            // the JVM already holds the exception to raise.
            jni::errors::Error::JavaException => Fail::Pending,
            other => Fail::Engine(toonstore::Error::new(
                ErrorKind::Internal,
                format!("JNI call failed: {other}"),
            )),
        }
    }
}

pub type Result<T> = std::result::Result<T, Fail>;

/// The error of a call on a closed handle.
pub fn closed(what: &str) -> Fail {
    Fail::Engine(toonstore::Error::new(
        ErrorKind::Closed,
        format!("the {what} is closed"),
    ))
}

/// An `InvalidArgument` error with `message`.
pub fn invalid(message: impl Into<String>) -> Fail {
    Fail::Engine(toonstore::Error::new(ErrorKind::InvalidArgument, message))
}

/// Runs the body of a native method: on failure (or panic) throws the
/// matching Java exception and returns `fallback`, which Java never sees
/// because the exception is pending.
pub fn run<'local, R>(
    env: &mut JNIEnv<'local>,
    fallback: R,
    body: impl FnOnce(&mut JNIEnv<'local>) -> Result<R>,
) -> R {
    let outcome = catch_unwind(AssertUnwindSafe(|| body(env)));
    match outcome {
        Ok(Ok(value)) => value,
        Ok(Err(Fail::Engine(e))) => {
            throw(env, e.kind().code(), e.message());
            fallback
        }
        Ok(Err(Fail::Pending)) => fallback,
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_owned())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_owned());
            throw(
                env,
                ErrorKind::Internal.code(),
                &format!("panic in the ToonStore JNI layer: {what}"),
            );
            fallback
        }
    }
}

/// Throws `io.toonstore.ToonStoreException(code, message)`, unless an
/// exception is already pending (the first one wins).
fn throw(env: &mut JNIEnv<'_>, code: i32, message: &str) {
    if env.exception_check().unwrap_or(true) {
        return;
    }
    let Ok(text) = env.new_string(message) else {
        return;
    };
    let made = env.new_object(
        "io/toonstore/ToonStoreException",
        "(ILjava/lang/String;)V",
        &[JValue::Int(code), JValue::Object(&text)],
    );
    if let Ok(exception) = made {
        let _ = env.throw(JThrowable::from(exception));
    }
}

/// A row id from Java: negative ids are invalid (as in the C API).
pub fn row_id(id: i64) -> Result<u64> {
    u64::try_from(id).map_err(|_| invalid(format!("row id must be >= 0, got {id}")))
}

/// The row ids `start..stop` of a range scan from Java: negative bounds name
/// no row id; `stop < start` is refused by the engine
/// (`TOONSTORE_ERR_INVALID_ARG`); `Long.MAX_VALUE` is no upper bound.
pub fn row_range(start: i64, stop: i64) -> Result<std::ops::Range<u64>> {
    Ok(row_id(start)?..row_id(stop)?)
}
