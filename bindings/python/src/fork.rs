//! `os.fork()`: what a child process may do with the parent's handles.
//!
//! The child has a copy of the parent's engines (same files, same shared
//! mappings, but none of the parent's threads or locks): handles, scans and
//! snapshots opened before the fork refuse every call there (`ForkedError`,
//! a `ClosedError`, `TOONSTORE_ERR_FORKED`). Closing or dropping them only
//! releases the child's copies: the engine detects the fork itself and
//! never flushes, trims, checkpoints or deletes files that the parent is
//! still using, and the child holds no lock on the database. The child
//! opens the database itself if it needs it.

use std::sync::atomic::{AtomicU64, Ordering};

use pyo3::prelude::*;
use pyo3::types::PyDict;

use toonstore::ErrorKind;

use crate::errors::make_error;

/// Incremented in the child after every `os.fork()`; every handle records
/// the value it was opened under.
static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);

#[inline]
pub(crate) fn fork_generation() -> u64 {
    FORK_GENERATION.load(Ordering::Relaxed)
}

pub(crate) fn forked_error(py: Python<'_>) -> PyErr {
    make_error(
        py,
        ErrorKind::Forked,
        "this handle was opened before os.fork(); open the database again in the child process",
    )
}

/// `os.register_at_fork(after_in_child=...)`. (The engine registry is the
/// core crate's, which guards itself across `fork()`: a child's open of a
/// directory the parent had open is a new open there.)
#[pyfunction]
fn _after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
}

/// Registers the hook with `os.register_at_fork` (where it exists).
pub(crate) fn register_hooks(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    let os = py.import("os")?;
    if os.hasattr("register_at_fork")? {
        let kwargs = PyDict::new(py);
        kwargs.set_item("after_in_child", wrap_pyfunction!(_after_fork_in_child, m)?)?;
        os.call_method("register_at_fork", (), Some(&kwargs))?;
    }
    Ok(())
}
