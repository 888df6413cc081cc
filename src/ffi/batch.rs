//! Atomic batches through a `ToonStoreBatch*`.

use std::os::raw::c_int;

use crate::ffi::boundary::{guard, set_out, NO_ROW_ID};
use crate::ffi::database::{bytes_from_c, db, row_id};
use crate::ffi::handles::{self, FfiBatch, FfiDatabase};
use crate::ffi::TOONSTORE_OK;
use crate::Batch;

/// A new, empty batch owned by the caller, to be released with
/// `toonstore_batch_free`. A batch is not tied to a database and belongs to
/// one thread at a time. Returns NULL only on `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub extern "C" fn toonstore_batch_new() -> *mut FfiBatch {
    guard(|| Ok(handles::into_raw::<FfiBatch>(Batch::new())))
}

/// Adds a put of `len` bytes read from `data` (copied; `data` may be NULL
/// only when `len` is 0).
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`batch`
/// NULL, `data` NULL with `len` > 0), `TOONSTORE_ERR_CLOSED`,
/// `TOONSTORE_ERR_TOO_LARGE` (beyond the format's limit; the database's
/// `max_value_size` is checked at commit), `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_put(
    batch: *mut FfiBatch,
    data: *const u8,
    len: usize,
) -> c_int {
    guard(|| {
        // SAFETY: forwarded contracts.
        let (batch, bytes) = unsafe { (handles::get_mut(batch)?, bytes_from_c(data, len)?) };
        batch.put(bytes);
        Ok(TOONSTORE_OK)
    })
}

/// Adds a delete of row `row_id`. The whole batch fails with
/// `TOONSTORE_ERR_NOT_FOUND` at commit if that row is absent then.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`batch`
/// NULL, a negative id), `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_delete(batch: *mut FfiBatch, row_id: i64) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract.
        let batch = unsafe { handles::get_mut(batch) }?;
        batch.delete(self::row_id(row_id)?);
        Ok(TOONSTORE_OK)
    })
}

/// The number of operations in the batch; 0 for NULL or a freed batch
/// (then the last error is `TOONSTORE_ERR_INVALID_ARG` or
/// `TOONSTORE_ERR_CLOSED`).
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_count(batch: *const FfiBatch) -> usize {
    // SAFETY: forwarded contract.
    guard(|| Ok(unsafe { handles::get(batch) }.map_or(0, |b| b.len())))
}

/// Removes every operation from the batch. For NULL or a freed batch it does
/// nothing but set the last error (`TOONSTORE_ERR_INVALID_ARG`,
/// `TOONSTORE_ERR_CLOSED`).
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_clear(batch: *mut FfiBatch) {
    guard(|| {
        // SAFETY: forwarded contract.
        unsafe { handles::get_mut(batch) }?.clear();
        Ok(())
    })
}

/// Commits the batch to `db` atomically: every put and delete, or none.
/// Puts receive consecutive ids in the order they were added; the first goes
/// to `*out_first_row_id` (the pointer may be NULL; -1 when the batch has no
/// puts, and on failure). On success the batch is cleared for reuse; on
/// failure it is left unchanged and nothing was written.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_NOT_FOUND` (a delete
/// names an absent row), `TOONSTORE_ERR_INVALID_ARG` (`db` or `batch` NULL),
/// `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_TOO_LARGE`,
/// `TOONSTORE_ERR_READ_ONLY`, `TOONSTORE_ERR_POISONED`, `TOONSTORE_ERR_IO`,
/// `TOONSTORE_ERR_NOMEM`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_commit(
    db: *mut FfiDatabase,
    batch: *mut FfiBatch,
    out_first_row_id: *mut i64,
) -> c_int {
    guard(|| {
        // SAFETY: `out_first_row_id` is null or writable (the function's contract).
        unsafe { set_out(out_first_row_id, NO_ROW_ID) };
        // SAFETY: forwarded contracts.
        let (store, batch) = unsafe { (self::db(db)?, handles::get_mut(batch)?) };
        let ids = store.write(batch)?;
        batch.clear();
        let first = ids.first().map_or(NO_ROW_ID, |&id| id as i64);
        // SAFETY: as above.
        unsafe { set_out(out_first_row_id, first) };
        Ok(TOONSTORE_OK)
    })
}

/// Releases a batch (uncommitted operations are discarded); NULL is a no-op.
/// The batch must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_free(batch: *mut FfiBatch) {
    guard(|| {
        // SAFETY: forwarded contract.
        drop(unsafe { handles::release(batch) });
        Ok(())
    })
}
