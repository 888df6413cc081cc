//! Unix (Linux, macOS): positional I/O, directory flushes and identity,
//! private mappings of checkpoints. Linux's extra calls live in `linux`;
//! other Unix systems get the portable fallback for each.

use std::fs::{self, File, Metadata};
use std::io;
use std::os::unix::fs::{FileExt, MetadataExt};
use std::path::{Path, PathBuf};
use std::ptr::NonNull;

#[cfg(target_os = "linux")]
use super::linux::MAP_POPULATE;
#[cfg(target_os = "linux")]
pub use super::linux::{allocate, populate_write, start_writeback};

/// Elsewhere: no `fallocate`; the caller writes zeros.
#[cfg(not(target_os = "linux"))]
pub fn allocate(_file: &File, _from: u64, _to: u64) -> io::Result<bool> {
    Ok(false)
}

/// Elsewhere: no `sync_file_range`; write-back happens at the flush.
#[cfg(not(target_os = "linux"))]
pub fn start_writeback(_file: &File, _from: u64, _to: u64) {}

/// Elsewhere: no populate advice; pages fault in on first write.
///
/// # Safety
/// None needed (nothing is touched); `unsafe` to match Linux.
#[cfg(not(target_os = "linux"))]
pub unsafe fn populate_write(_ptr: *mut u8, _len: usize) -> bool {
    false
}

#[cfg(not(target_os = "linux"))]
const MAP_POPULATE: libc::c_int = 0;

/// One `pread`: the bytes read (0 at the end of the file).
#[inline]
pub fn read_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<usize> {
    file.read_at(buf, offset)
}

/// `pread` of exactly `buf.len()` bytes.
#[inline]
pub fn read_exact_at(file: &File, buf: &mut [u8], offset: u64) -> io::Result<()> {
    file.read_exact_at(buf, offset)
}

/// `pwrite` of all of `buf`.
#[inline]
pub fn write_all_at(file: &File, buf: &[u8], offset: u64) -> io::Result<()> {
    file.write_all_at(buf, offset)
}

/// Which directory `path` names: device and inode.
pub fn dir_identity(path: &Path) -> io::Result<(u64, u64)> {
    let meta = fs::metadata(path)?;
    Ok((meta.dev(), meta.ino()))
}

/// What identifies a file's version (a rename over it makes a new one):
/// device, inode, size, modification time (seconds, nanoseconds).
pub fn file_fingerprint(path: &Path) -> io::Result<(u64, u64, u64, i64, i64)> {
    let m = fs::metadata(path)?;
    Ok((m.dev(), m.ino(), m.size(), m.mtime(), m.mtime_nsec()))
}

/// Whether process `pid` no longer exists (`kill(pid, 0)` fails with
/// `ESRCH`); false when it exists or cannot be told.
pub fn process_gone(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only asks whether the process exists.
    let failed = unsafe { libc::kill(pid, 0) } != 0;
    failed && io::Error::last_os_error().raw_os_error() == Some(libc::ESRCH)
}

/// The canonical absolute path (`realpath`).
#[inline]
pub fn canonicalize(path: &Path) -> io::Result<PathBuf> {
    fs::canonicalize(path)
}

/// Bytes a file occupies on disk (allocated blocks, like `du`).
pub fn allocated_bytes(meta: &Metadata) -> u64 {
    meta.blocks() * 512
}

/// `fsync` of the directory itself, so that entries created, renamed or
/// removed in it are durable.
pub fn sync_dir(dir: &Path) -> io::Result<()> {
    File::open(dir).and_then(|d| d.sync_all())
}

/// Makes room for a writable mapping of `capacity` bytes of `file`, of which
/// `reserved` are the file's; returns the bytes reserved afterwards. On Unix
/// a mapping may extend past the end of the file (those pages are never
/// touched until reserved), so nothing changes.
#[inline]
pub fn reserve_for_map(_file: &File, reserved: u64, _capacity: u64) -> io::Result<u64> {
    Ok(reserved)
}

/// Shrinks a mapped file to `len` bytes (`ftruncate`; a mapping past the
/// end of a file is allowed, and never touched there).
#[inline]
pub fn shrink_mapped(file: &File, len: u64, _after: &AfterUnmap) -> io::Result<()> {
    file.set_len(len)
}

/// Removes a segment file, mapped or not (an unlinked file's mapping stays
/// valid until unmapped).
#[inline]
pub fn remove_segment(path: &Path) -> io::Result<()> {
    fs::remove_file(path)
}

/// Work left for after a segment is unmapped: none on Unix (zero-sized).
#[derive(Debug, Default)]
pub struct AfterUnmap;

impl AfterUnmap {
    #[inline]
    pub fn new(_path: &Path) -> AfterUnmap {
        AfterUnmap
    }
}

/// Maps all `len` bytes of `file` (`len > 0`) privately (copy-on-write),
/// populated where the OS can (Linux), and writable: a write copies its page.
pub fn map_private(file: &File, len: usize) -> io::Result<NonNull<u8>> {
    use std::os::unix::io::AsRawFd;
    // SAFETY: a new private mapping of a file we hold open, at an address
    // the kernel picks; no existing memory is affected. Private: our writes
    // never reach the file, and the file is never written in place (a new
    // checkpoint is renamed over it), so its bytes are stable.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            len,
            libc::PROT_READ,
            libc::MAP_PRIVATE | MAP_POPULATE,
            file.as_raw_fd(),
            0,
        )
    };
    if p == libc::MAP_FAILED {
        return Err(io::Error::last_os_error());
    }
    let ptr = NonNull::new(p as *mut u8).ok_or_else(io::Error::last_os_error)?;
    // Populated read-only first (populating a writable private mapping
    // would copy every page), then made writable: a write copies its page.
    // SAFETY: changes the protection of the mapping just created.
    if unsafe { libc::mprotect(p, len, libc::PROT_READ | libc::PROT_WRITE) } != 0 {
        let err = io::Error::last_os_error();
        // SAFETY: unmaps the mapping just created, which nothing uses yet.
        unsafe { libc::munmap(p, len) };
        return Err(err);
    }
    Ok(ptr)
}

/// Releases what [`map_private`] returned.
///
/// # Safety
/// `ptr` and `len` come from one `map_private` call, and nothing points
/// into the memory any more.
pub unsafe fn unmap_private(ptr: NonNull<u8>, len: usize) {
    // SAFETY: the caller's contract.
    unsafe { libc::munmap(ptr.as_ptr().cast(), len) };
}
