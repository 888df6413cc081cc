//! The few calls whose behaviour differs by operating system, one small
//! module per platform with the same functions (`unix`, with the
//! Linux-only calls in `linux`, and `windows`). Everything above `storage`
//! is platform-independent; FORMAT.md ("Platforms") lists what differs.
//!
//! | what | Linux | other Unix (macOS) | Windows |
//! |---|---|---|---|
//! | positional I/O | `pread`/`pwrite` | same | `ReadFile`/`WriteFile` at an offset |
//! | reserving segment space | `fallocate`, zeros where unsupported | zeros | `SetEndOfFile` (allocates) to the whole capacity at map time |
//! | early write-back | `sync_file_range` | none | none |
//! | pre-faulting the append range | `MADV_POPULATE_WRITE` | none | none |
//! | checkpoint load | private mapping, `MAP_POPULATE` | private mapping | read into memory (a mapped file cannot be replaced) |
//! | directory flush | `fsync` of the directory | same | none (NTFS journals its metadata) |
//! | directory identity | device + inode | same | creation time |
//! | trimming a mapped segment | `ftruncate` | same | deferred until the segment is unmapped |
//! | removing a mapped segment | `unlink` | same | deferred until the segment is unmapped |
//! | fork detection | `pthread_atfork` | same | none (no fork) |

#[cfg(target_os = "linux")]
mod linux;
#[cfg(unix)]
mod unix;
#[cfg(unix)]
pub use unix::*;
#[cfg(windows)]
mod windows;
#[cfg(windows)]
pub use windows::*;
