//! One engine per database directory in this process.
//!
//! Every `ToonStore.open` of a directory that is already open in this
//! process, from the main thread or any worker thread, shares the engine
//! instead of opening the files twice (which the directory lock would refuse
//! with `TOONSTORE_ERR_LOCKED`): the engine crate's
//! `ToonStore::open_shared` keeps that registry (issue 10) and closes the
//! engine with its last handle. This file is the one place the addon opens
//! and gives up engines.

use std::path::Path;
use std::sync::Arc;

use toonstore::{Options, Result, ToonStore};

/// Opens `path`, or shares the engine already open on it in this process.
pub fn open_shared(path: &Path, options: &Options) -> Result<Arc<ToonStore>> {
    ToonStore::open_shared(path, options)
}

/// Gives up one reference to a handle, closing it (and reporting the close's
/// error) when it was the last; the engine closes with its last handle.
pub fn release(db: Arc<ToonStore>) -> Result<()> {
    match Arc::try_unwrap(db) {
        Ok(db) => db.close(),
        // A running task of the same handle still uses it: it closes it.
        Err(shared) => {
            drop(shared);
            Ok(())
        }
    }
}
