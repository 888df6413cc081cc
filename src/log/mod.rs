//! The write path: appending records to the active log segment.
//!
//! One [`LogWriter`] exists per writable handle, behind the handle's writer
//! mutex, so records are appended in one order: the log order that recovery
//! replays. Each append copies the record into the active segment's mapping
//! (the OS page cache: it survives a crash of the process from that moment),
//! then publishes the new index entries. When a record does not fit, the
//! active segment is *sealed* (flushed, its watermark set to its length,
//! trimmed) and a new one is created.

pub mod group_commit;

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;

use arc_swap::ArcSwap;

use crate::batch::{Batch, Op, FRAME_LEN};
use crate::error::{Error, ErrorKind, Result};
use crate::format::checkpoint::{CheckpointMeta, SegmentMeta};
use crate::format::record::{self, Kind, HEADER_LEN as RECORD_HEADER_LEN};
use crate::format::segment_header::{SegmentHeader, SegmentKind, HEADER_LEN};
use crate::index::{self, IndexWriter, View};
use crate::options::{Durability, Options};
use crate::recovery::Recovered;
use crate::storage::dir::DirId;
use crate::storage::segment::Segment;
use crate::RowId;
use group_commit::GroupCommit;

/// log2 of the windows (8 MiB) in which appended log is handed to the disk
/// early (see [`assist_active`]).
const WRITEBACK_SHIFT: u32 = 23;
/// log2 of the steps (1 MiB) in which the writer publishes its position to
/// the helper thread (see [`assist_active`]).
const PUBLISH_SHIFT: u32 = 20;
/// What a delete in the log costs the replay at the next open, in log
/// bytes (see [`LogWriter::replay_cost`]). An estimate: a replayed delete
/// is a random access into the segments and the mapped checkpoint (with
/// its page faults), where 256 bytes of puts are about three records read
/// in order. With it, a close after 100,000 deletes of a 1,000,000-row
/// database writes a checkpoint instead of leaving their replay (about
/// 20 ms) to every later open.
const DELETE_REPLAY_COST: u64 = 256;
/// How far ahead of the writer's published position pages are faulted in.
const PREFAULT_AHEAD: u64 = 8 << 20;

/// Space accounting of one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegStat {
    pub kind: SegmentKind,
    /// Bytes holding the header and records.
    pub used_len: u64,
    /// Bytes of records of live rows.
    pub live_bytes: u64,
}

/// What the writer knows; recovery builds it ([`LogWriter::new`]), the
/// handle's mutex guards it. Its state is its own: the handle, compaction
/// and the background thread use the methods below.
pub struct LogWriter {
    /// The database directory: canonical and absolute (see `dir::resolve`).
    dir: PathBuf,
    /// Its identity at open, checked before every file creation.
    dir_id: DirId,
    index: IndexWriter,
    active: Arc<Segment>,
    /// Where the next record goes in the active segment.
    append_at: u64,
    next_id: RowId,
    next_segment_number: u64,
    /// Every segment of the view but the active one (its numbers are in
    /// `append_at` and `active_live`).
    sealed: BTreeMap<u64, SegStat>,
    active_live: u64,
    live_rows: u64,
    /// Bytes appended since the handle opened: the log sequence number.
    lsn: u64,
    bytes_since_checkpoint: u64,
    /// Deletes appended since the handle opened, and their count when the
    /// last checkpoint written was captured (see [`LogWriter::replay_cost`]).
    deletes: u64,
    deletes_at_capture: std::cell::Cell<u64>,
    deletes_at_checkpoint: u64,
    segment_size: u64,
    /// Write and flush zeros into reserved space (Full durability) instead
    /// of fallocate.
    prefill: bool,
    max_value_size: u64,
    /// Threads helping the active segment (`assist_active`); the ones of
    /// retired segments end on their own once unparked.
    assistants: Vec<std::thread::JoinHandle<()>>,
    /// Whether the active segment has its helper thread yet: it is started
    /// by the writer's first step of [`PUBLISH_SHIFT`] in the segment, so an
    /// open database that writes little runs one background thread (the
    /// maintenance thread), not two. Never for `prefill` segments (Full),
    /// whose pages are in the page cache already.
    assisted: bool,
    /// Durability watermark shared with the handle (sealing advances it, a
    /// failed flush poisons it).
    commit: Arc<GroupCommit>,
}

impl LogWriter {
    /// The writer of a writable open, from what recovery found: the last log
    /// segment becomes the active one, or, for a new database, the first
    /// segment is created.
    ///
    /// # Errors
    /// `Io` when the first segment cannot be created.
    pub fn new(
        dir: PathBuf,
        dir_id: DirId,
        recovered: Recovered,
        options: &Options,
        commit: Arc<GroupCommit>,
    ) -> Result<LogWriter> {
        let prefill = options.durability == Durability::Full;
        let mut index = IndexWriter::new(recovered.view);
        let mut next_segment_number = recovered.next_segment_number;
        let mut sealed = recovered.stats;
        let (active, append_at) = match recovered.active {
            Some(active) => active,
            None => {
                let number = next_segment_number;
                next_segment_number += 1;
                let header = SegmentHeader {
                    kind: SegmentKind::Log,
                    number,
                    first_id: recovered.next_id,
                };
                let segment = Arc::new(
                    Segment::create(&dir, header, options.segment_size, prefill)?
                        .with_file_writes(prefill),
                );
                index.add_segment(Arc::clone(&segment));
                (segment, HEADER_LEN as u64)
            }
        };
        let active_live = sealed.remove(&active.number()).map_or(0, |s| s.live_bytes);
        Ok(LogWriter {
            dir,
            dir_id,
            index,
            active,
            append_at,
            next_id: recovered.next_id,
            next_segment_number,
            sealed,
            active_live,
            live_rows: recovered.live_rows,
            lsn: 0,
            bytes_since_checkpoint: recovered.replayed_bytes,
            deletes: 0,
            deletes_at_capture: std::cell::Cell::new(0),
            deletes_at_checkpoint: 0,
            segment_size: options.segment_size,
            prefill,
            max_value_size: options.max_value_size,
            assistants: Vec::new(),
            assisted: false,
            commit,
        })
    }

    /// The readers' handle on the published index.
    pub fn readers(&self) -> Arc<ArcSwap<View>> {
        self.index.readers()
    }

    /// The log sequence number: bytes appended since the open.
    pub fn lsn(&self) -> u64 {
        self.lsn
    }

    /// The id the next put receives.
    pub fn next_id(&self) -> RowId {
        self.next_id
    }

    /// Rows that can be read.
    pub fn live_rows(&self) -> u64 {
        self.live_rows
    }

    /// A frozen copy of the index as of now (for a snapshot).
    pub fn snapshot(&self) -> Arc<View> {
        self.index.snapshot()
    }

    /// What replaying the log written since the last checkpoint would cost
    /// the next open, in log bytes: its bytes, plus [`DELETE_REPLAY_COST`]
    /// per delete (replaying a delete reads the deleted record's length
    /// from its segment and copies a page of the mapped checkpoint: a
    /// random access, not a sequential read of 33 bytes).
    pub fn replay_cost(&self) -> u64 {
        let deletes = self.deletes - self.deletes_at_checkpoint;
        self.bytes_since_checkpoint
            .saturating_add(deletes.saturating_mul(DELETE_REPLAY_COST))
    }

    /// Records that a checkpoint covering the log up to `lsn` was written.
    pub fn checkpoint_written(&mut self, lsn: u64) {
        self.bytes_since_checkpoint = self.lsn - lsn;
        self.deletes_at_checkpoint = self.deletes_at_capture.get();
    }

    /// Seals the active segment where the log ends (a clean close: the next
    /// open finds it trimmed, with its watermark at its end).
    ///
    /// # Errors
    /// `Io`.
    pub fn seal_active(&self) -> Result<()> {
        self.active.seal(self.append_at)
    }
}

impl LogWriter {
    fn check_writable(&self) -> Result<()> {
        if self.commit.is_poisoned() {
            return Err(GroupCommit::poisoned_error());
        }
        Ok(())
    }

    fn check_value(&self, len: usize) -> Result<()> {
        if len as u64 > self.max_value_size {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "value of {len} bytes exceeds max_value_size {}",
                    self.max_value_size
                ),
            ));
        }
        Ok(())
    }

    /// Makes room for a record of `len` bytes, sealing the active segment and
    /// starting a new one when it is full, and reserving the disk space under
    /// it (see `Segment::reserve_to`): on a full disk this fails before any
    /// byte of the record is stored, and nothing has changed.
    fn ensure_room(&mut self, len: u64) -> Result<()> {
        if self.append_at + len > self.active.capacity() {
            self.roll(len)?;
        }
        self.active.reserve_to(self.append_at + len)
    }

    /// Seals the active segment and creates the next one, large enough for
    /// a record of `min_len` bytes.
    ///
    /// The new segment is created first: if that fails (a full disk), nothing
    /// has changed and the handle stays usable. A failed flush while sealing
    /// poisons the handle.
    pub fn roll(&mut self, min_len: u64) -> Result<()> {
        let number = self.take_segment_number()?;
        let capacity = self.segment_size.max(HEADER_LEN as u64 + min_len);
        let header = SegmentHeader {
            kind: SegmentKind::Log,
            number,
            first_id: self.next_id,
        };
        let segment = match Segment::create(&self.dir, header, capacity, self.prefill) {
            Ok(segment) => Arc::new(segment.with_file_writes(self.prefill)),
            Err(e) => {
                // Nothing of the number is left on disk: the next try
                // uses it again (a retry loop on a full disk must not
                // exhaust the segment numbers).
                self.release_segment_number(number);
                return Err(e);
            }
        };
        let end = self.append_at;
        let old = &self.active;
        old.retire();
        if let Err(e) = old.seal(end) {
            self.commit.poison();
            return Err(e);
        }
        self.commit.mark_durable(self.lsn);
        self.sealed.insert(
            old.number(),
            SegStat {
                kind: SegmentKind::Log,
                used_len: end,
                live_bytes: self.active_live,
            },
        );
        self.index.add_segment(Arc::clone(&segment));
        self.stop_assistants(false);
        self.assisted = false;
        self.active = segment;
        self.append_at = HEADER_LEN as u64;
        self.active_live = 0;
        Ok(())
    }

    /// Reserves the next segment number, after checking that the database
    /// directory is still the one opened (a file is about to be created).
    pub fn take_segment_number(&mut self) -> Result<u64> {
        self.dir_id.check(&self.dir)?;
        let number = self.next_segment_number;
        if number > index::MAX_SEGMENT_NUMBER {
            return Err(Error::new(
                ErrorKind::TooLarge,
                "segment numbers exhausted; compact into a new database",
            ));
        }
        self.next_segment_number += 1;
        Ok(number)
    }

    /// Gives back `number`, taken by [`LogWriter::take_segment_number`],
    /// when creating its segment failed and left no file behind. Only the
    /// last number taken can be given back; an older one stays a gap.
    pub fn release_segment_number(&mut self, number: u64) {
        if self.next_segment_number == number + 1 {
            self.next_segment_number = number;
        }
    }

    fn advance(&mut self, len: u64) {
        let before = self.append_at;
        self.append_at += len;
        self.lsn += len;
        self.bytes_since_checkpoint += len;
        if before >> PUBLISH_SHIFT != self.append_at >> PUBLISH_SHIFT {
            // A step further: the helper thread faults pages in ahead and
            // writes completed windows back (see `assist_active`).
            self.active.set_appended(self.append_at);
            if !self.assisted && !self.prefill {
                self.assisted = true;
                self.assistants
                    .extend(assist_active(&self.active, self.append_at));
            }
        }
    }

    /// Appends a put and returns its new row id.
    pub fn put(&mut self, value: &[u8]) -> Result<RowId> {
        self.check_writable()?;
        self.check_value(value.len())?;
        let len = record::record_len(value.len()) as u64;
        self.ensure_room(len)?;
        let word = (value.len() as u32) | ((Kind::Put as u32) << 29);
        let mut hasher = record::hasher();
        hasher.update(&word.to_le_bytes());
        hasher.update(value);
        let mut head = [0u8; RECORD_HEADER_LEN];
        head[0..4].copy_from_slice(&hasher.finalize().to_le_bytes());
        head[4..8].copy_from_slice(&word.to_le_bytes());
        let at = self.append_at;
        // SAFETY: we are the single writer (the caller holds the writer
        // mutex) and [at, at+len) lies past every published record. The
        // space is reserved (`ensure_room`), so the writes cannot fail.
        unsafe {
            self.active.write(at, &head)?;
            self.active.write(at + RECORD_HEADER_LEN as u64, value)?;
        }
        let id = self.next_id;
        self.index
            .set_new(id, index::pack(self.active.number(), at));
        self.next_id += 1;
        self.live_rows += 1;
        self.active_live += len;
        self.advance(len);
        Ok(id)
    }

    /// The location of a live row, or `NotFound`.
    fn live_location(&self, id: RowId) -> Result<u64> {
        let loc = if id < self.next_id {
            self.index.view().get(id)
        } else {
            0
        };
        if loc == 0 {
            return Err(Error::not_found(id));
        }
        Ok(loc)
    }

    /// Takes a removed record's bytes off its segment's live count.
    fn forget_record(&mut self, loc: u64) {
        let (number, offset) = index::unpack(loc);
        let view: &View = self.index.view();
        let len = view
            .segments
            .get(number)
            // SAFETY: `loc` comes from the index, so it names a published record.
            .and_then(|s| record::peek(unsafe { s.bytes_from(offset) }).ok())
            .map_or(0, |(_, body)| record::record_len(body) as u64);
        if number == self.active.number() {
            self.active_live = self.active_live.saturating_sub(len);
        } else if let Some(stat) = self.sealed.get_mut(&number) {
            stat.live_bytes = stat.live_bytes.saturating_sub(len);
        }
        self.live_rows -= 1;
        self.deletes += 1;
    }

    /// Appends a delete of a live row.
    pub fn delete(&mut self, id: RowId) -> Result<()> {
        self.check_writable()?;
        let loc = self.live_location(id)?;
        let len = record::record_len(8) as u64;
        self.ensure_room(len)?;
        let mut rec = [0u8; record::record_len(8)];
        record::encode_into(&mut rec, Kind::Delete, &[&id.to_le_bytes()]);
        // SAFETY: single writer, unpublished bytes (see `put`).
        unsafe { self.active.write(self.append_at, &rec)? };
        self.advance(len);
        let changed = self.index.set_existing(id, 0);
        self.index.publish_if(changed);
        self.forget_record(loc);
        Ok(())
    }

    /// Appends a batch as one record; returns the ids of its puts.
    pub fn write_batch(&mut self, batch: &Batch) -> Result<Vec<RowId>> {
        self.check_writable()?;
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        let frame = batch.frame(self.max_value_size)?;
        // Every delete must name a distinct live row, or nothing is written.
        let mut deletes: Vec<RowId> = batch
            .ops
            .iter()
            .filter_map(|op| match op {
                Op::Delete { id } => Some(*id),
                Op::Put { .. } => None,
            })
            .collect();
        for id in &deletes {
            self.live_location(*id)?;
        }
        deletes.sort_unstable();
        if let Some(pair) = deletes.windows(2).find(|w| w[0] == w[1]) {
            return Err(Error::new(
                ErrorKind::NotFound,
                format!("batch deletes row {} twice", pair[0]),
            ));
        }
        let len = (FRAME_LEN + batch.buf.len()) as u64;
        self.ensure_room(len)?;
        let at = self.append_at;
        // SAFETY: single writer, unpublished bytes (see `put`).
        unsafe {
            self.active.write(at, &frame)?;
            self.active.write(at + FRAME_LEN as u64, &batch.buf)?;
        }
        self.advance(len);
        let number = self.active.number();
        let mut ids = Vec::with_capacity(batch.puts);
        let mut changed = false;
        for op in &batch.ops {
            match *op {
                Op::Put { at: rel, len } => {
                    let id = self.next_id;
                    let loc = index::pack(number, at + (FRAME_LEN + rel) as u64);
                    self.index.set_new(id, loc);
                    self.next_id += 1;
                    self.live_rows += 1;
                    self.active_live += record::record_len(len) as u64;
                    ids.push(id);
                }
                Op::Delete { id } => {
                    let loc = self.index.view().get(id);
                    changed |= self.index.set_existing(id, 0);
                    self.forget_record(loc);
                }
            }
        }
        self.index.publish_if(changed);
        Ok(ids)
    }

    /// What a flush of everything appended so far must cover: the active
    /// segment, its end, and the LSN that end stands for.
    pub fn flush_target(&self) -> (Arc<Segment>, u64, u64) {
        (Arc::clone(&self.active), self.append_at, self.lsn)
    }

    /// Every segment's accounting, the active one included.
    pub fn segment_stats(&self) -> BTreeMap<u64, SegStat> {
        let mut all = self.sealed.clone();
        all.insert(
            self.active.number(),
            SegStat {
                kind: SegmentKind::Log,
                used_len: self.append_at,
                live_bytes: self.active_live,
            },
        );
        all
    }
}

/// Helps the writer from a second thread while `segment` is the active
/// segment:
///
/// 1. faults its pages in ahead of the writer, at most [`PREFAULT_AHEAD`]
///    past the writer's published position and never past the reserved
///    space, so that the zeroing of each fresh page happens off the write
///    path (a first write to a page of preallocated space took a page fault:
///    40% of an `Off` put). Only once the writer has moved (an idle database
///    costs no pages and writes no zeros: issue 21);
/// 2. behind the writer, starts write-back of each completed 8 MiB window
///    (see [`Segment::start_writeback`]), so that the flush sealing the
///    segment finds its pages mostly clean instead of writing 64 MiB while
///    the writer waits, and so that the writer does not pay for submitting it.
///
/// The thread holds only a weak reference between steps and stops once the
/// segment is retired or dropped. Neither step changes a byte or claims
/// durability.
pub fn assist_active(segment: &Arc<Segment>, from: u64) -> Option<std::thread::JoinHandle<()>> {
    const WINDOW: u64 = 1 << WRITEBACK_SHIFT;
    const NAP_MIN: std::time::Duration = std::time::Duration::from_millis(1);
    const NAP_MAX: std::time::Duration = std::time::Duration::from_millis(64);
    let weak = Arc::downgrade(segment);
    std::thread::Builder::new()
        .name("toonstore-assist".into())
        .spawn(move || {
            let mut prefaulted = from;
            let mut written_back = from & !(WINDOW - 1);
            let mut nap = NAP_MIN;
            loop {
                // Parked, not asleep: retiring the segment unparks the thread.
                std::thread::park_timeout(nap);
                let Some(segment) = weak.upgrade() else {
                    return;
                };
                if segment.is_retired() {
                    return;
                }
                let appended = segment.appended();
                let mut busy = false;
                if appended > 0 {
                    let target = (appended + PREFAULT_AHEAD).min(segment.reserved());
                    if target > prefaulted && segment.prefault(prefaulted, target - prefaulted) {
                        prefaulted = target;
                        busy = true;
                    }
                }
                let end = appended & !(WINDOW - 1);
                if end > written_back {
                    segment.start_writeback(written_back, end);
                    written_back = end;
                    busy = true;
                }
                nap = if busy {
                    NAP_MIN
                } else {
                    (nap * 2).min(NAP_MAX)
                };
            }
        })
        .ok()
}

/// Flushes `segment` up to `end` and records the new watermark (made
/// durable by the next flush: the watermark never claims more than is on disk).
///
/// # Errors
/// `Io` when the flush fails.
pub fn flush_segment(segment: &Segment, end: u64) -> Result<()> {
    segment.flush(0, end)?;
    segment.set_synced_len(end);
    Ok(())
}

impl LogWriter {
    /// Wakes the assistant threads of retired segments so they end, and
    /// forgets the finished ones; with `join`, retires the active segment too
    /// and waits for every assistant (at close, so no thread outlives the
    /// handle).
    pub fn stop_assistants(&mut self, join: bool) {
        if join {
            self.active.retire();
        }
        for handle in &self.assistants {
            handle.thread().unpark();
        }
        if join {
            for handle in self.assistants.drain(..) {
                let _ = handle.join();
            }
        } else {
            self.assistants.retain(|h| !h.is_finished());
        }
    }

    /// In a forked child: forgets the assistant threads' handles (the
    /// threads are the parent's and do not exist here).
    pub fn abandon_assistants(&mut self) {
        for handle in self.assistants.drain(..) {
            std::mem::forget(handle);
        }
    }

    /// Whether enough log has accumulated since the last checkpoint that
    /// replaying it at the next open would cost more than writing a new one:
    /// at least 64 MiB, and at least twice the checkpoint's own size.
    pub fn wants_checkpoint(&self) -> bool {
        self.bytes_since_checkpoint >= (64 << 20).max(self.next_id.saturating_mul(16))
    }

    /// Freezes the index and captures what a checkpoint of this moment
    /// holds; returns it with the LSN that must be durable before it is
    /// written.
    ///
    /// # Errors
    /// `Io` when the database directory was moved while open.
    pub fn checkpoint_capture(&self) -> Result<(CheckpointMeta, Arc<View>, u64)> {
        self.dir_id.check(&self.dir)?;
        let view = self.index.snapshot();
        let segments = self
            .segment_stats()
            .into_iter()
            .map(|(number, s)| SegmentMeta {
                number,
                kind: s.kind,
                used_len: s.used_len,
                live_bytes: s.live_bytes,
            })
            .collect();
        self.deletes_at_capture.set(self.deletes);
        let meta = CheckpointMeta {
            next_id: self.next_id,
            replay_segment: self.active.number(),
            replay_offset: self.append_at,
            next_segment_number: self.next_segment_number,
            segments,
        };
        Ok((meta, view, self.lsn))
    }
}

/// Compaction's steps that change the writer's state (see `compaction.rs`).
impl LogWriter {
    /// Step 1: seals the active segment when it holds garbage (so that its
    /// space can be reclaimed too) and returns the sealed segments that hold
    /// garbage: the victims.
    ///
    /// # Errors
    /// `Poisoned`; `Io` from the roll.
    pub fn compaction_victims(&mut self) -> Result<BTreeSet<u64>> {
        if self.commit.is_poisoned() {
            return Err(GroupCommit::poisoned_error());
        }
        if self.append_at - HEADER_LEN as u64 > self.active_live {
            self.roll(0)?;
        }
        Ok(self
            .sealed
            .iter()
            .filter(|(_, s)| s.used_len - HEADER_LEN as u64 > s.live_bytes)
            .map(|(n, _)| *n)
            .collect())
    }

    /// A copy of the current index that later writes do not change.
    pub fn frozen_view(&self) -> Arc<View> {
        Arc::new(self.index.view().clone())
    }

    /// Step 3: publishes the compacted `segment` (`used_len` bytes) and
    /// points each moved row `(id, old location, new location, record
    /// length)` to its new copy, unless the row changed meanwhile (deleted
    /// rows stay deleted). Returns the rows moved.
    pub fn install_compacted(
        &mut self,
        segment: &Arc<Segment>,
        used_len: u64,
        moves: impl Iterator<Item = (RowId, u64, u64, u64)>,
    ) -> u64 {
        self.index.add_segment(Arc::clone(segment));
        let mut changed = false;
        let mut rows = 0;
        let mut live_bytes = 0;
        for (id, old, new, len) in moves {
            if self.index.view().get(id) == old {
                changed |= self.index.set_existing(id, new);
                live_bytes += len;
                rows += 1;
            }
        }
        self.index.publish_if(changed);
        self.sealed.insert(
            segment.number(),
            SegStat {
                kind: segment.kind(),
                used_len,
                live_bytes,
            },
        );
        rows
    }

    /// Step 3: drops the victims from the view and the accounting; returns
    /// the bytes they used.
    pub fn remove_sealed(&mut self, numbers: &[u64]) -> u64 {
        let mut bytes = 0;
        for n in numbers {
            if let Some(stat) = self.sealed.remove(n) {
                bytes += stat.used_len;
            }
        }
        self.index.remove_segments(numbers);
        bytes
    }
}
