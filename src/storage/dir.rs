//! File names inside a database directory and directory-level operations.
//!
//! ```text
//! <db>/LOCK                  advisory lock (exclusive for a writer, shared for readers)
//! <db>/INDEX                 the index checkpoint (optional)
//! <db>/0000000000000001.seg  segment files, numbered in creation order
//! ```
//! `*.tmp` files are half-written creations; recovery deletes them.

use std::fs::{self, File};
use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

pub const LOCK_FILE: &str = "LOCK";
pub const CHECKPOINT_FILE: &str = "INDEX";
pub const CHECKPOINT_TMP: &str = "INDEX.tmp";
const SEGMENT_SUFFIX: &str = ".seg";

/// The file name of segment `number`.
pub fn segment_file_name(number: u64) -> String {
    format!("{number:016x}{SEGMENT_SUFFIX}")
}

/// The segment number a file name encodes, if it is a segment file name.
pub fn parse_segment_file_name(name: &str) -> Option<u64> {
    let hex = name.strip_suffix(SEGMENT_SUFFIX)?;
    if hex.len() != 16 {
        return None;
    }
    u64::from_str_radix(hex, 16).ok()
}

/// The segment files of `dir`, sorted by number.
///
/// # Errors
/// `Io` when the directory cannot be read.
pub fn list_segments(dir: &Path) -> Result<Vec<(u64, PathBuf)>> {
    let mut found = Vec::new();
    let entries = fs::read_dir(dir).map_err(|e| Error::io("cannot read directory", dir, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| Error::io("cannot read directory", dir, e))?;
        if let Some(number) = entry.file_name().to_str().and_then(parse_segment_file_name) {
            found.push((number, entry.path()));
        }
    }
    found.sort_unstable_by_key(|(n, _)| *n);
    Ok(found)
}

/// Removes leftovers of interrupted creations (`*.tmp`).
///
/// # Errors
/// `Io` when a leftover cannot be removed.
pub fn remove_temporaries(dir: &Path) -> Result<()> {
    let entries = fs::read_dir(dir).map_err(|e| Error::io("cannot read directory", dir, e))?;
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_str()
            .is_some_and(|n| n.ends_with(".tmp"))
        {
            let path = entry.path();
            fs::remove_file(&path).map_err(|e| Error::io("cannot remove", &path, e))?;
        }
    }
    Ok(())
}

/// Flushes the directory itself, so that creations, renames and removals
/// of its entries are durable.
///
/// # Errors
/// `Io` when the flush fails.
pub fn sync_dir(dir: &Path) -> Result<()> {
    crate::storage::faults::check("dir.sync", dir)
        .and_then(|()| File::open(dir))
        .and_then(|d| d.sync_all())
        .map_err(|e| Error::io("cannot flush directory", dir, e))
}

/// Bytes the files of `dir` occupy on disk (allocated blocks, like `du`).
pub fn disk_usage(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| m.blocks() * 512)
                .sum()
        })
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segment_names_round_trip() {
        assert_eq!(segment_file_name(26), "000000000000001a.seg");
        assert_eq!(parse_segment_file_name("000000000000001a.seg"), Some(26));
        assert_eq!(parse_segment_file_name("1a.seg"), None);
        assert_eq!(parse_segment_file_name("000000000000001a.seg.tmp"), None);
        assert_eq!(parse_segment_file_name("INDEX"), None);
    }
}
