//! Files and mappings: the only part of the engine that touches the OS.
//!
//! `segment` owns a segment file and its memory mapping, `lock` the directory
//! lock, `fork` what a forked child does with inherited handles, `dir` file
//! names, directory resolution and directory-level flushes.

pub mod dir;
pub mod faults;
pub mod fork;
pub mod lock;
pub mod segment;
