//! Atomic batches through a `ToonStoreBatch*`.

use std::os::raw::c_int;

use crate::ffi::boundary::guard;
use crate::ffi::database::{bytes_from_c, db, row_id};
use crate::ffi::handles::{self, FfiBatch, FfiDatabase};
use crate::ffi::TOONSTORE_OK;
use crate::Batch;

/// A new, empty batch owned by the caller (release with `toonstore_batch_free`).
/// A batch is not tied to a database and belongs to one thread at a time.
#[no_mangle]
pub extern "C" fn toonstore_batch_new() -> *mut FfiBatch {
    guard(|| Ok(handles::into_raw::<FfiBatch>(Batch::new())))
}

/// Adds a put of `len` bytes (copied). `data` may be NULL only when `len` is 0.
///
/// # Safety
/// `batch` is null or a live batch; `data` is null or `len` readable bytes.
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
/// # Safety
/// `batch` is null or a live batch.
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_delete(batch: *mut FfiBatch, row_id: i64) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract.
        let batch = unsafe { handles::get_mut(batch) }?;
        batch.delete(self::row_id(row_id)?);
        Ok(TOONSTORE_OK)
    })
}

/// Number of operations in the batch (0 for NULL or a freed batch).
///
/// # Safety
/// `batch` is null or a live batch.
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_count(batch: *const FfiBatch) -> usize {
    // SAFETY: forwarded contract.
    guard(|| Ok(unsafe { handles::get(batch) }.map_or(0, |b| b.len())))
}

/// Removes every operation from the batch.
///
/// # Safety
/// `batch` is null or a live batch.
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
/// to `*out_first_row_id` (-1 when the batch has no puts; the pointer may be
/// NULL). On success the batch is cleared for reuse; on failure it is left
/// unchanged and nothing was written.
///
/// # Safety
/// `db` is null or a live handle; `batch` is null or a live batch;
/// `out_first_row_id` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_commit(
    db: *mut FfiDatabase,
    batch: *mut FfiBatch,
    out_first_row_id: *mut i64,
) -> c_int {
    guard(|| {
        // SAFETY: forwarded contracts.
        let (store, batch) = unsafe { (self::db(db)?, handles::get_mut(batch)?) };
        let ids = store.write(batch)?;
        batch.clear();
        if !out_first_row_id.is_null() {
            let first = ids.first().map_or(-1, |&id| id as i64);
            // SAFETY: non-null and writable by the caller's contract.
            unsafe { out_first_row_id.write(first) };
        }
        Ok(TOONSTORE_OK)
    })
}

/// Releases a batch (uncommitted operations are discarded); NULL is a no-op.
///
/// # Safety
/// `batch` is null or a batch not used afterwards.
#[no_mangle]
pub unsafe extern "C" fn toonstore_batch_free(batch: *mut FfiBatch) {
    guard(|| {
        // SAFETY: forwarded contract.
        drop(unsafe { handles::release(batch) });
        Ok(())
    })
}
