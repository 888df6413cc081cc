//! The C ABI: everything `include/toonstore.h` declares.
//!
//! The header is generated from this module by cbindgen (`cbindgen.toml`)
//! and committed; `tests/header_fresh.rs` fails when it is stale. Rules that
//! hold for every function (see `docs/c/CONTRACT.md`):
//!
//! * every function runs inside [`boundary::guard`]: no panic crosses the
//!   boundary, failures set the thread's last error;
//! * handles are checked for NULL and for a live magic number;
//! * out-pointers are written on success and cleared (NULL, 0, -1 for a row
//!   id) on every failure, before any argument is checked
//!   ([`boundary::set_out`]);
//! * error codes and struct layouts never change once released; structs
//!   carry their version as the first field.
//!
//! Unsafe code of the crate lives here (raw pointers from C), in
//! `storage::segment` (the mappings), `index` (the index's own anonymous
//! mappings), `format::record` (SIMD checksums) and at the places that read
//! a mapping through `Segment::bytes_from`/`write` (`log`, `recovery`,
//! `snapshot`, `compaction`, `check`), each with its `// SAFETY:` reason.

#![allow(clippy::missing_safety_doc)] // each function documents its contract in prose for C readers

// The header lists functions in the order of these modules (cbindgen reads
// them in declaration order), which is the order a reader meets the API:
// version and errors, open and options, put/get/delete, scans and
// snapshots, batches, maintenance, the function table.
pub mod api_table;
pub mod batch;
pub mod check;
pub mod database;
pub mod info;
pub mod maintenance;
pub mod options;
pub mod read;

pub mod abi_stable_root;
pub mod boundary;
pub mod handles;

use std::os::raw::c_int;

/// Major version of the library (and of the ABI: the SONAME is
/// `libtoonstore.so.1`).
pub const TOONSTORE_VERSION_MAJOR: u32 = 1;
/// Minor version: new functions and struct versions, never breaking.
pub const TOONSTORE_VERSION_MINOR: u32 = 2;
/// Patch version: fixes only.
pub const TOONSTORE_VERSION_PATCH: u32 = 0;
/// MAJOR*1000000 + MINOR*1000 + PATCH (SQLite's scheme).
pub const TOONSTORE_VERSION_NUMBER: u32 = 1_002_000;
/// The version as a string literal.
pub const TOONSTORE_VERSION_STRING: &str = "1.2.0";

/// Success.
pub const TOONSTORE_OK: c_int = 0;
/// An argument was invalid (NULL pointer, negative row id, bad option).
pub const TOONSTORE_ERR_INVALID_ARG: c_int = -1;
/// The row id was never assigned, or the row was deleted.
pub const TOONSTORE_ERR_NOT_FOUND: c_int = -2;
/// The operating system reported an I/O error.
pub const TOONSTORE_ERR_IO: c_int = -3;
/// A file of the database failed a checksum or structural check.
pub const TOONSTORE_ERR_CORRUPT: c_int = -4;
/// Another process (or handle) has the database open for writing.
pub const TOONSTORE_ERR_LOCKED: c_int = -5;
/// A value or batch exceeds the configured or format limit.
pub const TOONSTORE_ERR_TOO_LARGE: c_int = -6;
/// A write on a read-only handle.
pub const TOONSTORE_ERR_READ_ONLY: c_int = -7;
/// A format, struct or interface version this library does not know.
pub const TOONSTORE_ERR_VERSION: c_int = -8;
/// Memory could not be allocated.
pub const TOONSTORE_ERR_NOMEM: c_int = -9;
/// A bug in the library (a caught panic).
pub const TOONSTORE_ERR_INTERNAL: c_int = -10;
/// The handle was closed or freed, or is not a handle of this type.
pub const TOONSTORE_ERR_CLOSED: c_int = -11;
/// `toonstore_get_into`: the buffer is too small; `*out_len` holds the size needed.
pub const TOONSTORE_ERR_BUFFER_TOO_SMALL: c_int = -12;
/// An earlier fsync failed; writes are refused until the database is reopened.
pub const TOONSTORE_ERR_POISONED: c_int = -13;
/// The handle was opened in another process: this process is a `fork()`
/// child of the one that opened it. Open the database again here. (Since 1.1.)
pub const TOONSTORE_ERR_FORKED: c_int = -14;

/// Each `TOONSTORE_ERR_*` constant above has the value of its row in the
/// error table (`src/error.rs`); a constant missing here fails the build.
macro_rules! check_c_constants {
    ($($(#[doc = $doc:literal])* $kind:ident = $code:literal, $c_name:ident, $text:literal;)*) => {
        $(const _: () = assert!($c_name == $code && $c_name == crate::ErrorKind::$kind.code());)*
    };
}
crate::error::error_table!(check_c_constants);

/// Durability: records reach the OS page cache before the call returns, so
/// they survive a crash of the process; flushed to stable storage only by
/// `toonstore_sync` and the last close (bulk loads).
pub const TOONSTORE_DURABILITY_OFF: u32 = 0;
/// Durability (default): survives a process crash; flushed every
/// `sync_interval_ms`, on `toonstore_sync` and on close.
pub const TOONSTORE_DURABILITY_NORMAL: u32 = 1;
/// Durability: flushed to stable storage before each commit returns.
pub const TOONSTORE_DURABILITY_FULL: u32 = 2;
/// `toonstore_put_with`: use the durability the database was opened with.
pub const TOONSTORE_DURABILITY_DEFAULT: u32 = 0xFFFF_FFFF;

/// `toonstore_scan_range`: `stop` for "no upper bound" (INT64_MAX; no row
/// id reaches it). (Since 1.2.)
pub const TOONSTORE_SCAN_END: i64 = i64::MAX;
/// `toonstore_scan_range` flag: walk from the highest id in the range down.
/// (Since 1.2.)
pub const TOONSTORE_SCAN_REVERSE: u32 = 1;

/// Current version of `ToonStoreOpenOptions`.
pub const TOONSTORE_OPEN_OPTIONS_VERSION: u32 = 1;
/// Current version of `ToonStoreStats`.
pub const TOONSTORE_STATS_VERSION: u32 = 1;
/// Current version of `ToonStoreCheckReport`.
pub const TOONSTORE_CHECK_REPORT_VERSION: u32 = 1;
/// Newest version of the function table `toonstore_api` serves (1, 2 and 3
/// are served; 2 appends `error_name`, 3 the functions added in 1.2).
pub const TOONSTORE_API_VERSION: u32 = 3;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_macros_match_the_crate() {
        let parts: Vec<u32> = env!("CARGO_PKG_VERSION")
            .split('.')
            .map(|p| p.parse().unwrap())
            .collect();
        assert_eq!(
            parts,
            [
                TOONSTORE_VERSION_MAJOR,
                TOONSTORE_VERSION_MINOR,
                TOONSTORE_VERSION_PATCH
            ]
        );
        assert_eq!(
            TOONSTORE_VERSION_NUMBER,
            parts[0] * 1_000_000 + parts[1] * 1000 + parts[2]
        );
        assert_eq!(TOONSTORE_VERSION_STRING, env!("CARGO_PKG_VERSION"));
        let header = include_str!("../../include/toonstore.h");
        let line = format!(
            "#define TOONSTORE_VERSION_STRING \"{}\"",
            env!("CARGO_PKG_VERSION")
        );
        assert!(header.contains(&line), "header's version string is stale");
        assert_eq!(info::toonstore_version_number(), TOONSTORE_VERSION_NUMBER);
    }
}
