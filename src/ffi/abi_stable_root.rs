//! The abi_stable root module, for Rust programs that load libtoonstore at
//! run time.
//!
//! `abi_stable` checks, when the library is loaded, that the layout of every
//! type reachable from this module matches what the host was compiled
//! against, and refuses a mismatch with an error instead of undefined
//! behaviour. The functions are thin casts over the same `toonstore_*`
//! entry points as the C API, so panics still become error codes (abi_stable's
//! own wrappers would abort).
//!
//! Pinned to abi_stable `=0.11.3`: each 0.y release of abi_stable changes its
//! own ABI. `#[sabi(last_prefix_field)]` marks the end of the 1.0 interface;
//! later fields may only be appended after it.

use std::os::raw::{c_char, c_int};

use abi_stable::library::RootModule;
use abi_stable::sabi_types::VersionStrings;
use abi_stable::{
    export_root_module, package_version_strings, prefix_type::PrefixTypeTrait, StableAbi,
};

use crate::ffi::database::*;
use crate::ffi::info::*;
use crate::ffi::maintenance::toonstore_sync;
use crate::ffi::read::*;

/// Stands for a `ToonStore*` across the abi_stable boundary (never built).
#[repr(C)]
#[derive(StableAbi)]
pub struct DatabaseOpaque {
    _private: u8,
}

/// Stands for a `ToonStoreIter*` across the abi_stable boundary (never built).
#[repr(C)]
#[derive(StableAbi)]
pub struct IterOpaque {
    _private: u8,
}

/// The root module: the 1.0 interface.
#[repr(C)]
#[derive(StableAbi)]
#[sabi(kind(Prefix(prefix_ref = ToonStoreModRef)))]
#[sabi(missing_field(panic))]
pub struct ToonStoreMod {
    pub version_number: extern "C" fn() -> u32,
    pub strerror: extern "C" fn(c_int) -> *const c_char,
    pub last_error: extern "C" fn() -> *const c_char,
    pub open: unsafe extern "C" fn(*const c_char) -> *mut DatabaseOpaque,
    pub close: unsafe extern "C" fn(*mut DatabaseOpaque),
    pub put: unsafe extern "C" fn(*mut DatabaseOpaque, *const u8, usize) -> i64,
    pub get: unsafe extern "C" fn(*mut DatabaseOpaque, i64, *mut *mut u8, *mut usize) -> c_int,
    pub free_buffer: unsafe extern "C" fn(*mut u8),
    pub delete: unsafe extern "C" fn(*mut DatabaseOpaque, i64) -> c_int,
    pub scan: unsafe extern "C" fn(*mut DatabaseOpaque) -> *mut IterOpaque,
    pub iter_next:
        unsafe extern "C" fn(*mut IterOpaque, *mut i64, *mut *mut u8, *mut usize) -> c_int,
    pub iter_free: unsafe extern "C" fn(*mut IterOpaque),
    #[sabi(last_prefix_field)]
    pub sync: unsafe extern "C" fn(*mut DatabaseOpaque) -> c_int,
}

impl RootModule for ToonStoreModRef {
    abi_stable::declare_root_module_statics! {ToonStoreModRef}
    const BASE_NAME: &'static str = "toonstore";
    const NAME: &'static str = "toonstore";
    const VERSION_STRINGS: VersionStrings = package_version_strings!();
}

unsafe extern "C" fn open(path: *const c_char) -> *mut DatabaseOpaque {
    // SAFETY: same contract as toonstore_open; the pointer cast only renames the opaque type.
    unsafe { toonstore_open(path) }.cast()
}
unsafe extern "C" fn close(db: *mut DatabaseOpaque) {
    // SAFETY: same contract as toonstore_close.
    unsafe { toonstore_close(db.cast()) }
}
unsafe extern "C" fn put(db: *mut DatabaseOpaque, data: *const u8, len: usize) -> i64 {
    // SAFETY: same contract as toonstore_put.
    unsafe { toonstore_put(db.cast(), data, len) }
}
unsafe extern "C" fn get(
    db: *mut DatabaseOpaque,
    id: i64,
    data: *mut *mut u8,
    len: *mut usize,
) -> c_int {
    // SAFETY: same contract as toonstore_get.
    unsafe { toonstore_get(db.cast(), id, data, len) }
}
unsafe extern "C" fn delete(db: *mut DatabaseOpaque, id: i64) -> c_int {
    // SAFETY: same contract as toonstore_delete.
    unsafe { toonstore_delete(db.cast(), id) }
}
unsafe extern "C" fn scan(db: *mut DatabaseOpaque) -> *mut IterOpaque {
    // SAFETY: same contract as toonstore_scan.
    unsafe { toonstore_scan(db.cast()) }.cast()
}
unsafe extern "C" fn iter_next(
    it: *mut IterOpaque,
    id: *mut i64,
    data: *mut *mut u8,
    len: *mut usize,
) -> c_int {
    // SAFETY: same contract as toonstore_iter_next.
    unsafe { toonstore_iter_next(it.cast(), id, data, len) }
}
unsafe extern "C" fn iter_free(it: *mut IterOpaque) {
    // SAFETY: same contract as toonstore_iter_free.
    unsafe { toonstore_iter_free(it.cast()) }
}
unsafe extern "C" fn sync(db: *mut DatabaseOpaque) -> c_int {
    // SAFETY: same contract as toonstore_sync.
    unsafe { toonstore_sync(db.cast()) }
}

/// The module abi_stable's loader finds in the shared object.
#[export_root_module]
pub fn get_library() -> ToonStoreModRef {
    ToonStoreMod {
        version_number: toonstore_version_number,
        strerror: toonstore_strerror,
        last_error: toonstore_last_error,
        open,
        close,
        put,
        get,
        free_buffer: toonstore_free_buffer,
        delete,
        scan,
        iter_next,
        iter_free,
        sync,
    }
    .leak_into_prefix()
}
