//! The engine: the state of one open database that its handles, compaction
//! and the background thread share.
//!
//! An [`Engine`] owns the directory lock, the published index view, the log
//! writer (behind one mutex: the log order) and the group-commit watermark.
//! It knows nothing of handles or threads: `db` (the handle) opens it and
//! runs its background thread (`maintenance`), `compaction` rewrites its
//! segments. All three use it through the methods here, so none of them
//! depends on another.
//!
//! Opening is a sequence of named steps ([`Engine::open`]): check the
//! directory (creating it), take the lock, recover, then build either the
//! frozen state of a read-only engine or the writer of a writable one.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use crossbeam_channel::Sender;

use crate::error::{Error, ErrorKind, Result};
use crate::format::checkpoint::{CheckpointMeta, SegmentMeta};
use crate::format::segment_header::HEADER_LEN;
use crate::index::{checkpoint, View};
use crate::log::group_commit::GroupCommit;
use crate::log::{self as wal, LogWriter, SegStat};
use crate::options::{Durability, Options};
use crate::recovery::{self, Recovered};
use crate::snapshot::{read_at, Snapshot};
use crate::storage::dir;
use crate::storage::dir::DirId;
use crate::storage::lock::DirLock;
use crate::RowId;

/// A close does not write a checkpoint when replaying the log written since
/// the last one costs less than replaying this many bytes of puts
/// (`LogWriter::replay_cost`): replaying it at the next open is quicker
/// than writing the whole index now.
const CLOSE_CHECKPOINT_MIN: u64 = 16 << 20;

/// The longest a group-commit leader waits for other writers to append
/// (a fraction of one flush, which costs about 300 µs here).
const GATHER_MAX: Duration = Duration::from_micros(200);

/// Requests from the write path to the background thread.
#[derive(Debug)]
pub(crate) enum Request {
    Checkpoint,
    Stop,
}

/// Space and row counts of a database.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Stats {
    /// Rows that can be read.
    pub live_rows: u64,
    /// Ids assigned and then deleted.
    pub deleted_rows: u64,
    /// The id the next put will receive.
    pub next_row_id: u64,
    /// Bytes of the records (header included) of live rows.
    pub live_bytes: u64,
    /// Bytes the database's files occupy on disk.
    pub disk_bytes: u64,
    /// Segment files.
    pub segment_count: u64,
    /// Fraction of the segments' record bytes that belong to deleted rows or
    /// delete records: what a compaction would reclaim.
    pub garbage_fraction: f64,
}

/// Increments a counter for as long as it lives.
pub(crate) struct CountGuard<'a>(&'a AtomicUsize);

impl<'a> CountGuard<'a> {
    fn new(counter: &'a AtomicUsize) -> CountGuard<'a> {
        counter.fetch_add(1, Ordering::AcqRel);
        CountGuard(counter)
    }
}

impl Drop for CountGuard<'_> {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::AcqRel);
    }
}

/// The state of a read-only engine: what its recovery found, until
/// [`Engine::refresh`] recovers again.
struct Frozen {
    next_id: RowId,
    live_rows: u64,
    next_segment_number: u64,
    segments: BTreeMap<u64, SegStat>,
    /// The last log segment and where its records end: where the view ends.
    end: Option<(u64, u64)>,
}

impl Frozen {
    fn of(recovered: &Recovered) -> Frozen {
        Frozen {
            next_id: recovered.next_id,
            live_rows: recovered.live_rows,
            next_segment_number: recovered.next_segment_number,
            segments: recovered.stats.clone(),
            end: recovered
                .active
                .as_ref()
                .map(|(segment, end)| (segment.number(), *end)),
        }
    }
}

/// One open database.
pub(crate) struct Engine {
    pub dir: PathBuf,
    pub options: Options,
    view: Arc<ArcSwap<View>>,
    /// `None` for a read-only engine.
    writer: Option<Mutex<LogWriter>>,
    commit: Arc<GroupCommit>,
    /// Serializes checkpoints and compactions.
    maintenance: Mutex<()>,
    checkpoint_requested: AtomicBool,
    /// Group commit: writes that wait for a flush (`Durability::syncs_each_commit`)
    /// in progress, and their records appended since the last flush captured
    /// its end (see `gather_writers`).
    syncing_in_flight: AtomicUsize,
    syncing_since_flush: AtomicUsize,
    /// The most syncing writes seen in progress at once (see `gather_writers`).
    syncing_peak: AtomicUsize,
    /// To the background thread; set by [`Engine::connect`].
    requests: Option<Sender<Request>>,
    /// `Some` for a read-only engine; the view is stored under this lock
    /// too, so that a snapshot sees a view and its `Frozen` together.
    frozen: Option<Mutex<Frozen>>,
    /// The fork generation of the open (see `storage::fork`): in a forked
    /// child every handle call fails with `Forked`.
    pub generation: u64,
    _lock: DirLock,
}

fn poisoned_lock() -> Error {
    Error::new(ErrorKind::Internal, "writer lock poisoned by a panic")
}

impl Engine {
    /// Opens the database in `path`: the steps, in order.
    ///
    /// # Errors
    /// As `ToonStore::open_with`.
    pub fn open(path: &Path, options: &Options) -> Result<Engine> {
        options.validate()?;
        let writable = !options.read_only;
        if path.as_os_str().is_empty() {
            return Err(Error::invalid("path is empty"));
        }
        // Resolved once: every later file operation uses the canonical
        // absolute path, whatever the process's working directory becomes.
        let (dir, _) = dir::resolve(path, writable && options.create_if_missing)?;
        let path = dir.as_path();
        // A directory without a segment holds no database: refused before
        // the lock is taken, so that the failed open leaves the directory
        // exactly as it was (no LOCK file behind).
        if writable
            && !options.create_if_missing
            && crate::storage::dir::list_segments(path)?.is_empty()
        {
            return Err(no_database(path));
        }
        let lock = DirLock::acquire(path, writable)?;
        let recovered = if writable {
            recovery::recover(path, options, true)?
        } else {
            recovery::recover_read_only(path, options)?
        };
        if writable && !options.create_if_missing && recovered.active.is_none() {
            return Err(no_database(path));
        }
        if writable {
            Ok(Engine::writable(path, options, recovered, lock)?)
        } else {
            Ok(Engine::read_only(path, options, recovered, lock))
        }
    }

    /// A read-only engine: the recovered view, frozen.
    fn read_only(path: &Path, options: &Options, recovered: Recovered, lock: DirLock) -> Engine {
        let frozen = Mutex::new(Frozen::of(&recovered));
        let view = Arc::new(ArcSwap::from_pointee(recovered.view));
        Engine::assemble(
            path,
            options,
            view,
            None,
            Arc::default(),
            Some(frozen),
            lock,
        )
    }

    /// A writable engine: the log writer over the recovered state, with an
    /// active segment (the recovered one, or the first of a new database).
    fn writable(
        path: &Path,
        options: &Options,
        recovered: Recovered,
        lock: DirLock,
    ) -> Result<Engine> {
        let commit = Arc::new(GroupCommit::default());
        let dir_id = DirId::of(path)?;
        let writer = LogWriter::new(
            path.to_path_buf(),
            dir_id,
            recovered,
            options,
            Arc::clone(&commit),
        )?;
        let view = writer.readers();
        Ok(Engine::assemble(
            path,
            options,
            view,
            Some(Mutex::new(writer)),
            commit,
            None,
            lock,
        ))
    }

    fn assemble(
        path: &Path,
        options: &Options,
        view: Arc<ArcSwap<View>>,
        writer: Option<Mutex<LogWriter>>,
        commit: Arc<GroupCommit>,
        frozen: Option<Mutex<Frozen>>,
        lock: DirLock,
    ) -> Engine {
        Engine {
            dir: path.to_path_buf(),
            options: options.clone(),
            view,
            writer,
            commit,
            maintenance: Mutex::new(()),
            checkpoint_requested: AtomicBool::new(false),
            syncing_in_flight: AtomicUsize::new(0),
            syncing_since_flush: AtomicUsize::new(0),
            syncing_peak: AtomicUsize::new(0),
            requests: None,
            frozen,
            generation: lock.generation(),
            _lock: lock,
        }
    }

    /// Gives the engine the channel of its background thread (before the
    /// engine is shared).
    pub fn connect(&mut self, requests: Sender<Request>) {
        self.requests = Some(requests);
    }

    /// Whether the engine has a writer.
    pub fn is_writable(&self) -> bool {
        self.writer.is_some()
    }

    pub(crate) fn writer(&self) -> Result<MutexGuard<'_, LogWriter>> {
        match &self.writer {
            Some(w) => w.lock().map_err(|_| poisoned_lock()),
            None => Err(Error::new(
                ErrorKind::ReadOnly,
                format!("{} is open read-only", self.dir.display()),
            )),
        }
    }

    pub(crate) fn with_writer<T>(&self, f: impl FnOnce(&mut LogWriter) -> Result<T>) -> Result<T> {
        let mut w = self.writer()?;
        f(&mut w)
    }

    pub(crate) fn maintenance_lock(&self) -> Result<MutexGuard<'_, ()>> {
        self.maintenance.lock().map_err(|_| poisoned_lock())
    }

    /// The published view readers load.
    pub fn view(&self) -> &ArcSwap<View> {
        &self.view
    }

    /// Waits until everything up to `lsn` is durable (group commit).
    pub(crate) fn sync_to(&self, lsn: u64) -> Result<()> {
        self.commit.wait_durable(lsn, || {
            self.gather_writers();
            let (segment, end, covered) = {
                let w = self.writer()?;
                self.syncing_since_flush.store(0, Ordering::Release);
                w.flush_target()
            };
            wal::flush_segment(&segment, end)?;
            Ok(covered)
        })
    }

    /// Before a flush, the leader waits (yielding the CPU, bounded by
    /// `GATHER_MAX`) until as many syncing records were appended since the
    /// previous flush's capture as there are concurrent syncing writers, so
    /// that one flush covers them all. "Concurrent writers" is the most seen
    /// inside a write at once (`syncing_peak`): writers covered by the
    /// previous flush are on their way back with their next record, and with
    /// fewer cores than writers (2 cores, 8 writers) a leader that flushed at
    /// once covered about half of them, the other half waiting a whole flush
    /// for the next one. When the wait times out (writers went away) the peak
    /// drops to what did arrive. Free for a single writer: its own record is
    /// all there is to wait for.
    fn gather_writers(&self) {
        let mut started: Option<Instant> = None;
        loop {
            let appended = self.syncing_since_flush.load(Ordering::Acquire);
            if appended >= self.syncing_peak.load(Ordering::Acquire) {
                return;
            }
            let since = *started.get_or_insert_with(Instant::now);
            if since.elapsed() >= GATHER_MAX {
                self.syncing_peak.store(appended.max(1), Ordering::Release);
                return;
            }
            std::thread::yield_now();
        }
    }

    /// Counts a write of `durability` in progress until the guard is
    /// dropped, when that write will wait for a flush.
    pub(crate) fn begin_write(&self, durability: Durability) -> Option<CountGuard<'_>> {
        durability.syncs_each_commit().then(|| {
            let guard = CountGuard::new(&self.syncing_in_flight);
            let now = self.syncing_in_flight.load(Ordering::Acquire);
            self.syncing_peak.fetch_max(now, Ordering::AcqRel);
            guard
        })
    }

    /// After a write appended up to `lsn`: asks for a checkpoint when the
    /// writer wants one, and waits for the flush when `durability` syncs
    /// each commit.
    pub(crate) fn end_write(
        &self,
        lsn: u64,
        want_checkpoint: bool,
        durability: Durability,
    ) -> Result<()> {
        if want_checkpoint && !self.checkpoint_requested.swap(true, Ordering::AcqRel) {
            if let Some(tx) = &self.requests {
                let _ = tx.send(Request::Checkpoint);
            }
        }
        if durability.syncs_each_commit() {
            self.syncing_since_flush.fetch_add(1, Ordering::AcqRel);
            self.sync_to(lsn)?;
        }
        Ok(())
    }

    pub(crate) fn sync(&self) -> Result<()> {
        let lsn = self.writer()?.lsn();
        self.sync_to(lsn)
    }

    pub(crate) fn checkpoint(&self) -> Result<()> {
        let _serial = self.maintenance_lock()?;
        self.checkpoint_locked()
    }

    /// Writes a checkpoint; the caller holds the maintenance lock.
    pub(crate) fn checkpoint_locked(&self) -> Result<()> {
        let (meta, view, lsn) = self.writer()?.checkpoint_capture()?;
        self.checkpoint_requested.store(false, Ordering::Release);
        self.sync_to(lsn)?;
        checkpoint::write(&self.dir, &meta, &view)?;
        let mut w = self.writer()?;
        w.checkpoint_written(lsn);
        Ok(())
    }

    /// Calls `f` with the row's bytes borrowed from the mapping; `None` when
    /// the row is absent.
    pub(crate) fn get_with<R>(
        &self,
        id: RowId,
        verify: bool,
        f: impl FnOnce(&[u8]) -> R,
    ) -> Result<Option<R>> {
        let view = self.view.load();
        let loc = view.get(id);
        if loc == 0 {
            return Ok(None);
        }
        if let Some(value) = read_at(&view, loc, verify)? {
            return Ok(Some(f(value)));
        }
        // The entry points into a segment newer than the view we loaded (a
        // roll or compaction published it meanwhile): a fresh view has it.
        drop(view);
        let view = self.view.load();
        let loc = view.get(id);
        if loc == 0 {
            return Ok(None);
        }
        match read_at(&view, loc, verify)? {
            Some(value) => Ok(Some(f(value))),
            None => Err(Error::new(
                ErrorKind::Internal,
                format!("row {id} points into a segment that is not mapped"),
            )),
        }
    }

    /// A snapshot of this moment.
    pub(crate) fn snapshot(&self, verify: bool) -> Result<Snapshot> {
        match &self.frozen {
            Some(frozen) => {
                let frozen = frozen.lock().map_err(|_| poisoned_lock())?;
                Ok(Snapshot::new(
                    self.view.load_full(),
                    frozen.next_id,
                    verify,
                    self.generation,
                ))
            }
            None => {
                let w = self.writer()?;
                Ok(Snapshot::new(
                    w.snapshot(),
                    w.next_id(),
                    verify,
                    self.generation,
                ))
            }
        }
    }

    pub(crate) fn live_rows(&self) -> Result<u64> {
        match &self.frozen {
            Some(frozen) => Ok(frozen.lock().map_err(|_| poisoned_lock())?.live_rows),
            None => Ok(self.writer()?.live_rows()),
        }
    }

    pub(crate) fn stats(&self) -> Result<Stats> {
        let (next_id, live_rows, segs): (RowId, u64, Vec<SegStat>) = match &self.frozen {
            Some(f) => {
                let f = f.lock().map_err(|_| poisoned_lock())?;
                (
                    f.next_id,
                    f.live_rows,
                    f.segments.values().copied().collect(),
                )
            }
            None => {
                let w = self.writer()?;
                (
                    w.next_id(),
                    w.live_rows(),
                    w.segment_stats().into_values().collect(),
                )
            }
        };
        let live_bytes: u64 = segs.iter().map(|s| s.live_bytes).sum();
        let record_bytes: u64 = segs
            .iter()
            .map(|s| s.used_len.saturating_sub(HEADER_LEN as u64))
            .sum();
        Ok(Stats {
            live_rows,
            deleted_rows: next_id - live_rows,
            next_row_id: next_id,
            live_bytes,
            disk_bytes: dir::disk_usage(&self.dir),
            segment_count: segs.len() as u64,
            garbage_fraction: if record_bytes == 0 {
                0.0
            } else {
                1.0 - live_bytes as f64 / record_bytes as f64
            },
        })
    }

    /// Moves a read-only engine to the latest state the files hold (what a
    /// new read-only open would see); nothing for a writable engine, whose
    /// view is always the latest. Snapshots and scans taken before keep
    /// their state.
    ///
    /// # Errors
    /// As a read-only open; the engine keeps its state on failure.
    pub(crate) fn refresh(&self) -> Result<()> {
        let Some(frozen) = &self.frozen else {
            return Ok(());
        };
        let recovered = recovery::recover_read_only(&self.dir, &self.options)?;
        let mut frozen = frozen.lock().map_err(|_| poisoned_lock())?;
        *frozen = Frozen::of(&recovered);
        self.view.store(Arc::new(recovered.view));
        Ok(())
    }

    /// A consistent state to copy (a backup): the checkpoint that describes
    /// the view, and the view, both of one moment. A writer's is taken under
    /// its lock (a moment: no I/O); a reader's is its recovered state.
    pub(crate) fn capture(&self) -> Result<(CheckpointMeta, Arc<View>)> {
        match &self.frozen {
            None => {
                let (meta, view, _) = self.writer()?.checkpoint_capture()?;
                Ok((meta, view))
            }
            Some(frozen) => {
                let f = frozen.lock().map_err(|_| poisoned_lock())?;
                let Some((replay_segment, replay_offset)) = f.end else {
                    return Err(Error::new(
                        ErrorKind::Internal,
                        format!("{} has no log segment", self.dir.display()),
                    ));
                };
                let meta = CheckpointMeta {
                    next_id: f.next_id,
                    replay_segment,
                    replay_offset,
                    next_segment_number: f.next_segment_number,
                    segments: f
                        .segments
                        .iter()
                        .map(|(&number, s)| SegmentMeta {
                            number,
                            kind: s.kind,
                            used_len: s.used_len,
                            live_bytes: s.live_bytes,
                        })
                        .collect(),
                };
                Ok((meta, self.view.load_full()))
            }
        }
    }

    /// In a forked child: forgets the writer's helper thread handles (the
    /// threads are the parent's). False when a parent thread held the writer
    /// lock at the fork, so the writer cannot be reached.
    pub(crate) fn abandon_helpers_in_child(&self) -> bool {
        match &self.writer {
            None => true,
            Some(writer) => match writer.try_lock() {
                Ok(mut w) => {
                    w.abandon_assistants();
                    true
                }
                Err(std::sync::TryLockError::Poisoned(p)) => {
                    p.into_inner().abandon_assistants();
                    true
                }
                Err(std::sync::TryLockError::WouldBlock) => false,
            },
        }
    }

    /// Stops the writer's helper threads (before the final flush).
    pub(crate) fn stop_helpers(&self) {
        if let Some(writer) = &self.writer {
            if let Ok(mut w) = writer.lock() {
                w.stop_assistants(true);
            }
        }
    }

    /// The last steps of a close, once no other thread uses the engine:
    /// flush every acknowledged write, write a checkpoint when replay would
    /// otherwise be long, trim the active segment to its records.
    ///
    /// # Errors
    /// The first failure of the final flush; `Poisoned` when an earlier one
    /// failed.
    pub(crate) fn finish(&self) -> Result<()> {
        if self.commit.is_poisoned() {
            return Err(GroupCommit::poisoned_error());
        }
        if self.writer.is_none() {
            return Ok(());
        }
        self.sync()?;
        let cost = self.writer()?.replay_cost();
        if cost >= CLOSE_CHECKPOINT_MIN {
            self.checkpoint()?;
        }
        self.writer()?.seal_active()
    }
}

fn no_database(path: &Path) -> Error {
    Error::new(ErrorKind::Io, format!("no database at {}", path.display()))
}
