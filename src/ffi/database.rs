//! Opening, closing, writing and reading rows through a `ToonStore*`.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

use crate::error::{Error, ErrorKind, Result};
use crate::ffi::boundary::{guard, invalid};
use crate::ffi::handles::{self, FfiDatabase};
use crate::ffi::options::{self, ToonStoreOpenOptions, ToonStoreStats};
use crate::ffi::{TOONSTORE_DURABILITY_DEFAULT, TOONSTORE_OK};
use crate::{Options, RowId, ToonStore};

/// Converts a C path; NULL, empty and non-UTF-8 paths are refused.
///
/// # Safety
/// `path` is null or a NUL-terminated string.
pub(crate) unsafe fn path_from_c<'a>(path: *const c_char) -> Result<&'a str> {
    if path.is_null() {
        return Err(invalid("path is NULL"));
    }
    // SAFETY: non-null and NUL-terminated by the caller's contract.
    let bytes = unsafe { CStr::from_ptr(path) };
    let text = bytes
        .to_str()
        .map_err(|_| invalid("path is not valid UTF-8"))?;
    if text.is_empty() {
        return Err(invalid("path is empty"));
    }
    Ok(text)
}

/// Checks a C row id.
pub(crate) fn row_id(id: i64) -> Result<RowId> {
    u64::try_from(id).map_err(|_| invalid(&format!("row id {id} is negative")))
}

/// Borrows `len` bytes at `data`; NULL is allowed only with `len == 0`.
///
/// # Safety
/// `data` is null or points to `len` readable bytes.
pub(crate) unsafe fn bytes_from_c<'a>(data: *const u8, len: usize) -> Result<&'a [u8]> {
    if data.is_null() {
        return if len == 0 {
            Ok(&[])
        } else {
            Err(invalid("data is NULL but len is not 0"))
        };
    }
    // Every caller passes a row value: refuse what no value can be before
    // touching the bytes. (A batch copies its values at once, so without
    // this a huge `len` aborted the process on allocation failure.)
    if len as u64 > crate::MAX_VALUE_SIZE {
        return Err(Error::new(
            ErrorKind::TooLarge,
            format!(
                "value of {len} bytes exceeds the format's limit of {} bytes",
                crate::MAX_VALUE_SIZE
            ),
        ));
    }
    // SAFETY: non-null, and `len` readable bytes by the caller's contract.
    Ok(unsafe { std::slice::from_raw_parts(data, len) })
}

/// # Safety
/// `db` is null or a handle from `toonstore_open*`.
pub(crate) unsafe fn db<'a>(db: *const FfiDatabase) -> Result<&'a ToonStore> {
    // SAFETY: forwarded contract.
    unsafe { handles::get(db) }
}

fn open(path: &str, options: &Options) -> Result<*mut FfiDatabase> {
    let store = ToonStore::open_with(path, options)?;
    Ok(handles::into_raw::<FfiDatabase>(store))
}

/// Opens the database in directory `path` with default options, creating it
/// (and the directory) when missing.
///
/// Returns a handle owned by the caller, released with `toonstore_close`, or
/// NULL on failure; `toonstore_last_error()` then says why (the path and the
/// OS error, "locked by another process", "corrupt", ...).
///
/// # Safety
/// `path` is null or a NUL-terminated string.
#[no_mangle]
pub unsafe extern "C" fn toonstore_open(path: *const c_char) -> *mut FfiDatabase {
    guard(|| {
        // SAFETY: forwarded contract.
        let path = unsafe { path_from_c(path) }?;
        open(path, &Options::default())
    })
}

/// Opens the database in directory `path` with `opts` (NULL: defaults).
/// On success `*out_db` receives a handle owned by the caller (release it
/// with `toonstore_close`); on failure `*out_db` is set to NULL.
///
/// Returns `TOONSTORE_OK` or a negative error code.
///
/// # Safety
/// `path` is null or NUL-terminated; `opts` is null or an initialized
/// options struct; `out_db` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn toonstore_open_with(
    path: *const c_char,
    opts: *const ToonStoreOpenOptions,
    out_db: *mut *mut FfiDatabase,
) -> c_int {
    guard(|| {
        if out_db.is_null() {
            return Err(invalid("out_db is NULL"));
        }
        // SAFETY: non-null and writable by the caller's contract.
        unsafe { out_db.write(std::ptr::null_mut()) };
        // SAFETY: forwarded contracts.
        let (path, options) = unsafe { (path_from_c(path)?, options::options_from_c(opts)?) };
        let handle = open(path, &options)?;
        // SAFETY: as above.
        unsafe { out_db.write(handle) };
        Ok(TOONSTORE_OK)
    })
}

/// Closes the database: makes every acknowledged write durable, releases
/// the lock and all memory. NULL is a no-op. Errors of the final flush are
/// only reported through `toonstore_last_error()`; use
/// `toonstore_close_checked` to get them as a return code.
///
/// # Safety
/// `db` is null or a handle from `toonstore_open*` that no other thread is
/// using; it must not be used afterwards.
#[no_mangle]
pub unsafe extern "C" fn toonstore_close(db: *mut FfiDatabase) {
    // SAFETY: forwarded contract.
    let _ = unsafe { toonstore_close_checked(db) };
}

/// Like `toonstore_close`, and returns `TOONSTORE_OK` or the error of the
/// final flush (the handle is released either way). NULL gives
/// `TOONSTORE_OK`; an already closed handle gives `TOONSTORE_ERR_CLOSED`.
///
/// # Safety
/// As `toonstore_close`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_close_checked(db: *mut FfiDatabase) -> c_int {
    guard(|| {
        if db.is_null() {
            return Ok(TOONSTORE_OK);
        }
        // SAFETY: forwarded contract.
        match unsafe { handles::release(db) } {
            Some(store) => store.close().map(|()| TOONSTORE_OK),
            None => Err(Error::new(
                ErrorKind::Closed,
                "the database handle is already closed",
            )),
        }
    })
}

/// Appends a row of `len` bytes and returns its new row id (>= 0), or a
/// negative `TOONSTORE_ERR_*` code. Row ids increase and are never reused.
/// The bytes are copied; `data` may be NULL only when `len` is 0.
///
/// # Safety
/// `db` is null or a live handle; `data` is null or points to `len` bytes.
#[no_mangle]
pub unsafe extern "C" fn toonstore_put(db: *mut FfiDatabase, data: *const u8, len: usize) -> i64 {
    guard(|| {
        // SAFETY: forwarded contracts.
        let (store, bytes) = unsafe { (self::db(db)?, bytes_from_c(data, len)?) };
        Ok(store.put(bytes)? as i64)
    })
}

/// Like `toonstore_put`, with the durability for this call
/// (`TOONSTORE_DURABILITY_*`, or `TOONSTORE_DURABILITY_DEFAULT` for the
/// database's). The id goes to `*out_row_id` (may be NULL).
///
/// # Safety
/// As `toonstore_put`; `out_row_id` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn toonstore_put_with(
    db: *mut FfiDatabase,
    data: *const u8,
    len: usize,
    durability: u32,
    out_row_id: *mut i64,
) -> c_int {
    guard(|| {
        // SAFETY: forwarded contracts.
        let (store, bytes) = unsafe { (self::db(db)?, bytes_from_c(data, len)?) };
        let durability = if durability == TOONSTORE_DURABILITY_DEFAULT {
            store.options().durability
        } else {
            options::durability_from_c(durability)?
        };
        let id = store.put_with(bytes, durability)?;
        if !out_row_id.is_null() {
            // SAFETY: non-null and writable by the caller's contract.
            unsafe { out_row_id.write(id as i64) };
        }
        Ok(TOONSTORE_OK)
    })
}

/// Reads row `row_id` into a new buffer: on `TOONSTORE_OK`, `*data` is owned
/// by the caller and must be released with `toonstore_free_buffer(*data)`,
/// and `*len` is its length (an empty row gives `*len == 0` and `*data`
/// NULL). `TOONSTORE_ERR_NOT_FOUND` for an id never assigned or deleted.
/// On any failure `*data` is NULL and `*len` is 0.
///
/// # Safety
/// `db` is null or a live handle; `data` and `len` are null or writable.
#[no_mangle]
pub unsafe extern "C" fn toonstore_get(
    db: *mut FfiDatabase,
    row_id: i64,
    data: *mut *mut u8,
    len: *mut usize,
) -> c_int {
    guard(|| {
        if data.is_null() || len.is_null() {
            return Err(invalid("data and len must not be NULL"));
        }
        // SAFETY: both non-null and writable by the caller's contract.
        unsafe {
            data.write(std::ptr::null_mut());
            len.write(0);
        }
        // SAFETY: forwarded contract.
        let store = unsafe { self::db(db) }?;
        let id = self::row_id(row_id)?;
        let copied = store.get_with(id, |value| -> Result<(*mut u8, usize)> {
            if value.is_empty() {
                return Ok((std::ptr::null_mut(), 0));
            }
            // SAFETY: malloc of a non-zero size; checked for NULL below.
            let buf = unsafe { libc::malloc(value.len()) }.cast::<u8>();
            if buf.is_null() {
                return Err(Error::new(
                    ErrorKind::NoMemory,
                    format!("cannot allocate {} bytes for row {id}", value.len()),
                ));
            }
            // SAFETY: `buf` holds `value.len()` bytes and does not overlap it.
            unsafe { std::ptr::copy_nonoverlapping(value.as_ptr(), buf, value.len()) };
            Ok((buf, value.len()))
        })?;
        let (buf, n) = copied.ok_or_else(|| Error::not_found(id))??;
        // SAFETY: as above.
        unsafe {
            data.write(buf);
            len.write(n);
        }
        Ok(TOONSTORE_OK)
    })
}

/// Copies row `row_id` into the caller's buffer `buf` of `cap` bytes and
/// stores the row's length in `*out_len`. When `cap` is too small, nothing
/// is copied, `*out_len` holds the size needed and the result is
/// `TOONSTORE_ERR_BUFFER_TOO_SMALL`. `buf` may be NULL when `cap` is 0.
///
/// # Safety
/// `db` is null or a live handle; `buf` is null or `cap` writable bytes;
/// `out_len` is null or writable.
#[no_mangle]
pub unsafe extern "C" fn toonstore_get_into(
    db: *mut FfiDatabase,
    row_id: i64,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> c_int {
    guard(|| {
        if out_len.is_null() {
            return Err(invalid("out_len is NULL"));
        }
        if buf.is_null() && cap != 0 {
            return Err(invalid("buf is NULL but cap is not 0"));
        }
        // SAFETY: forwarded contract.
        let store = unsafe { self::db(db) }?;
        let id = self::row_id(row_id)?;
        let n = store
            .get_with(id, |value| {
                if value.len() <= cap && !value.is_empty() {
                    // SAFETY: `buf` has `cap >= value.len()` writable bytes.
                    unsafe { std::ptr::copy_nonoverlapping(value.as_ptr(), buf, value.len()) };
                }
                value.len()
            })?
            .ok_or_else(|| Error::not_found(id))?;
        // SAFETY: non-null and writable by the caller's contract.
        unsafe { out_len.write(n) };
        if n > cap {
            return Err(Error::new(
                ErrorKind::BufferTooSmall,
                format!("row {id} has {n} bytes, the buffer {cap}"),
            ));
        }
        Ok(TOONSTORE_OK)
    })
}

/// 1 when row `row_id` is live, 0 when it is not, or a negative error code.
///
/// # Safety
/// `db` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn toonstore_contains(db: *mut FfiDatabase, row_id: i64) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract.
        let store = unsafe { self::db(db) }?;
        Ok(c_int::from(store.contains(self::row_id(row_id)?)?))
    })
}

/// Deletes row `row_id`: `TOONSTORE_OK`, or `TOONSTORE_ERR_NOT_FOUND` when
/// it is absent or already deleted.
///
/// # Safety
/// `db` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn toonstore_delete(db: *mut FfiDatabase, row_id: i64) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract.
        let store = unsafe { self::db(db) }?;
        store.delete(self::row_id(row_id)?)?;
        Ok(TOONSTORE_OK)
    })
}

/// Makes every acknowledged write durable (fsync of the log).
///
/// # Safety
/// `db` is null or a live handle.
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
/// # Safety
/// `db` is null or a live handle.
#[no_mangle]
pub unsafe extern "C" fn toonstore_compact(db: *mut FfiDatabase) -> c_int {
    guard(|| {
        // SAFETY: forwarded contract.
        unsafe { self::db(db) }?.compact()?;
        Ok(TOONSTORE_OK)
    })
}

/// Fills `*out` (whose `version` the caller set to `TOONSTORE_STATS_VERSION`).
///
/// # Safety
/// `db` is null or a live handle; `out` is null or a writable stats struct.
#[no_mangle]
pub unsafe extern "C" fn toonstore_stats(db: *mut FfiDatabase, out: *mut ToonStoreStats) -> c_int {
    guard(|| {
        if out.is_null() {
            return Err(invalid("out is NULL"));
        }
        // SAFETY: forwarded contract.
        let stats = unsafe { self::db(db) }?.stats()?;
        // SAFETY: non-null; writable by the caller's contract.
        unsafe { options::write_stats(out, &stats) }?;
        Ok(TOONSTORE_OK)
    })
}
