//! Files and mappings: the only part of the engine that touches the OS.
//!
//! `segment` owns a segment file and its memory mapping, `lock` the directory
//! lock, `fork` what a forked child does with inherited handles, `dir` file
//! names, directory resolution and directory-level flushes, `platform` the
//! calls that differ by operating system.

pub mod dir;
pub mod faults;
#[cfg(unix)]
pub mod fork;
#[cfg(not(unix))]
#[path = "platform/nofork.rs"]
pub mod fork;
pub mod lock;
pub mod platform;
pub mod segment;
