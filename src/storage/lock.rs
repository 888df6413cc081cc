//! The directory lock: at most one writer process; readers take no lock.
//!
//! ## The reader protocol (issue 17)
//!
//! The writer holds an exclusive `flock` on `LOCK` for as long as its
//! engine is open: two writers exclude each other (`Locked`). A read-only
//! handle takes *no* lock: it only checks that `LOCK` exists (the database
//! was created) and reads the files. So a reader never makes a writer wait
//! and a writer opening beside readers succeeds. What makes that safe is
//! the log's invariant, not a lock: bytes below a segment's published end
//! are never written again, files are created whole under their final name
//! (written as `*.tmp`, renamed), `INDEX` is replaced by a rename, and a
//! file that a compaction deletes stays readable through the mappings of
//! whoever still maps it (Linux keeps an unlinked file until its last
//! mapping goes). How a reader reads a log that is being appended to, and
//! what it retries, is in `recovery.rs` and docs/FORMAT.md.
//!
//! The verify tool (`check`) still wants a database no writer has open: it
//! takes a *shared* `flock` ([`DirLock::acquire_quiescent`]), which a
//! writer's exclusive lock excludes both ways.
//!
//! Why std's `File::try_lock` and not the owner-listed `fs2`: both take the
//! same `flock(2)` lock on Unix, std has offered it since Rust 1.89, and fs2
//! has been unmaintained since 2018. One dependency fewer, same behaviour.
//! `flock` locks belong to an open file description, so a second handle in the
//! same process is refused just like another process.
//!
//! ## fork()
//!
//! A forked child shares the parent's open file descriptions, and so holds
//! its `flock` until the child closes its copy of the descriptor or exits: an
//! idle `multiprocessing` fork-pool worker used to keep the database locked
//! against the parent's own close-and-reopen. The choice, of three:
//!
//! * **`flock` + a `pthread_atfork` child handler that closes the child's
//!   copy of each lock descriptor** (chosen; `fork.rs`). The lock stays with
//!   the parent's descriptor (a lock on an open file description is released
//!   only when its *last* descriptor closes, or by an explicit unlock, which
//!   the child never does). Same-process semantics stay as they were: a
//!   second handle is refused, like another process.
//! * POSIX record locks (`fcntl(F_SETLK)`, SQLite's choice) are not
//!   inherited by a child at all, but belong to the *process*: a second
//!   handle in the same process would be granted the lock instead of refused,
//!   and closing *any* descriptor of the file, such as that second handle's,
//!   silently drops the first handle's lock. Safe use needs a process-wide
//!   table of locked files, as SQLite keeps; more code for the same result.
//! * Open file description locks (`F_OFD_SETLK`) behave like `flock` across
//!   fork (the description is shared), so they would need the same atfork
//!   step, and they are Linux-only.
//!
//! The handler runs for `fork()` (and Python's `os.fork()`); children made
//! by `vfork`/`posix_spawn` exec at once, and the descriptor is
//! close-on-exec.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::Path;
use std::time::Duration;

use crate::error::{Error, ErrorKind, Result};
use crate::storage::fork;

/// How long a conflicting lock is waited for before `Locked` is reported.
const LOCK_PATIENCE: Duration = Duration::from_millis(100);
const LOCK_RETRY: Duration = Duration::from_millis(5);

/// A held lock; released when dropped (or when the process dies).
#[derive(Debug)]
pub struct DirLock {
    /// `None` only while being dropped.
    file: Option<File>,
    /// The fork generation it was taken in (see `fork.rs`).
    generation: u64,
}

impl DirLock {
    /// The fork generation the lock was taken in.
    pub fn generation(&self) -> u64 {
        self.generation
    }
}

impl Drop for DirLock {
    fn drop(&mut self) {
        let Some(file) = self.file.take() else {
            return;
        };
        if fork::generation() == self.generation {
            fork::close_lock_file(file);
        } else {
            // A copy inherited through fork(): the child handler already
            // closed this descriptor number, which may name another file of
            // the child's by now. Not closed again.
            fork::forget_inherited(file);
        }
    }
}

impl DirLock {
    /// Takes the lock of the database in `dir` for a writer (exclusive),
    /// or for a read-only handle, which locks nothing: it only opens `LOCK`
    /// read-only (so a directory without a database still fails with `Io`)
    /// and keeps it open.
    ///
    /// # Errors
    /// `Locked` when another writer (or a `check`) holds the lock; `Io` when
    /// the lock file cannot be opened.
    pub fn acquire(dir: &Path, writer: bool) -> Result<DirLock> {
        if writer {
            DirLock::take(dir, true)
        } else {
            let path = dir.join(super::dir::LOCK_FILE);
            let file = OpenOptions::new()
                .read(true)
                .open(&path)
                .map_err(|e| Error::io("cannot open lock file", &path, e))?;
            let generation = fork::generation();
            fork::register_lock_file(&file);
            Ok(DirLock {
                file: Some(file),
                generation,
            })
        }
    }

    /// A shared lock, which excludes writers (and which a writer's lock
    /// excludes): what the verify tool holds while it walks the files.
    ///
    /// # Errors
    /// As [`DirLock::acquire`].
    pub fn acquire_quiescent(dir: &Path) -> Result<DirLock> {
        DirLock::take(dir, false)
    }

    fn take(dir: &Path, exclusive: bool) -> Result<DirLock> {
        let path = dir.join(super::dir::LOCK_FILE);
        let file = OpenOptions::new()
            .read(true)
            .write(exclusive)
            .create(exclusive)
            .truncate(false)
            .open(&path)
            .map_err(|e| Error::io("cannot open lock file", &path, e))?;
        // Registered before it holds the lock, so that no fork() can slip in
        // between taking the lock and registering it; from here on the
        // `DirLock` owns it (and unregisters it when dropped, on failure too).
        let generation = fork::generation();
        fork::register_lock_file(&file);
        let lock = DirLock {
            file: Some(file),
            generation,
        };
        let file = lock.file.as_ref().expect("just set");
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
            Ok(()) => Ok(lock),
            Err(TryLockError::WouldBlock) => Err(Error::new(
                ErrorKind::Locked,
                format!(
                    "{} is locked by another process (or another open handle){}",
                    dir.display(),
                    if exclusive {
                        ""
                    } else {
                        " that writes to it; check needs a database no writer has open"
                    }
                ),
            )),
            Err(TryLockError::Error(e)) => Err(Error::io("cannot lock", &path, e)),
        }
    }
}
