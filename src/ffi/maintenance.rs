//! Maintenance through a `ToonStore*`: sync, compaction, statistics.

use std::os::raw::c_int;

use crate::ffi::boundary::{guard, invalid};
use crate::ffi::database::db;
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
