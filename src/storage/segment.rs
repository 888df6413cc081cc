//! A segment file and its memory mapping.
//!
//! Every segment is mapped once, `MAP_SHARED`, for as long as anything (the
//! live index, a snapshot, an iterator) holds its `Arc`. Readers borrow
//! record bytes straight from the mapping; the one writer copies new records
//! into it. Writing through a shared mapping puts the bytes in the OS page
//! cache, so they survive a crash of this process without a system call.
//!
//! The invariant that makes the borrowed reads sound: bytes below the
//! segment's published end are never written again while the mapping exists.
//! The writer only writes past the published end (new records) and into the
//! header's watermark field, which readers never borrow.
//!
//! ## Reserved space (issue 21)
//!
//! A writable segment is mapped at its full capacity (the segment size), but
//! its *file* only covers the *reserved* bytes, which grow on demand,
//! geometrically from [`INITIAL_RESERVE`], as the writer needs them
//! ([`Segment::reserve_to`]). Reserving means the blocks exist before any
//! store into the mapping: `fallocate`, or where the filesystem has none
//! (ext2, some network filesystems), zeros written with `pwrite`; with
//! `prefill` (Full durability), zeros written and flushed. A store into a
//! mapped page whose block cannot be allocated would raise `SIGBUS` and kill
//! the host process; instead a full disk is an `Io` error at the call that
//! needed the space, and the next call tries again. Nothing past the
//! reserved length is ever read or written (it lies past the end of the
//! file). An open, idle database so costs one small reservation, not a whole
//! segment of disk and page cache.

use std::fs::{self, File, OpenOptions};
use std::path::{Path, PathBuf};

use memmap2::{MmapOptions, MmapRaw};

use crate::error::{Error, Result};
use crate::format::segment_header::{self, SegmentHeader, HEADER_LEN};
use crate::storage::{dir, faults, platform};

/// An open, mapped segment file.
#[derive(Debug)]
pub struct Segment {
    header: SegmentHeader,
    path: PathBuf,
    file: File,
    map: MmapRaw,
    writable: bool,
    /// Write records with `pwrite` instead of copying them into the mapping
    /// (see [`Segment::with_file_writes`]).
    file_writes: bool,
    /// The watermark last written into the header; it only grows.
    watermark: std::sync::Mutex<u64>,
    /// The writer's append position, published for the helper thread that
    /// starts write-back behind it (`log::assist_active`).
    appended: std::sync::atomic::AtomicU64,
    /// Set once the segment is no longer the active one (sealed, or the
    /// handle closed): the helper thread stops.
    retired: std::sync::atomic::AtomicBool,
    /// The file's length when it was opened: past it, the file holds only
    /// the zeros of space reserved since.
    len_at_open: u64,
    /// Bytes of the file, from its start, that are backed by allocated
    /// blocks (the file's length). Only the writer changes it (under the
    /// writer mutex, or in recovery before any reader exists); readers read
    /// only published records, which lie below it.
    reserved: std::sync::atomic::AtomicU64,
    /// Zero-fill and flush reserved space (see `create`).
    prefill: bool,
    /// What must wait until the mapping is gone (Windows: deferred trims and
    /// removals; nothing elsewhere). Last, so it is dropped after `map` and
    /// `file`.
    after_unmap: platform::AfterUnmap,
}

/// The first reservation of a new segment (the header's block and room for
/// the first records); later ones double it, up to [`MAX_RESERVE_STEP`] at a time.
const INITIAL_RESERVE: u64 = 64 << 10;
/// The most one reservation adds: bounds the zeros a `prefill` segment
/// writes (and flushes) in one call.
const MAX_RESERVE_STEP: u64 = 8 << 20;

impl Segment {
    /// Creates segment `number` in `dir_path` with room for `capacity` bytes
    /// (header included), durably: the file is written as `*.tmp`, flushed and
    /// renamed, so a crash never leaves a half-made segment under its real name.
    /// The file starts with [`INITIAL_RESERVE`] bytes reserved; the rest is
    /// reserved as the writer reaches it ([`Segment::reserve_to`]).
    ///
    /// With `prefill`, reserved space is written with zeros and flushed
    /// (later flushes overwrite allocated blocks instead of converting
    /// unwritten extents, which roughly halves the cost of each fsync);
    /// otherwise it is reserved with `fallocate` (or zeros where the
    /// filesystem has none), so that writes through the mapping cannot hit a
    /// full disk.
    ///
    /// # Errors
    /// `Io` (for example a full disk) with the path.
    pub fn create(
        dir_path: &Path,
        header: SegmentHeader,
        capacity: u64,
        prefill: bool,
    ) -> Result<Segment> {
        let name = dir::segment_file_name(header.number);
        let tmp = dir_path.join(format!("{name}.tmp"));
        let path = dir_path.join(name);
        fn io<'p>(what: &'static str, p: &'p Path) -> impl Fn(std::io::Error) -> Error + 'p {
            move |e| Error::io(what, p, e)
        }
        let file = faults::check("segment.create", &tmp)
            .and_then(|()| {
                OpenOptions::new()
                    .read(true)
                    .write(true)
                    .create_new(true)
                    .open(&tmp)
            })
            .map_err(io("cannot create segment", &tmp))?;
        let initial = capacity.min(INITIAL_RESERVE);
        let result = (|| {
            reserve_range("segment.preallocate", &file, &tmp, 0, initial, prefill)
                .map_err(io("cannot preallocate segment", &tmp))?;
            faults::write_all_at("segment.header", &file, &tmp, &header.encode(), 0)
                .map_err(io("cannot write segment header", &tmp))?;
            faults::check("segment.create_sync", &tmp)
                .and_then(|()| file.sync_all())
                .map_err(io("cannot flush segment", &tmp))?;
            faults::check("segment.rename", &tmp)
                .and_then(|()| fs::rename(&tmp, &path))
                .map_err(io("cannot rename segment", &tmp))?;
            dir::sync_dir(dir_path)
        })();
        if let Err(e) = result {
            // After the rename (a failed directory flush) the segment exists
            // under its real name: a writer that goes on would later create
            // the next number, leaving an empty segment in the middle of the log.
            let _ = fs::remove_file(&tmp);
            let _ = fs::remove_file(&path);
            return Err(e);
        }
        let mut segment = Segment::map(header, path, file, true, capacity, initial)?;
        segment.prefill = prefill;
        Ok(segment)
    }

    /// Opens an existing segment file and checks its header. A writable open
    /// maps it at `min_capacity` or its length, whichever is larger (the
    /// active segment gets its room back after a clean close trimmed it);
    /// space is reserved as the writer needs it, with zeros and a flush when
    /// `prefill` is set.
    ///
    /// # Errors
    /// `Corrupt` for a bad header, `Version` for a newer format, `Io`.
    pub fn open(path: &Path, writable: bool, min_capacity: u64, prefill: bool) -> Result<Segment> {
        let file = OpenOptions::new()
            .read(true)
            .write(writable)
            .open(path)
            .map_err(|e| Error::io("cannot open segment", path, e))?;
        let mut head = [0u8; HEADER_LEN];
        let len = {
            // The header (and its watermark) is read before the length: a
            // live writer's file is at least as long as any watermark it
            // wrote (it flushes bytes before it claims them, and a seal
            // trims to the records' end, never below the watermark), so a
            // reader's mapping covers every byte the watermark promises.
            platform::read_exact_at(&file, &mut head, 0).map_err(|e| match e.kind() {
                std::io::ErrorKind::UnexpectedEof => {
                    Error::corrupt(path, 0, "file shorter than a segment header")
                }
                _ => Error::io("cannot read segment header", path, e),
            })?;
            let len = file
                .metadata()
                .map_err(|e| Error::io("cannot stat segment", path, e))?
                .len();
            if len < HEADER_LEN as u64 {
                return Err(Error::corrupt(
                    path,
                    0,
                    "file shorter than a segment header",
                ));
            }
            len
        };
        let header = decode_header(path, &head)?;
        let capacity = if writable { len.max(min_capacity) } else { len };
        let mut segment = Segment::map(header, path.to_path_buf(), file, writable, capacity, len)?;
        segment.len_at_open = len;
        segment.prefill = prefill && writable;
        if !writable {
            // The watermark as read before the length (see above), not as
            // the mapping shows it now: a writer may have moved it since.
            segment.watermark = std::sync::Mutex::new(segment_header::read_synced_len(&head));
        }
        Ok(segment)
    }

    /// Maps `capacity` bytes of `file`, of which the first `reserved` are
    /// the file's (the rest lies past its end, never touched until reserved).
    fn map(
        header: SegmentHeader,
        path: PathBuf,
        file: File,
        writable: bool,
        capacity: u64,
        reserved: u64,
    ) -> Result<Segment> {
        let len = usize::try_from(capacity)
            .map_err(|_| Error::corrupt(&path, 0, "segment larger than the address space"))?;
        if len < HEADER_LEN || reserved < HEADER_LEN as u64 {
            return Err(Error::corrupt(
                &path,
                0,
                "file shorter than a segment header",
            ));
        }
        // Windows maps no further than the file's end: there the whole
        // capacity is reserved now (nothing changes elsewhere).
        let reserved = if writable {
            platform::reserve_for_map(&file, reserved, capacity)
                .map_err(|e| Error::io("cannot preallocate segment", &path, e))?
        } else {
            reserved
        };
        let map = if writable {
            MmapOptions::new().len(len).map_raw(&file)
        } else {
            MmapOptions::new().len(len).map_raw_read_only(&file)
        }
        .map_err(|e| Error::io("cannot map segment", &path, e))?;
        if map.len() < HEADER_LEN {
            return Err(Error::corrupt(
                &path,
                0,
                "file shorter than a segment header",
            ));
        }
        // SAFETY: the header lies inside the mapping (checked above) and no
        // writer exists for a segment that is still being opened.
        let head = unsafe { std::slice::from_raw_parts(map.as_ptr(), HEADER_LEN) };
        let watermark = std::sync::Mutex::new(segment_header::read_synced_len(head));
        Ok(Segment {
            header,
            after_unmap: platform::AfterUnmap::new(&path),
            path,
            file,
            map,
            writable,
            file_writes: false,
            watermark,
            appended: std::sync::atomic::AtomicU64::new(0),
            retired: std::sync::atomic::AtomicBool::new(false),
            len_at_open: u64::MAX,
            reserved: std::sync::atomic::AtomicU64::new(reserved.min(capacity)),
            prefill: false,
        })
    }

    /// Log or compacted.
    pub fn kind(&self) -> crate::format::segment_header::SegmentKind {
        self.header.kind
    }

    pub fn number(&self) -> u64 {
        self.header.number
    }

    pub fn first_id(&self) -> u64 {
        self.header.first_id
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes mapped: the most the segment can hold.
    pub fn capacity(&self) -> u64 {
        self.map.len() as u64
    }

    /// Bytes backed by the file (see the module docs): nothing past them is
    /// read or written.
    pub fn reserved(&self) -> u64 {
        self.reserved.load(std::sync::atomic::Ordering::Acquire)
    }

    /// The bytes that can hold anything but zeros: the file's length when
    /// it was opened (space reserved since reads as zeros).
    pub fn data_len(&self) -> u64 {
        self.len_at_open.min(self.reserved())
    }

    /// The first range of `[from, to)` that may hold anything but zeros,
    /// as the file system reports it (`SEEK_DATA`, then `SEEK_HOLE`): bytes
    /// outside every such range are holes or unwritten space and read as
    /// zeros. `(to, to)` when there is none. Where the file system cannot
    /// tell (or on error), the whole rest, `(from, to)`: a reader scanning
    /// the ranges for non-zero bytes then scans everything, as without it.
    pub fn data_range(&self, from: u64, to: u64) -> (u64, u64) {
        if from >= to {
            return (to, to);
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::unix::io::AsRawFd;
            let fd = self.file.as_raw_fd();
            let Ok(offset) = libc::off_t::try_from(from) else {
                return (from, to);
            };
            // SAFETY: lseek on a descriptor this segment owns; the file
            // offset it moves is not used (every read and write is
            // positioned).
            let data = unsafe { libc::lseek(fd, offset, libc::SEEK_DATA) };
            if data < 0 {
                return match std::io::Error::last_os_error().raw_os_error() {
                    // No data at or past `from`.
                    Some(libc::ENXIO) => (to, to),
                    _ => (from, to),
                };
            }
            let data = (data as u64).max(from);
            if data >= to {
                return (to, to);
            }
            // SAFETY: as above.
            let hole = unsafe { libc::lseek(fd, data as libc::off_t, libc::SEEK_HOLE) };
            let end = if hole < 0 {
                to
            } else {
                (hole as u64).clamp(data, to)
            };
            (data, end)
        }
        #[cfg(not(target_os = "linux"))]
        {
            (from, to)
        }
    }

    /// Makes sure the first `end` bytes are reserved (backed by allocated
    /// blocks), growing the reservation geometrically when they are not:
    /// the single writer calls this before it stores anything past the
    /// reserved length.
    ///
    /// # Errors
    /// `Io` (a full disk: `No space left on device`) when the space cannot
    /// be reserved; the segment is as it was, and a later call tries again.
    pub fn reserve_to(&self, end: u64) -> Result<()> {
        let reserved = self.reserved();
        if end <= reserved {
            return Ok(());
        }
        if !self.writable || end > self.capacity() {
            return Err(Error::new(
                crate::error::ErrorKind::Internal,
                format!(
                    "reservation of {end} bytes past the capacity of {}",
                    self.path.display()
                ),
            ));
        }
        let step = reserved.clamp(INITIAL_RESERVE, MAX_RESERVE_STEP);
        let target = end.max(reserved + step).min(self.capacity());
        reserve_range(
            "segment.grow",
            &self.file,
            &self.path,
            reserved,
            target,
            self.prefill,
        )
        .map_err(|e| Error::io("cannot reserve space in segment", &self.path, e))?;
        self.reserved
            .store(target, std::sync::atomic::Ordering::Release);
        Ok(())
    }

    /// Publishes the writer's append position (see `appended`).
    pub fn set_appended(&self, at: u64) {
        self.appended
            .store(at, std::sync::atomic::Ordering::Relaxed);
    }

    /// The append position the writer published last.
    pub fn appended(&self) -> u64 {
        self.appended.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Marks the segment as no longer written to.
    pub fn retire(&self) {
        self.retired
            .store(true, std::sync::atomic::Ordering::Release);
    }

    /// Whether [`Segment::retire`] was called.
    pub fn is_retired(&self) -> bool {
        self.retired.load(std::sync::atomic::Ordering::Acquire)
    }

    /// Starts writing bytes `[from, to)` back to disk and returns without
    /// waiting (`sync_file_range(SYNC_FILE_RANGE_WRITE)`). This claims
    /// nothing about durability (the watermark only moves after a flush); it
    /// only spreads the disk writes over the segment's life, so that the
    /// flush that seals a full segment finds its pages mostly clean instead
    /// of writing 64 MiB while the writer waits. Best effort.
    pub fn start_writeback(&self, from: u64, to: u64) {
        if to <= from || !self.writable {
            return;
        }
        platform::start_writeback(&self.file, from, to);
    }

    /// Faults in the pages of `[from, from + len)` of a writable mapping,
    /// writable (`MADV_POPULATE_WRITE`), so that the writer's appends there
    /// take no page fault (a first write to a page of preallocated space
    /// costs a fault that zeroes the page: 40% of an `Off` put). Best
    /// effort: returns false when nothing more can be done (read-only, past
    /// the end, a kernel without the advice, a file trimmed meanwhile).
    pub fn prefault(&self, from: u64, len: u64) -> bool {
        const PAGE: u64 = 4096;
        let start = from & !(PAGE - 1);
        let end = (from + len).min(self.reserved());
        if !self.writable || start >= end {
            return false;
        }
        // SAFETY: the range lies inside the live mapping (clamped above, the
        // start page-aligned as the mapping is). Populating changes no byte:
        // pages are faulted in with the contents they have (zeros for
        // unwritten space, the records the writer put there).
        unsafe {
            platform::populate_write(
                self.map.as_mut_ptr().add(start as usize),
                (end - start) as usize,
            )
        }
    }

    /// The mapped bytes from `offset` to the end of the mapping.
    ///
    /// # Safety
    /// The caller must only look at bytes that are published (below the
    /// segment's published end, see the module docs) or that no writer can
    /// touch (recovery and read-only handles, before any write).
    pub unsafe fn bytes_from(&self, offset: u64) -> &[u8] {
        let len = self.reserved() as usize;
        let offset = (offset as usize).min(len);
        // SAFETY: the range lies inside the live mapping and the file's
        // reserved bytes (clamped above; `reserved <= capacity`); the caller
        // guarantees no concurrent write to the bytes it reads.
        unsafe { std::slice::from_raw_parts(self.map.as_ptr().add(offset), len - offset) }
    }

    /// Reads bytes `[from, to)` of the file with `pread`, or fewer when the
    /// file ends first. A reader beside a live writer reads the records it
    /// has not validated yet this way, never through the mapping: a
    /// writer's seal or a recovery's cut may shorten the file meanwhile, and
    /// a mapped page past the end of the file raises `SIGBUS`, where `pread`
    /// just returns fewer bytes.
    ///
    /// # Errors
    /// `Io`.
    pub fn read_range(&self, from: u64, to: u64) -> Result<Vec<u8>> {
        let len = usize::try_from(to.saturating_sub(from))
            .map_err(|_| Error::corrupt(&self.path, from, "range larger than the address space"))?;
        let mut buf = vec![0u8; len];
        let mut filled = 0;
        while filled < len {
            match platform::read_at(&self.file, &mut buf[filled..], from + filled as u64) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => return Err(Error::io("cannot read segment", &self.path, e)),
            }
        }
        buf.truncate(filled);
        Ok(buf)
    }

    /// Makes [`Segment::write`] use `pwrite` on the file rather than a copy
    /// into the mapping. For `Full` durability, where every commit is
    /// flushed: a store into a shared mapping of written (not sparse) blocks
    /// takes a write-protection fault per page after each write-back, which
    /// made each small durable commit about 3x slower here
    /// (`benches/compare/sync_probe`: 3,700/s for mapping stores + msync
    /// against 12,300/s for pwrite + fdatasync on the same pre-written file).
    pub fn with_file_writes(mut self, on: bool) -> Segment {
        self.file_writes = on && self.writable;
        self
    }

    /// Copies `data` into the segment at `offset` (through the mapping, or
    /// with `pwrite`, see [`Segment::with_file_writes`]), reserving space
    /// first when needed.
    ///
    /// # Errors
    /// `Io` when space cannot be reserved (nothing was written).
    ///
    /// # Safety
    /// Only the single writer may call this, for bytes above the published
    /// end that no reader can reach yet.
    pub unsafe fn write(&self, offset: u64, data: &[u8]) -> Result<()> {
        self.reserve_to(offset + data.len() as u64)?;
        if self.file_writes {
            // The page cache is shared by the file and its MAP_SHARED
            // mapping, so the bytes are visible through the mapping once
            // this returns. A failure is the caller's error (no fallback
            // through the mapping, where it would be a signal).
            return platform::write_all_at(&self.file, data, offset)
                .map_err(|e| Error::io("cannot write to segment", &self.path, e));
        }
        // SAFETY: reserved just above; the caller's contract is ours.
        unsafe { self.store(offset, data) };
        Ok(())
    }

    /// Copies `data` into reserved bytes at `offset` through the mapping.
    ///
    /// # Safety
    /// As [`Segment::write`], and `[offset, offset + len)` is reserved.
    unsafe fn store(&self, offset: u64, data: &[u8]) {
        assert!(self.writable, "write to a read-only segment");
        let end = offset as usize + data.len();
        assert!(
            end as u64 <= self.reserved(),
            "write past the reserved space of the segment"
        );
        // SAFETY: in bounds (asserted), the mapping is writable, and the caller
        // guarantees that no reader borrows these bytes yet.
        unsafe {
            std::ptr::copy_nonoverlapping(
                data.as_ptr(),
                self.map.as_mut_ptr().add(offset as usize),
                data.len(),
            )
        }
    }

    /// Flushes bytes `[from, to)` of the mapping to stable storage.
    ///
    /// # Errors
    /// `Io` when the OS reports a failed write-back.
    pub fn flush(&self, from: u64, to: u64) -> Result<()> {
        if to <= from {
            return Ok(());
        }
        faults::flush_range(
            "segment.flush",
            &self.path,
            from as usize,
            (to - from) as usize,
            |at, len| self.map.flush_range(at, len),
        )
        .map_err(|e| Error::io("cannot flush segment", &self.path, e))?;
        faults::traced(&self.path, from, to);
        Ok(())
    }

    /// Records that the first `len` bytes are on stable storage, by rewriting
    /// the header's watermark (made durable by the next flush).
    pub fn set_synced_len(&self, len: u64) {
        let Ok(mut current) = self.watermark.lock() else {
            return;
        };
        if len <= *current {
            return;
        }
        let mut field = [0u8; 16];
        segment_header::write_synced_len_field(&mut field, len);
        let at = segment_header::SYNCED_RANGE.start as u64;
        // With file writes, `pwrite` (see `with_file_writes` for why); the
        // header's block is allocated, so the mapping is a safe fallback.
        let written = self.file_writes && platform::write_all_at(&self.file, &field, at).is_ok();
        if !written {
            // SAFETY: the watermark mutex serializes updates, readers never
            // borrow the header's watermark bytes (module invariant), and the
            // header is always reserved.
            unsafe { self.store(at, &field) }
        }
        *current = len;
    }

    /// The watermark: bytes known to be on stable storage.
    pub fn synced_len(&self) -> u64 {
        self.watermark.lock().map_or(HEADER_LEN as u64, |w| *w)
    }

    /// Shrinks the file to `len` bytes (the reserved length follows). The
    /// mapping keeps its size; callers never read past `len` afterwards.
    ///
    /// # Errors
    /// `Io`.
    pub fn set_file_len(&self, len: u64) -> Result<()> {
        // Lowered first: once the file is shorter, nothing may touch the
        // bytes past `len` (they would be past the end of the file).
        let reserved = self.reserved();
        self.reserved
            .store(reserved.min(len), std::sync::atomic::Ordering::Release);
        faults::check("segment.set_len", &self.path)
            .and_then(|()| platform::shrink_mapped(&self.file, len, &self.after_unmap))
            .map_err(|e| Error::io("cannot resize segment", &self.path, e))
    }

    /// Discards everything from `at` on (a torn tail found by recovery): the
    /// file ends there, and the discarded bytes read as zeros when the
    /// writer reserves that space again.
    ///
    /// # Errors
    /// `Io`.
    pub fn cut_tail(&self, at: u64) -> Result<()> {
        if cfg!(windows) && self.len_at_open != u64::MAX && at < self.len_at_open {
            // The file keeps its length while mapped (see `platform`): the
            // discarded bytes are zeroed instead.
            write_zeros(
                &self.file,
                &self.path,
                at,
                self.len_at_open.min(self.reserved()),
            )
            .map_err(|e| Error::io("cannot resize segment", &self.path, e))?;
        }
        self.set_file_len(at)?;
        self.sync_file()
    }

    /// Seals the segment at `end`: flushes its records, sets the watermark
    /// to `end` and flushes the header, then trims the file to `end` and
    /// flushes its metadata. The one sequence a roll, a compaction's output
    /// and a clean close all use.
    ///
    /// # Errors
    /// `Io` from any step; the segment may then be half sealed (recovery
    /// treats it as a crash at that point).
    pub fn seal(&self, end: u64) -> Result<()> {
        self.flush(0, end)?;
        self.set_synced_len(end);
        self.flush(0, HEADER_LEN as u64)?;
        self.set_file_len(end)?;
        self.sync_file()
    }

    /// Flushes file metadata (after `set_file_len`).
    ///
    /// # Errors
    /// `Io`.
    pub fn sync_file(&self) -> Result<()> {
        faults::check("segment.sync_file", &self.path)
            .and_then(|()| self.file.sync_all())
            .map_err(|e| Error::io("cannot flush segment", &self.path, e))?;
        if let Ok(meta) = self.file.metadata() {
            faults::traced(&self.path, 0, meta.len());
        }
        Ok(())
    }
}

/// Reads and checks the header of the segment file at `path`.
///
/// # Errors
/// `Corrupt` for a bad header, `Version` for a newer format, `Io`.
pub fn read_header(path: &Path) -> Result<SegmentHeader> {
    let file = File::open(path).map_err(|e| Error::io("cannot open segment", path, e))?;
    let mut head = [0u8; HEADER_LEN];
    platform::read_exact_at(&file, &mut head, 0).map_err(|e| match e.kind() {
        std::io::ErrorKind::UnexpectedEof => {
            Error::corrupt(path, 0, "file shorter than a segment header")
        }
        _ => Error::io("cannot read segment header", path, e),
    })?;
    decode_header(path, &head)
}

fn decode_header(path: &Path, head: &[u8]) -> Result<SegmentHeader> {
    SegmentHeader::decode(head).map_err(|e| match e {
        segment_header::HeaderError::Invalid(what) => Error::corrupt(path, 0, what),
        segment_header::HeaderError::NewerVersion(v) => Error::new(
            crate::error::ErrorKind::Version,
            format!(
                "{} was written by a newer ToonStore (format version {v}); this library reads format versions up to {}",
                path.display(),
                crate::format::FORMAT_VERSION
            ),
        ),
    })
}

/// Reserves bytes `[from, to)` of `file`, which end at or past its end
/// (`from` is its current length): afterwards the file is `to` bytes long and
/// every block under them is allocated, so a store through the mapping
/// cannot fail for lack of space (which would be a `SIGBUS`).
///
/// * `prefill`: zeros are written and flushed (see [`Segment::create`]);
/// * otherwise `fallocate` (Linux; the file's length on Windows, see
///   `platform`); where the filesystem or OS has none (`EOPNOTSUPP`, ext2
///   for one; macOS), zeros are written with `pwrite`, never a sparse length.
///
/// On failure (a full disk) the file is cut back to `from`: no block past it
/// is assumed reserved.
fn reserve_range(
    point: &'static str,
    file: &File,
    path: &Path,
    from: u64,
    to: u64,
    prefill: bool,
) -> std::io::Result<()> {
    if to <= from {
        return Ok(());
    }
    let result = faults::check(point, path).and_then(|()| {
        if prefill {
            write_zeros(file, path, from, to)?;
            return file.sync_data();
        }
        if platform::allocate(file, from, to)? {
            Ok(())
        } else {
            write_zeros(file, path, from, to)
        }
    });
    if result.is_err() {
        // A partial allocation (or partial zeros) must not count as reserved.
        let _ = file.set_len(from);
    }
    result
}

/// Writes zeros over `[from, to)` of `file` with `pwrite`.
fn write_zeros(file: &File, path: &Path, from: u64, to: u64) -> std::io::Result<()> {
    const CHUNK: usize = 256 << 10;
    let zeros = vec![0u8; CHUNK.min((to - from) as usize)];
    let mut at = from;
    while at < to {
        let n = ((to - at) as usize).min(zeros.len());
        faults::write_all_at("segment.zero_fill", file, path, &zeros[..n], at)?;
        at += n as u64;
    }
    Ok(())
}
