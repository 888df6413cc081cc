//! The verify tool: walk every record and the checkpoint of a database and
//! report counts and every problem found (up to [`MAX_PROBLEMS`]).
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
    /// The first problem, with file and offset; `None` when healthy (the
    /// first of `problems`).
    pub first_problem: Option<String>,
    /// Every problem found, in file order, each with file and offset (at most
    /// [`MAX_PROBLEMS`]). Damage that leaves a record's frame intact (a
    /// checksum mismatch followed by a good record) is listed and the walk
    /// goes on after it; damage that does not (a broken header, a cut file)
    /// ends the walk of that segment file, and the next file is walked.
    pub problems: Vec<String>,
}

/// At most this many problems are listed: a file damaged throughout would
/// otherwise list one per record.
pub const MAX_PROBLEMS: usize = 100;

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
            report.problems.push(e.to_string());
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
        let last = Some(*number) == last_log;
        for problem in walk_segment(file, last, &mut report.records) {
            report.problems.push(problem.to_string());
        }
    }
    // The live rows are read back only from a database whose records all
    // passed: a damaged record would be reported a second time by the read.
    if report.problems.is_empty() {
        let snapshot = db.snapshot()?;
        let mut scan = snapshot.scan();
        while let Some(row) = scan.next_ref() {
            match row {
                Ok(_) => report.live_rows += 1,
                Err(e) => {
                    report.problems.push(e.to_string());
                    break;
                }
            }
        }
    }
    report.problems.truncate(MAX_PROBLEMS);
    report.first_problem = report.problems.first().cloned();
    Ok(report)
}

/// Checks every record of one segment file and returns the problems found.
/// In the last log segment the records end at the first zero header at or
/// past the synced watermark; everywhere else they fill the file.
fn walk_segment(file: &Path, is_last_log: bool, records: &mut u64) -> Vec<Error> {
    let segment = match Segment::open(file, false, 0, false) {
        Ok(segment) => segment,
        Err(e) => return vec![e],
    };
    // SAFETY: the segment is mapped read-only by this function alone and the
    // database is open read-only, so no writer exists.
    let bytes = unsafe { segment.bytes_from(0) };
    let synced = segment.synced_len();
    let mut problems = Vec::new();
    let mut at = HEADER_LEN;
    while at < bytes.len() && problems.len() < MAX_PROBLEMS {
        match record::decode(&bytes[at..], true) {
            Ok(rec) => {
                *records += 1;
                if rec.kind == record::Kind::Batch {
                    match record::batch_members(rec.body, true) {
                        Ok(members) => *records += members.len() as u64,
                        Err(e) => problems.push(Error::corrupt(file, at as u64, e)),
                    }
                }
                // The record's checksum held, so its frame is trusted.
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
                problems.push(Error::corrupt(
                    file,
                    at as u64,
                    format!("{e} (an unsynced torn tail; the next writable open cuts it)"),
                ));
                break;
            }
            Err(e) => {
                problems.push(Error::corrupt(file, at as u64, e));
                match next_after_damage(bytes, at, e) {
                    Some(next) => at = next,
                    None => break,
                }
            }
        }
    }
    problems
}

/// Where the walk may go on after a record at `at` that failed with `e`:
/// past it when only its checksum failed, its header still frames a body
/// inside the file and a good record follows (so the frame was not what the
/// damage hit); `None` when nothing after it can be trusted.
fn next_after_damage(bytes: &[u8], at: usize, e: record::DecodeError) -> Option<usize> {
    if e != record::DecodeError::Checksum {
        return None;
    }
    let (_, len) = record::peek(&bytes[at..]).ok()?;
    let next = at + record::record_len(len);
    let follows = bytes.get(next..)?;
    record::decode(follows, true).is_ok().then_some(next)
}
