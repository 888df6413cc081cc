//! Opening, closing, writing and reading rows through a `ToonStore*`.

use std::ffi::CStr;
use std::os::raw::{c_char, c_int};

use crate::error::{Error, ErrorKind, Result};
use crate::ffi::boundary::{guard, invalid, set_out, NO_ROW_ID};
use crate::ffi::handles::{self, FfiDatabase};
use crate::ffi::options::{self, ToonStoreOpenOptions};
use crate::ffi::{TOONSTORE_DURABILITY_DEFAULT, TOONSTORE_OK};
use crate::ffi::{TOONSTORE_DURABILITY_NORMAL, TOONSTORE_OPEN_OPTIONS_VERSION};
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
#[inline]
pub(crate) fn row_id(id: i64) -> Result<RowId> {
    match u64::try_from(id) {
        Ok(id) => Ok(id),
        Err(_) => Err(negative_row_id(id)),
    }
}

#[cold]
fn negative_row_id(id: i64) -> Error {
    invalid(&format!("row id {id} is negative"))
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
#[inline]
pub(crate) unsafe fn db<'a>(db: *const FfiDatabase) -> Result<&'a ToonStore> {
    // SAFETY: forwarded contract.
    unsafe { handles::get(db) }.map(|store| &**store)
}

/// Every C handle shares the process's engine for its directory.
fn open(path: &str, options: &Options) -> Result<*mut FfiDatabase> {
    let store = ToonStore::open_shared(path, options)?;
    Ok(handles::into_raw::<FfiDatabase>(store))
}

/// Opens the database in directory `path` (a NUL-terminated UTF-8 string)
/// with default options, creating the directory and the database when
/// missing.
///
/// Returns a handle owned by the caller, to be released with
/// `toonstore_close`, or NULL on failure; `toonstore_last_error()` then says
/// why and `toonstore_last_error_code()` is one of:
/// `TOONSTORE_ERR_INVALID_ARG` (path NULL, empty or not UTF-8),
/// `TOONSTORE_ERR_IO`, `TOONSTORE_ERR_LOCKED` (open for writing in another
/// process), `TOONSTORE_ERR_CORRUPT`, `TOONSTORE_ERR_VERSION` (files of a
/// newer format), `TOONSTORE_ERR_NOMEM`, `TOONSTORE_ERR_INTERNAL`.
///
/// A directory already open in this process is not opened twice: the new
/// handle shares the open database (docs/c/CONTRACT.md, "One database, one
/// engine per process"); each handle is closed on its own.
#[no_mangle]
pub unsafe extern "C" fn toonstore_open(path: *const c_char) -> *mut FfiDatabase {
    guard(|| {
        // SAFETY: `path` is null or NUL-terminated (the function's contract).
        let path = unsafe { path_from_c(path) }?;
        open(path, &Options::default())
    })
}

/// Fills `*opts` (caller-allocated) with the defaults of struct version
/// `version` (pass `TOONSTORE_OPEN_OPTIONS_VERSION`): durability NORMAL,
/// read-write, create if missing, checksums verified, flush every 1000 ms,
/// values up to 64 MiB, segments of 64 MiB.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`opts`
/// NULL), `TOONSTORE_ERR_VERSION` (a version this library does not know;
/// `*opts` is not written).
#[no_mangle]
pub unsafe extern "C" fn toonstore_open_options_init(
    opts: *mut ToonStoreOpenOptions,
    version: u32,
) -> c_int {
    guard(|| {
        if opts.is_null() {
            return Err(invalid("opts is NULL"));
        }
        if version != TOONSTORE_OPEN_OPTIONS_VERSION {
            return Err(options::version_error(
                "ToonStoreOpenOptions",
                version,
                TOONSTORE_OPEN_OPTIONS_VERSION,
            ));
        }
        let d = Options::default();
        let value = ToonStoreOpenOptions {
            version,
            durability: TOONSTORE_DURABILITY_NORMAL,
            read_only: 0,
            create_if_missing: 1,
            verify_checksums: 1,
            sync_interval_ms: d.sync_interval.as_millis() as u32,
            max_value_size: d.max_value_size,
            segment_size: d.segment_size,
        };
        // SAFETY: non-null, and a writable struct of this version (the
        // function's contract).
        unsafe { opts.write(value) };
        Ok(TOONSTORE_OK)
    })
}

/// Opens the database in directory `path` with `opts` (NULL: the defaults;
/// otherwise a struct filled by `toonstore_open_options_init`). On success
/// `*out_db` receives a handle owned by the caller, to be released with
/// `toonstore_close`; on failure `*out_db` is set to NULL.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_INVALID_ARG` (`out_db`
/// NULL, a bad path, an option out of range, options that differ from
/// those the database is already open with in this process),
/// `TOONSTORE_ERR_VERSION` (an options version this library does not know,
/// or files of a newer format), `TOONSTORE_ERR_IO` (also: no database and
/// `create_if_missing` is 0), `TOONSTORE_ERR_LOCKED` (a writable open of a
/// database open for writing in another process, or open only read-only
/// in this process; a read-only open takes no lock and opens beside a
/// writer in another process),
/// `TOONSTORE_ERR_CORRUPT`, `TOONSTORE_ERR_NOMEM`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_open_with(
    path: *const c_char,
    opts: *const ToonStoreOpenOptions,
    out_db: *mut *mut FfiDatabase,
) -> c_int {
    guard(|| {
        // SAFETY: `out_db` is null or writable (the function's contract).
        unsafe { set_out(out_db, std::ptr::null_mut()) };
        if out_db.is_null() {
            return Err(invalid("out_db is NULL"));
        }
        // SAFETY: `path` is null or NUL-terminated; `opts` is null or an
        // initialized options struct (the function's contract).
        let (path, options) = unsafe { (path_from_c(path)?, options::options_from_c(opts)?) };
        let handle = open(path, &options)?;
        // SAFETY: non-null and writable (above).
        unsafe { out_db.write(handle) };
        Ok(TOONSTORE_OK)
    })
}

/// Closes the handle and releases it: NULL is a no-op. When it is the last
/// handle on its database in this process, every acknowledged write is made
/// durable, the lock is released and all memory freed. Errors of that final
/// flush are only reported through `toonstore_last_error()`; use
/// `toonstore_close_checked` to get them as a return code. No other thread
/// may use `db` during the call, and nobody afterwards.
#[no_mangle]
pub unsafe extern "C" fn toonstore_close(db: *mut FfiDatabase) {
    // SAFETY: forwarded contract.
    let _ = unsafe { toonstore_close_checked(db) };
}

/// Like `toonstore_close`, and returns the outcome (the handle is released
/// either way): `TOONSTORE_OK` (also for NULL), or one of:
/// `TOONSTORE_ERR_CLOSED` (already closed, or not a database handle),
/// `TOONSTORE_ERR_IO` (the final flush failed), `TOONSTORE_ERR_POISONED`
/// (an earlier flush failed), `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_close_checked(db: *mut FfiDatabase) -> c_int {
    guard(|| {
        if db.is_null() {
            return Ok(TOONSTORE_OK);
        }
        // SAFETY: `db` is a handle no other thread uses now or later (the
        // function's contract).
        match unsafe { handles::release(db) } {
            // Each C handle holds the only `Arc` of its `ToonStore`; closing
            // it closes the engine when no other handle shares it.
            Some(store) => match std::sync::Arc::try_unwrap(store) {
                Ok(store) => store.close().map(|()| TOONSTORE_OK),
                Err(_) => Ok(TOONSTORE_OK),
            },
            None => Err(Error::new(
                ErrorKind::Closed,
                "the database handle is already closed",
            )),
        }
    })
}

/// Appends a row of `len` bytes read from `data` (copied; `data` may be NULL
/// only when `len` is 0).
///
/// Returns the new row id (>= 0; ids increase and are never reused), or one
/// of: `TOONSTORE_ERR_INVALID_ARG` (`db` NULL, `data` NULL with `len` > 0),
/// `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_TOO_LARGE` (`len` above the
/// database's `max_value_size`), `TOONSTORE_ERR_READ_ONLY`,
/// `TOONSTORE_ERR_POISONED`, `TOONSTORE_ERR_IO` (e.g. disk full),
/// `TOONSTORE_ERR_NOMEM`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_put(db: *mut FfiDatabase, data: *const u8, len: usize) -> i64 {
    guard(|| {
        // SAFETY: `db` is null or a live handle; `data` is null or `len`
        // readable bytes (the function's contract).
        let (store, bytes) = unsafe { (self::db(db)?, bytes_from_c(data, len)?) };
        Ok(store.put(bytes)? as i64)
    })
}

/// Like `toonstore_put`, with the durability of this one write
/// (`TOONSTORE_DURABILITY_*`, or `TOONSTORE_DURABILITY_DEFAULT` for the
/// handle's). The new row id goes to `*out_row_id` (which may be NULL); on
/// failure `*out_row_id` is -1.
///
/// Returns `TOONSTORE_OK`, or one of the codes of `toonstore_put`
/// (`TOONSTORE_ERR_INVALID_ARG` also for an unknown durability).
#[no_mangle]
pub unsafe extern "C" fn toonstore_put_with(
    db: *mut FfiDatabase,
    data: *const u8,
    len: usize,
    durability: u32,
    out_row_id: *mut i64,
) -> c_int {
    guard(|| {
        // SAFETY: `out_row_id` is null or writable (the function's contract).
        unsafe { set_out(out_row_id, NO_ROW_ID) };
        // SAFETY: as in `toonstore_put`.
        let (store, bytes) = unsafe { (self::db(db)?, bytes_from_c(data, len)?) };
        let durability = if durability == TOONSTORE_DURABILITY_DEFAULT {
            store.options().durability
        } else {
            options::durability_from_c(durability)?
        };
        let id = store.put_with(bytes, durability)?;
        // SAFETY: as above.
        unsafe { set_out(out_row_id, id as i64) };
        Ok(TOONSTORE_OK)
    })
}

/// Reads row `row_id` into a new buffer. On `TOONSTORE_OK`, `*data` is a
/// buffer of `*len` bytes owned by the caller, to be released with
/// `toonstore_free_buffer(*data)` (an empty row gives `*len == 0` and
/// `*data` NULL). On any failure, `*data` is NULL and `*len` is 0 (each
/// where the pointer is not NULL).
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_NOT_FOUND` (an id never
/// assigned, or deleted), `TOONSTORE_ERR_INVALID_ARG` (`db`, `data` or `len`
/// NULL; a negative id), `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_CORRUPT`
/// (the record failed its checksum), `TOONSTORE_ERR_NOMEM`,
/// `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_get(
    db: *mut FfiDatabase,
    row_id: i64,
    data: *mut *mut u8,
    len: *mut usize,
) -> c_int {
    guard(|| {
        // SAFETY: `data` and `len` are null or writable (the function's contract).
        unsafe {
            set_out(data, std::ptr::null_mut());
            set_out(len, 0);
        }
        if data.is_null() || len.is_null() {
            return Err(invalid("data and len must not be NULL"));
        }
        // SAFETY: `db` is null or a live handle (the function's contract).
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
        // SAFETY: both non-null and writable (above).
        unsafe {
            data.write(buf);
            len.write(n);
        }
        Ok(TOONSTORE_OK)
    })
}

/// Copies row `row_id` into the caller's buffer `buf` of `cap` bytes (`buf`
/// may be NULL when `cap` is 0) and stores the row's length in `*out_len`.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_BUFFER_TOO_SMALL`
/// (nothing copied; `*out_len` holds the size needed),
/// `TOONSTORE_ERR_NOT_FOUND`, `TOONSTORE_ERR_INVALID_ARG` (`db` or `out_len`
/// NULL, `buf` NULL with `cap` > 0, a negative id), `TOONSTORE_ERR_CLOSED`,
/// `TOONSTORE_ERR_CORRUPT`, `TOONSTORE_ERR_INTERNAL`. On every failure but
/// `TOONSTORE_ERR_BUFFER_TOO_SMALL`, `*out_len` (when not NULL) is 0.
#[no_mangle]
pub unsafe extern "C" fn toonstore_get_into(
    db: *mut FfiDatabase,
    row_id: i64,
    buf: *mut u8,
    cap: usize,
    out_len: *mut usize,
) -> c_int {
    guard(|| {
        // SAFETY: `out_len` is null or writable (the function's contract).
        unsafe { set_out(out_len, 0) };
        if out_len.is_null() {
            return Err(invalid("out_len is NULL"));
        }
        if buf.is_null() && cap != 0 {
            return Err(invalid("buf is NULL but cap is not 0"));
        }
        // SAFETY: `db` is null or a live handle (the function's contract).
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
        // SAFETY: non-null and writable (above).
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

/// Returns 1 when row `row_id` is live, 0 when it is not, or one of:
/// `TOONSTORE_ERR_INVALID_ARG` (`db` NULL, a negative id),
/// `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_contains(db: *mut FfiDatabase, row_id: i64) -> c_int {
    guard(|| {
        // SAFETY: `db` is null or a live handle (the function's contract).
        let store = unsafe { self::db(db) }?;
        Ok(c_int::from(store.contains(self::row_id(row_id)?)?))
    })
}

/// Deletes row `row_id`. Its id is never assigned again.
///
/// Returns `TOONSTORE_OK`, or one of: `TOONSTORE_ERR_NOT_FOUND` (absent or
/// already deleted), `TOONSTORE_ERR_INVALID_ARG` (`db` NULL, a negative id),
/// `TOONSTORE_ERR_CLOSED`, `TOONSTORE_ERR_READ_ONLY`,
/// `TOONSTORE_ERR_POISONED`, `TOONSTORE_ERR_IO`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_delete(db: *mut FfiDatabase, row_id: i64) -> c_int {
    guard(|| {
        // SAFETY: `db` is null or a live handle (the function's contract).
        let store = unsafe { self::db(db) }?;
        store.delete(self::row_id(row_id)?)?;
        Ok(TOONSTORE_OK)
    })
}
