//! File names inside a database directory and directory-level operations.
//!
//! ```text
//! <db>/LOCK                  advisory lock (exclusive for a writer, shared for readers)
//! <db>/INDEX                 the index checkpoint (optional)
//! <db>/0000000000000001.seg  segment files, numbered in creation order
//! ```
//! `*.tmp` files are half-written creations; recovery deletes them.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{Error, ErrorKind, Result};
use crate::storage::platform;

pub const LOCK_FILE: &str = "LOCK";
pub const CHECKPOINT_FILE: &str = "INDEX";
pub const CHECKPOINT_TMP: &str = "INDEX.tmp";
const SEGMENT_SUFFIX: &str = ".seg";

/// Which directory a handle opened: the device and inode it had at open.
///
/// The handle keeps the directory's canonical absolute path (see
/// [`resolve`]), so that a `chdir` of the process changes nothing. What a
/// path cannot survive is the directory being renamed (or replaced) while
/// the database is open: the old path then names nothing, or another
/// directory. Every creation of a file after the open checks the identity
/// first ([`DirId::check`]) and fails with an `Io` error rather than write
/// into the wrong place; reopening the database at its new path works.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DirId {
    dev: u64,
    ino: u64,
}

impl DirId {
    /// The identity of the directory at `path` now.
    ///
    /// # Errors
    /// `Io` when it cannot be read.
    pub fn of(path: &Path) -> Result<DirId> {
        let (dev, ino) = platform::dir_identity(path)
            .map_err(|e| Error::io("cannot stat directory", path, e))?;
        Ok(DirId { dev, ino })
    }

    /// Checks that `path` still names the directory this identity was taken
    /// of.
    ///
    /// # Errors
    /// `Io` when the directory was moved, removed or replaced.
    pub fn check(&self, path: &Path) -> Result<()> {
        match DirId::of(path) {
            Ok(now) if now == *self => Ok(()),
            _ => Err(Error::new(
                ErrorKind::Io,
                format!(
                    "the database directory {} was moved, removed or replaced while open; \
                     close the handle and open the database at its new path",
                    path.display()
                ),
            )),
        }
    }
}

/// Resolves the database directory named by `path` once, at open: creates
/// it when `create` is set and nothing is there, and returns its canonical
/// absolute path (symbolic links and `..` resolved) and identity. Every later
/// file operation of the handle uses that path, so it does not depend on the
/// process's working directory.
///
/// # Errors
/// `Io` when `path` is a file, a dangling symbolic link (named as such), or
/// missing without `create`; when it cannot be created or resolved.
pub fn resolve(path: &Path, create: bool) -> Result<(PathBuf, DirId)> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => {}
        Ok(_) => {
            return Err(Error::new(
                ErrorKind::Io,
                format!("{} exists and is not a directory", path.display()),
            ))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            if let Ok(link) = fs::read_link(path) {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!(
                        "{} is a symbolic link to {}, which does not exist",
                        path.display(),
                        link.display()
                    ),
                ));
            }
            if !create {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("no database at {}", path.display()),
                ));
            }
            fs::create_dir_all(path).map_err(|e| Error::io("cannot create directory", path, e))?;
        }
        Err(e) => return Err(Error::io("cannot open directory", path, e)),
    }
    let canonical =
        platform::canonicalize(path).map_err(|e| Error::io("cannot resolve directory", path, e))?;
    let id = DirId::of(&canonical)?;
    Ok((canonical, id))
}

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
/// of its entries are durable (nothing to do on Windows, see `platform`).
///
/// # Errors
/// `Io` when the flush fails.
pub fn sync_dir(dir: &Path) -> Result<()> {
    crate::storage::faults::check("dir.sync", dir)
        .and_then(|()| platform::sync_dir(dir))
        .map_err(|e| Error::io("cannot flush directory", dir, e))
}

/// Bytes the files of `dir` occupy on disk (allocated blocks, like `du`).
pub fn disk_usage(dir: &Path) -> u64 {
    fs::read_dir(dir)
        .map(|entries| {
            entries
                .flatten()
                .filter_map(|e| e.metadata().ok())
                .filter(|m| m.is_file())
                .map(|m| platform::allocated_bytes(&m))
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
