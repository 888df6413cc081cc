//! Opening a database: from the files in its directory to a consistent
//! index, after a clean close or after any crash.
//!
//! 1. Delete `*.tmp` leftovers of interrupted creations (writable opens).
//! 2. Load the checkpoint `INDEX` if there is one: the index as of a replay
//!    position (log segment, offset), and the segments it references.
//! 3. Delete orphans: segments neither referenced by the checkpoint nor part
//!    of the log at or after the replay position (the output of a compaction
//!    that crashed before its checkpoint, or victims of one that crashed
//!    after it).
//! 4. Replay the log from the replay position, segment by segment, checking
//!    every record's CRC. Each log segment must start where the previous one
//!    ended (its first id is the log's next id).
//! 5. The first bad record of the *last* log segment at or past its synced
//!    watermark is a torn tail: everything from there on was never made
//!    durable, so it is discarded (and zeroed in a writable open). Any other
//!    bad record is corruption, reported with its file and offset.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::error::{Error, Result};
use crate::format::checkpoint::CheckpointMeta;
use crate::format::record::{self, DecodeError, Kind, Record, HEADER_LEN as RECORD_HEADER_LEN};
use crate::format::segment_header::{SegmentHeader, SegmentKind, HEADER_LEN};
use crate::index::{self, checkpoint, Entries, SegmentTable, View};
use crate::log::SegStat;
use crate::options::Options;
use crate::storage::dir;
use crate::storage::segment::{read_header, Segment};

/// The state recovery hands to the handle.
pub struct Recovered {
    pub view: View,
    pub next_id: u64,
    pub next_segment_number: u64,
    /// Accounting of every segment in the view, the active one included.
    pub stats: BTreeMap<u64, SegStat>,
    /// The last log segment and the end of its records (writable opens get
    /// it mapped for writing).
    pub active: Option<(Arc<Segment>, u64)>,
    pub live_rows: u64,
    /// Log bytes replayed past the checkpoint.
    pub replayed_bytes: u64,
}

/// What replay needs to know about the log as it goes.
struct Replay<'a> {
    entries: Entries,
    table: &'a SegmentTable,
    stats: BTreeMap<u64, SegStat>,
    /// The rows that replayed deletes removed (a bit per row id), not yet
    /// applied to the entries and the live bytes ([`Replay::settle_deletes`]).
    deleted: Vec<u64>,
}

impl Replay<'_> {
    fn record_len_at(&self, loc: u64) -> u64 {
        let (number, offset) = index::unpack(loc);
        self.table
            .get(number)
            // SAFETY: recovery runs before any writer exists.
            .and_then(|s| record::peek(unsafe { s.bytes_from(offset) }).ok())
            .map_or(0, |(_, body)| record::record_len(body) as u64)
    }

    fn put(&mut self, number: u64, offset: u64, len: u64) {
        self.entries.push(index::pack(number, offset));
        if let Some(stat) = self.stats.get_mut(&number) {
            stat.live_bytes += len;
        }
    }

    fn delete(&mut self, segment: &Segment, at: u64, id: u64) -> Result<()> {
        let Some(old) = self.entries.get(id as usize) else {
            return Err(Error::corrupt(
                segment.path(),
                at,
                format!("delete of row {id}, which was never assigned"),
            ));
        };
        if old != 0 {
            let word = (id / 64) as usize;
            if word >= self.deleted.len() {
                self.deleted.resize(word + 1, 0);
            }
            self.deleted[word] |= 1 << (id % 64);
        }
        Ok(())
    }

    /// Applies the deletes of the replay: clears their entries and takes
    /// the deleted records' lengths off their segments' live bytes. Done
    /// once at the end of replay in row id order (which is about the order
    /// of the records in the log), not in log order: the entries of a
    /// reopened database are the mapped checkpoint (the first write to each
    /// page copies it) and each length is read from the record in its mapped
    /// segment, so deletes applied in log order touched both at random.
    /// Nothing else in replay reads an entry a delete changed (puts take new
    /// ids), so deferring is exact; a row deleted twice counts once, as
    /// before.
    fn settle_deletes(&mut self) {
        let deleted = std::mem::take(&mut self.deleted);
        for (word, mut bits) in deleted.into_iter().enumerate() {
            while bits != 0 {
                let id = word * 64 + bits.trailing_zeros() as usize;
                bits &= bits - 1;
                let Some(loc) = self.entries.get(id) else {
                    continue;
                };
                self.entries.set(id, 0);
                let len = self.record_len_at(loc);
                if let Some(stat) = self.stats.get_mut(&index::unpack(loc).0) {
                    stat.live_bytes = stat.live_bytes.saturating_sub(len);
                }
            }
        }
    }

    fn apply(&mut self, segment: &Segment, at: u64, rec: Record<'_>) -> Result<()> {
        let number = segment.number();
        match rec.kind {
            Kind::Put => self.put(number, at, rec.len() as u64),
            Kind::Delete => self.delete(segment, at, rec.explicit_id().unwrap_or(u64::MAX))?,
            Kind::Batch => {
                let members = record::batch_members(rec.body, true)
                    .map_err(|e| Error::corrupt(segment.path(), at, e))?;
                for (rel, member) in members {
                    let member_at = at + (RECORD_HEADER_LEN + rel) as u64;
                    match member.kind {
                        Kind::Put => self.put(number, member_at, member.len() as u64),
                        _ => self.delete(
                            segment,
                            member_at,
                            member.explicit_id().unwrap_or(u64::MAX),
                        )?,
                    }
                }
            }
            Kind::PutAt => {
                return Err(Error::corrupt(
                    segment.path(),
                    at,
                    "compaction record inside a log segment",
                ))
            }
        }
        Ok(())
    }
}

/// Where replay starts and what the checkpoint (if any) says.
struct Start {
    /// The log segment replay starts in (`None`: no checkpoint, the whole log).
    replay_segment: Option<u64>,
    replay_offset: u64,
    next_id: u64,
    next_segment_number: u64,
    entries: Entries,
    /// The segments the checkpoint references, with their accounting.
    referenced: BTreeMap<u64, SegStat>,
}

impl Start {
    /// Whether a segment is part of the log to replay.
    fn in_log(&self, h: &SegmentHeader) -> bool {
        h.kind == SegmentKind::Log && self.replay_segment.is_none_or(|r| h.number >= r)
    }
}

/// The segment files opened for recovery.
struct Opened {
    table: SegmentTable,
    stats: BTreeMap<u64, SegStat>,
    /// The log segments to replay, in order.
    log: Vec<Arc<Segment>>,
    max_number: u64,
    /// Files of neither the checkpoint nor the log (writable opens only),
    /// removed once recovery succeeded.
    orphans: Vec<PathBuf>,
}

/// What replaying the log produced.
struct Replayed {
    entries: Entries,
    stats: BTreeMap<u64, SegStat>,
    replayed_bytes: u64,
    active: Option<(Arc<Segment>, u64)>,
}

/// Recovers the database in `dir_path`: the steps of the module doc, in order.
///
/// # Errors
/// `Corrupt` naming the file and offset of damage that is not a torn tail,
/// `Version` for files of a newer format, `Io`.
pub fn recover(dir_path: &Path, options: &Options, writable: bool) -> Result<Recovered> {
    if writable {
        dir::remove_temporaries(dir_path)?;
    }
    let start = replay_start(checkpoint::load(dir_path)?);
    let headers = read_headers(dir_path)?;
    check_checkpoint_files(dir_path, &start, &headers)?;
    let opened = open_segments(&start, &headers, options, writable)?;
    check_entries(dir_path, &start, &opened.stats)?;
    let Start {
        replay_segment,
        replay_offset,
        next_segment_number,
        entries,
        ..
    } = start;
    let replayed = replay_log(
        &opened,
        entries,
        replay_segment,
        replay_offset,
        writable,
        options.salvage,
    )?;
    // Orphans go only now: a refused open changes nothing (with a missing
    // checkpoint, the "orphans" are the compacted data).
    for path in &opened.orphans {
        crate::storage::platform::remove_segment(path)
            .map_err(|e| Error::io("cannot remove orphan", path, e))?;
    }
    let live_rows = replayed.entries.count_live();
    let next_id = replayed.entries.len() as u64;
    Ok(Recovered {
        view: View {
            chunks: replayed.entries.into_chunks(),
            segments: opened.table,
        },
        next_id,
        next_segment_number: next_segment_number.max(opened.max_number + 1),
        stats: replayed.stats,
        active: replayed.active,
        live_rows,
        replayed_bytes: replayed.replayed_bytes,
    })
}

/// Step 2: where replay starts, from the checkpoint or from the beginning.
fn replay_start(checkpoint: Option<(CheckpointMeta, Entries)>) -> Start {
    match checkpoint {
        Some((meta, entries)) => Start {
            replay_segment: Some(meta.replay_segment),
            replay_offset: meta.replay_offset,
            next_id: meta.next_id,
            next_segment_number: meta.next_segment_number,
            entries,
            referenced: meta
                .segments
                .iter()
                .map(|s| {
                    let stat = SegStat {
                        kind: s.kind,
                        used_len: s.used_len,
                        live_bytes: s.live_bytes,
                    };
                    (s.number, stat)
                })
                .collect(),
        },
        None => Start {
            replay_segment: None,
            replay_offset: HEADER_LEN as u64,
            next_id: 0,
            next_segment_number: 1,
            entries: Entries::new(),
            referenced: BTreeMap::new(),
        },
    }
}

/// The header of every segment file, checked against its file name.
fn read_headers(dir_path: &Path) -> Result<Vec<(SegmentHeader, PathBuf)>> {
    let mut headers = Vec::new();
    for (number, path) in dir::list_segments(dir_path)? {
        let header = read_header(&path)?;
        if header.number != number {
            return Err(Error::corrupt(
                &path,
                16,
                format!(
                    "header names segment {} but the file name says {number}",
                    header.number
                ),
            ));
        }
        headers.push((header, path));
    }
    Ok(headers)
}

/// Every segment the checkpoint references, and the one replay starts in,
/// must exist.
fn check_checkpoint_files(
    dir_path: &Path,
    start: &Start,
    headers: &[(SegmentHeader, PathBuf)],
) -> Result<()> {
    let present: HashSet<u64> = headers.iter().map(|(h, _)| h.number).collect();
    let checkpoint_file = dir_path.join(dir::CHECKPOINT_FILE);
    for number in start.referenced.keys() {
        if !present.contains(number) {
            return Err(Error::corrupt(
                &checkpoint_file,
                0,
                format!(
                    "checkpoint references segment {}, which is missing",
                    dir::segment_file_name(*number)
                ),
            ));
        }
    }
    if let Some(r) = start.replay_segment {
        if !present.contains(&r) {
            return Err(Error::corrupt(
                &checkpoint_file,
                0,
                format!(
                    "the log segment to replay from ({}) is missing",
                    dir::segment_file_name(r)
                ),
            ));
        }
    }
    Ok(())
}

/// Step 3: maps the segments the database needs (the last log segment of a
/// writable open for appending, grown to the segment size) and lists the
/// orphans.
fn open_segments(
    start: &Start,
    headers: &[(SegmentHeader, PathBuf)],
    options: &Options,
    writable: bool,
) -> Result<Opened> {
    let last_log = headers
        .iter()
        .filter(|(h, _)| start.in_log(h))
        .map(|(h, _)| h.number)
        .max();
    let mut opened = Opened {
        table: SegmentTable::default(),
        stats: start.referenced.clone(),
        log: Vec::new(),
        max_number: 0,
        orphans: Vec::new(),
    };
    for (header, path) in headers {
        opened.max_number = opened.max_number.max(header.number);
        let needed = start.referenced.contains_key(&header.number) || start.in_log(header);
        if !needed {
            if writable {
                opened.orphans.push(path.clone());
            }
            continue;
        }
        let is_active = writable && Some(header.number) == last_log;
        let min_capacity = if is_active { options.segment_size } else { 0 };
        let file_writes = is_active && options.durability.writes_through_files();
        let segment = Arc::new(
            Segment::open(path, is_active, min_capacity, file_writes)?
                .with_file_writes(file_writes),
        );
        if start.in_log(header) {
            opened.log.push(Arc::clone(&segment));
            opened.stats.entry(header.number).or_insert(SegStat {
                kind: SegmentKind::Log,
                used_len: HEADER_LEN as u64,
                live_bytes: 0,
            });
        }
        opened.table.insert(segment);
    }
    Ok(opened)
}

/// The checkpoint's entries must point inside the segments it references,
/// and there must be one per assigned id.
fn check_entries(dir_path: &Path, start: &Start, stats: &BTreeMap<u64, SegStat>) -> Result<()> {
    let checkpoint_file = dir_path.join(dir::CHECKPOINT_FILE);
    // Consecutive entries mostly name the same segment: remember the last
    // lookup (a map lookup per entry was most of a 10M-row open), and walk
    // each chunk as a slice (an iterator chain per entry was most of a 1M-row
    // reopen).
    let mut last: (u64, u64) = (u64::MAX, 0);
    for (c, chunk) in start.entries.chunk_slices().enumerate() {
        for (slot, entry) in chunk.iter().enumerate() {
            let loc = entry.load(Ordering::Relaxed);
            if loc == 0 {
                continue;
            }
            let (number, offset) = index::unpack(loc);
            if number != last.0 {
                last = (number, stats.get(&number).map_or(0, |s| s.used_len));
            }
            if offset < HEADER_LEN as u64 || offset >= last.1 {
                let id = c * index::CHUNK_LEN + slot;
                return Err(Error::corrupt(
                    &checkpoint_file,
                    0,
                    format!("entry of row {id} points outside its segment"),
                ));
            }
        }
    }
    if start.entries.len() as u64 != start.next_id {
        return Err(Error::corrupt(
            &checkpoint_file,
            0,
            "entry count differs from next id",
        ));
    }
    Ok(())
}

/// Step 4 and 5: replays the log segments in order from the replay
/// position, and finds the end of the log (a torn tail is cut in a writable
/// open; an interrupted seal of an earlier segment is finished).
fn replay_log(
    opened: &Opened,
    entries: Entries,
    replay_segment: Option<u64>,
    replay_offset: u64,
    writable: bool,
    salvage: bool,
) -> Result<Replayed> {
    let log = &opened.log;
    let mut replay = Replay {
        entries,
        table: &opened.table,
        stats: opened.stats.clone(),
        deleted: Vec::new(),
    };
    let mut replayed_bytes = 0u64;
    let mut active = None;
    // A roll creates the next log segment before it seals the current one,
    // and nothing is written to the new one until the seal succeeded. So
    // when every later log segment is still empty, a log segment may end
    // early (a crash interrupted its seal) exactly like the last one.
    let holds_records: Vec<bool> = log
        .iter()
        .map(|s| {
            // SAFETY: recovery runs before any writer exists.
            let first = unsafe { s.bytes_from(HEADER_LEN as u64) };
            record::peek(first) != Err(DecodeError::Empty)
        })
        .collect();
    let mut ended_early = false;
    for (i, segment) in log.iter().enumerate() {
        let is_last = i + 1 == log.len();
        let tail_allowed = holds_records[i + 1..].iter().all(|h| !h);
        let start = if Some(segment.number()) == replay_segment {
            replay_offset
        } else {
            check_first_id(segment, &mut replay.entries, ended_early)?;
            HEADER_LEN as u64
        };
        // A writable open owns the files: it reads them through the
        // mapping. A read-only open may run beside a live writer, whose
        // seal or recovery can shorten the file under it: it reads the
        // records it has not validated yet with `pread` (see
        // `Segment::read_range`), up to the end of its mapping.
        let fetched;
        let bytes = if writable {
            LogBytes {
                base: 0,
                // SAFETY: recovery of a writable open runs before any writer exists.
                bytes: unsafe { segment.bytes_from(0) },
            }
        } else {
            fetched = segment.read_range(start, segment.capacity())?;
            LogBytes {
                base: start,
                bytes: &fetched,
            }
        };
        let (at, torn, salvaged) = replay_segment_records(
            &mut replay,
            segment,
            &bytes,
            start,
            SegmentRole {
                is_last,
                tail_allowed,
                writable,
            },
            salvage,
        )?;
        replayed_bytes += at - start;
        if let Some(stat) = replay.stats.get_mut(&segment.number()) {
            stat.used_len = at;
        }
        if salvaged {
            // A salvage open (read-only) stopped at damage: nothing after it
            // can be trusted to follow on from it.
            break;
        }
        let file_len = segment.capacity().min(segment.reserved());
        if !is_last && at < file_len {
            // An interrupted seal: finish it, so this segment is whole.
            ended_early = true;
            if writable {
                let gap = log
                    .get(i + 1)
                    .is_some_and(|next| next.first_id() > replay.entries.len() as u64);
                finish_interrupted_seal(segment, at, gap)?;
            }
        }
        if is_last {
            if torn && writable {
                segment.cut_tail(at)?;
            }
            active = Some((Arc::clone(segment), at));
        }
    }
    replay.settle_deletes();
    let Replay { entries, stats, .. } = replay;
    Ok(Replayed {
        entries,
        stats,
        replayed_bytes,
        active,
    })
}

/// A log segment after the first must start at the id where the log before
/// it ended; after a segment that ended early, ids of its cut tail were
/// never made durable and are skipped (never handed out again).
fn check_first_id(segment: &Segment, entries: &mut Entries, ended_early: bool) -> Result<()> {
    let next_id = entries.len() as u64;
    if ended_early && segment.first_id() > next_id {
        entries.resize(segment.first_id() as usize, 0);
    } else if segment.first_id() != next_id {
        return Err(Error::corrupt(
            segment.path(),
            24,
            format!(
                "log segment starts at row id {} but the log before it ends at {next_id}",
                segment.first_id()
            ),
        ));
    }
    Ok(())
}

/// The bytes of a log segment that replay reads: `bytes` starts at file
/// offset `base` (0 for the whole mapping of a writable open).
struct LogBytes<'a> {
    base: u64,
    bytes: &'a [u8],
}

impl LogBytes<'_> {
    /// The bytes from file offset `at` on.
    fn from(&self, at: u64) -> &[u8] {
        let i = (at.saturating_sub(self.base) as usize).min(self.bytes.len());
        &self.bytes[i..]
    }

    /// The file offset where the bytes end.
    fn end(&self) -> u64 {
        self.base + self.bytes.len() as u64
    }
}

/// Where a log segment stands in the replay.
#[derive(Clone, Copy)]
struct SegmentRole {
    /// The last log segment.
    is_last: bool,
    /// No later log segment holds records: an unsynced bad record is the end.
    tail_allowed: bool,
    /// A writable open (which tells a torn tail from a clean end, to cut it).
    writable: bool,
}

/// Replays one log segment's records from `start`; returns where its
/// records end, whether a torn (non-zero) tail follows (writable opens
/// only: a read-only open does not look past the end of its view), and
/// whether a salvage open stopped at damage.
fn replay_segment_records(
    replay: &mut Replay<'_>,
    segment: &Segment,
    bytes: &LogBytes<'_>,
    start: u64,
    role: SegmentRole,
    salvage: bool,
) -> Result<(u64, bool, bool)> {
    let synced = segment.synced_len();
    let mut at = start;
    let mut torn = false;
    while at < bytes.end() {
        let here = bytes.from(at);
        match record::decode(here, true) {
            Ok(rec) => {
                replay.apply(segment, at, rec)?;
                at += rec.len() as u64;
            }
            Err(e) => {
                // A roll creates the next segment before it seals (and
                // trims) this one: a crash in between leaves an earlier
                // log segment ending in zeros past its watermark. That is
                // its end, not damage (a lost put would still show as a
                // gap in the next segment's first id).
                if !role.is_last
                    && at >= synced
                    && e == DecodeError::Empty
                    && !holds_nonzero(segment, bytes, at, bytes.end())
                {
                    break;
                }
                let is_end = role.tail_allowed && at >= synced;
                if !is_end {
                    if salvage {
                        // The intact prefix ends here (read-only).
                        return Ok((at, false, true));
                    }
                    return Err(Error::corrupt(segment.path(), at, e));
                }
                if role.writable {
                    // Past `data_len` is reserved space added by this open
                    // (zeros): scanning it cost a clean reopen ~20 ms.
                    let data_end = segment.data_len().clamp(at, bytes.end());
                    torn = e != DecodeError::Empty || holds_nonzero(segment, bytes, at, data_end);
                }
                break;
            }
        }
    }
    if at < synced && salvage {
        return Ok((at, false, true));
    }
    if at < synced {
        // The file ends before bytes its header says were made durable.
        return Err(Error::corrupt(
            segment.path(),
            at,
            format!("records end here but the segment's synced length is {synced}: the file was truncated"),
        ));
    }
    Ok((at, torn, false))
}

/// Whether `segment`'s bytes at file offsets `from..to` (within `bytes`)
/// hold a non-zero byte.
/// Only the ranges the file system reports as data are read: after a crash
/// the active segment is its reserved size (64 MiB), mostly space never
/// written, and reading all of it (a page fault per page, a byte at a time)
/// was most of an open after kill -9.
fn holds_nonzero(segment: &Segment, bytes: &LogBytes<'_>, from: u64, to: u64) -> bool {
    let to = to.min(bytes.end());
    let mut at = from;
    while at < to {
        let (start, end) = segment.data_range(at, to);
        if start >= end {
            return false;
        }
        let range = &bytes.from(start)[..(end - start) as usize];
        // OR-folds whole blocks (vectorized), not a branch per byte.
        if range
            .chunks(4096)
            .any(|block| block.iter().fold(0u8, |acc, &b| acc | b) != 0)
        {
            return true;
        }
        at = end;
    }
    false
}

/// Trims a log segment whose seal a crash interrupted to its last record.
/// When row ids were lost with its tail (`gap`), one zero record header is
/// kept past the last record: it marks this segment as ended early at every
/// later open, which is what lets the next segment's first id skip the lost
/// ids (trimmed to its last record, the gap would read as corruption from
/// then on).
fn finish_interrupted_seal(segment: &Segment, at: u64, gap: bool) -> Result<()> {
    let keep = if gap { RECORD_HEADER_LEN as u64 } else { 0 };
    std::fs::OpenOptions::new()
        .write(true)
        .open(segment.path())
        .and_then(|f| {
            f.set_len(at)?;
            f.set_len(at + keep)?;
            f.sync_all()
        })
        .map_err(|e| Error::io("cannot trim segment", segment.path(), e))
}

/// What a read-only open checks to know that no compaction or checkpoint
/// switched the files while it read them: the identity of `INDEX` and the
/// segment files present.
#[derive(PartialEq, Eq)]
struct Fingerprint {
    /// Device, inode, size and modification time of `INDEX` (a checkpoint
    /// replaces it by a rename: a new inode; on Windows volume serial and
    /// file index, see `storage::platform`).
    checkpoint: Option<(u64, u64, u64, i64, i64)>,
    segments: HashSet<u64>,
}

impl Fingerprint {
    fn take(dir_path: &Path) -> Result<Fingerprint> {
        let path = dir_path.join(dir::CHECKPOINT_FILE);
        let checkpoint = match crate::storage::platform::file_fingerprint(&path) {
            Ok(f) => Some(f),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
            Err(e) => return Err(Error::io("cannot stat", &path, e)),
        };
        let segments = dir::list_segments(dir_path)?
            .into_iter()
            .map(|(n, _)| n)
            .collect();
        Ok(Fingerprint {
            checkpoint,
            segments,
        })
    }

    /// Whether nothing that a read-only open relies on changed between
    /// `self` and `later`: the same checkpoint, and no segment deleted (new
    /// segments are the log growing, which a reader may ignore).
    fn unchanged_by(&self, later: &Fingerprint) -> bool {
        self.checkpoint == later.checkpoint && self.segments.is_subset(&later.segments)
    }
}

/// How often a read-only open starts again when a checkpoint or compaction
/// of a live writer switched the files while it read them.
const READ_ONLY_ATTEMPTS: u32 = 100;

/// Recovery for a read-only handle, which may run beside a live writer in
/// another process: [`recover`] without writing anything, started again
/// when the writer replaced `INDEX` or deleted a segment meanwhile (a
/// compaction's switch, a checkpoint), so that the state returned is the
/// one of a single checkpoint and the log after it, never a mix.
///
/// # Errors
/// As [`recover`], from an attempt during which the files did not change;
/// `Locked` if they changed during every attempt.
pub fn recover_read_only(dir_path: &Path, options: &Options) -> Result<Recovered> {
    for attempt in 0..READ_ONLY_ATTEMPTS {
        let before = Fingerprint::take(dir_path)?;
        let result = recover(dir_path, options, false);
        let after = Fingerprint::take(dir_path)?;
        // The failpoint stands for a switch during this attempt (tests).
        let switched = crate::storage::faults::check("reader.switch", dir_path).is_err();
        if before.unchanged_by(&after) && !switched {
            return result;
        }
        std::thread::sleep(std::time::Duration::from_millis(u64::from(attempt.min(10))));
    }
    Err(Error::new(
        crate::error::ErrorKind::Locked,
        format!(
            "{}: a writer replaced the database's files during each of {READ_ONLY_ATTEMPTS} attempts to read them",
            dir_path.display()
        ),
    ))
}
