//! Failpoints in the file layer, for tests (cargo feature `fault-injection`).
//!
//! Every I/O point of the engine (segment creation, preallocation, header
//! write, flush, resize, fsync, checkpoint write/fsync/rename, directory
//! fsync, compaction output) asks this module first whether it should fail.
//! Without the feature the answer is a constant "no" that the compiler folds
//! away: the wrappers below are the plain system calls.
//!
//! With the feature, a test arms a failpoint:
//!
//! ```ignore
//! use toonstore::faults::{self, Fault};
//! faults::arm_for(&dir, "segment.flush", 2, Fault::Eio); // the 3rd flush under `dir` fails
//! ```
//!
//! An armed failpoint fires once, on hit number `countdown` (0: the next hit)
//! of that point, then disarms itself. `arm` matches any path; `arm_for`
//! only paths under one directory, so tests running in parallel threads do
//! not trip over each other. [`injected`] counts every fault injected.
//!
//! The flush trace (for the power-loss model of the crash tests):
//! [`set_trace`] makes every successful flush of a segment under a directory
//! append `<file name> <from> <to>` to a trace file, so that after a kill a
//! test knows which bytes were really on stable storage.

#![cfg_attr(not(feature = "fault-injection"), allow(dead_code))]

use std::fs::File;
use std::io::{self, Write};
use std::path::Path;

/// What an armed failpoint does when it fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Fault {
    /// The call fails with `EIO` and does nothing.
    Eio,
    /// The call fails with `ENOSPC` and does nothing.
    Enospc,
    /// A write or flush does the first half of its work, then fails (a
    /// short write followed by an error, or a write-back that failed part
    /// way). Points that are not writes fail as with `Eio`.
    ShortWrite,
}

impl Fault {
    /// Every kind.
    pub const ALL: [Fault; 3] = [Fault::Eio, Fault::Enospc, Fault::ShortWrite];

    fn error(self, point: &str) -> io::Error {
        match self {
            Fault::Eio => io::Error::from_raw_os_error(libc::EIO),
            Fault::Enospc => io::Error::from_raw_os_error(libc::ENOSPC),
            Fault::ShortWrite => io::Error::new(
                io::ErrorKind::WriteZero,
                format!("short write (injected at {point})"),
            ),
        }
    }
}

/// Every failpoint the engine consults.
pub const POINTS: &[&str] = &[
    "segment.create",
    "segment.preallocate",
    "segment.header",
    "segment.create_sync",
    "segment.rename",
    "segment.grow",
    "segment.zero_fill",
    "segment.flush",
    "segment.set_len",
    "segment.sync_file",
    "checkpoint.write",
    "checkpoint.fsync",
    "checkpoint.rename",
    "dir.sync",
    "compaction.write",
    "compaction.remove",
    "backup.copy",
    "backup.fsync",
    "backup.rename",
    "reader.switch",
];

#[cfg(feature = "fault-injection")]
mod registry {
    use std::io::Write;
    use std::path::{Path, PathBuf};
    use std::sync::atomic::{AtomicU64, Ordering};
    use std::sync::Mutex;

    use super::Fault;

    struct Armed {
        point: String,
        scope: Option<PathBuf>,
        countdown: u64,
        kind: Fault,
    }

    static ARMED: Mutex<Vec<Armed>> = Mutex::new(Vec::new());
    static FIRED: Mutex<Vec<(Option<PathBuf>, String)>> = Mutex::new(Vec::new());
    static INJECTED: AtomicU64 = AtomicU64::new(0);
    static TRACES: Mutex<Vec<(PathBuf, PathBuf)>> = Mutex::new(Vec::new());

    fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
        m.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn arm(scope: Option<&Path>, point: &str, countdown: u64, kind: Fault) {
        assert!(
            super::POINTS.contains(&point),
            "unknown failpoint {point:?}"
        );
        lock(&ARMED).push(Armed {
            point: point.to_owned(),
            scope: scope.map(Path::to_path_buf),
            countdown,
            kind,
        });
    }

    pub fn disarm(scope: Option<&Path>) {
        lock(&ARMED).retain(|a| match scope {
            None => false,
            Some(dir) => a.scope.as_deref() != Some(dir),
        });
    }

    pub fn hit(point: &'static str, path: &Path) -> Option<Fault> {
        let mut armed = lock(&ARMED);
        let mut fire = None;
        for (i, a) in armed.iter_mut().enumerate() {
            if a.point != point || !a.scope.as_deref().is_none_or(|s| path.starts_with(s)) {
                continue;
            }
            if a.countdown == 0 {
                fire = Some(i);
                break;
            }
            a.countdown -= 1;
        }
        let a = armed.remove(fire?);
        drop(armed);
        INJECTED.fetch_add(1, Ordering::Relaxed);
        lock(&FIRED).push((a.scope, a.point));
        Some(a.kind)
    }

    pub fn injected() -> u64 {
        INJECTED.load(Ordering::Relaxed)
    }

    pub fn injected_for(scope: &Path) -> u64 {
        lock(&FIRED)
            .iter()
            .filter(|(s, _)| s.as_deref() == Some(scope))
            .count() as u64
    }

    pub fn set_trace(dir: &Path, trace: Option<&Path>) {
        let mut traces = lock(&TRACES);
        traces.retain(|(d, _)| d != dir);
        if let Some(t) = trace {
            traces.push((dir.to_path_buf(), t.to_path_buf()));
        }
    }

    pub fn trace(path: &Path, from: u64, to: u64) {
        let traces = lock(&TRACES);
        let Some((_, file)) = traces.iter().find(|(d, _)| path.starts_with(d)) else {
            return;
        };
        let name = path.file_name().map(|n| n.to_string_lossy().into_owned());
        let line = format!("{} {from} {to}\n", name.unwrap_or_default());
        // One write(2) per line on an O_APPEND file: a kill never leaves half a line
        // that claims more than was flushed.
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(file)
            .and_then(|mut f| f.write_all(line.as_bytes()));
        if let Err(e) = appended {
            panic!("cannot append to flush trace {}: {e}", file.display());
        }
    }
}

/// Arms failpoint `point` for every path: it fires on its hit number
/// `countdown` (0: the next one), once.
///
/// # Panics
/// When `point` is not one of [`POINTS`].
#[cfg(feature = "fault-injection")]
pub fn arm(point: &str, countdown: u64, kind: Fault) {
    registry::arm(None, point, countdown, kind)
}

/// Arms failpoint `point` for files under directory `dir` only.
///
/// # Panics
/// When `point` is not one of [`POINTS`].
#[cfg(feature = "fault-injection")]
pub fn arm_for(dir: &Path, point: &str, countdown: u64, kind: Fault) {
    registry::arm(Some(dir), point, countdown, kind)
}

/// Disarms every failpoint armed for `dir` (with `arm_for`).
#[cfg(feature = "fault-injection")]
pub fn disarm_for(dir: &Path) {
    registry::disarm(Some(dir))
}

/// Disarms every failpoint.
#[cfg(feature = "fault-injection")]
pub fn disarm_all() {
    registry::disarm(None)
}

/// Faults injected by this process so far.
#[cfg(feature = "fault-injection")]
pub fn injected() -> u64 {
    registry::injected()
}

/// Faults injected so far by failpoints armed with `arm_for(dir, ..)`.
#[cfg(feature = "fault-injection")]
pub fn injected_for(dir: &Path) -> u64 {
    registry::injected_for(dir)
}

/// Starts (or with `None` stops) tracing successful segment flushes under
/// `dir` into the file `trace`: one line `<segment file name> <from> <to>`
/// per flush, meaning bytes `[from, to)` of that file are on stable storage.
#[cfg(feature = "fault-injection")]
pub fn set_trace(dir: &Path, trace: Option<&Path>) {
    registry::set_trace(dir, trace)
}

#[cfg(feature = "fault-injection")]
#[inline]
fn hit(point: &'static str, path: &Path) -> Option<Fault> {
    registry::hit(point, path)
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
fn hit(_point: &'static str, _path: &Path) -> Option<Fault> {
    None
}

/// Records a successful flush of bytes `[from, to)` of `path`.
#[cfg(feature = "fault-injection")]
#[inline]
pub(crate) fn traced(path: &Path, from: u64, to: u64) {
    registry::trace(path, from, to)
}

#[cfg(not(feature = "fault-injection"))]
#[inline(always)]
pub(crate) fn traced(_path: &Path, _from: u64, _to: u64) {}

/// Fails when failpoint `point` fires for `path`.
#[inline(always)]
pub(crate) fn check(point: &'static str, path: &Path) -> io::Result<()> {
    match hit(point, path) {
        None => Ok(()),
        Some(kind) => Err(kind.error(point)),
    }
}

/// `file.write_all_at(buf, offset)`, unless failpoint `point` fires.
#[inline(always)]
pub(crate) fn write_all_at(
    point: &'static str,
    file: &File,
    path: &Path,
    buf: &[u8],
    offset: u64,
) -> io::Result<()> {
    match hit(point, path) {
        None => super::platform::write_all_at(file, buf, offset),
        Some(Fault::ShortWrite) => {
            super::platform::write_all_at(file, &buf[..buf.len() / 2], offset)?;
            Err(Fault::ShortWrite.error(point))
        }
        Some(kind) => Err(kind.error(point)),
    }
}

/// `out.write_all(buf)`, unless failpoint `point` fires.
#[inline(always)]
pub(crate) fn write_all(
    point: &'static str,
    out: &mut impl Write,
    path: &Path,
    buf: &[u8],
) -> io::Result<()> {
    match hit(point, path) {
        None => out.write_all(buf),
        Some(Fault::ShortWrite) => {
            out.write_all(&buf[..buf.len() / 2])?;
            Err(Fault::ShortWrite.error(point))
        }
        Some(kind) => Err(kind.error(point)),
    }
}

/// `flush(from, len)` (a write-back of a range), unless failpoint `point`
/// fires; a short write flushes the first half of the range, then fails.
#[inline(always)]
pub(crate) fn flush_range(
    point: &'static str,
    path: &Path,
    from: usize,
    len: usize,
    flush: impl Fn(usize, usize) -> io::Result<()>,
) -> io::Result<()> {
    match hit(point, path) {
        None => flush(from, len),
        Some(Fault::ShortWrite) => {
            flush(from, len / 2)?;
            Err(Fault::ShortWrite.error(point))
        }
        Some(kind) => Err(kind.error(point)),
    }
}
