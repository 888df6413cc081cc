//! The directory lock: one writer process, or any number of readers.
//!
//! Why std's `File::try_lock` and not the owner-listed `fs2`: both take the
//! same `flock(2)` lock on Unix, std has offered it since Rust 1.89, and fs2
//! has been unmaintained since 2018. One dependency fewer, same behaviour.
//! `flock` locks belong to an open file description, so a second handle in the
//! same process is refused just like another process.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};

/// How long a conflicting lock is waited for before `Locked` is reported.
const LOCK_PATIENCE: Duration = Duration::from_millis(100);
const LOCK_RETRY: Duration = Duration::from_millis(5);

/// A held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct DirLock {
    _file: File,
}

impl DirLock {
    /// Takes the lock of the database in `dir`: exclusive for a writer,
    /// shared for a read-only handle.
    ///
    /// # Errors
    /// `Locked` when another handle holds a conflicting lock; `Io` when the
    /// lock file cannot be opened.
    pub fn acquire(dir: &Path, exclusive: bool) -> Result<DirLock> {
        let path = dir.join(super::dir::LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(exclusive)
            .create(exclusive)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io("cannot open lock file", &path, e))?;
        // A conflicting lock can be held for a moment by a process that is
        // not using the database at all: a child forked by this program (or
        // a sibling) holds copies of every descriptor until its exec closes
        // them. So a conflict is retried briefly before it is reported.
        let mut waited = Duration::ZERO;
        let attempt = loop {
            let attempt = if exclusive {
                file.try_lock()
            } else {
                file.try_lock_shared()
            };
            match attempt {
                Err(TryLockError::WouldBlock) if waited < LOCK_PATIENCE => {
                    std::thread::sleep(LOCK_RETRY);
                    waited += LOCK_RETRY;
                }
                other => break other,
            }
        };
        match attempt {
            Ok(()) => Ok(DirLock { _file: file }),
            Err(TryLockError::WouldBlock) => Err(Error::new(
                ErrorKind::Locked,
                format!(
                    "{} is locked by another process (or another open handle){}",
                    dir.display(),
                    if exclusive { "" } else { " that writes to it" }
                ),
            )),
            Err(TryLockError::Error(e)) => Err(Error::io("cannot lock", &path, e)),
        }
    }
}
