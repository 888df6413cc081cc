//! One engine per database directory in this process: the core crate's
//! registry (`toonstore::ToonStore::open_shared`), the same one the C API
//! and every other binding use, so that a directory opened here and through
//! any other library in the process shares one engine.
//!
//! A second `ToonStore.open` of a directory that is already open in this
//! process gets a new handle on the open engine instead of `LockedError`;
//! the engine closes with its last handle. The rules for differing options
//! are the core's (docs/c/CONTRACT.md section 7). The core guards its
//! registry across `fork()` itself.

use std::path::Path;
use std::sync::Arc;

use toonstore::{ErrorKind, Options};

/// Opens `path`, or shares the engine already open on it in this process.
/// Runs without the GIL.
pub(crate) fn open_shared(
    path: &Path,
    options: &Options,
) -> Result<Arc<toonstore::ToonStore>, (ErrorKind, String)> {
    toonstore::ToonStore::open_shared(path, options).map_err(|e| (e.kind(), e.message().to_owned()))
}

/// Gives up one handle, closing the engine if it was the last. Runs without
/// the GIL (or from Drop).
pub(crate) fn release_shared(db: Arc<toonstore::ToonStore>) -> toonstore::Result<()> {
    match Arc::try_unwrap(db) {
        Ok(db) => db.close(),
        // Not reached: each Python handle holds the only `Arc` of its
        // `ToonStore` (the engine behind it may be shared).
        Err(_) => Ok(()),
    }
}
