//! The in-memory index: row id -> location of its record.
//!
//! Row ids are dense, so the index is a flat array of `u64` locations split
//! into chunks of 4096 entries. A location packs the segment number (high 24
//! bits) and the byte offset of the record in that segment (low 40 bits);
//! 0 means "no row" (never assigned, or deleted). 8 bytes per row.
//!
//! Readers never lock. The structure they read is a [`View`]: the list of
//! chunks and the table of mapped segments, published through an `ArcSwap`.
//! Entries are atomics inside the chunks:
//!
//! * A put stores a new entry in place. Snapshots cannot see it: they ignore
//!   ids at or above their end id.
//! * A delete or a relocation (compaction) changes an entry a snapshot may
//!   see. If the chunk is *frozen* (a snapshot was taken while it existed),
//!   the writer copies the chunk, changes the copy and publishes a new view;
//!   the snapshot keeps the old chunk. Otherwise it changes the entry in place.
//! * A segment is added to the view before any entry points into it, and
//!   removed only after no entry of the current view points into it. A view
//!   holds its segments' `Arc`s, so a mapping outlives every reader of it.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use crate::storage::segment::Segment;

pub mod checkpoint;

/// log2 of the entries per chunk.
pub const CHUNK_BITS: u32 = 12;
/// Entries per chunk.
pub const CHUNK_LEN: usize = 1 << CHUNK_BITS;
const OFFSET_BITS: u32 = 40;
/// Largest segment number a location can hold.
pub const MAX_SEGMENT_NUMBER: u64 = (1 << (64 - OFFSET_BITS)) - 1;
/// Largest offset a location can hold.
pub const MAX_OFFSET: u64 = (1 << OFFSET_BITS) - 1;

/// Packs a record location. Offsets are never 0 (the segment header is
/// there), so a real location is never the "absent" value.
pub fn pack(segment: u64, offset: u64) -> u64 {
    debug_assert!(segment <= MAX_SEGMENT_NUMBER && offset <= MAX_OFFSET && offset > 0);
    segment << OFFSET_BITS | offset
}

/// Unpacks a location into (segment number, offset).
pub fn unpack(loc: u64) -> (u64, u64) {
    (loc >> OFFSET_BITS, loc & MAX_OFFSET)
}

/// 4096 entries.
#[derive(Debug)]
pub struct Chunk {
    entries: Box<[AtomicU64]>,
    /// Set when a snapshot may read this chunk: from then on, entries below
    /// that snapshot's end are changed only in a copy.
    frozen: AtomicBool,
}

impl Chunk {
    pub fn new() -> Chunk {
        Chunk {
            entries: (0..CHUNK_LEN).map(|_| AtomicU64::new(0)).collect(),
            frozen: AtomicBool::new(false),
        }
    }

    fn copy(&self) -> Chunk {
        Chunk {
            entries: self
                .entries
                .iter()
                .map(|e| AtomicU64::new(e.load(Ordering::Acquire)))
                .collect(),
            frozen: AtomicBool::new(false),
        }
    }

    pub fn get(&self, slot: usize) -> u64 {
        self.entries[slot].load(Ordering::Acquire)
    }

    pub fn set(&self, slot: usize, loc: u64) {
        self.entries[slot].store(loc, Ordering::Release)
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen.load(Ordering::Acquire)
    }
}

impl Default for Chunk {
    fn default() -> Chunk {
        Chunk::new()
    }
}

/// Mapped segments by number. Numbers only grow; the table is a window
/// `[base, base + slots.len())` with holes for retired segments.
#[derive(Clone, Debug, Default)]
pub struct SegmentTable {
    base: u64,
    slots: Vec<Option<Arc<Segment>>>,
}

impl SegmentTable {
    pub fn get(&self, number: u64) -> Option<&Arc<Segment>> {
        let at = number.checked_sub(self.base)?;
        self.slots.get(usize::try_from(at).ok()?)?.as_ref()
    }

    pub fn insert(&mut self, segment: Arc<Segment>) {
        let number = segment.number();
        if self.slots.is_empty() {
            self.base = number;
        }
        if number < self.base {
            let shift = (self.base - number) as usize;
            self.slots.splice(0..0, std::iter::repeat_n(None, shift));
            self.base = number;
        }
        let at = (number - self.base) as usize;
        if at >= self.slots.len() {
            self.slots.resize(at + 1, None);
        }
        self.slots[at] = Some(segment);
    }

    pub fn remove(&mut self, number: u64) {
        if let Some(at) = number.checked_sub(self.base) {
            if let Some(slot) = self.slots.get_mut(at as usize) {
                *slot = None;
            }
        }
        while matches!(self.slots.first(), Some(None)) {
            self.slots.remove(0);
            self.base += 1;
        }
        while matches!(self.slots.last(), Some(None)) {
            self.slots.pop();
        }
    }
}

/// What readers see: chunks and segments. Immutable once published, except
/// for the entries inside unfrozen chunks (see the module docs).
#[derive(Clone, Debug, Default)]
pub struct View {
    pub chunks: Vec<Arc<Chunk>>,
    pub segments: SegmentTable,
}

impl View {
    /// The location of `id`, or 0.
    pub fn get(&self, id: u64) -> u64 {
        match self.chunks.get((id >> CHUNK_BITS) as usize) {
            Some(chunk) => chunk.get((id as usize) & (CHUNK_LEN - 1)),
            None => 0,
        }
    }

    /// Marks every chunk frozen (a snapshot is being taken of this view).
    pub fn freeze(&self) {
        for chunk in &self.chunks {
            chunk.frozen.store(true, Ordering::Release);
        }
    }
}

/// The writer's side of the index: it owns the newest view and publishes
/// every structural change.
pub struct IndexWriter {
    current: View,
    published: Arc<arc_swap::ArcSwap<View>>,
}

impl IndexWriter {
    pub fn new(view: View) -> IndexWriter {
        let published = Arc::new(arc_swap::ArcSwap::from_pointee(view.clone()));
        IndexWriter {
            current: view,
            published,
        }
    }

    /// The shared handle readers load views from.
    pub fn readers(&self) -> Arc<arc_swap::ArcSwap<View>> {
        Arc::clone(&self.published)
    }

    pub fn view(&self) -> &View {
        &self.current
    }

    fn publish(&mut self) {
        self.published.store(Arc::new(self.current.clone()));
    }

    /// Stores the location of a newly assigned id (in place: no snapshot can
    /// see ids at or above its end).
    pub fn set_new(&mut self, id: u64, loc: u64) {
        let chunk_at = (id >> CHUNK_BITS) as usize;
        if chunk_at >= self.current.chunks.len() {
            while self.current.chunks.len() <= chunk_at {
                self.current.chunks.push(Arc::new(Chunk::new()));
            }
            self.current.chunks[chunk_at].set((id as usize) & (CHUNK_LEN - 1), loc);
            self.publish();
            return;
        }
        self.current.chunks[chunk_at].set((id as usize) & (CHUNK_LEN - 1), loc);
    }

    /// Changes the location of an existing id (delete: `loc == 0`, or
    /// relocation), copying a frozen chunk first. Returns whether a new view
    /// must be published (the caller may batch several changes).
    pub fn set_existing(&mut self, id: u64, loc: u64) -> bool {
        let chunk_at = (id >> CHUNK_BITS) as usize;
        let slot = (id as usize) & (CHUNK_LEN - 1);
        let chunk = &mut self.current.chunks[chunk_at];
        if chunk.is_frozen() {
            let copy = chunk.copy();
            copy.set(slot, loc);
            *chunk = Arc::new(copy);
            true
        } else {
            chunk.set(slot, loc);
            false
        }
    }

    /// Publishes the current view if `changed`.
    pub fn publish_if(&mut self, changed: bool) {
        if changed {
            self.publish();
        }
    }

    pub fn add_segment(&mut self, segment: Arc<Segment>) {
        self.current.segments.insert(segment);
        self.publish();
    }

    pub fn remove_segments(&mut self, numbers: &[u64]) {
        for n in numbers {
            self.current.segments.remove(*n);
        }
        self.publish();
    }

    /// Freezes the current view and returns it, for a snapshot.
    pub fn snapshot(&self) -> Arc<View> {
        self.current.freeze();
        Arc::new(self.current.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_round_trip() {
        let loc = pack(MAX_SEGMENT_NUMBER, MAX_OFFSET);
        assert_eq!(unpack(loc), (MAX_SEGMENT_NUMBER, MAX_OFFSET));
        assert_eq!(unpack(pack(3, 64)), (3, 64));
        assert_ne!(pack(0, 64), 0);
    }

    #[test]
    fn frozen_chunks_are_copied_not_changed() {
        let mut w = IndexWriter::new(View::default());
        w.set_new(5, pack(1, 64));
        let snap = w.snapshot();
        assert!(w.set_existing(5, 0), "frozen chunk must be copied");
        w.publish_if(true);
        assert_eq!(snap.get(5), pack(1, 64), "snapshot keeps its entry");
        assert_eq!(w.readers().load().get(5), 0, "live view sees the delete");
        assert!(!w.set_existing(5, pack(2, 64)), "the copy is not frozen");
    }
}
