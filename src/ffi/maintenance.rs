//! Maintenance through a `ToonStore*`: sync, compaction, statistics,
//! online backup, refresh of a read-only handle.

use std::os::raw::{c_char, c_int};

use crate::ffi::boundary::{guard, invalid};
use crate::ffi::database::{db, path_from_c};
use crate::ffi::handles::FfiDatabase;
use crate::ffi::options::{self, ToonStoreStats};
use crate::ffi::TOONSTORE_OK;
use crate::Stats;

/// Makes every acknowledged write durable (fsync of the log).
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`db`
/// NULL), `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_READ_ONLY`,
/// `TOONSTORE_ERR_IO` (the flush failed: the database is poisoned from now
/// on), `TOONSTORE_ERR_POISONED`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_sync(db: *mut FfiDatabase) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract.
        unsafe { self::db(db) }?.sync()?;
        Ok(TOONSTORE_OK)
    })
}

/// Rewrites segments holding deleted rows to reclaim their space; row ids
/// do not change, and readers, snapshots and writers keep working.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`db`
/// NULL), `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_READ_ONLY`,
/// `TOONSTORE_ERR_CORRUPT` (a live record failed its checksum: nothing is
/// dropped), `TOONSTORE_ERR_IO`, `TOONSTORE_ERR_POISONED`,
/// `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_compact(db: *mut FfiDatabase) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract.
        unsafe { self::db(db) }?.compact()?;
        Ok(TOONSTORE_OK)
    })
}

/// Fills the caller's `*out`, whose `version` the caller set to
/// `TOONSTORE_STATS_VERSION`. On failure every field but `version` is 0
/// (when `out` is not NULL and its version is known).
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`db` or
/// `out` NULL), `TOONSTORE_ERR_VERSION` (`out->version` unknown to this
/// library; `*out` is not written), `TOONSTORE_ERR_CLOSED`,
/// `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_stats(db: *mut FfiDatabase, out: *mut ToonStoreStats) -> c_int {
    guard(|| {
        if out.is_null() {
            return Err(invalid("out is NULL"));
        }
        // SAFETY: non-null, a writable stats struct (the function's contract).
        unsafe { options::write_stats(out, &Stats::default()) }?;
        // SAFETY: `db` is null or a live handle (the function's contract).
        let stats = unsafe { self::db(db) }?.stats()?;
        // SAFETY: as above.
        unsafe { options::write_stats(out, &stats) }?;
        Ok(TOONSTORE_OK)
    })
}

/// Writes a complete, consistent copy of the database as of one moment into
/// the directory `dest_path`, while other threads and processes keep
/// writing (an online backup, like `sqlite3_backup_*` or `mdb_env_copy`).
/// The writer is held for a moment only: the copy is made from this
/// handle's mappings without any lock. From a read-only handle (beside a
/// writer in another process, say) the copy is of this handle's state, as
/// of its open or its last `toonstore_refresh`. The copy appears at
/// `dest_path` in one rename, flushed: a backup that fails or is killed
/// midway leaves nothing at `dest_path` (at most a hidden
/// `.<name>.backup-tmp-*` directory beside it, which the next backup to
/// `dest_path` removes). The copy opens on its own, with every row of that
/// moment under the same ids. `dest_path` is the caller's: it is only read
/// during the call.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`db` or
/// `dest_path` NULL, empty or not UTF-8; `dest_path` exists and is not an
/// empty directory, or is this database's directory),
/// `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_IO` (nothing is left at
/// `dest_path`), `TOONSTORE_ERR_FORKED`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_backup(db: *mut FfiDatabase, dest_path: *const c_char) -> c_int {
    guard(|| {
        // SAFETY: `db` is null or a live handle (the function's contract).
        let store = unsafe { self::db(db) }?;
        // SAFETY: `dest_path` is null or NUL-terminated (the function's contract).
        let dest = unsafe { path_from_c(dest_path) }?;
        store.backup(dest)?;
        Ok(TOONSTORE_OK)
    })
}

/// Moves a read-only handle to the writer's latest acknowledged state: every
/// row whose put had returned in the writing process (in any durability
/// mode) before this call is visible afterwards. A read-only open is a
/// fixed snapshot of the database as of its open until it is refreshed; a
/// new open gives a new one too. Costs about as much as a read-only open.
/// Snapshots and iterators taken before keep their state. On a writable
/// handle, and on a read-only handle that shares a writable engine in this
/// process, it does nothing and returns `TOONSTORE_OK`.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`db`
/// NULL), `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_IO` (the files cannot be
/// read, the directory is gone), `TOONSTORE_ERR_CORRUPT`,
/// `TOONSTORE_ERR_VERSION`, `TOONSTORE_ERR_LOCKED` (a writer replaced the
/// files during every attempt to read them), `TOONSTORE_ERR_FORKED`,
/// `TOONSTORE_ERR_INTERNAL`. On failure the handle keeps its state.
#[no_mangle]
pub unsafe extern "C" fn toonstore_refresh(db: *mut FfiDatabase) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract.
        unsafe { self::db(db) }?.refresh()?;
        Ok(TOONSTORE_OK)
    })
}
