//! ToonStore: an embedded row store with a hand-stable C ABI.
//!
//! Rows are byte strings addressed by dense, increasing `u64` ids that are
//! never reused. The engine appends CRC-framed records to memory-mapped log
//! segments, keeps a flat in-memory index from id to record, checkpoints that
//! index so opening is fast, and compacts segments whose rows were deleted.
//!
//! ```no_run
//! use toonstore::ToonStore;
//! # fn main() -> toonstore::Result<()> {
//! let db = ToonStore::open("/tmp/example-db")?;
//! let id = db.put(b"users[1]{id,name}: 1,Alice")?;
//! assert_eq!(db.get(id)?.as_deref(), Some(&b"users[1]{id,name}: 1,Alice"[..]));
//! for row in db.scan()? {
//!     let (id, data) = row?;
//!     println!("{id}: {}", String::from_utf8_lossy(&data));
//! }
//! db.delete(id)?;
//! db.close()?;
//! # Ok(()) }
//! ```
//!
//! Where things live: `format` (byte layouts), `storage` (files, mappings,
//! the lock), `log` (the write path and group commit), `index` (the
//! in-memory index, its frozen views and its checkpoint), `recovery`
//! (reading a database's files at open), `engine` (the state of one open
//! database, shared by its handles, `compaction` and the background thread
//! in `maintenance`), `db` (the handle, [`ToonStore`]), `registry` (one
//! engine per directory per process), `snapshot` (snapshots and scans),
//! `check` (the verify tool), `backup` (online backup), `ffi` (the C ABI). The on-disk format and the
//! crash analysis are in `docs/FORMAT.md`.

#![deny(unsafe_op_in_unsafe_fn)]
#![warn(clippy::undocumented_unsafe_blocks)]

mod backup;
mod batch;
mod check;
mod compaction;
mod db;
mod engine;
pub mod error;
/// Byte layouts of the files. Not part of the supported API: public only
/// for the corruption tests (`tests/corruption.rs`, which craft damaged
/// files) and the command-line tool (`cli/`, which records
/// `FORMAT_VERSION` in its dumps); it may change in any release.
#[doc(hidden)]
pub mod format;
mod index;
mod log;
mod maintenance;
mod options;
mod recovery;
mod registry;
mod snapshot;
mod storage;

pub mod ffi;

pub use batch::Batch;
pub use check::{check, CheckReport};
pub use db::ToonStore;
pub use engine::Stats;
pub use error::{Error, ErrorKind, Result};
pub use options::{
    Durability, Options, DEFAULT_MAX_VALUE_SIZE, DEFAULT_SEGMENT_SIZE, MAX_VALUE_SIZE,
};
pub use snapshot::{Scan, Snapshot};
/// Failpoints in the file layer and the flush trace (tests only).
#[cfg(feature = "fault-injection")]
pub use storage::faults;

/// A row id: dense, assigned in increasing order, never reused.
pub type RowId = u64;

/// The crate's version (also the C library's `toonstore_version()`).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
