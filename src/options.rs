//! Options chosen when a database is opened.

use std::time::Duration;

use crate::error::{Error, Result};
use crate::format::record::MAX_BODY_LEN;

/// When an acknowledged write is safe, and against what.
///
/// | mode | survives a process crash (kill -9) | survives power loss |
/// |---|---|---|
/// | `Off` | yes: every acknowledged write (records are in the OS page cache before the call returns) | only what `sync`/`close` flushed |
/// | `Normal` | yes | what the background flush (every `sync_interval`) or `sync` flushed |
/// | `Full` | yes | every acknowledged write (fsync before the call returns) |
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
pub enum Durability {
    /// No background flush: fastest, for bulk loads; `sync`/`close` flush.
    Off,
    /// The default: records reach the OS page cache before `put` returns and a
    /// background thread flushes them at a bounded interval.
    #[default]
    Normal,
    /// Each commit is flushed to stable storage before it is acknowledged;
    /// concurrent committers share one flush (group commit).
    Full,
}

/// What each mode does. Every decision the engine takes by durability is one
/// of these methods, so a mode's behaviour is read in one place.
impl Durability {
    /// Whether a commit returns only once its records are on stable storage
    /// (an fsync shared by concurrent committers: group commit). `Full`.
    pub const fn syncs_each_commit(self) -> bool {
        matches!(self, Durability::Full)
    }

    /// How often a background thread flushes the log, given the database's
    /// `sync_interval`: `Normal` every interval; `Off` and `Full` never (Off
    /// leaves it to `sync` and `close`, Full flushed every commit already).
    pub const fn background_flush_interval(self, sync_interval: Duration) -> Option<Duration> {
        match self {
            Durability::Normal => Some(sync_interval),
            Durability::Off | Durability::Full => None,
        }
    }

    /// Whether new log segments are allocated and zeroed in full when
    /// created (`Full`): a durable commit then flushes data blocks that are
    /// already allocated, with no file-size metadata to journal. The other
    /// modes reserve the space with fallocate and let pages fill on demand.
    pub const fn prefills_segments(self) -> bool {
        matches!(self, Durability::Full)
    }

    /// Whether records are written to the active segment with `pwrite`
    /// rather than through its shared mapping (`Full`): after each flush's
    /// write-back, a write through the mapping takes a write-protect fault
    /// per page, which a commit that flushes every time pays again and again.
    /// Either way the bytes are in the page cache before the call returns.
    pub const fn writes_through_files(self) -> bool {
        matches!(self, Durability::Full)
    }

    /// Whether a helper thread faults the active segment's pages in ahead of
    /// the writer and starts write-back behind it: every mode whose segments
    /// are not prefilled (a prefilled segment's pages are resident already).
    pub const fn assists_active_segment(self) -> bool {
        !self.prefills_segments()
    }
}

/// Options for [`crate::ToonStore::open_with`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Durability of acknowledged writes (default [`Durability::Normal`]).
    pub durability: Durability,
    /// Open for reading only: takes no lock, so it opens beside a writer in
    /// another process (and any number of other readers); it sees the
    /// database as of its open until [`crate::ToonStore::refresh`].
    pub read_only: bool,
    /// Create the directory and an empty database when missing (default true).
    pub create_if_missing: bool,
    /// Check each record's CRC when it is read (default true).
    pub verify_checksums: bool,
    /// How often `Normal` flushes in the background (default 1 s).
    pub sync_interval: Duration,
    /// Largest value accepted by `put` (default 64 MiB; at most [`MAX_VALUE_SIZE`]).
    pub max_value_size: u64,
    /// Size of a log segment file (default 64 MiB; a larger record gets a
    /// segment of its own size).
    pub segment_size: u64,
    /// Read-only opens only (default false): open a database whose log is
    /// damaged (a record that fails its checksum where the log promised
    /// durable bytes, such as a device error that zeroed them) instead of
    /// refusing it. Replay stops at the first damaged record, so the handle
    /// shows the intact prefix: every row written before the damage, none
    /// after it. [`crate::check`] names the damaged file and offset. Copy
    /// what you need out, then repair or restore the database.
    pub salvage: bool,
}

/// The format's hard limit on a single value: the record length field
/// (29 bits) less 16 bytes of room for a wrapper (a batch member's header and
/// the batch's count, or a compaction record's row id). docs/FORMAT.md states
/// the same number (a test checks it).
pub const MAX_VALUE_SIZE: u64 = MAX_BODY_LEN as u64 - 16;
/// Default largest value.
pub const DEFAULT_MAX_VALUE_SIZE: u64 = 64 << 20;
/// Default segment size.
pub const DEFAULT_SEGMENT_SIZE: u64 = 64 << 20;
/// Smallest segment size accepted.
pub const MIN_SEGMENT_SIZE: u64 = 4096;

impl Default for Options {
    fn default() -> Options {
        Options {
            durability: Durability::Normal,
            read_only: false,
            create_if_missing: true,
            verify_checksums: true,
            sync_interval: Duration::from_secs(1),
            max_value_size: DEFAULT_MAX_VALUE_SIZE,
            segment_size: DEFAULT_SEGMENT_SIZE,
            salvage: false,
        }
    }
}

impl Options {
    /// Checks the options for values the engine cannot honour.
    ///
    /// # Errors
    /// `InvalidArgument` naming the offending option.
    pub fn validate(&self) -> Result<()> {
        if self.max_value_size == 0 || self.max_value_size > MAX_VALUE_SIZE {
            return Err(Error::invalid(format!(
                "max_value_size must be between 1 and {MAX_VALUE_SIZE}, got {}",
                self.max_value_size
            )));
        }
        if self.segment_size < MIN_SEGMENT_SIZE || self.segment_size > (1 << 40) {
            return Err(Error::invalid(format!(
                "segment_size must be between {MIN_SEGMENT_SIZE} and 2^40, got {}",
                self.segment_size
            )));
        }
        if self.salvage && !self.read_only {
            return Err(Error::invalid(
                "salvage opens only read-only (set read_only as well)",
            ));
        }
        if self.sync_interval.is_zero() {
            return Err(Error::invalid("sync_interval must be positive"));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn format_md_states_the_value_size_limit() {
        assert_eq!(MAX_VALUE_SIZE, 536_870_895);
        let doc = include_str!("../docs/FORMAT.md");
        assert!(doc.contains(&format!("`MAX_VALUE_SIZE` = {MAX_VALUE_SIZE} bytes")));
        let limit = Options {
            max_value_size: MAX_VALUE_SIZE,
            ..Options::default()
        };
        limit.validate().unwrap();
        let over = Options {
            max_value_size: MAX_VALUE_SIZE + 1,
            ..Options::default()
        };
        assert!(over.validate().is_err());
    }

    #[test]
    fn defaults_are_valid_and_bad_values_are_named() {
        Options::default().validate().unwrap();
        let bad = Options {
            max_value_size: 0,
            ..Options::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .message()
            .contains("max_value_size"));
        let bad = Options {
            segment_size: 10,
            ..Options::default()
        };
        assert!(bad
            .validate()
            .unwrap_err()
            .message()
            .contains("segment_size"));
        let bad = Options {
            sync_interval: Duration::ZERO,
            ..Options::default()
        };
        assert!(bad.validate().is_err());
    }
}
