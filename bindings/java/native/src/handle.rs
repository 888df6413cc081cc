//! The `long` handles held by the Java wrappers: each is the address of a
//! `Box` made by `new` and released by `free` (see lib.rs for why a handle is
//! never used after it was freed). The one place that turns handles into
//! references, so every native shares the same rule.

use jni::sys::jlong;
use parking_lot::RwLock;

use crate::error::{closed, Result};

/// A new handle owning `value`, released by `free::<T>`.
pub fn new<T>(value: T) -> jlong {
    Box::into_raw(Box::new(value)) as jlong
}

/// The box behind handle `h`, made by `new::<T>`.
pub fn get<'a, T>(h: jlong) -> &'a T {
    // SAFETY: `h` comes from `new::<T>`, and every caller is an instance
    // method of the Java wrapper owning it (or receives that wrapper as an
    // argument), which is therefore reachable: its Cleaner has not run `free`
    // (lib.rs, rule 1).
    unsafe { &*(h as *const T) }
}

/// Releases the box behind `h` (the natives `nFree`; 0 is no handle). What
/// is still inside (an engine never closed, a snapshot...) is dropped.
pub fn free<T>(h: jlong) {
    if h != 0 {
        // SAFETY: the Cleaner calls this once, after the wrapper became
        // unreachable, so no call can use the box any more.
        drop(unsafe { Box::from_raw(h as *mut T) });
    }
}

/// Runs `f` on the state inside `lock`, held shared so that a concurrent
/// `close()` waits for the call; a closed handle (`None`) fails with
/// `CLOSED` naming `what`.
pub fn with_open<T, R>(
    lock: &RwLock<Option<T>>,
    what: &str,
    f: impl FnOnce(&T) -> Result<R>,
) -> Result<R> {
    match lock.read().as_ref() {
        Some(state) => f(state),
        None => Err(closed(what)),
    }
}
