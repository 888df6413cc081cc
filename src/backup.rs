//! Online backup: a complete, consistent, independently openable copy of a
//! database as of one moment, taken while writes go on (issue 17).
//!
//! 1. Capture (`Engine::capture`): the view and a checkpoint describing it,
//!    as of one moment: under the writer's lock for a writable engine (no
//!    I/O, a moment), or the recovered state of a read-only one.
//! 2. Copy, without any lock, every segment the view references into a new
//!    directory beside the destination, `.<name>.backup-tmp-<pid>-<n>`:
//!    bytes `[0, used_len)` of each, read from the mapping the captured
//!    view holds. Those bytes are published, so never written again, and
//!    the mapping keeps them readable even if a compaction deletes the file
//!    meanwhile. Each copy's header watermark is set to its length (every
//!    byte of the copy is flushed), and the file is flushed.
//! 3. Write the captured checkpoint as the copy's `INDEX` (its replay
//!    position is the end of the captured log, so the copy's recovery
//!    replays nothing), flush the directory.
//! 4. Rename the directory to the destination and flush the parent.
//!
//! A crash or kill before step 4 leaves only the hidden temporary
//! directory (removed by the next backup to the same destination once its
//! process is gone), never anything at the destination. The destination
//! must not exist, or be an empty directory (which the rename replaces).

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use crate::engine::Engine;
use crate::error::{Error, ErrorKind, Result};
use crate::format::segment_header::{self, HEADER_LEN};
use crate::index::checkpoint;
use crate::storage::{dir, faults};

/// Distinguishes temporary directories of backups running at once in one
/// process.
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

const TMP_MARK: &str = ".backup-tmp-";

/// Copies the database of `engine` to `dest` (the steps above).
///
/// # Errors
/// `InvalidArgument` when `dest` is empty, exists and is not an empty
/// directory, or is the database's own directory; `Io` (nothing is left at
/// `dest`, and the temporary directory is removed).
pub(crate) fn backup(engine: &Engine, dest: &Path) -> Result<()> {
    let (parent, name) = destination(engine, dest)?;
    remove_stale_temporaries(&parent, &name);
    let tmp = parent.join(format!(
        ".{name}{TMP_MARK}{}-{}",
        std::process::id(),
        SEQUENCE.fetch_add(1, Ordering::Relaxed)
    ));
    let (meta, view) = engine.capture()?;
    fs::create_dir(&tmp).map_err(|e| Error::io("cannot create backup directory", &tmp, e))?;
    let result = (|| {
        File::create(tmp.join(dir::LOCK_FILE))
            .map_err(|e| Error::io("cannot create lock file in", &tmp, e))?;
        for s in &meta.segments {
            let segment = view.segments.get(s.number).ok_or_else(|| {
                Error::new(
                    ErrorKind::Internal,
                    format!("segment {} of the captured view is not mapped", s.number),
                )
            })?;
            // SAFETY: `[0, used_len)` is published (the capture's own
            // accounting), so no writer changes it, and the view holds the
            // mapping; the file may be shortened, never below it.
            let bytes = unsafe { segment.bytes_from(0) };
            let len = usize::try_from(s.used_len)
                .ok()
                .filter(|&l| l >= HEADER_LEN && l <= bytes.len())
                .ok_or_else(|| {
                    Error::corrupt(
                        segment.path(),
                        s.used_len,
                        "segment shorter than its records",
                    )
                })?;
            let name = segment
                .path()
                .file_name()
                .ok_or_else(|| Error::invalid("segment without a file name"))?;
            copy_segment(&tmp.join(name), &bytes[..len])?;
        }
        checkpoint::write(&tmp, &meta, &view)?;
        dir::sync_dir(&tmp)?;
        faults::check("backup.rename", &tmp)
            .and_then(|()| fs::rename(&tmp, dest))
            .map_err(|e| Error::io("cannot move the backup to", dest, e))
    })();
    if result.is_err() {
        let _ = fs::remove_dir_all(&tmp);
        return result;
    }
    // The rename is durable only once the parent is flushed: if that fails,
    // the copy is taken back, so that a failed backup never leaves a
    // database at `dest` (it may not survive a power loss).
    dir::sync_dir(&parent).inspect_err(|_| {
        let _ = fs::remove_dir_all(dest);
    })
}

/// Checks `dest` and returns its parent directory and file name.
fn destination(engine: &Engine, dest: &Path) -> Result<(PathBuf, String)> {
    if dest.as_os_str().is_empty() {
        return Err(Error::invalid("backup destination is empty"));
    }
    let name = dest
        .file_name()
        .and_then(|n| n.to_str())
        .filter(|n| !n.is_empty())
        .ok_or_else(|| {
            Error::invalid(format!(
                "backup destination {} has no usable file name",
                dest.display()
            ))
        })?
        .to_string();
    let parent = match dest.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    match fs::read_dir(dest) {
        Ok(mut entries) => {
            if fs::canonicalize(dest).ok().as_deref() == Some(engine.dir.as_path()) {
                return Err(Error::invalid(format!(
                    "backup destination {} is the database itself",
                    dest.display()
                )));
            }
            if entries.next().is_some() {
                return Err(Error::invalid(format!(
                    "backup destination {} exists and is not empty",
                    dest.display()
                )));
            }
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(_) if dest.exists() => {
            return Err(Error::invalid(format!(
                "backup destination {} exists and is not a directory",
                dest.display()
            )))
        }
        Err(e) => return Err(Error::io("cannot read backup destination", dest, e)),
    }
    Ok((parent, name))
}

/// Writes one segment's copy: its bytes with the header's watermark set to
/// their length (they are all flushed before the copy counts), flushed.
fn copy_segment(path: &Path, bytes: &[u8]) -> Result<()> {
    let mut header = bytes[..HEADER_LEN].to_vec();
    segment_header::write_synced_len(&mut header, bytes.len() as u64);
    let io = |e| Error::io("cannot write backup segment", path, e);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(io)?;
    faults::write_all("backup.copy", &mut file, path, &header).map_err(io)?;
    for chunk in bytes[HEADER_LEN..].chunks(1 << 20) {
        faults::write_all("backup.copy", &mut file, path, chunk).map_err(io)?;
    }
    file.flush().map_err(io)?;
    faults::check("backup.fsync", path)
        .and_then(|()| file.sync_all())
        .map_err(|e| Error::io("cannot flush backup segment", path, e))
}

/// Removes temporary directories of earlier backups to `name` in `parent`
/// whose process is gone (killed midway). Best effort.
fn remove_stale_temporaries(parent: &Path, name: &str) {
    let prefix = format!(".{name}{TMP_MARK}");
    let Ok(entries) = fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(rest) = file_name.to_str().and_then(|n| n.strip_prefix(&prefix)) else {
            continue;
        };
        let Some(pid) = rest.split('-').next().and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        if crate::storage::platform::process_gone(pid) {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}
