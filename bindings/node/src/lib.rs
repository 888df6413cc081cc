//! The native half of the `toonstore` npm package: a Node-API addon built
//! with napi-rs on the `toonstore` engine crate.
//!
//! JavaScript never sees these classes directly: `lib/*.js` wraps them,
//! checks argument types (so that a wrong type is a `TypeError`), and turns
//! the errors thrown here into `ToonStoreError`s. What lives where:
//!
//! - `errors`: how an engine error crosses into JavaScript (the C error
//!   name in front of the engine's message).
//! - `registry`: one engine per database directory in this process, shared
//!   by the handles of every thread (worker_threads).
//! - `options`: the open options object.
//! - `database`: `NativeDatabase`, the handle, and its synchronous calls.
//! - `handles`: the per-thread table behind the fast calls (`dbPut`, ...).
//! - `tasks`: the asynchronous calls, run on the libuv thread pool.
//! - `scan`: scans (rows handed over in chunks) and snapshots.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod database;
mod errors;
mod handles;
mod options;
mod registry;
mod scan;
mod tasks;

use napi_derive::napi;

/// The engine crate's version (the C library's `toonstore_version()`).
#[napi(catch_unwind)]
pub fn engine_version() -> &'static str {
    toonstore::VERSION
}

/// Panics (inside the panic boundary): lets the tests check that a panic
/// becomes a `TOONSTORE_ERR_INTERNAL` error instead of aborting the
/// process, on the JavaScript thread (`in_task` false) and on the thread
/// pool. Not exported by index.js.
#[napi(catch_unwind)]
pub fn test_panic(in_task: bool) -> napi::Result<napi::bindgen_prelude::AsyncTask<PanicTask>> {
    if !in_task {
        panic!("test panic on the JavaScript thread");
    }
    Ok(napi::bindgen_prelude::AsyncTask::new(PanicTask))
}

/// The task of `test_panic`.
pub struct PanicTask;

impl napi::Task for PanicTask {
    type Output = ();
    type JsValue = ();

    fn compute(&mut self) -> napi::Result<()> {
        errors::panic_boundary(|| panic!("test panic on the thread pool"))
    }

    fn resolve(&mut self, _env: napi::Env, _output: ()) -> napi::Result<()> {
        Ok(())
    }
}
