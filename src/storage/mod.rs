//! Files and mappings: the only part of the engine that touches the OS.
//!
//! `segment` owns a segment file and its memory mapping (the crate's only
//! unsafe code outside the C ABI), `lock` the directory lock, `dir` file names
//! and directory-level flushes.

pub mod dir;
pub mod faults;
pub mod lock;
pub mod segment;
