//! The versioned option and stats structs of the C API.
//!
//! Rule (libgit2's): the first field is the struct's version; the library
//! reads or writes only the fields that version has, and refuses a version
//! it does not know with `TOONSTORE_ERR_VERSION`. Fields are only appended,
//! each new field with a new version number.

use std::ptr::addr_of;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::ffi::boundary::invalid;
use crate::ffi::{
    TOONSTORE_DURABILITY_FULL, TOONSTORE_DURABILITY_NORMAL, TOONSTORE_DURABILITY_OFF,
    TOONSTORE_OPEN_OPTIONS_VERSION, TOONSTORE_STATS_VERSION,
};
use crate::options::{Durability, Options};

/// Options for `toonstore_open_with`. Initialize with
/// `toonstore_open_options_init(&opts, TOONSTORE_OPEN_OPTIONS_VERSION)`,
/// then change the fields you care about.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ToonStoreOpenOptions {
    /// `TOONSTORE_OPEN_OPTIONS_VERSION` of the header the caller compiled with.
    pub version: u32,
    /// `TOONSTORE_DURABILITY_OFF`, `_NORMAL` (default) or `_FULL`.
    pub durability: u32,
    /// 1: open for reading only: no lock is taken, so it opens beside a
    /// writer in another process and other readers; it sees the database
    /// as of its open until `toonstore_refresh`; writes fail with
    /// `TOONSTORE_ERR_READ_ONLY`. Default 0.
    pub read_only: u32,
    /// 1 (default): create the directory and database when missing.
    pub create_if_missing: u32,
    /// 1 (default): check each record's CRC when it is read.
    pub verify_checksums: u32,
    /// `NORMAL` durability: milliseconds between background flushes (default 1000).
    pub sync_interval_ms: u32,
    /// Largest value accepted, in bytes (default 64 MiB).
    pub max_value_size: u64,
    /// Size of a log segment file in bytes (default 64 MiB).
    pub segment_size: u64,
}

/// Row counts and space, filled by `toonstore_stats`. Set `version` to
/// `TOONSTORE_STATS_VERSION` before the call.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct ToonStoreStats {
    /// Set by the caller: `TOONSTORE_STATS_VERSION`.
    pub version: u32,
    /// Always 0.
    pub reserved: u32,
    /// Rows that can be read.
    pub live_rows: u64,
    /// Ids assigned and then deleted.
    pub deleted_rows: u64,
    /// The id the next put will receive.
    pub next_row_id: u64,
    /// Bytes of the records (8-byte headers included) of live rows.
    pub live_bytes: u64,
    /// Bytes the database's files occupy on disk.
    pub disk_bytes: u64,
    /// Segment files.
    pub segment_count: u64,
    /// Fraction (0..1) of record bytes a compaction would reclaim.
    pub garbage_fraction: f64,
}

pub(crate) fn durability_from_c(value: u32) -> Result<Durability> {
    match value {
        TOONSTORE_DURABILITY_OFF => Ok(Durability::Off),
        TOONSTORE_DURABILITY_NORMAL => Ok(Durability::Normal),
        TOONSTORE_DURABILITY_FULL => Ok(Durability::Full),
        other => Err(invalid(&format!("unknown durability {other}"))),
    }
}

fn bool_from_c(value: u32, name: &str) -> Result<bool> {
    match value {
        0 => Ok(false),
        1 => Ok(true),
        other => Err(invalid(&format!("{name} must be 0 or 1, got {other}"))),
    }
}

pub(crate) fn version_error(what: &str, version: u32, known: u32) -> Error {
    let message = if version == 0 {
        // Not a struct from the future: a caller that forgot to set the field.
        format!(
            "the version field of {what} is not set (0); set it to the version macro of the \
             header you compile against (this library knows version {known})"
        )
    } else {
        format!(
            "{what} version {version} is not known to this library (it knows up to {known}); \
             link a newer libtoonstore"
        )
    };
    Error::new(ErrorKind::Version, message)
}

/// Reads a caller's options struct of any known version.
///
/// # Safety
/// `opts` is null or points to a struct whose `version` field is valid and
/// that is at least as large as that version's struct.
pub(crate) unsafe fn options_from_c(opts: *const ToonStoreOpenOptions) -> Result<Options> {
    if opts.is_null() {
        return Ok(Options::default());
    }
    // SAFETY: `version` is the first field of every version of the struct.
    let version = unsafe { addr_of!((*opts).version).read() };
    if version != TOONSTORE_OPEN_OPTIONS_VERSION {
        return Err(version_error(
            "ToonStoreOpenOptions",
            version,
            TOONSTORE_OPEN_OPTIONS_VERSION,
        ));
    }
    // SAFETY: version 1 has every field of this struct (caller's contract).
    let c = unsafe { opts.read() };
    Ok(Options {
        durability: durability_from_c(c.durability)?,
        read_only: bool_from_c(c.read_only, "read_only")?,
        create_if_missing: bool_from_c(c.create_if_missing, "create_if_missing")?,
        verify_checksums: bool_from_c(c.verify_checksums, "verify_checksums")?,
        sync_interval: Duration::from_millis(u64::from(c.sync_interval_ms)),
        max_value_size: c.max_value_size,
        segment_size: c.segment_size,
        // Not in version 1 of the struct (the Rust API's `Options::salvage`).
        salvage: false,
    })
}

/// Writes `stats` into the caller's struct, checking its version.
///
/// # Safety
/// `out` is non-null and points to a writable struct whose `version` is set.
pub(crate) unsafe fn write_stats(out: *mut ToonStoreStats, stats: &crate::Stats) -> Result<()> {
    // SAFETY: `version` is the first field of every version.
    let version = unsafe { addr_of!((*out).version).read() };
    if version != TOONSTORE_STATS_VERSION {
        return Err(version_error(
            "ToonStoreStats",
            version,
            TOONSTORE_STATS_VERSION,
        ));
    }
    let value = ToonStoreStats {
        version,
        reserved: 0,
        live_rows: stats.live_rows,
        deleted_rows: stats.deleted_rows,
        next_row_id: stats.next_row_id,
        live_bytes: stats.live_bytes,
        disk_bytes: stats.disk_bytes,
        segment_count: stats.segment_count,
        garbage_fraction: stats.garbage_fraction,
    };
    // SAFETY: version 1 is this whole struct, writable by the caller's contract.
    unsafe { out.write(value) };
    Ok(())
}
