//! JNI layer of the ToonStore Java binding (`io.toonstore:toonstore`).
//!
//! Each Java object that wraps engine state (`ToonStore`, `ToonStore.Scan`,
//! `ToonStore.Snapshot`, `ToonStore.Batch`) holds a `long` handle: the address
//! of a `Box` made here. Two rules make the handles safe to use from Java:
//!
//! 1. The box is freed only by `nFree`, which the Java side runs from a
//!    `java.lang.ref.Cleaner` once the wrapper object is unreachable; every
//!    native method that takes a handle is an instance method of the wrapper,
//!    so the wrapper (and therefore the box) is alive for the whole call.
//! 2. `close()` does not free the box: it takes the engine state out of a lock
//!    inside it (`None` means closed). Calls in flight hold the lock shared,
//!    so `close()` waits for them, and calls after it find `None` and throw
//!    `ToonStoreException` with code `CLOSED`. Nothing is ever used after it
//!    was freed, whatever threads the application closes from.
//!
//! Errors become a Java `ToonStoreException(code, message)` (see `error`),
//! panics included (code `INTERNAL`), so no Rust unwinding crosses into the JVM.

mod batch;
mod bytes;
mod db;
mod error;
mod handle;
mod scan;
mod snapshot;
