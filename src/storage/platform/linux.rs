//! Linux-only calls: space reservation, early write-back and pre-faulting
//! of segment pages (see `segment.rs` for why each exists).

use std::fs::File;
use std::io;
use std::os::unix::io::AsRawFd;

/// Allocates the blocks of `[from, to)` of `file` (`fallocate`, extending
/// it). `Ok(false)` when the filesystem cannot (`EOPNOTSUPP`, `ENOSYS`: the
/// caller writes zeros instead).
pub fn allocate(file: &File, from: u64, to: u64) -> io::Result<bool> {
    let (Ok(offset), Ok(len)) = (
        libc::off_t::try_from(from),
        libc::off_t::try_from(to - from),
    ) else {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "segment too large",
        ));
    };
    // SAFETY: plain system call on a file descriptor we own; no memory is passed.
    let rc = unsafe { libc::fallocate(file.as_raw_fd(), 0, offset, len) };
    if rc == 0 {
        return Ok(true);
    }
    let err = io::Error::last_os_error();
    match err.raw_os_error() {
        Some(libc::EOPNOTSUPP) | Some(libc::ENOSYS) => Ok(false),
        _ => Err(err),
    }
}

/// Starts write-back of `[from, to)` without waiting
/// (`sync_file_range(SYNC_FILE_RANGE_WRITE)`). Best effort.
pub fn start_writeback(file: &File, from: u64, to: u64) {
    let (Ok(offset), Ok(len)) = (
        libc::off64_t::try_from(from),
        libc::off64_t::try_from(to - from),
    ) else {
        return;
    };
    // SAFETY: a plain system call on a file descriptor we own; no memory
    // is passed.
    unsafe { libc::sync_file_range(file.as_raw_fd(), offset, len, libc::SYNC_FILE_RANGE_WRITE) };
}

/// Faults in `len` bytes of a writable shared mapping at `ptr`, writable
/// (`MADV_POPULATE_WRITE`). False when the kernel refuses.
///
/// # Safety
/// `[ptr, ptr + len)` lies inside a live writable mapping, `ptr` page-aligned.
pub unsafe fn populate_write(ptr: *mut u8, len: usize) -> bool {
    // SAFETY: the caller's contract; populating changes no byte.
    unsafe { libc::madvise(ptr.cast(), len, libc::MADV_POPULATE_WRITE) == 0 }
}

/// `MAP_POPULATE` for the private checkpoint mapping.
pub(super) const MAP_POPULATE: libc::c_int = libc::MAP_POPULATE;
