//! Snapshots and scans: consistent, lock-free reads of one moment.

use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

use crate::error::{Error, ErrorKind, Result};
use crate::format::record;
use crate::index::{self, View, CHUNK_BITS};
use crate::storage::fork;
use crate::RowId;

/// Reads the value at location `loc` of `view`.
pub(crate) fn read_at(view: &View, loc: u64, verify: bool) -> Result<Option<&[u8]>> {
    let (number, offset) = index::unpack(loc);
    let Some(segment) = view.segments.get(number) else {
        return Ok(None);
    };
    // SAFETY: `loc` comes from an index entry, which is only published after
    // its record was written; published records are never written again.
    let bytes = unsafe { segment.bytes_from(offset) };
    let rec =
        record::decode(bytes, verify).map_err(|e| Error::corrupt(segment.path(), offset, e))?;
    match rec.value() {
        Some(value) => Ok(Some(value)),
        None => Err(Error::corrupt(
            segment.path(),
            offset,
            "index points at a record that holds no value",
        )),
    }
}

/// An immutable view of the database as of one moment: rows put or deleted
/// afterwards do not change what it returns. Cheap to take and to clone; it
/// keeps the segments it reads mapped (even through a compaction) until it
/// is dropped.
#[derive(Clone, Debug)]
pub struct Snapshot {
    view: Arc<View>,
    end: RowId,
    verify: bool,
    /// The fork generation of the handle it was taken from: in a forked
    /// child every read fails with `Forked` (see `storage::fork`).
    generation: u64,
}

impl Snapshot {
    pub(crate) fn new(view: Arc<View>, end: RowId, verify: bool, generation: u64) -> Snapshot {
        Snapshot {
            view,
            end,
            verify,
            generation,
        }
    }

    /// The row's bytes, borrowed from the mapping for as long as the snapshot
    /// lives; `None` when the row was absent at the snapshot's moment.
    ///
    /// # Errors
    /// `Corrupt` when the record fails its checksum; `Forked` in a child
    /// process forked after the snapshot's handle was opened.
    pub fn get(&self, id: RowId) -> Result<Option<&[u8]>> {
        fork::check(self.generation)?;
        if id >= self.end {
            return Ok(None);
        }
        let loc = self.view.get(id);
        if loc == 0 {
            return Ok(None);
        }
        match read_at(&self.view, loc, self.verify)? {
            Some(v) => Ok(Some(v)),
            None => Err(Error::new(
                ErrorKind::Internal,
                format!("snapshot lost the segment of row {id}"),
            )),
        }
    }

    /// Ids at or above this were not assigned when the snapshot was taken.
    pub fn end_id(&self) -> RowId {
        self.end
    }

    /// All rows of the snapshot in ascending id order.
    pub fn scan(&self) -> Scan {
        self.scan_from(0)
    }

    /// The rows of the snapshot with id `>= start`, in ascending id order.
    pub fn scan_from(&self, start: RowId) -> Scan {
        self.scan_ids(start, RowId::MAX, false)
    }

    /// The rows of the snapshot whose ids lie in `range`, in ascending id
    /// order, or in descending order (highest id first) when `reverse`.
    /// The scan is lazy: it finds its first row without walking the ids
    /// before it (the index is addressed by id), and reads one row at a
    /// time. An empty range (`5..5`) yields nothing; a bound past the last
    /// id is allowed.
    ///
    /// ```no_run
    /// # fn main() -> toonstore::Result<()> {
    /// let db = toonstore::ToonStore::open("events.tsdb")?;
    /// let snap = db.snapshot()?;
    /// // The last 10 rows, newest first.
    /// for row in snap.scan_range(.., true)?.take(10) {
    ///     let (id, value) = row?;
    ///     println!("{id}: {} bytes", value.len());
    /// }
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// `InvalidArgument` for an inverted range (start above end, `5..3`),
    /// as the C ABI's `toonstore_scan_range` does for `stop < start`: it is
    /// a caller's bug, not an empty answer.
    pub fn scan_range(&self, range: impl RangeBounds<RowId>, reverse: bool) -> Result<Scan> {
        let lo = match range.start_bound() {
            Bound::Included(&s) => Some(s),
            Bound::Excluded(&s) => s.checked_add(1),
            Bound::Unbounded => Some(0),
        };
        let hi = match range.end_bound() {
            // Ids never reach `RowId::MAX`, so `..=MAX` is `..MAX`.
            Bound::Included(&e) => e.saturating_add(1),
            Bound::Excluded(&e) => e,
            Bound::Unbounded => RowId::MAX,
        };
        match lo {
            // `(Excluded(MAX), _)` holds no id: an empty scan.
            None => Ok(self.scan_ids(RowId::MAX, RowId::MAX, reverse)),
            Some(lo) if lo > hi => Err(Error::new(
                ErrorKind::InvalidArgument,
                format!("scan range is inverted: start {lo} is above stop {hi}"),
            )),
            Some(lo) => Ok(self.scan_ids(lo, hi, reverse)),
        }
    }

    /// The scan of ids `lo..hi` (`lo <= hi`).
    fn scan_ids(&self, lo: RowId, hi: RowId, reverse: bool) -> Scan {
        // Ids at or above `end` were not assigned at the snapshot's moment.
        let hi = hi.min(self.end);
        Scan {
            snapshot: self.clone(),
            lo,
            hi: hi.max(lo),
            reverse,
            queue: [(0, 0); BATCH],
            queued: 0,
            head: 0,
            batch_checked: false,
            values: [(0, 0); BATCH],
        }
    }
}

/// An iterator over the live rows of a snapshot, in ascending id order (or
/// descending, for a reverse [`Snapshot::scan_range`]). It owns its snapshot.
#[derive(Clone, Debug)]
pub struct Scan {
    snapshot: Snapshot,
    /// The ids not examined yet are `lo..hi` (`lo <= hi` always): a forward
    /// scan takes them from `lo` up, a reverse one from `hi - 1` down.
    lo: RowId,
    hi: RowId,
    reverse: bool,
    /// Rows found ahead (id, location), returned from `head` on; a full
    /// batch has its checksums verified together (`batch_checked`).
    queue: [(RowId, u64); BATCH],
    queued: usize,
    head: usize,
    batch_checked: bool,
    /// For a checked batch: where each row's value lies in its segment
    /// (offset, length), so that it is not decoded a second time.
    values: [(u64, usize); BATCH],
}

/// Rows a scan looks ahead and verifies together.
const BATCH: usize = 4;

impl Scan {
    /// The next row, borrowed until the next call (zero copy).
    pub fn next_ref(&mut self) -> Option<Result<(RowId, &[u8])>> {
        if let Err(e) = fork::check(self.snapshot.generation) {
            return Some(Err(e));
        }
        if self.head == self.queued {
            self.fill();
            if self.queued == 0 {
                return None;
            }
        }
        let (id, loc) = self.queue[self.head];
        let (value_at, value_len) = self.values[self.head];
        self.head += 1;
        let snap = &self.snapshot;
        if self.batch_checked {
            if let Some(segment) = snap.view.segments.get(index::unpack(loc).0) {
                // SAFETY: as in `read_at`; the bounds were checked by `fill`.
                let bytes = unsafe { segment.bytes_from(value_at) };
                return Some(Ok((id, &bytes[..value_len])));
            }
        }
        // A batch whose checksums all matched is not checked again; any
        // other row is checked on its own, which names a bad record.
        let verify = snap.verify && !self.batch_checked;
        Some(match read_at(&snap.view, loc, verify) {
            Ok(Some(value)) => Ok((id, value)),
            Ok(None) => Err(Error::new(
                ErrorKind::Internal,
                format!("snapshot lost the segment of row {id}"),
            )),
            Err(e) => Err(e),
        })
    }

    /// Finds the next rows of the snapshot (up to `BATCH`) and, for a full
    /// batch, verifies their checksums together.
    fn fill(&mut self) {
        self.head = 0;
        self.queued = 0;
        self.batch_checked = false;
        if self.reverse {
            self.find_backward();
        } else {
            self.find_forward();
        }
        let snap = &self.snapshot;
        if self.queued == BATCH && snap.verify {
            let view = &snap.view;
            let rec = |loc: u64| -> Option<&[u8]> {
                let (number, offset) = index::unpack(loc);
                // SAFETY: as in `read_at`: the location comes from the
                // snapshot's index, so the record is published and immutable.
                view.segments
                    .get(number)
                    .map(|s| unsafe { s.bytes_from(offset) })
            };
            let q = &self.queue;
            if let (Some(a), Some(b), Some(c), Some(d)) =
                (rec(q[0].1), rec(q[1].1), rec(q[2].1), rec(q[3].1))
            {
                let mut values = [(0u64, 0usize); BATCH];
                let mut all_values = true;
                for (i, bytes) in [a, b, c, d].into_iter().enumerate() {
                    let offset = index::unpack(q[i].1).1;
                    match record::value_span(bytes) {
                        Some((at, len)) => values[i] = (offset + at as u64, len),
                        None => all_values = false,
                    }
                }
                self.batch_checked = all_values && record::checksums_match_x4([a, b, c, d]);
                self.values = values;
            }
        }
    }

    /// Queues the next live rows upwards from `lo`.
    fn find_forward(&mut self) {
        let view = &self.snapshot.view;
        while self.queued < BATCH && self.lo < self.hi {
            let id = self.lo;
            let Some(chunk) = view.chunks.get((id >> CHUNK_BITS) as usize) else {
                // No chunk holds this id, so none holds a higher one.
                self.lo = self.hi;
                break;
            };
            self.lo += 1;
            let loc = chunk.get((id as usize) & (index::CHUNK_LEN - 1));
            if loc != 0 {
                self.queue[self.queued] = (id, loc);
                self.queued += 1;
            }
        }
    }

    /// Queues the next live rows downwards from `hi - 1`.
    fn find_backward(&mut self) {
        let view = &self.snapshot.view;
        // Ids past the last chunk hold no row: skip them in one step.
        let covered = (view.chunks.len() as u64).saturating_mul(index::CHUNK_LEN as u64);
        self.hi = self.hi.min(covered).max(self.lo);
        while self.queued < BATCH && self.lo < self.hi {
            let id = self.hi - 1;
            self.hi = id;
            let chunk = &view.chunks[(id >> CHUNK_BITS) as usize];
            let loc = chunk.get((id as usize) & (index::CHUNK_LEN - 1));
            if loc != 0 {
                self.queue[self.queued] = (id, loc);
                self.queued += 1;
            }
        }
    }

    /// Whether this scan walks from the highest id down.
    pub fn is_reverse(&self) -> bool {
        self.reverse
    }

    /// The snapshot this scan reads.
    pub fn snapshot(&self) -> &Snapshot {
        &self.snapshot
    }
}

impl Iterator for Scan {
    type Item = Result<(RowId, Vec<u8>)>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_ref()
            .map(|r| r.map(|(id, value)| (id, value.to_vec())))
    }
}
