//! The versioned function table: `toonstore_api(version)`.
//!
//! A host that loads libtoonstore at run time (dlopen) looks up one symbol
//! and gets every function of the interface version it was built for. The
//! table only ever grows: version N's table is a prefix of version N+1's, so
//! `size` tells a newer host which fields an older library filled.

use std::os::raw::{c_char, c_int};

use crate::error::{Error, ErrorKind};
use crate::ffi::batch::*;
use crate::ffi::boundary::guard;
use crate::ffi::check::{toonstore_check, ToonStoreCheckReport};
use crate::ffi::database::*;
use crate::ffi::handles::{FfiBatch, FfiDatabase, FfiIter, FfiSnapshot};
use crate::ffi::info::*;
use crate::ffi::maintenance::*;
use crate::ffi::options::{ToonStoreOpenOptions, ToonStoreStats};
use crate::ffi::read::*;
use crate::ffi::TOONSTORE_API_VERSION;

/// The function table. Fields are only ever appended: version 1 ends with
/// `check`; version 2 (1.1) appends `error_name`; version 3 (1.2) appends
/// `scan_range`, `snapshot_scan_range`, `backup` and `refresh`. `size` says
/// how much of
/// the struct the library filled, so a host reads a field only when
/// `offsetof(ToonStoreApi, field) < api->size`.
#[repr(C)]
pub struct ToonStoreApi {
    /// The interface version of this table.
    pub version: u32,
    /// `sizeof` the table as this library built it.
    pub size: u32,
    pub version_number: extern "C" fn() -> u32,
    pub version_string: extern "C" fn() -> *const c_char,
    pub strerror: extern "C" fn(c_int) -> *const c_char,
    pub last_error: extern "C" fn() -> *const c_char,
    pub last_error_code: extern "C" fn() -> c_int,
    pub open: unsafe extern "C" fn(*const c_char) -> *mut FfiDatabase,
    pub open_options_init: unsafe extern "C" fn(*mut ToonStoreOpenOptions, u32) -> c_int,
    pub open_with: unsafe extern "C" fn(
        *const c_char,
        *const ToonStoreOpenOptions,
        *mut *mut FfiDatabase,
    ) -> c_int,
    pub close: unsafe extern "C" fn(*mut FfiDatabase),
    pub close_checked: unsafe extern "C" fn(*mut FfiDatabase) -> c_int,
    pub put: unsafe extern "C" fn(*mut FfiDatabase, *const u8, usize) -> i64,
    pub put_with: unsafe extern "C" fn(*mut FfiDatabase, *const u8, usize, u32, *mut i64) -> c_int,
    pub get: unsafe extern "C" fn(*mut FfiDatabase, i64, *mut *mut u8, *mut usize) -> c_int,
    pub get_into: unsafe extern "C" fn(*mut FfiDatabase, i64, *mut u8, usize, *mut usize) -> c_int,
    pub contains: unsafe extern "C" fn(*mut FfiDatabase, i64) -> c_int,
    pub delete: unsafe extern "C" fn(*mut FfiDatabase, i64) -> c_int,
    pub free_buffer: unsafe extern "C" fn(*mut u8),
    pub free_string: unsafe extern "C" fn(*mut c_char),
    pub scan: unsafe extern "C" fn(*mut FfiDatabase) -> *mut FfiIter,
    pub scan_from: unsafe extern "C" fn(*mut FfiDatabase, i64) -> *mut FfiIter,
    pub iter_next: unsafe extern "C" fn(*mut FfiIter, *mut i64, *mut *mut u8, *mut usize) -> c_int,
    pub iter_free: unsafe extern "C" fn(*mut FfiIter),
    pub batch_new: extern "C" fn() -> *mut FfiBatch,
    pub batch_put: unsafe extern "C" fn(*mut FfiBatch, *const u8, usize) -> c_int,
    pub batch_delete: unsafe extern "C" fn(*mut FfiBatch, i64) -> c_int,
    pub batch_count: unsafe extern "C" fn(*const FfiBatch) -> usize,
    pub batch_clear: unsafe extern "C" fn(*mut FfiBatch),
    pub batch_commit: unsafe extern "C" fn(*mut FfiDatabase, *mut FfiBatch, *mut i64) -> c_int,
    pub batch_free: unsafe extern "C" fn(*mut FfiBatch),
    pub sync: unsafe extern "C" fn(*mut FfiDatabase) -> c_int,
    pub compact: unsafe extern "C" fn(*mut FfiDatabase) -> c_int,
    pub stats: unsafe extern "C" fn(*mut FfiDatabase, *mut ToonStoreStats) -> c_int,
    pub snapshot_open: unsafe extern "C" fn(*mut FfiDatabase, *mut *mut FfiSnapshot) -> c_int,
    pub snapshot_get:
        unsafe extern "C" fn(*const FfiSnapshot, i64, *mut *const u8, *mut usize) -> c_int,
    pub snapshot_scan: unsafe extern "C" fn(*const FfiSnapshot, i64) -> *mut FfiIter,
    pub snapshot_free: unsafe extern "C" fn(*mut FfiSnapshot),
    pub last_error_copy: extern "C" fn() -> *mut c_char,
    pub check: unsafe extern "C" fn(*const c_char, *mut ToonStoreCheckReport) -> c_int,
    /// Version 2 and later: `toonstore_error_name`.
    pub error_name: extern "C" fn(c_int) -> *const c_char,
    /// Version 3 and later: `toonstore_scan_range`.
    pub scan_range:
        unsafe extern "C" fn(*mut FfiDatabase, i64, i64, u32, *mut *mut FfiIter) -> c_int,
    /// Version 3 and later: `toonstore_snapshot_scan_range`.
    pub snapshot_scan_range:
        unsafe extern "C" fn(*const FfiSnapshot, i64, i64, u32, *mut *mut FfiIter) -> c_int,
    /// Version 3 and later: `toonstore_backup`.
    pub backup: unsafe extern "C" fn(*mut FfiDatabase, *const c_char) -> c_int,
    /// Version 3 and later: `toonstore_refresh`.
    pub refresh: unsafe extern "C" fn(*mut FfiDatabase) -> c_int,
}

/// `sizeof` the version 1 table: everything before `error_name` (312 bytes
/// on 64-bit targets, what 1.0 reported).
const V1_SIZE: u32 = std::mem::offset_of!(ToonStoreApi, error_name) as u32;

/// `sizeof` the version 2 table: everything before `scan_range` (320 bytes
/// on 64-bit targets, what 1.1 reported).
const V2_SIZE: u32 = std::mem::offset_of!(ToonStoreApi, scan_range) as u32;

/// The version 1 table, served unchanged: `version` 1 and the 1.0 `size`.
/// (Later fields are filled too, past `size`, where no version 1 host looks.)
static API_V1: ToonStoreApi = ToonStoreApi {
    version: 1,
    size: V1_SIZE,
    ..API_V3
};

/// The version 2 table, served unchanged: `version` 2 and the 1.1 `size`.
static API_V2: ToonStoreApi = ToonStoreApi {
    version: 2,
    size: V2_SIZE,
    ..API_V3
};

static API_V3: ToonStoreApi = ToonStoreApi {
    version: 3,
    size: std::mem::size_of::<ToonStoreApi>() as u32,
    version_number: toonstore_version_number,
    version_string: toonstore_version,
    strerror: toonstore_strerror,
    last_error: toonstore_last_error,
    last_error_code: toonstore_last_error_code,
    open: toonstore_open,
    open_options_init: toonstore_open_options_init,
    open_with: toonstore_open_with,
    close: toonstore_close,
    close_checked: toonstore_close_checked,
    put: toonstore_put,
    put_with: toonstore_put_with,
    get: toonstore_get,
    get_into: toonstore_get_into,
    contains: toonstore_contains,
    delete: toonstore_delete,
    free_buffer: toonstore_free_buffer,
    free_string: toonstore_free_string,
    scan: toonstore_scan,
    scan_from: toonstore_scan_from,
    iter_next: toonstore_iter_next,
    iter_free: toonstore_iter_free,
    batch_new: toonstore_batch_new,
    batch_put: toonstore_batch_put,
    batch_delete: toonstore_batch_delete,
    batch_count: toonstore_batch_count,
    batch_clear: toonstore_batch_clear,
    batch_commit: toonstore_batch_commit,
    batch_free: toonstore_batch_free,
    sync: toonstore_sync,
    compact: toonstore_compact,
    stats: toonstore_stats,
    snapshot_open: toonstore_snapshot_open,
    snapshot_get: toonstore_snapshot_get,
    snapshot_scan: toonstore_snapshot_scan,
    snapshot_free: toonstore_snapshot_free,
    last_error_copy: toonstore_last_error_copy,
    check: toonstore_check,
    error_name: toonstore_error_name,
    scan_range: toonstore_scan_range,
    snapshot_scan_range: toonstore_snapshot_scan_range,
    backup: toonstore_backup,
    refresh: toonstore_refresh,
};

/// The function table of interface `version` (1 ..= `TOONSTORE_API_VERSION`):
/// library-owned and static, never freed. Returns NULL, with
/// `TOONSTORE_ERR_VERSION` as the thread's last error, for a version this
/// library does not serve.
#[no_mangle]
pub extern "C" fn toonstore_api(version: u32) -> *const ToonStoreApi {
    guard(|| {
        if version == 1 {
            Ok(&API_V1 as *const ToonStoreApi)
        } else if version == 2 {
            Ok(&API_V2 as *const ToonStoreApi)
        } else if version == 3 {
            Ok(&API_V3 as *const ToonStoreApi)
        } else {
            Err(Error::new(
                ErrorKind::Version,
                format!(
                    "interface version {version} is not provided by this library (it provides 1..={TOONSTORE_API_VERSION})"
                ),
            ))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_1_and_2_are_served_unchanged_and_version_3_appends() {
        // SAFETY: toonstore_api returns static tables for 1, 2 and 3.
        let (v1, v2, v3) = unsafe { (&*toonstore_api(1), &*toonstore_api(2), &*toonstore_api(3)) };
        assert_eq!((v1.version, v1.size), (1, 312));
        assert_eq!((v2.version, v2.size), (2, 320));
        assert_eq!(v3.version, 3);
        assert_eq!(v3.size as usize, std::mem::size_of::<ToonStoreApi>());
        assert_eq!(
            v3.size, 352,
            "v3 appends scan_range, snapshot_scan_range, backup, refresh"
        );
        assert_eq!(TOONSTORE_API_VERSION, 3);
        assert!(toonstore_api(4).is_null());
        assert!(toonstore_api(0).is_null());
    }
}
