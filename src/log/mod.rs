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

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use crate::batch::{Batch, Op, FRAME_LEN};
use crate::error::{Error, ErrorKind, Result};
use crate::format::checkpoint::{CheckpointMeta, SegmentMeta};
use crate::format::record::{self, Kind, HEADER_LEN as RECORD_HEADER_LEN};
use crate::format::segment_header::{SegmentHeader, SegmentKind, HEADER_LEN};
use crate::index::{self, IndexWriter, View};
use crate::storage::segment::Segment;
use crate::RowId;
use group_commit::GroupCommit;

/// log2 of the windows (8 MiB) in which appended log is handed to the disk
/// early (see [`assist_active`]).
const WRITEBACK_SHIFT: u32 = 23;

/// Space accounting of one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegStat {
    pub kind: SegmentKind,
    /// Bytes holding the header and records.
    pub used_len: u64,
    /// Bytes of records of live rows.
    pub live_bytes: u64,
}

/// What the writer knows; recovery builds it, the handle's mutex guards it.
pub struct LogWriter {
    pub dir: PathBuf,
    pub index: IndexWriter,
    pub active: Arc<Segment>,
    /// Where the next record goes in the active segment.
    pub append_at: u64,
    pub next_id: RowId,
    pub next_segment_number: u64,
    /// Every segment of the view but the active one (its numbers are in
    /// `append_at` and `active_live`).
    pub sealed: BTreeMap<u64, SegStat>,
    pub active_live: u64,
    pub live_rows: u64,
    /// Bytes appended since the handle opened: the log sequence number.
    pub lsn: u64,
    pub bytes_since_checkpoint: u64,
    pub segment_size: u64,
    /// Write zeros into new segments (Full durability) instead of fallocate.
    pub prefill: bool,
    pub max_value_size: u64,
    /// Threads helping the active segment (`assist_active`); the ones of
    /// retired segments end on their own once unparked.
    pub assistants: Vec<std::thread::JoinHandle<()>>,
    /// Durability watermark shared with the handle (sealing advances it, a
    /// failed flush poisons it).
    pub commit: Arc<GroupCommit>,
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
    /// starting a new one when it is full.
    fn ensure_room(&mut self, len: u64) -> Result<()> {
        if self.append_at + len <= self.active.capacity() {
            return Ok(());
        }
        self.roll(len)
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
        let segment = Arc::new(
            Segment::create(&self.dir, header, capacity, self.prefill)?
                .with_file_writes(self.prefill),
        );
        let end = self.append_at;
        let old = &self.active;
        old.retire();
        let sealed = (|| {
            old.flush(0, end)?;
            old.set_synced_len(end);
            old.flush(0, HEADER_LEN as u64)?;
            old.set_file_len(end)?;
            old.sync_file()
        })();
        if let Err(e) = sealed {
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
        if !self.prefill {
            // Prefilled segments (Full) have their pages in the page cache.
            self.assistants
                .extend(assist_active(&segment, HEADER_LEN as u64));
        }
        self.active = segment;
        self.append_at = HEADER_LEN as u64;
        self.active_live = 0;
        Ok(())
    }

    /// Reserves the next segment number.
    pub fn take_segment_number(&mut self) -> Result<u64> {
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

    fn advance(&mut self, len: u64) {
        let before = self.append_at;
        self.append_at += len;
        self.lsn += len;
        self.bytes_since_checkpoint += len;
        if before >> WRITEBACK_SHIFT != self.append_at >> WRITEBACK_SHIFT {
            // A window of the segment is complete: the helper thread starts
            // writing it back (see `assist_active`).
            self.active.set_appended(self.append_at);
        }
    }

    /// Appends a put and returns its new row id.
    pub fn put(&mut self, value: &[u8]) -> Result<RowId> {
        self.check_writable()?;
        self.check_value(value.len())?;
        let len = record::record_len(value.len()) as u64;
        self.ensure_room(len)?;
        let word = (value.len() as u32) | ((Kind::Put as u32) << 29);
        let mut hasher = crc32fast::Hasher::new();
        hasher.update(&word.to_le_bytes());
        hasher.update(value);
        let mut head = [0u8; RECORD_HEADER_LEN];
        head[0..4].copy_from_slice(&hasher.finalize().to_le_bytes());
        head[4..8].copy_from_slice(&word.to_le_bytes());
        let at = self.append_at;
        // SAFETY: we are the single writer (the caller holds the writer
        // mutex) and [at, at+len) lies past every published record.
        unsafe {
            self.active.write(at, &head);
            self.active.write(at + RECORD_HEADER_LEN as u64, value);
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
        unsafe { self.active.write(self.append_at, &rec) };
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
            self.active.write(at, &frame);
            self.active.write(at + FRAME_LEN as u64, &batch.buf);
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
/// 1. faults its pages in ahead of the writer, from `from` to the end, so
///    that the zeroing of each fresh page happens off the write path (a first
///    write to a page of preallocated space took a page fault: 40% of an
///    `Off` put);
/// 2. then, behind the writer, starts write-back of each completed 8 MiB
///    window (see [`Segment::start_writeback`]), so that the flush sealing the
///    segment finds its pages mostly clean instead of writing 64 MiB while the
///    writer waits, and so that the writer does not pay for submitting it.
///
/// The thread holds only a weak reference between steps and stops once the
/// segment is retired or dropped. Neither step changes a byte or claims
/// durability.
pub fn assist_active(segment: &Arc<Segment>, from: u64) -> Option<std::thread::JoinHandle<()>> {
    const STEP: u64 = 1 << 20;
    const WINDOW: u64 = 1 << WRITEBACK_SHIFT;
    const NAP_MIN: std::time::Duration = std::time::Duration::from_millis(1);
    const NAP_MAX: std::time::Duration = std::time::Duration::from_millis(64);
    let weak = Arc::downgrade(segment);
    std::thread::Builder::new()
        .name("toonstore-assist".into())
        .spawn(move || {
            let mut at = from;
            loop {
                let Some(segment) = weak.upgrade() else {
                    return;
                };
                if segment.is_retired() || !segment.prefault(at, STEP) {
                    break;
                }
                at += STEP;
            }
            let mut done = from & !(WINDOW - 1);
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
                let end = segment.appended() & !(WINDOW - 1);
                if end > done {
                    segment.start_writeback(done, end);
                    done = end;
                    nap = NAP_MIN;
                } else {
                    nap = (nap * 2).min(NAP_MAX);
                }
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

    /// Whether enough log has accumulated since the last checkpoint that
    /// replaying it at the next open would cost more than writing a new one:
    /// at least 64 MiB, and at least twice the checkpoint's own size.
    pub fn wants_checkpoint(&self) -> bool {
        self.bytes_since_checkpoint >= (64 << 20).max(self.next_id.saturating_mul(16))
    }

    /// Freezes the index and captures what a checkpoint of this moment
    /// holds; returns it with the LSN that must be durable before it is
    /// written.
    pub fn checkpoint_capture(&self) -> (CheckpointMeta, Arc<View>, u64) {
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
        let meta = CheckpointMeta {
            next_id: self.next_id,
            replay_segment: self.active.number(),
            replay_offset: self.append_at,
            next_segment_number: self.next_segment_number,
            segments,
        };
        (meta, view, self.lsn)
    }
}
