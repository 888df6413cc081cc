//! Scans, iterators and snapshots: the reads that borrow.

use std::os::raw::c_int;

use crate::error::Result;
use crate::ffi::boundary::{guard, invalid, set_out, NO_ROW_ID};
use crate::ffi::database::{db, row_id};
use crate::ffi::handles::{self, FfiDatabase, FfiIter, FfiSnapshot};
use crate::ffi::{TOONSTORE_OK, TOONSTORE_SCAN_END, TOONSTORE_SCAN_REVERSE};
use crate::{RowId, Scan};
use std::ops::Range;

/// Starts a scan over the live rows in ascending row id order. It reads a
/// snapshot: rows put or deleted after this call returns do not change what
/// it yields.
///
/// Returns an iterator owned by the caller, to be released with
/// `toonstore_iter_free`, or NULL; the thread's last error code is then one
/// of: `TOONSTORE_ERR_INVALID_ARG` (`db` NULL), `TOONSTORE_ERR_CLOSED`,
/// `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_scan(db: *mut FfiDatabase) -> *mut FfiIter {
    // SAFETY: forwarded contract.
    unsafe { toonstore_scan_from(db, 0) }
}

/// Like `toonstore_scan`, starting at the first live row with id
/// `>= start_row_id`. Returns an iterator (`toonstore_iter_free`) or NULL
/// with the last error code one of: `TOONSTORE_ERR_INVALID_ARG` (`db` NULL,
/// a negative start), `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_scan_from(
    db: *mut FfiDatabase,
    start_row_id: i64,
) -> *mut FfiIter {
    guard(|| {
        // SAFETY: forwarded contract.
        let store = unsafe { self::db(db) }?;
        let scan = store.scan_from(row_id(start_row_id)?)?;
        Ok(handles::into_raw::<FfiIter>(scan))
    })
}

/// The flags `toonstore_scan_range` knows.
const SCAN_FLAGS: u32 = TOONSTORE_SCAN_REVERSE;

/// Checks a range scan's arguments; returns (start, stop, reverse). `stop`
/// is exclusive; `TOONSTORE_SCAN_END` is no bound (no id reaches it).
fn scan_range_args(start: i64, stop: i64, flags: u32) -> Result<(RowId, RowId, bool)> {
    if flags & !SCAN_FLAGS != 0 {
        return Err(invalid(&format!(
            "unknown scan flags {:#x} (known: TOONSTORE_SCAN_REVERSE)",
            flags & !SCAN_FLAGS
        )));
    }
    let start = row_id(start)?;
    let stop = u64::try_from(stop)
        .ok()
        .filter(|&stop| stop >= start)
        .ok_or_else(|| {
            invalid(&format!(
                "stop {stop} is below start {start} (TOONSTORE_SCAN_END for no bound)"
            ))
        })?;
    debug_assert_eq!(TOONSTORE_SCAN_END as u64, i64::MAX as u64);
    Ok((start, stop, flags & TOONSTORE_SCAN_REVERSE != 0))
}

/// Clears `*out_iter`, checks the arguments, and stores in `*out_iter` the
/// scan of `start..stop` that `scan` starts.
///
/// # Safety
/// `out_iter` is null or writable.
unsafe fn scan_range_into(
    out_iter: *mut *mut FfiIter,
    start: i64,
    stop: i64,
    flags: u32,
    scan: impl FnOnce(Range<RowId>, bool) -> Result<Scan>,
) -> Result<c_int> {
    // SAFETY: forwarded contract.
    unsafe { set_out(out_iter, std::ptr::null_mut()) };
    if out_iter.is_null() {
        return Err(invalid("out_iter is NULL"));
    }
    let (start, stop, reverse) = scan_range_args(start, stop, flags)?;
    let scan = scan(start..stop, reverse)?;
    // SAFETY: non-null and writable (forwarded contract).
    unsafe { out_iter.write(handles::into_raw::<FfiIter>(scan)) };
    Ok(TOONSTORE_OK)
}

/// Starts a bounded scan over the live rows with `start <= id < stop`, in
/// ascending id order, or from the highest id down when `flags` holds
/// `TOONSTORE_SCAN_REVERSE`. Pass `stop = TOONSTORE_SCAN_END` for no upper
/// bound; `stop == start` gives an empty scan. The scan reads a snapshot
/// taken by this call (rows put or deleted afterwards do not change what it
/// yields), finds its first row without walking the ids before it, and
/// yields rows with `toonstore_iter_next` as `toonstore_scan` does.
/// "The last N rows": `TOONSTORE_SCAN_REVERSE` over `0, TOONSTORE_SCAN_END`
/// and N calls of `toonstore_iter_next`.
///
/// `*out_iter` receives an iterator owned by the caller, to be released with
/// `toonstore_iter_free`. Returns `TOONSTORE_OK`, or one of:
/// `TOONSTORE_ERR_INVALID_ARG` (`db` or `out_iter` NULL, `start < 0`,
/// `stop < start`, a flag other than `TOONSTORE_SCAN_REVERSE`),
/// `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_INTERNAL`; `*out_iter` is then
/// NULL (where `out_iter` is not NULL). (Since 1.2.)
#[no_mangle]
pub unsafe extern "C" fn toonstore_scan_range(
    db: *mut FfiDatabase,
    start: i64,
    stop: i64,
    flags: u32,
    out_iter: *mut *mut FfiIter,
) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract (`out_iter` null or writable, `db` null
        // or a handle).
        unsafe {
            scan_range_into(out_iter, start, stop, flags, |range, reverse| {
                self::db(db)?.scan_range(range, reverse)
            })
        }
    })
}

/// Like `toonstore_scan_range`, over the rows of `snapshot`: rows it yields
/// stay valid until the snapshot is freed (or the next
/// `toonstore_iter_next`, whichever comes later). Returns `TOONSTORE_OK`,
/// or one of: `TOONSTORE_ERR_INVALID_ARG` (`snapshot` or `out_iter` NULL,
/// `start < 0`, `stop < start`, a flag other than
/// `TOONSTORE_SCAN_REVERSE`), `TOONSTORE_ERR_CLOSED`,
/// `TOONSTORE_ERR_INTERNAL`; `*out_iter` is then NULL (where `out_iter` is
/// not NULL). (Since 1.2.)
#[no_mangle]
pub unsafe extern "C" fn toonstore_snapshot_scan_range(
    snapshot: *const FfiSnapshot,
    start: i64,
    stop: i64,
    flags: u32,
    out_iter: *mut *mut FfiIter,
) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract (`out_iter` null or writable,
        // `snapshot` null or a handle).
        unsafe {
            scan_range_into(out_iter, start, stop, flags, |range, reverse| {
                handles::get(snapshot)?.scan_range(range, reverse)
            })
        }
    })
}

/// Advances the iterator (used by one thread at a time). Returns 1 and fills
/// `*row_id`, `*data`, `*len` with the next row; 0 at the end (and on every
/// later call; the out-pointers are then left as they were); or one of:
/// `TOONSTORE_ERR_INVALID_ARG` (an argument NULL), `TOONSTORE_ERR_CLOSED`,
/// `TOONSTORE_ERR_CORRUPT` (the row failed its checksum; the iterator moves
/// past it), `TOONSTORE_ERR_INTERNAL`. On failure `*row_id` is -1, `*data`
/// NULL and `*len` 0 (each where the pointer is not NULL).
///
/// `*data` is **borrowed**: valid until the next `toonstore_iter_next` or
/// `toonstore_iter_free` on this iterator (for an iterator from
/// `toonstore_snapshot_scan`: until its snapshot is freed, whichever comes
/// later); never free or modify it. An empty row gives `*len == 0`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_iter_next(
    iter: *mut FfiIter,
    row_id: *mut i64,
    data: *mut *mut u8,
    len: *mut usize,
) -> c_int {
    // SAFETY: the out-pointers are null or writable (the function's contract).
    let clear = || unsafe {
        set_out(row_id, NO_ROW_ID);
        set_out(data, std::ptr::null_mut());
        set_out(len, 0);
    };
    guard(|| {
        if row_id.is_null() || data.is_null() || len.is_null() {
            clear();
            return Err(invalid("row_id, data and len must not be NULL"));
        }
        // SAFETY: forwarded contract.
        let scan = unsafe { handles::get_mut(iter) }.inspect_err(|_| clear())?;
        match scan.next_ref() {
            None => Ok(0),
            Some(row) => {
                let (id, value) = row.inspect_err(|_| clear())?;
                // SAFETY: all three are non-null and writable (caller's contract).
                unsafe {
                    row_id.write(id as i64);
                    data.write(value.as_ptr().cast_mut());
                    len.write(value.len());
                }
                Ok(1)
            }
        }
    })
}

/// Releases an iterator; NULL is a no-op. The iterator and the rows it
/// lent must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn toonstore_iter_free(iter: *mut FfiIter) {
    guard(|| {
        // SAFETY: forwarded contract.
        drop(unsafe { handles::release(iter) });
        Ok(())
    })
}

/// Takes a snapshot: a consistent, read-only view of this moment, for
/// zero-copy reads. `*out_snapshot` receives a handle owned by the caller,
/// to be released with `toonstore_snapshot_free` (NULL on failure). A
/// snapshot keeps the segments it reads alive (also through compaction),
/// may be used from many threads at once, and stays valid after its
/// database is closed.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`db` or
/// `out_snapshot` NULL), `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_snapshot_open(
    db: *mut FfiDatabase,
    out_snapshot: *mut *mut FfiSnapshot,
) -> c_int {
    guard(|| {
        // SAFETY: `out_snapshot` is null or writable (the function's contract).
        unsafe { set_out(out_snapshot, std::ptr::null_mut()) };
        if out_snapshot.is_null() {
            return Err(invalid("out_snapshot is NULL"));
        }
        // SAFETY: forwarded contract.
        let snapshot = unsafe { self::db(db) }?.snapshot()?;
        // SAFETY: as above.
        unsafe { out_snapshot.write(handles::into_raw::<FfiSnapshot>(snapshot)) };
        Ok(TOONSTORE_OK)
    })
}

/// Reads row `row_id` as of the snapshot without copying: `*data` is
/// **borrowed** from the database's mapping and stays valid until
/// `toonstore_snapshot_free(snapshot)`; never free or modify it. An empty
/// row gives `*len == 0`.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_NOT_FOUND` (the row was
/// absent at the snapshot's moment), `TOONSTORE_ERR_INVALID_ARG` (an
/// argument NULL, a negative id), `TOONSTORE_ERR_CLOSED`,
/// `TOONSTORE_ERR_CORRUPT`, `TOONSTORE_ERR_INTERNAL`. On failure `*data` is
/// NULL and `*len` 0 (each where the pointer is not NULL).
#[no_mangle]
pub unsafe extern "C" fn toonstore_snapshot_get(
    snapshot: *const FfiSnapshot,
    row_id: i64,
    data: *mut *const u8,
    len: *mut usize,
) -> c_int {
    guard(|| {
        // SAFETY: `data` and `len` are null or writable (the function's contract).
        unsafe {
            set_out(data, std::ptr::null());
            set_out(len, 0);
        }
        if data.is_null() || len.is_null() {
            return Err(invalid("data and len must not be NULL"));
        }
        // SAFETY: forwarded contract.
        let snap = unsafe { handles::get(snapshot) }?;
        let id = self::row_id(row_id)?;
        let value = snap.get(id)?.ok_or_else(|| crate::Error::not_found(id))?;
        // SAFETY: as above.
        unsafe {
            data.write(value.as_ptr());
            len.write(value.len());
        }
        Ok(TOONSTORE_OK)
    })
}

/// Starts a scan of the snapshot from the first live row with id
/// `>= start_row_id`. Rows it yields stay valid until the snapshot is freed.
/// Returns an iterator owned by the caller (`toonstore_iter_free`), or NULL
/// with the last error code one of: `TOONSTORE_ERR_INVALID_ARG` (`snapshot`
/// NULL, a negative start), `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_snapshot_scan(
    snapshot: *const FfiSnapshot,
    start_row_id: i64,
) -> *mut FfiIter {
    guard(|| {
        // SAFETY: forwarded contract.
        let snap = unsafe { handles::get(snapshot) }?;
        let scan = snap.scan_from(row_id(start_row_id)?);
        Ok(handles::into_raw::<FfiIter>(scan))
    })
}

/// Releases a snapshot; NULL is a no-op. Pointers borrowed from it become
/// invalid; iterators of it must be freed before or after, not used.
#[no_mangle]
pub unsafe extern "C" fn toonstore_snapshot_free(snapshot: *mut FfiSnapshot) {
    guard(|| -> Result<()> {
        // SAFETY: forwarded contract.
        drop(unsafe { handles::release(snapshot) });
        Ok(())
    })
}
