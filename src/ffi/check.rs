//! `toonstore_check`: the verify tool from C.

use std::os::raw::{c_char, c_int};
use std::ptr::addr_of;

use crate::error::{Error, ErrorKind};
use crate::ffi::boundary::{guard, invalid};
use crate::ffi::database::path_from_c;
use crate::ffi::{TOONSTORE_CHECK_REPORT_VERSION, TOONSTORE_OK};

/// What `toonstore_check` found. Set `version` to
/// `TOONSTORE_CHECK_REPORT_VERSION` before the call.
#[repr(C)]
#[derive(Clone, Copy)]
pub struct ToonStoreCheckReport {
    /// Set by the caller: `TOONSTORE_CHECK_REPORT_VERSION`.
    pub version: u32,
    /// 1 when an index checkpoint exists (and was verified), else 0.
    pub has_checkpoint: u32,
    /// Segment files walked.
    pub segments: u64,
    /// Records whose checksum was verified.
    pub records: u64,
    /// Live rows read back through the index.
    pub live_rows: u64,
    /// The first problem found (file and offset), NUL-terminated and
    /// truncated to fit; empty when the database is healthy.
    pub first_problem: [c_char; 512],
}

/// Verifies every record and the checkpoint of the database in directory
/// `path`, which no process may have open for writing (readers may). Fills
/// the caller's `*out`, whose `version` the caller set to
/// `TOONSTORE_CHECK_REPORT_VERSION`.
///
/// Returns `TOONSTORE_OK` when the database is healthy, or one of:
/// `TOONSTORE_ERR_CORRUPT` (a problem was found, described in
/// `out->first_problem` with its file and offset), and, when the check could
/// not run (then every field of `*out` but `version` is 0):
/// `TOONSTORE_ERR_INVALID_ARG` (`path` NULL, empty or not UTF-8; `out`
/// NULL), `TOONSTORE_ERR_VERSION` (`out->version` unknown; `*out` is not
/// written), `TOONSTORE_ERR_LOCKED` (open for writing, also in this
/// process), `TOONSTORE_ERR_IO` (e.g. no database there),
/// `TOONSTORE_ERR_NOMEM`, `TOONSTORE_ERR_INTERNAL`.
#[no_mangle]
pub unsafe extern "C" fn toonstore_check(
    path: *const c_char,
    out: *mut ToonStoreCheckReport,
) -> c_int {
    guard(|| {
        if out.is_null() {
            return Err(invalid("out is NULL"));
        }
        // SAFETY: `version` is the first field of every version of the report.
        let version = unsafe { addr_of!((*out).version).read() };
        if version != TOONSTORE_CHECK_REPORT_VERSION {
            return Err(Error::new(
                ErrorKind::Version,
                format!("ToonStoreCheckReport version {version} is not known to this library (it knows {TOONSTORE_CHECK_REPORT_VERSION})"),
            ));
        }
        let mut c = ToonStoreCheckReport {
            version,
            has_checkpoint: 0,
            segments: 0,
            records: 0,
            live_rows: 0,
            first_problem: [0; 512],
        };
        // SAFETY: non-null; version 1 is this whole struct (the function's contract).
        unsafe { out.write(c) };
        // SAFETY: `path` is null or NUL-terminated (the function's contract).
        let path = unsafe { path_from_c(path) }?;
        let report = crate::check::check(path)?;
        c.has_checkpoint = u32::from(report.has_checkpoint);
        c.segments = report.segments;
        c.records = report.records;
        c.live_rows = report.live_rows;
        if let Some(problem) = &report.first_problem {
            let bytes = problem.as_bytes();
            let n = bytes.len().min(c.first_problem.len() - 1);
            for (dst, src) in c.first_problem.iter_mut().zip(&bytes[..n]) {
                *dst = *src as c_char;
            }
        }
        // SAFETY: non-null; version 1 is this whole struct (caller's contract).
        unsafe { out.write(c) };
        match report.first_problem {
            None => Ok(TOONSTORE_OK),
            Some(problem) => Err(Error::new(ErrorKind::Corrupt, problem)),
        }
    })
}
