//! The database handle: the public Rust API over recovery, the log, the
//! index and the background thread.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use crossbeam_channel::Sender;

use crate::batch::Batch;
use crate::error::{Error, ErrorKind, Result};
use crate::format::segment_header::{SegmentHeader, SegmentKind, HEADER_LEN};
use crate::index::{self, checkpoint, IndexWriter, View};
use crate::log::group_commit::GroupCommit;
use crate::log::{self as wal, LogWriter, SegStat};
use crate::maintenance::{Maintenance, Request};
use crate::options::{Durability, Options};
use crate::recovery;
use crate::snapshot::{read_at, Scan, Snapshot};
use crate::storage::dir;
use crate::storage::lock::DirLock;
use crate::storage::segment::Segment;
use crate::RowId;

/// A close does not write a checkpoint when less log than this was written
/// since the last one: replaying it at the next open is quicker than
/// writing the whole index now.
const CLOSE_CHECKPOINT_MIN: u64 = 16 << 20;

/// The longest a group-commit leader waits for other writers to append
/// (a fraction of one flush, which costs about 300 µs here).
const GATHER_MAX: Duration = Duration::from_micros(200);

/// Increments a counter for as long as it lives.
struct CountGuard<'a>(&'a AtomicUsize);

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

/// What the handle and its background thread share.
pub(crate) struct Shared {
    pub dir: PathBuf,
    pub options: Options,
    view: Arc<ArcSwap<View>>,
    writer: Option<Mutex<LogWriter>>,
    commit: Arc<GroupCommit>,
    /// Serializes checkpoints and compactions.
    maintenance: Mutex<()>,
    checkpoint_requested: AtomicBool,
    /// Group commit: `Full` writes in progress, and `Full` records appended
    /// since the last flush captured its end (see `gather_writers`).
    full_in_flight: AtomicUsize,
    full_since_flush: AtomicUsize,
    /// The most `Full` writes seen in progress at once (see `gather_writers`).
    full_peak: AtomicUsize,
    requests: Option<Sender<Request>>,
    /// For read-only handles: the recovered state, which never changes.
    frozen: Option<(RowId, u64, Vec<SegStat>)>,
    _lock: DirLock,
}

fn poisoned_lock() -> Error {
    Error::new(ErrorKind::Internal, "writer lock poisoned by a panic")
}

impl Shared {
    fn writer(&self) -> Result<MutexGuard<'_, LogWriter>> {
        match &self.writer {
            Some(w) => w.lock().map_err(|_| poisoned_lock()),
            None => Err(Error::new(
                ErrorKind::ReadOnly,
                format!("{} is open read-only", self.dir.display()),
            )),
        }
    }

    /// Waits until everything up to `lsn` is durable (group commit).
    pub(crate) fn sync_to(&self, lsn: u64) -> Result<()> {
        self.commit.wait_durable(lsn, || {
            self.gather_writers();
            let (segment, end, covered) = {
                let w = self.writer()?;
                self.full_since_flush.store(0, Ordering::Release);
                w.flush_target()
            };
            wal::flush_segment(&segment, end)?;
            Ok(covered)
        })
    }

    /// Before a flush, the leader waits (yielding the CPU, bounded by
    /// `GATHER_MAX`) until as many `Full` records were appended since the
    /// previous flush's capture as there are concurrent `Full` writers, so
    /// that one flush covers them all. "Concurrent writers" is the most seen
    /// inside a write at once (`full_peak`): writers covered by the previous
    /// flush are on their way back with their next record, and with fewer
    /// cores than writers (2 cores, 8 writers) a leader that flushed at once
    /// covered about half of them, the other half waiting a whole flush for
    /// the next one. When the wait times out (writers went away) the peak
    /// drops to what did arrive. Free for a single writer: its own record is
    /// all there is to wait for.
    fn gather_writers(&self) {
        let mut started: Option<Instant> = None;
        loop {
            let appended = self.full_since_flush.load(Ordering::Acquire);
            if appended >= self.full_peak.load(Ordering::Acquire) {
                return;
            }
            let since = *started.get_or_insert_with(Instant::now);
            if since.elapsed() >= GATHER_MAX {
                self.full_peak.store(appended.max(1), Ordering::Release);
                return;
            }
            std::thread::yield_now();
        }
    }

    /// Counts a `Full` write in progress until the guard is dropped.
    fn full_write(&self, durability: Durability) -> Option<CountGuard<'_>> {
        (durability == Durability::Full).then(|| {
            let guard = CountGuard::new(&self.full_in_flight);
            let now = self.full_in_flight.load(Ordering::Acquire);
            self.full_peak.fetch_max(now, Ordering::AcqRel);
            guard
        })
    }

    pub(crate) fn sync(&self) -> Result<()> {
        let lsn = self.writer()?.lsn;
        self.sync_to(lsn)
    }

    pub(crate) fn checkpoint(&self) -> Result<()> {
        let _serial = self.maintenance.lock().map_err(|_| poisoned_lock())?;
        self.checkpoint_locked()
    }

    /// Writes a checkpoint; the caller holds the maintenance lock.
    pub(crate) fn checkpoint_locked(&self) -> Result<()> {
        let (meta, view, lsn) = self.writer()?.checkpoint_capture();
        self.checkpoint_requested.store(false, Ordering::Release);
        self.sync_to(lsn)?;
        checkpoint::write(&self.dir, &meta, &view)?;
        let mut w = self.writer()?;
        w.bytes_since_checkpoint = w.lsn - lsn;
        Ok(())
    }

    fn after_write(&self, lsn: u64, want_checkpoint: bool, durability: Durability) -> Result<()> {
        if want_checkpoint && !self.checkpoint_requested.swap(true, Ordering::AcqRel) {
            if let Some(tx) = &self.requests {
                let _ = tx.send(Request::Checkpoint);
            }
        }
        if durability == Durability::Full {
            self.full_since_flush.fetch_add(1, Ordering::AcqRel);
            self.sync_to(lsn)?;
        }
        Ok(())
    }

    pub(crate) fn with_writer<T>(&self, f: impl FnOnce(&mut LogWriter) -> Result<T>) -> Result<T> {
        let mut w = self.writer()?;
        f(&mut w)
    }

    pub(crate) fn maintenance_lock(&self) -> Result<MutexGuard<'_, ()>> {
        self.maintenance.lock().map_err(|_| poisoned_lock())
    }
}

/// An open ToonStore database.
///
/// `ToonStore` is `Send + Sync`: share it between threads by reference or in
/// an `Arc`. Reads never take a lock; writes are serialized by one mutex and
/// appended to the log in that order.
pub struct ToonStore {
    shared: Arc<Shared>,
    maintenance: Option<Maintenance>,
    closed: bool,
}

impl std::fmt::Debug for ToonStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToonStore")
            .field("path", &self.shared.dir)
            .field("options", &self.shared.options)
            .finish()
    }
}

impl ToonStore {
    /// Opens (creating if needed) the database in directory `path` with
    /// default options.
    ///
    /// # Errors
    /// `Locked` when another process or handle has it open for writing,
    /// `Corrupt` or `Version` for damaged or newer files, `Io`.
    pub fn open(path: impl AsRef<Path>) -> Result<ToonStore> {
        ToonStore::open_with(path, &Options::default())
    }

    /// Opens the database in directory `path` with `options`.
    ///
    /// # Errors
    /// As [`ToonStore::open`], plus `InvalidArgument` for bad options and
    /// `Io` when the database is missing and `create_if_missing` is off.
    pub fn open_with(path: impl AsRef<Path>, options: &Options) -> Result<ToonStore> {
        options.validate()?;
        let dir_path = path.as_ref().to_path_buf();
        if dir_path.as_os_str().is_empty() {
            return Err(Error::invalid("path is empty"));
        }
        let writable = !options.read_only;
        if !dir_path.is_dir() {
            if dir_path.exists() {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("{} exists and is not a directory", dir_path.display()),
                ));
            }
            if !writable || !options.create_if_missing {
                return Err(Error::new(
                    ErrorKind::Io,
                    format!("no database at {}", dir_path.display()),
                ));
            }
            std::fs::create_dir_all(&dir_path)
                .map_err(|e| Error::io("cannot create directory", &dir_path, e))?;
        }
        let lock = DirLock::acquire(&dir_path, writable)?;
        let recovered = recovery::recover(&dir_path, options, writable)?;
        if writable && !options.create_if_missing && recovered.active.is_none() {
            return Err(Error::new(
                ErrorKind::Io,
                format!("no database at {}", dir_path.display()),
            ));
        }
        let commit = Arc::new(GroupCommit::default());

        if !writable {
            let stats = recovered.stats.values().copied().collect();
            let view = Arc::new(ArcSwap::from_pointee(recovered.view));
            let shared = Shared {
                dir: dir_path,
                options: options.clone(),
                view,
                writer: None,
                commit,
                maintenance: Mutex::new(()),
                checkpoint_requested: AtomicBool::new(false),
                full_in_flight: AtomicUsize::new(0),
                full_since_flush: AtomicUsize::new(0),
                full_peak: AtomicUsize::new(0),
                requests: None,
                frozen: Some((recovered.next_id, recovered.live_rows, stats)),
                _lock: lock,
            };
            return Ok(ToonStore {
                shared: Arc::new(shared),
                maintenance: None,
                closed: false,
            });
        }

        let mut index = IndexWriter::new(recovered.view);
        let mut next_segment_number = recovered.next_segment_number;
        let mut stats = recovered.stats;
        let (active, append_at) = match recovered.active {
            Some(active) => active,
            None => {
                let number = next_segment_number;
                next_segment_number += 1;
                let header = SegmentHeader {
                    kind: SegmentKind::Log,
                    number,
                    first_id: recovered.next_id,
                };
                let prefill = options.durability == Durability::Full;
                let segment = Arc::new(
                    Segment::create(&dir_path, header, options.segment_size, prefill)?
                        .with_file_writes(prefill),
                );
                index.add_segment(Arc::clone(&segment));
                (segment, HEADER_LEN as u64)
            }
        };
        let assistants = if options.durability != Durability::Full {
            wal::assist_active(&active, append_at).into_iter().collect()
        } else {
            Vec::new()
        };
        let active_live = stats.remove(&active.number()).map_or(0, |s| s.live_bytes);
        let writer = LogWriter {
            dir: dir_path.clone(),
            index,
            active,
            append_at,
            next_id: recovered.next_id,
            next_segment_number,
            sealed: stats,
            active_live,
            live_rows: recovered.live_rows,
            lsn: 0,
            bytes_since_checkpoint: recovered.replayed_bytes,
            segment_size: options.segment_size,
            prefill: options.durability == Durability::Full,
            max_value_size: options.max_value_size,
            commit: Arc::clone(&commit),
            assistants,
        };
        let view = writer.index.readers();
        let (tx, rx) = Maintenance::channel();
        let shared = Arc::new(Shared {
            dir: dir_path,
            options: options.clone(),
            view,
            writer: Some(Mutex::new(writer)),
            commit,
            maintenance: Mutex::new(()),
            checkpoint_requested: AtomicBool::new(false),
            full_in_flight: AtomicUsize::new(0),
            full_since_flush: AtomicUsize::new(0),
            full_peak: AtomicUsize::new(0),
            requests: Some(tx.clone()),
            frozen: None,
            _lock: lock,
        });
        let maintenance = Maintenance::start(Arc::clone(&shared), tx, rx)
            .map_err(|e| Error::io("cannot start the maintenance thread for", &shared.dir, e))?;
        Ok(ToonStore {
            shared,
            maintenance: Some(maintenance),
            closed: false,
        })
    }

    /// The directory of the database.
    pub fn path(&self) -> &Path {
        &self.shared.dir
    }

    /// The options the database was opened with.
    pub fn options(&self) -> &Options {
        &self.shared.options
    }

    /// Appends a row and returns its id, with the handle's durability.
    ///
    /// # Errors
    /// `TooLarge` above `max_value_size`, `ReadOnly`, `Poisoned`, `Io`.
    pub fn put(&self, data: &[u8]) -> Result<RowId> {
        self.put_with(data, self.shared.options.durability)
    }

    /// Appends a row with a durability chosen for this call (`Full` waits for
    /// the flush; `Off` and `Normal` return once the record is in the log).
    ///
    /// # Errors
    /// As [`ToonStore::put`].
    pub fn put_with(&self, data: &[u8], durability: Durability) -> Result<RowId> {
        let _full = self.shared.full_write(durability);
        let (id, lsn, want) = {
            let mut w = self.shared.writer()?;
            let id = w.put(data)?;
            (id, w.lsn, w.wants_checkpoint())
        };
        self.shared.after_write(lsn, want, durability)?;
        Ok(id)
    }

    /// A copy of the row's bytes, or `None` when the id was never assigned
    /// or the row was deleted.
    ///
    /// # Errors
    /// `Corrupt` when the record fails its checksum.
    pub fn get(&self, id: RowId) -> Result<Option<Vec<u8>>> {
        self.get_with(id, <[u8]>::to_vec)
    }

    /// Calls `f` with the row's bytes borrowed from the mapping (no copy);
    /// `None` when the row is absent.
    ///
    /// # Errors
    /// As [`ToonStore::get`].
    pub fn get_with<R>(&self, id: RowId, f: impl FnOnce(&[u8]) -> R) -> Result<Option<R>> {
        let verify = self.shared.options.verify_checksums;
        let view = self.shared.view.load();
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
        let view = self.shared.view.load();
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

    /// Whether the row is live.
    ///
    /// # Errors
    /// None today; kept fallible for future storage backends.
    pub fn contains(&self, id: RowId) -> Result<bool> {
        Ok(self.shared.view.load().get(id) != 0)
    }

    /// Deletes a live row.
    ///
    /// # Errors
    /// `NotFound` when the row is absent or already deleted, `ReadOnly`,
    /// `Poisoned`, `Io`.
    pub fn delete(&self, id: RowId) -> Result<()> {
        let _full = self.shared.full_write(self.shared.options.durability);
        let (lsn, want) = {
            let mut w = self.shared.writer()?;
            w.delete(id)?;
            (w.lsn, w.wants_checkpoint())
        };
        self.shared
            .after_write(lsn, want, self.shared.options.durability)
    }

    /// Commits `batch` atomically: all of its puts and deletes, or none.
    /// Returns the ids of its puts, consecutive, in the order they were added.
    ///
    /// # Errors
    /// `NotFound` when a delete names an absent row (nothing is written),
    /// `TooLarge`, `ReadOnly`, `Poisoned`, `Io`.
    pub fn write(&self, batch: &Batch) -> Result<Vec<RowId>> {
        let _full = self.shared.full_write(self.shared.options.durability);
        let (ids, lsn, want) = {
            let mut w = self.shared.writer()?;
            let ids = w.write_batch(batch)?;
            (ids, w.lsn, w.wants_checkpoint())
        };
        self.shared
            .after_write(lsn, want, self.shared.options.durability)?;
        Ok(ids)
    }

    /// A snapshot of this moment.
    ///
    /// # Errors
    /// `Internal` if a writer panicked while holding the lock.
    pub fn snapshot(&self) -> Result<Snapshot> {
        let verify = self.shared.options.verify_checksums;
        match &self.shared.frozen {
            Some((next_id, _, _)) => Ok(Snapshot::new(
                self.shared.view.load_full(),
                *next_id,
                verify,
            )),
            None => {
                let w = self.shared.writer()?;
                Ok(Snapshot::new(w.index.snapshot(), w.next_id, verify))
            }
        }
    }

    /// Iterates over the live rows of a new snapshot, in id order.
    ///
    /// # Errors
    /// As [`ToonStore::snapshot`].
    pub fn scan(&self) -> Result<Scan> {
        Ok(self.snapshot()?.scan())
    }

    /// Iterates over the live rows with id `>= start` of a new snapshot.
    ///
    /// # Errors
    /// As [`ToonStore::snapshot`].
    pub fn scan_from(&self, start: RowId) -> Result<Scan> {
        Ok(self.snapshot()?.scan_from(start))
    }

    /// Makes every acknowledged write durable (flushes the log).
    ///
    /// # Errors
    /// `Io` (and the handle is poisoned), `ReadOnly`, `Poisoned`.
    pub fn sync(&self) -> Result<()> {
        self.shared.sync()
    }

    /// Rewrites segments that hold deleted rows, keeping row ids, and frees
    /// their space once no snapshot reads them. Readers and writers keep
    /// working meanwhile.
    ///
    /// # Errors
    /// `Io`, `Corrupt` (a live record failed its checksum: nothing is
    /// dropped), `ReadOnly`, `Poisoned`.
    pub fn compact(&self) -> Result<()> {
        crate::compaction::compact(&self.shared).map(|_| ())
    }

    /// The number of live rows (cheap: no file system access, unlike `stats`).
    ///
    /// # Errors
    /// `Internal` if a writer panicked while holding the lock.
    pub fn live_rows(&self) -> Result<u64> {
        match &self.shared.frozen {
            Some((_, live, _)) => Ok(*live),
            None => Ok(self.shared.writer()?.live_rows),
        }
    }

    /// Row counts and space.
    ///
    /// # Errors
    /// `Internal` if a writer panicked while holding the lock.
    pub fn stats(&self) -> Result<Stats> {
        let (next_id, live_rows, segs): (RowId, u64, Vec<SegStat>) = match &self.shared.frozen {
            Some((n, l, s)) => (*n, *l, s.clone()),
            None => {
                let w = self.shared.writer()?;
                (
                    w.next_id,
                    w.live_rows,
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
            disk_bytes: dir::disk_usage(&self.shared.dir),
            segment_count: segs.len() as u64,
            garbage_fraction: if record_bytes == 0 {
                0.0
            } else {
                1.0 - live_bytes as f64 / record_bytes as f64
            },
        })
    }

    /// Closes the database: flushes every acknowledged write, writes a
    /// checkpoint when replay would otherwise be long, trims the active
    /// segment and releases the lock. Snapshots and scans still open keep
    /// working until dropped.
    ///
    /// # Errors
    /// The first failure of the final flush (the lock is released anyway).
    pub fn close(mut self) -> Result<()> {
        self.shutdown()
    }

    fn shutdown(&mut self) -> Result<()> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        if let Some(mut m) = self.maintenance.take() {
            m.stop();
        }
        if let Some(writer) = &self.shared.writer {
            if let Ok(mut w) = writer.lock() {
                w.stop_assistants(true);
            }
        }
        if self.shared.writer.is_none() || self.shared.commit.is_poisoned() {
            return if self.shared.commit.is_poisoned() {
                Err(GroupCommit::poisoned_error())
            } else {
                Ok(())
            };
        }
        self.shared.sync()?;
        let since = self.shared.writer()?.bytes_since_checkpoint;
        if since >= CLOSE_CHECKPOINT_MIN {
            self.shared.checkpoint()?;
        }
        let w = self.shared.writer()?;
        let end = w.append_at;
        w.active.set_synced_len(end);
        w.active.flush(0, HEADER_LEN as u64)?;
        w.active.set_file_len(end)?;
        w.active.sync_file()
    }
}

impl Drop for ToonStore {
    fn drop(&mut self) {
        let _ = self.shutdown();
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<ToonStore>();
    check::<Snapshot>();
    check::<Scan>();
    let _ = index::CHUNK_LEN;
}
