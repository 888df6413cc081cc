//! One engine per database directory in this process.
//!
//! Every `ToonStore.open` of a directory that is already open in this
//! process, from the main thread or any worker thread, shares the engine
//! instead of opening the files twice (which the directory lock would refuse
//! with `TOONSTORE_ERR_LOCKED`). The engine is closed when its last handle is
//! closed (or garbage-collected).
//!
//! The core crate is getting this registry as
//! `toonstore::ToonStore::open_shared(path, &Options) -> Result<Arc<ToonStore>>`
//! (issue 10). Until it lands, `open_shared` below is a minimal copy of it;
//! the switch is the one line marked in `open_shared`.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use parking_lot::Mutex;
use toonstore::{Error, ErrorKind, Options, Result, ToonStore};

/// The engines open in this process, by canonical directory.
static OPEN_ENGINES: Mutex<Vec<(PathBuf, Weak<ToonStore>)>> = Mutex::new(Vec::new());

/// Opens `path`, or shares the engine already open on it in this process.
pub fn open_shared(path: &Path, options: &Options) -> Result<Arc<ToonStore>> {
    let mut engines = OPEN_ENGINES.lock();
    engines.retain(|(_, weak)| weak.strong_count() > 0);
    if let Ok(canonical) = std::fs::canonicalize(path) {
        let open = engines
            .iter()
            .find(|(p, _)| *p == canonical)
            .and_then(|(_, weak)| weak.upgrade());
        if let Some(db) = open {
            if db.options().read_only && !options.read_only {
                return Err(Error::new(
                    ErrorKind::Locked,
                    format!(
                        "{} is already open read-only in this process; close that handle \
                         before opening it for writing",
                        path.display()
                    ),
                ));
            }
            return Ok(db);
        }
    }
    let db = Arc::new(ToonStore::open_with(path, options)?);
    if let Ok(canonical) = std::fs::canonicalize(path) {
        engines.push((canonical, Arc::downgrade(&db)));
    }
    Ok(db)
}

/// Gives up one handle's reference to its engine, closing the engine (and
/// reporting the close's error) when it was the last.
pub fn release(db: Arc<ToonStore>) -> Result<()> {
    // Closed while the registry is locked, so that an open of the same
    // directory waits for the directory lock to be released.
    let mut engines = OPEN_ENGINES.lock();
    match Arc::try_unwrap(db) {
        Ok(db) => {
            let result = db.close();
            engines.retain(|(_, weak)| weak.strong_count() > 0);
            result
        }
        // Another handle (another thread's, or a running task) still uses it.
        Err(shared) => {
            drop(shared);
            Ok(())
        }
    }
}
