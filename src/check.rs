//! The verify tool: walk every record and the checkpoint of a database and
//! report counts and the first problem found.
//!
//! It opens the database read-only, which performs recovery's checks, and
//! holds a shared lock on it (so it runs beside other readers, not beside a
//! writer: the files of a live writer change under the walk), then checks every
//! record of every segment file, and finally reads every live row through
//! the index with checksums on.

use std::path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::format::record;
use crate::format::segment_header::{SegmentKind, HEADER_LEN};
use crate::storage::lock::DirLock;
use crate::storage::{dir, segment::Segment};
use crate::{Options, ToonStore};

/// What [`check`] found.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Segment files walked.
    pub segments: u64,
    /// Records whose checksum was verified (nested batch members included).
    pub records: u64,
    /// Live rows read back through the index.
    pub live_rows: u64,
    /// Whether an index checkpoint exists (it was verified by the open).
    pub has_checkpoint: bool,
    /// The first problem, with file and offset; `None` when healthy.
    pub first_problem: Option<String>,
}

impl CheckReport {
    /// Whether no problem was found.
    pub fn is_ok(&self) -> bool {
        self.first_problem.is_none()
    }
}

/// Verifies the database in `path` (which nothing may have open for writing).
///
/// # Errors
/// `Locked` when a writer has it open, `Io` when it cannot be read. Damage
/// is not an error of the check: it is reported in `first_problem`.
pub fn check(path: impl AsRef<Path>) -> Result<CheckReport> {
    let path = path.as_ref();
    let mut report = CheckReport {
        has_checkpoint: path.join(dir::CHECKPOINT_FILE).exists(),
        ..CheckReport::default()
    };
    let options = Options {
        read_only: true,
        ..Options::default()
    };
    let db = match ToonStore::open_with(path, &options) {
        Ok(db) => db,
        Err(e) if matches!(e.kind(), ErrorKind::Corrupt | ErrorKind::Version) => {
            report.first_problem = Some(e.to_string());
            return Ok(report);
        }
        Err(e) => return Err(e),
    };
    let _quiescent = DirLock::acquire_quiescent(db.path())?;
    let segments = dir::list_segments(path)?;
    let last_log = segments
        .iter()
        .filter_map(|(n, p)| {
            crate::storage::segment::read_header(p)
                .ok()
                .filter(|h| h.kind == SegmentKind::Log)
                .map(|_| *n)
        })
        .max();
    for (number, file) in &segments {
        report.segments += 1;
        if let Err(problem) = walk_segment(file, Some(*number) == last_log, &mut report.records) {
            report.first_problem = Some(problem.to_string());
            return Ok(report);
        }
    }
    let snapshot = db.snapshot()?;
    let mut scan = snapshot.scan();
    while let Some(row) = scan.next_ref() {
        match row {
            Ok(_) => report.live_rows += 1,
            Err(e) => {
                report.first_problem = Some(e.to_string());
                return Ok(report);
            }
        }
    }
    Ok(report)
}

/// Checks every record of one segment file. In the last log segment the
/// records end at the first zero header at or past the synced watermark;
/// everywhere else they fill the file.
fn walk_segment(file: &Path, is_last_log: bool, records: &mut u64) -> Result<()> {
    let segment = Segment::open(file, false, 0, false)?;
    // SAFETY: the segment is mapped read-only by this function alone and the
    // database is open read-only, so no writer exists.
    let bytes = unsafe { segment.bytes_from(0) };
    let synced = segment.synced_len();
    let mut at = HEADER_LEN;
    while at < bytes.len() {
        match record::decode(&bytes[at..], true) {
            Ok(rec) => {
                *records += 1;
                if rec.kind == record::Kind::Batch {
                    let members = record::batch_members(rec.body, true)
                        .map_err(|e| Error::corrupt(file, at as u64, e))?;
                    *records += members.len() as u64;
                }
                at += rec.len();
            }
            Err(record::DecodeError::Empty) if is_last_log && at as u64 >= synced => break,
            // An earlier log segment whose seal a crash interrupted may end in
            // zeros past its watermark (recovery keeps a zero header there
            // when row ids were lost with the tail).
            Err(record::DecodeError::Empty)
                if at as u64 >= synced && bytes[at..].iter().all(|&b| b == 0) =>
            {
                break
            }
            Err(e) if is_last_log && at as u64 >= synced => {
                return Err(Error::corrupt(
                    file,
                    at as u64,
                    format!("{e} (an unsynced torn tail; the next writable open cuts it)"),
                ))
            }
            Err(e) => return Err(Error::corrupt(file, at as u64, e)),
        }
    }
    Ok(())
}
