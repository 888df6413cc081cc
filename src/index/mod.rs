//! The in-memory index: row id -> location of its record.
//!
//! Row ids are dense, so the index is a flat array of `u64` locations split
//! into chunks of 4096 entries. A location packs the segment number (high 24
//! bits) and the byte offset of the record in that segment (low 40 bits);
//! 0 means "no row" (never assigned, or deleted). 8 bytes per row. A chunk's
//! entries live on the heap, or, for the chunks an open loaded from the
//! checkpoint, in place in the checkpoint file mapped copy-on-write (see
//! [`MappedFile`]): opening a 10M-row database copies nothing.
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

use std::ptr::NonNull;
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
    /// `CHUNK_LEN` entries, owned as `owner` says.
    ptr: NonNull<AtomicU64>,
    owner: Owner,
    /// Set when a snapshot may read this chunk: from then on, entries below
    /// that snapshot's end are changed only in a copy.
    frozen: AtomicBool,
}

/// Who owns a chunk's entries.
#[derive(Debug)]
enum Owner {
    /// A `Box<[AtomicU64]>` of `CHUNK_LEN` entries, turned into `ptr`.
    Heap,
    /// A slice of a slab shared by the chunks loaded together.
    Slab(#[allow(dead_code)] Arc<Slab>),
}

// SAFETY: the entries are atomics, and `ptr` points into memory owned by the
// chunk (or by the `Arc<Slab>` it holds), which is freed only when the chunk
// is dropped: sharing or sending a chunk between threads is as safe as
// sharing a `Box<[AtomicU64]>`.
unsafe impl Send for Chunk {}
// SAFETY: see `Send`.
unsafe impl Sync for Chunk {}

impl Chunk {
    fn from_box(entries: Box<[AtomicU64]>) -> Chunk {
        assert_eq!(entries.len(), CHUNK_LEN);
        let ptr = NonNull::new(Box::into_raw(entries) as *mut AtomicU64).expect("non-null box");
        Chunk {
            ptr,
            owner: Owner::Heap,
            frozen: AtomicBool::new(false),
        }
    }

    pub fn new() -> Chunk {
        Chunk::from_box((0..CHUNK_LEN).map(|_| AtomicU64::new(0)).collect())
    }

    fn copy(&self) -> Chunk {
        Chunk::from_box(
            self.entries()
                .iter()
                .map(|e| AtomicU64::new(e.load(Ordering::Acquire)))
                .collect(),
        )
    }

    fn entries(&self) -> &[AtomicU64] {
        // SAFETY: `ptr` points to `CHUNK_LEN` initialized atomics that live
        // as long as the chunk (see the `Send` impl).
        unsafe { std::slice::from_raw_parts(self.ptr.as_ptr(), CHUNK_LEN) }
    }

    pub fn get(&self, slot: usize) -> u64 {
        self.entries()[slot].load(Ordering::Acquire)
    }

    pub fn set(&self, slot: usize, loc: u64) {
        self.entries()[slot].store(loc, Ordering::Release)
    }

    pub fn is_frozen(&self) -> bool {
        self.frozen.load(Ordering::Acquire)
    }
}

impl Drop for Chunk {
    fn drop(&mut self) {
        if let Owner::Heap = self.owner {
            let slice = std::ptr::slice_from_raw_parts_mut(self.ptr.as_ptr(), CHUNK_LEN);
            // SAFETY: `ptr` came from `Box::into_raw` of a slice of exactly
            // `CHUNK_LEN` entries (`from_box`), and is freed only here.
            drop(unsafe { Box::from_raw(slice) });
        }
    }
}

/// Memory holding the chunks an open loads from a checkpoint: the
/// checkpoint file itself, mapped privately (copy-on-write). Its entries are
/// used in place: no copy, and no fresh memory to fault in and zero (those
/// faults, not the copy, dominated opening a 10M-row database). An entry
/// changed later (a delete, a compaction) copies just its page. Unmapped when
/// the last chunk in it is dropped. The cost: when a newer checkpoint
/// replaces the file, the old one (unlinked, 8 bytes per row it held) keeps
/// its disk blocks until the handle that mapped it closes.
#[derive(Debug)]
struct Slab {
    ptr: NonNull<u8>,
    bytes: usize,
}

// SAFETY: the slab is plain memory; it is only unmapped on drop.
unsafe impl Send for Slab {}
// SAFETY: see `Send`.
unsafe impl Sync for Slab {}

/// A checkpoint file mapped copy-on-write, from which [`Entries`] can be
/// built without copying.
#[derive(Debug)]
pub struct MappedFile(Arc<Slab>);

impl MappedFile {
    /// Maps all `len` bytes of `file` (`len > 0`), privately and populated
    /// (on Windows: reads them into memory, see `storage::platform`).
    ///
    /// # Errors
    /// The mapping's OS error.
    pub fn map(file: &std::fs::File, len: usize) -> std::io::Result<MappedFile> {
        let ptr = crate::storage::platform::map_private(file, len)?;
        let slab = Slab { ptr, bytes: len };
        Ok(MappedFile(Arc::new(slab)))
    }

    /// The mapped bytes.
    pub fn bytes(&self) -> &[u8] {
        // SAFETY: the mapping is `bytes` long and lives as long as `self`;
        // nothing writes to it before chunks are built from it, which
        // consumes this borrow first.
        unsafe { std::slice::from_raw_parts(self.0.ptr.as_ptr(), self.0.bytes) }
    }
}

impl Drop for Slab {
    fn drop(&mut self) {
        // SAFETY: the mapping was created in `MappedFile::map` with this
        // length and no chunk points into it any more (each holds an `Arc`).
        unsafe { crate::storage::platform::unmap_private(self.ptr, self.bytes) };
    }
}

impl Default for Chunk {
    fn default() -> Chunk {
        Chunk::new()
    }
}

/// The index while recovery builds it: chunks owned by one thread, filled in
/// place and then handed to a [`View`] without copying (a 10M-row index is
/// 80 MB: one copy from the checkpoint is all an open should cost).
#[derive(Debug, Default)]
pub struct Entries {
    chunks: Vec<Chunk>,
    len: usize,
}

impl Entries {
    pub fn new() -> Entries {
        Entries::default()
    }

    /// Entries decoded from `raw`: little-endian u64s, as a checkpoint stores
    /// them (a trailing partial entry is ignored).
    pub fn from_le_bytes(raw: &[u8]) -> Entries {
        let len = raw.len() / 8;
        let chunks = raw[..len * 8]
            .chunks(CHUNK_LEN * 8)
            .map(|block| {
                let chunk = Chunk::new();
                for (e, b) in chunk.entries().iter().zip(block.chunks_exact(8)) {
                    let loc = u64::from_le_bytes(b.try_into().expect("8 bytes"));
                    e.store(loc, Ordering::Relaxed);
                }
                chunk
            })
            .collect();
        Entries { chunks, len }
    }

    /// Entries stored little-endian in `map` at bytes `[at, at + 8 * count)`:
    /// the full chunks are used in place (copy-on-write), the last partial
    /// one is copied.
    pub fn from_mapped(map: MappedFile, at: usize, count: usize) -> Entries {
        let slab = map.0;
        let end = at + count * 8;
        assert!(end <= slab.bytes, "entries past the end of the mapping");
        let aligned =
            (slab.ptr.as_ptr() as usize + at).is_multiple_of(std::mem::align_of::<AtomicU64>());
        if cfg!(target_endian = "big") || !aligned {
            return Entries::from_le_bytes(&MappedFile(slab).bytes()[at..end]);
        }
        let full = count / CHUNK_LEN;
        let mut chunks: Vec<Chunk> = (0..full)
            .map(|i| Chunk {
                // SAFETY: chunk `i` lies inside the mapping (asserted above),
                // 8-byte aligned (checked), holding little-endian u64s, which
                // are this host's AtomicU64s.
                ptr: unsafe {
                    NonNull::new_unchecked(
                        slab.ptr.as_ptr().add(at + i * CHUNK_LEN * 8) as *mut AtomicU64
                    )
                },
                owner: Owner::Slab(Arc::clone(&slab)),
                frozen: AtomicBool::new(false),
            })
            .collect();
        if count > full * CHUNK_LEN {
            let tail_at = at + full * CHUNK_LEN * 8;
            // SAFETY: inside the mapping (asserted above); no chunk has been
            // handed out that could write to these bytes.
            let tail = unsafe {
                std::slice::from_raw_parts(slab.ptr.as_ptr().add(tail_at), end - tail_at)
            };
            chunks.extend(Entries::from_le_bytes(tail).chunks);
        }
        Entries { chunks, len: count }
    }

    pub fn len(&self) -> usize {
        self.len
    }

    /// The entry of `id`, `None` past the end.
    pub fn get(&self, id: usize) -> Option<u64> {
        if id >= self.len {
            return None;
        }
        Some(self.chunks[id >> CHUNK_BITS].get(id & (CHUNK_LEN - 1)))
    }

    /// Changes the entry of `id` (which must be below `len`).
    pub fn set(&mut self, id: usize, loc: u64) {
        assert!(id < self.len, "entry {id} past the end ({})", self.len);
        self.chunks[id >> CHUNK_BITS].set(id & (CHUNK_LEN - 1), loc);
    }

    pub fn push(&mut self, loc: u64) {
        if self.len >> CHUNK_BITS == self.chunks.len() {
            self.chunks.push(Chunk::new());
        }
        self.len += 1;
        self.set(self.len - 1, loc);
    }

    /// Grows (with `value`) or shrinks to `len` entries, as `Vec::resize`.
    pub fn resize(&mut self, len: usize, value: u64) {
        while self.len > len {
            self.set(self.len - 1, 0);
            self.len -= 1;
        }
        self.chunks.truncate(self.len.div_ceil(CHUNK_LEN));
        while self.len < len {
            self.push(value);
        }
    }

    /// The entries chunk by chunk, each as a slice of the ids it holds
    /// below `len` (for passes over every entry: a loop over a slice, not
    /// an iterator chain per entry).
    pub fn chunk_slices(&self) -> impl Iterator<Item = &[AtomicU64]> + '_ {
        self.chunks.iter().enumerate().map(|(i, c)| {
            let held = self.len.saturating_sub(i * CHUNK_LEN).min(CHUNK_LEN);
            &c.entries()[..held]
        })
    }

    /// Entries that are not 0 (live rows).
    pub fn count_live(&self) -> u64 {
        self.chunks
            .iter()
            .map(|c| {
                c.entries()
                    .iter()
                    .filter(|e| e.load(Ordering::Relaxed) != 0)
                    .count() as u64
            })
            .sum()
    }

    /// The chunks, ready to be published in a [`View`].
    pub fn into_chunks(self) -> Vec<Arc<Chunk>> {
        self.chunks.into_iter().map(Arc::new).collect()
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
