//! Windows. What differs from Unix, and why:
//!
//! * A file mapping cannot extend past the end of its file, and a mapped
//!   file can be neither shortened nor deleted. So a writable segment's file
//!   is extended to its whole capacity before it is mapped (`SetEndOfFile`
//!   allocates the clusters of a non-sparse NTFS file, so no store into the
//!   mapping can fail for lack of space), and shortening or removing it is
//!   deferred until the last mapping of it in this process is gone
//!   ([`AfterUnmap`]). A crash before that leaves a longer file (zeros
//!   past the records, which recovery reads as the end of the log, as it
//!   does after any crash on Unix) or a superseded segment (an orphan, which
//!   the next writable open removes).
//! * Directories cannot be flushed; NTFS journals its metadata, so a rename
//!   or creation is durable once the file's own flush (`FlushFileBuffers`)
//!   returns.
//! * No `fork`, no early write-back, no pre-faulting advice.
//! * A checkpoint is read into memory instead of mapped: a mapped file could
//!   not be replaced by the next checkpoint's rename.

use std::alloc::Layout;
use std::collections::BTreeSet;
use std::fs::{self, File, Metadata, OpenOptions};
use std::io;
use std::os::windows::fs::FileExt;
use std::path::{Path, PathBuf};
use std::ptr::NonNull;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};

/// The file length itself allocates (see the module docs).
pub fn allocate(file: &File, _from: u64, to: u64) -> io::Result<bool> {
    file.set_len(to).map(|()| true)
}

/// No early write-back on Windows (the flush writes everything).
pub fn start_writeback(_file: &File, _from: u64, _to: u64) {}

/// No populate advice on Windows.
///
/// # Safety
/// None needed (nothing is touched); `unsafe` to match Linux.
pub unsafe fn populate_write(_ptr: *mut u8, _len: usize) -> bool {
    false
}

/// One positional read: the bytes read (0 at the end of the file).
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    file.seek_read(buf, offset)
}

/// Reads exactly `buf.len()` bytes at `offset` (the handle's file pointer
/// moves; segment and checkpoint files use positional I/O only).
pub fn read_exact_at(file: &File, mut buf: &mut [u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match file.seek_read(buf, offset) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::UnexpectedEof,
                    "failed to fill whole buffer",
                ))
            }
            Ok(n) => {
                buf = &mut buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Writes all of `buf` at `offset`.
pub fn write_all_at(file: &File, mut buf: &[u8], mut offset: u64) -> io::Result<()> {
    while !buf.is_empty() {
        match file.seek_write(buf, offset) {
            Ok(0) => {
                return Err(io::Error::new(
                    io::ErrorKind::WriteZero,
                    "failed to write whole buffer",
                ))
            }
            Ok(n) => {
                buf = &buf[n..];
                offset += n as u64;
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}

/// Which directory (or file) `path` names: its volume serial number and file index
/// (`GetFileInformationByHandle`; std keeps them unstable). Creation times
/// would not do: Wine reports the Unix ctime, which changes with every
/// entry created in the directory.
pub fn dir_identity(path: &Path) -> io::Result<(u64, u64)> {
    use std::os::windows::fs::OpenOptionsExt;
    use std::os::windows::io::AsRawHandle;
    use windows_sys::Win32::Storage::FileSystem::{
        GetFileInformationByHandle, BY_HANDLE_FILE_INFORMATION, FILE_FLAG_BACKUP_SEMANTICS,
    };
    // A directory opens only with backup semantics; no access rights needed.
    let dir = OpenOptions::new()
        .access_mode(0)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(path)?;
    // SAFETY: all-zero bytes are a valid value of this plain C struct.
    let mut info: BY_HANDLE_FILE_INFORMATION = unsafe { std::mem::zeroed() };
    // SAFETY: a valid open handle and a pointer to a struct we own.
    if unsafe { GetFileInformationByHandle(dir.as_raw_handle(), &mut info) } == 0 {
        return Err(io::Error::last_os_error());
    }
    Ok((
        u64::from(info.dwVolumeSerialNumber),
        u64::from(info.nFileIndexHigh) << 32 | u64::from(info.nFileIndexLow),
    ))
}

/// What identifies a file's version (a rename over it makes a new one):
/// volume serial, file index, size, modification time (seconds and
/// nanoseconds since the Unix epoch).
pub fn file_fingerprint(path: &Path) -> io::Result<(u64, u64, u64, i64, i64)> {
    let (volume, index) = dir_identity(path)?;
    let meta = fs::metadata(path)?;
    let modified = meta
        .modified()?
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    Ok((
        volume,
        index,
        meta.len(),
        i64::try_from(modified.as_secs()).unwrap_or(i64::MAX),
        i64::from(modified.subsec_nanos()),
    ))
}

/// Whether process `pid` no longer exists; false when it exists or cannot
/// be told (`OpenProcess` refused for lack of rights).
pub fn process_gone(pid: u32) -> bool {
    use windows_sys::Win32::Foundation::{CloseHandle, ERROR_INVALID_PARAMETER};
    use windows_sys::Win32::System::Threading::{
        GetExitCodeProcess, OpenProcess, PROCESS_QUERY_LIMITED_INFORMATION,
    };
    const STILL_ACTIVE: u32 = 259;
    // SAFETY: plain calls with a process id; the handle is closed below.
    unsafe {
        let handle = OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, 0, pid);
        if handle.is_null() {
            return io::Error::last_os_error().raw_os_error()
                == Some(ERROR_INVALID_PARAMETER as i32);
        }
        let mut code = 0u32;
        let exited = GetExitCodeProcess(handle, &mut code) != 0 && code != STILL_ACTIVE;
        CloseHandle(handle);
        exited
    }
}

/// The canonical absolute path, without the `\\?\` prefix where the plain
/// form means the same (dunce): error messages then name the path the way
/// users write it.
pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    dunce::canonicalize(path)
}

/// Bytes a file occupies (its length: segment files are not sparse here).
pub fn allocated_bytes(meta: &Metadata) -> u64 {
    meta.len()
}

/// Nothing to do: see the module docs.
pub fn sync_dir(_dir: &Path) -> io::Result<()> {
    Ok(())
}

/// Extends `file` to `capacity` bytes before a writable mapping of that
/// size (a mapping cannot extend past the end of a file here); returns the
/// bytes reserved afterwards: all of them.
pub fn reserve_for_map(file: &File, reserved: u64, capacity: u64) -> io::Result<u64> {
    if reserved < capacity {
        file.set_len(capacity)?;
    }
    Ok(capacity)
}

/// Shortening a mapped file is refused (`ERROR_USER_MAPPED_FILE`): the
/// length is recorded and applied once the segment is unmapped. The bytes
/// past `len` must already be zeros (the caller's duty): until then they
/// are part of the file.
pub fn shrink_mapped(_file: &File, len: u64, after: &AfterUnmap) -> io::Result<()> {
    after.trim_to.store(len, Ordering::Release);
    Ok(())
}

/// Segment files whose removal waits for their mapping to go.
static PENDING_REMOVALS: Mutex<BTreeSet<PathBuf>> = Mutex::new(BTreeSet::new());

/// Removes a segment file; a mapped one (which Windows refuses to delete)
/// is removed when its last mapping in this process is dropped.
pub fn remove_segment(path: &Path) -> io::Result<()> {
    // Held across the attempt, so that an unmap that races with it either
    // happened before (the removal succeeds) or finds the entry.
    let mut pending = PENDING_REMOVALS
        .lock()
        .unwrap_or_else(PoisonError::into_inner);
    match fs::remove_file(path) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Err(e),
        Err(_) => {
            pending.insert(path.to_path_buf());
            Ok(())
        }
    }
}

/// Work left for after a segment is unmapped: a deferred trim, and the
/// removals waiting for a mapping to go. Declared as the segment's last
/// field, so it is dropped after the mapping and the file handle.
#[derive(Debug)]
pub struct AfterUnmap {
    path: PathBuf,
    /// `u64::MAX`: no trim pending.
    trim_to: AtomicU64,
}

impl AfterUnmap {
    pub fn new(path: &Path) -> AfterUnmap {
        AfterUnmap {
            path: path.to_path_buf(),
            trim_to: AtomicU64::new(u64::MAX),
        }
    }
}

impl Drop for AfterUnmap {
    fn drop(&mut self) {
        let mut pending = PENDING_REMOVALS
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        pending.retain(|p| fs::remove_file(p).is_err() && p.exists());
        let len = *self.trim_to.get_mut();
        if len != u64::MAX && !pending.contains(&self.path) {
            // Best effort: another process may still map the file (then it
            // stays longer, holding zeros past `len`).
            if let Ok(file) = OpenOptions::new().write(true).open(&self.path) {
                if file.set_len(len).is_ok() {
                    let _ = file.sync_all();
                }
            }
        }
    }
}

const SLAB_ALIGN: usize = 4096;

/// Reads all `len` bytes of `file` (`len > 0`) into page-aligned memory
/// (see the module docs for why not a mapping).
pub fn map_private(file: &File, len: usize) -> io::Result<NonNull<u8>> {
    let layout = Layout::from_size_align(len, SLAB_ALIGN)
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?;
    // SAFETY: `len > 0` (the caller's contract), so the layout is not empty.
    let ptr = NonNull::new(unsafe { std::alloc::alloc(layout) })
        .ok_or_else(|| io::Error::new(io::ErrorKind::OutOfMemory, "cannot load checkpoint"))?;
    // SAFETY: `ptr` is a fresh allocation of `len` bytes; zeroed first so
    // the slice is initialized.
    let buf = unsafe {
        std::ptr::write_bytes(ptr.as_ptr(), 0, len);
        std::slice::from_raw_parts_mut(ptr.as_ptr(), len)
    };
    if let Err(e) = read_exact_at(file, buf, 0) {
        // SAFETY: allocated above with this layout; nothing points into it.
        unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
        return Err(e);
    }
    Ok(ptr)
}

/// Releases what [`map_private`] returned.
///
/// # Safety
/// `ptr` and `len` come from one `map_private` call, and nothing points
/// into the memory any more.
pub unsafe fn unmap_private(ptr: NonNull<u8>, len: usize) {
    let layout = Layout::from_size_align(len, SLAB_ALIGN).expect("layout of map_private");
    // SAFETY: the caller's contract; same layout as the allocation.
    unsafe { std::alloc::dealloc(ptr.as_ptr(), layout) };
}
