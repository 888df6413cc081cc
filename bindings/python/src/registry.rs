//! One engine per database directory in this process.
//!
//! A second `ToonStore.open` of a directory that is already open here shares
//! the first one's engine instead of opening the files twice (which the file
//! lock would refuse, or which would let two writers append to the same
//! segments). The engine is closed when its last handle is closed.
//!
//! Everything about the registry is in this module (the handle only calls
//! `open_shared` and `release_shared`; the fork hooks call the three
//! `*_fork*` functions), so that it can be replaced by the core crate's own
//! per-process registry without touching the rest of the binding.

use std::path::{Path, PathBuf};
use std::sync::{Arc, Weak};

use parking_lot::{Mutex, MutexGuard};

use toonstore::{ErrorKind, Options};

/// The engines open in this process, by canonical directory.
static OPEN_ENGINES: Mutex<Vec<(PathBuf, Weak<toonstore::ToonStore>)>> = Mutex::new(Vec::new());

fn registry() -> MutexGuard<'static, Vec<(PathBuf, Weak<toonstore::ToonStore>)>> {
    OPEN_ENGINES.lock()
}

/// Opens `path`, or shares the engine already open on it in this process.
/// Runs without the GIL.
pub(crate) fn open_shared(
    path: &Path,
    options: &Options,
) -> Result<Arc<toonstore::ToonStore>, (ErrorKind, String)> {
    let mut engines = registry();
    engines.retain(|(_, weak)| weak.strong_count() > 0);
    if let Ok(canonical) = std::fs::canonicalize(path) {
        if let Some(db) = engines
            .iter()
            .find(|(p, _)| *p == canonical)
            .and_then(|(_, weak)| weak.upgrade())
        {
            if db.options().read_only && !options.read_only {
                return Err((
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
    let db = toonstore::ToonStore::open_with(path, options)
        .map_err(|e| (e.kind(), e.message().to_owned()))?;
    let db = Arc::new(db);
    if let Ok(canonical) = std::fs::canonicalize(path) {
        engines.push((canonical, Arc::downgrade(&db)));
    }
    Ok(db)
}

/// Gives up one handle's reference to its engine, closing the engine if it
/// was the last. Runs without the GIL (or from Drop).
pub(crate) fn release_shared(db: Arc<toonstore::ToonStore>) -> toonstore::Result<()> {
    let mut engines = registry();
    match Arc::try_unwrap(db) {
        Ok(db) => {
            // Closed while the registry is locked, so that an open of the
            // same directory waits for the file lock to be released.
            let result = db.close();
            engines.retain(|(_, weak)| weak.strong_count() > 0);
            result
        }
        // Another handle still uses the engine.
        Err(shared) => {
            drop(shared);
            Ok(())
        }
    }
}

/// Before `os.fork()`: locks the registry and keeps it locked across the
/// fork, so that the child's copy is not locked by a thread that does not
/// exist there. Waits for an open or close in progress on another thread;
/// call it without the GIL.
pub(crate) fn lock_for_fork() {
    std::mem::forget(registry());
}

/// After `os.fork()`, in the parent: unlocks what `lock_for_fork` locked.
///
/// # Safety
/// Must follow `lock_for_fork` on the same thread (os.register_at_fork runs
/// its hooks as a before/after pair).
pub(crate) unsafe fn unlock_after_fork_in_parent() {
    // SAFETY: the caller guarantees that `lock_for_fork` locked the registry
    // and forgot the guard.
    unsafe { OPEN_ENGINES.force_unlock() };
}

/// After `os.fork()`, in the child: unlocks the child's copy of the lock and
/// forgets the parent's engines, which are not this process's (dropping a
/// `Weak` runs no destructor).
///
/// # Safety
/// As for `unlock_after_fork_in_parent`: the child's copy of the lock is the
/// one `lock_for_fork` took.
pub(crate) unsafe fn reset_after_fork_in_child() {
    // SAFETY: see the function's contract.
    unsafe { OPEN_ENGINES.force_unlock() };
    registry().clear();
}
