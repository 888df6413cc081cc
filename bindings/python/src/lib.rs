//! Python binding of ToonStore (`toonstore._toonstore`).
//!
//! The Python package `toonstore` (python/toonstore/__init__.py) re-exports
//! what this module defines; the exception classes live in pure Python
//! (python/toonstore/_errors.py) so that they can use multiple inheritance
//! (`NotFoundError` is also a `KeyError`, `ToonStoreIOError` an `OSError`).
//!
//! Modules, one concern each:
//!   store     the `ToonStore` handle (and its concurrency model)
//!   scan      the `Scan` iterator
//!   snapshot  `Snapshot`
//!   batch     `Batch`
//!   stats     `Stats`
//!   registry  one engine per directory in this process (shared by handles)
//!   fork      what a child of `os.fork()` may do with the parent's handles
//!   options   `open`'s keyword arguments and durability names
//!   args      reading row ids and bytes-like arguments
//!   errors    engine errors as Python exceptions, `ERROR_CODES`

use pyo3::prelude::*;

mod args;
mod batch;
mod buffer;
mod errors;
mod fork;
mod options;
mod registry;
mod scan;
mod snapshot;
mod stats;
mod store;

#[pymodule]
fn _toonstore(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", toonstore::VERSION)?;
    m.add("ERROR_CODES", errors::error_codes(m.py())?)?;
    m.add_class::<store::PyToonStore>()?;
    m.add_class::<scan::PyScan>()?;
    m.add_class::<scan::PyKeyScan>()?;
    m.add_class::<scan::PyValueScan>()?;
    m.add_class::<snapshot::PySnapshot>()?;
    m.add_class::<batch::PyBatch>()?;
    fork::register_hooks(m)?;
    Ok(())
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<toonstore::ToonStore>();
    is::<toonstore::Snapshot>();
}
