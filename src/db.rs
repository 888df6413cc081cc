//! The database handle: the public Rust API.
//!
//! A [`ToonStore`] is a handle on an engine ([`crate::engine::Engine`]) and
//! the engine's background thread (`maintenance`), together a [`Running`]
//! engine. `ToonStore::open` gives a handle with an engine of its own;
//! `ToonStore::open_shared` gives handles that share one engine per
//! directory in this process (`registry`), each with its own mode: a
//! read-only handle may share a writable engine. The engine closes with its
//! last handle.

use std::ops::RangeBounds;
use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::batch::Batch;
use crate::engine::{Engine, Request, Stats};
use crate::error::{Error, ErrorKind, Result};
use crate::maintenance::Maintenance;
use crate::options::{Durability, Options};
use crate::registry;
use crate::snapshot::{Scan, Snapshot};
use crate::storage::fork;
use crate::RowId;

/// An engine and its background thread: what the handles of one database
/// share. Closed by [`Running::close`] (or when dropped) once no handle is
/// left.
pub(crate) struct Running {
    engine: Arc<Engine>,
    maintenance: Mutex<Option<Maintenance>>,
    closed: std::sync::atomic::AtomicBool,
}

impl Running {
    fn start(path: &Path, options: &Options) -> Result<Running> {
        let mut engine = Engine::open(path, options)?;
        if !engine.is_writable() {
            return Ok(Running::new(Arc::new(engine), None));
        }
        let (tx, rx) = Maintenance::channel();
        engine.connect(tx.clone());
        let engine = Arc::new(engine);
        let maintenance = Maintenance::start(Arc::clone(&engine), tx, rx)
            .map_err(|e| Error::io("cannot start the maintenance thread for", &engine.dir, e))?;
        Ok(Running::new(engine, Some(maintenance)))
    }

    fn new(engine: Arc<Engine>, maintenance: Option<Maintenance>) -> Running {
        Running {
            engine,
            maintenance: Mutex::new(maintenance),
            closed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Stops the background thread and the writer's helpers, then makes
    /// every acknowledged write durable and trims the log. Once only.
    fn close(&self) -> Result<()> {
        if self.closed.swap(true, std::sync::atomic::Ordering::AcqRel) {
            return Ok(());
        }
        if fork::check(self.engine.generation).is_err() {
            self.let_go_in_child();
            return Ok(());
        }
        let maintenance = self.maintenance.lock().ok().and_then(|mut m| m.take());
        if let Some(mut m) = maintenance {
            m.stop();
        }
        self.engine.stop_helpers();
        self.engine.finish()
    }
}

impl Running {
    /// Closing in a forked child: the parent's threads do not exist here and
    /// its files are not this process's to flush, trim or checkpoint. The
    /// thread handles are forgotten (joining or detaching a thread of the
    /// parent is undefined here); the mappings and descriptors are released
    /// with the last reference (the maintenance thread holds a weak one). If
    /// a lock was held by a parent thread at the fork, the engine cannot be
    /// reached to forget its thread handles, so it is leaked instead.
    fn let_go_in_child(&self) {
        let mut reachable = match self.maintenance.try_lock() {
            Ok(mut m) => {
                if let Some(m) = m.take() {
                    m.abandon();
                }
                true
            }
            Err(_) => false,
        };
        reachable &= self.engine.abandon_helpers_in_child();
        if !reachable {
            std::mem::forget(Arc::clone(&self.engine));
        }
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        let _ = self.close();
    }
}

/// An open ToonStore database.
///
/// `ToonStore` is `Send + Sync`: share it between threads by reference or in
/// an `Arc`. Reads never take a lock; writes are serialized by one mutex and
/// appended to the log in that order.
pub struct ToonStore {
    /// `None` once closed.
    running: Option<Arc<Running>>,
    /// This handle's options: the engine's, with this handle's `read_only`.
    options: Options,
    /// Whether the engine is in the registry (closing must then hold it).
    shared: bool,
}

impl std::fmt::Debug for ToonStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ToonStore")
            .field("path", &self.engine().dir)
            .field("options", &self.options)
            .finish()
    }
}

/// Why an open of `path` with `options` cannot share `open`, an engine of
/// the same directory already open in this process; `None` when it can.
fn incompatible(path: &Path, open: &Options, options: &Options) -> Option<Error> {
    if open.read_only && !options.read_only {
        return Some(Error::new(
            ErrorKind::Locked,
            format!(
                "{} is already open read-only in this process; close those handles \
                 before opening it for writing",
                path.display()
            ),
        ));
    }
    let differs = |what: &str, theirs: &dyn std::fmt::Debug, ours: &dyn std::fmt::Debug| {
        Error::invalid(format!(
            "{} is already open in this process with {what} {theirs:?}, not {ours:?}; \
             open it with the same options (or close the other handles first)",
            path.display()
        ))
    };
    if open.verify_checksums != options.verify_checksums {
        return Some(differs(
            "verify_checksums",
            &open.verify_checksums,
            &options.verify_checksums,
        ));
    }
    if options.read_only {
        // A reader does not write: the write options are the engine's.
        return None;
    }
    if open.durability != options.durability {
        return Some(differs("durability", &open.durability, &options.durability));
    }
    if open.sync_interval != options.sync_interval {
        return Some(differs(
            "sync_interval",
            &open.sync_interval,
            &options.sync_interval,
        ));
    }
    if open.max_value_size != options.max_value_size {
        return Some(differs(
            "max_value_size",
            &open.max_value_size,
            &options.max_value_size,
        ));
    }
    if open.segment_size != options.segment_size {
        return Some(differs(
            "segment_size",
            &open.segment_size,
            &options.segment_size,
        ));
    }
    None
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

    /// Opens the database in directory `path` with `options`: a handle with
    /// an engine of its own (a second open of the same directory, here or
    /// in another process, gets `Locked` unless both are read-only; see
    /// [`ToonStore::open_shared`]).
    ///
    /// # Errors
    /// As [`ToonStore::open`], plus `InvalidArgument` for bad options and
    /// `Io` when the database is missing and `create_if_missing` is off.
    pub fn open_with(path: impl AsRef<Path>, options: &Options) -> Result<ToonStore> {
        let running = Running::start(path.as_ref(), options)?;
        Ok(ToonStore {
            running: Some(Arc::new(running)),
            options: options.clone(),
            shared: false,
        })
    }

    /// Opens the database in directory `path`, or shares the engine already
    /// open on that directory in this process (found by its canonical path):
    /// every language binding and the C API open databases this way, so
    /// that two opens of one directory in one process (two threads, two
    /// libraries) give two handles on one engine instead of `Locked`. The
    /// engine closes when its last handle does.
    ///
    /// Sharing rules: a read-only open of a directory open for writing gives
    /// a read-only handle on the writable engine (it sees every write at
    /// once; its own writes fail with `ReadOnly`). A writable open of a
    /// directory open only read-only here fails with `Locked`, as it would
    /// from another process. Otherwise the options must be the open
    /// engine's, except `create_if_missing` (moot) and, for a read-only
    /// open, the write options (`durability`, `sync_interval`,
    /// `max_value_size`, `segment_size`); a difference fails with
    /// `InvalidArgument` naming the option.
    ///
    /// # Errors
    /// As [`ToonStore::open_with`], and the sharing rules above.
    pub fn open_shared(path: impl AsRef<Path>, options: &Options) -> Result<Arc<ToonStore>> {
        let path = path.as_ref();
        options.validate()?;
        let mut registry = registry::lock();
        if let Ok(dir) = std::fs::canonicalize(path) {
            if let Some(running) = registry.find::<Running>(&dir) {
                let open = &running.engine.options;
                if let Some(err) = incompatible(path, open, options) {
                    return Err(err);
                }
                let handle = ToonStore {
                    options: Options {
                        read_only: options.read_only,
                        create_if_missing: options.create_if_missing,
                        ..open.clone()
                    },
                    running: Some(running),
                    shared: true,
                };
                return Ok(Arc::new(handle));
            }
        }
        let mut store = ToonStore::open_with(path, options)?;
        let dir = std::fs::canonicalize(path)
            .map_err(|e| Error::io("cannot resolve the path of", path, e))?;
        registry.insert(dir, store.running());
        store.shared = true;
        Ok(Arc::new(store))
    }

    fn running(&self) -> &Arc<Running> {
        // Only `close` and `drop` take it, and neither returns the handle.
        self.running
            .as_ref()
            .expect("a ToonStore is open until dropped")
    }

    fn engine(&self) -> &Engine {
        &self.running().engine
    }

    /// Fails with `Forked` in a child process forked after the open: the
    /// child must not touch the parent's database (see `storage::fork`).
    #[inline]
    fn usable(&self) -> Result<&Engine> {
        let engine = self.engine();
        fork::check(engine.generation)?;
        Ok(engine)
    }

    /// The engine, for writing: `ReadOnly` for a read-only handle.
    fn writable_engine(&self) -> Result<&Engine> {
        self.usable()?;
        if self.options.read_only {
            return Err(Error::new(
                ErrorKind::ReadOnly,
                format!("{} is open read-only", self.engine().dir.display()),
            ));
        }
        Ok(self.engine())
    }

    /// The directory of the database.
    pub fn path(&self) -> &Path {
        &self.engine().dir
    }

    /// The options this handle was opened with (for a shared engine: the
    /// engine's, with this handle's `read_only`).
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Appends a row and returns its id, with the handle's durability.
    ///
    /// # Errors
    /// `TooLarge` above `max_value_size`, `ReadOnly`, `Poisoned`, `Io`.
    pub fn put(&self, data: &[u8]) -> Result<RowId> {
        self.put_with(data, self.options.durability)
    }

    /// Appends a row with a durability chosen for this call (`Full` waits for
    /// the flush; `Off` and `Normal` return once the record is in the log).
    ///
    /// # Errors
    /// As [`ToonStore::put`].
    pub fn put_with(&self, data: &[u8], durability: Durability) -> Result<RowId> {
        let engine = self.writable_engine()?;
        let _writing = engine.begin_write(durability);
        let (id, lsn, want) = {
            let mut w = engine.writer()?;
            let id = w.put(data)?;
            (id, w.lsn(), w.wants_checkpoint())
        };
        engine.end_write(lsn, want, durability)?;
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
        self.usable()?
            .get_with(id, self.options.verify_checksums, f)
    }

    /// Whether the row is live.
    ///
    /// # Errors
    /// None today; kept fallible for future storage backends.
    pub fn contains(&self, id: RowId) -> Result<bool> {
        Ok(self.usable()?.view().load().get(id) != 0)
    }

    /// Deletes a live row.
    ///
    /// # Errors
    /// `NotFound` when the row is absent or already deleted, `ReadOnly`,
    /// `Poisoned`, `Io`.
    pub fn delete(&self, id: RowId) -> Result<()> {
        let engine = self.writable_engine()?;
        let durability = self.options.durability;
        let _writing = engine.begin_write(durability);
        let (lsn, want) = {
            let mut w = engine.writer()?;
            w.delete(id)?;
            (w.lsn(), w.wants_checkpoint())
        };
        engine.end_write(lsn, want, durability)
    }

    /// Commits `batch` atomically: all of its puts and deletes, or none.
    /// Returns the ids of its puts, consecutive, in the order they were added.
    ///
    /// # Errors
    /// `NotFound` when a delete names an absent row (nothing is written),
    /// `TooLarge`, `ReadOnly`, `Poisoned`, `Io`.
    pub fn write(&self, batch: &Batch) -> Result<Vec<RowId>> {
        let engine = self.writable_engine()?;
        let durability = self.options.durability;
        let _writing = engine.begin_write(durability);
        let (ids, lsn, want) = {
            let mut w = engine.writer()?;
            let ids = w.write_batch(batch)?;
            (ids, w.lsn(), w.wants_checkpoint())
        };
        engine.end_write(lsn, want, durability)?;
        Ok(ids)
    }

    /// A snapshot of this moment.
    ///
    /// # Errors
    /// `Internal` if a writer panicked while holding the lock.
    pub fn snapshot(&self) -> Result<Snapshot> {
        self.usable()?.snapshot(self.options.verify_checksums)
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

    /// Iterates over the live rows with ids in `range` of a new snapshot,
    /// in ascending id order, or from the highest id down when `reverse`
    /// (see [`Snapshot::scan_range`]). `db.scan_range(.., true).take(n)`
    /// reads the last `n` rows.
    ///
    /// # Errors
    /// As [`ToonStore::snapshot`]; `InvalidArgument` for an inverted range.
    pub fn scan_range(&self, range: impl RangeBounds<RowId>, reverse: bool) -> Result<Scan> {
        self.snapshot()?.scan_range(range, reverse)
    }

    /// Makes every acknowledged write durable (flushes the log).
    ///
    /// # Errors
    /// `Io` (and the handle is poisoned), `ReadOnly`, `Poisoned`.
    pub fn sync(&self) -> Result<()> {
        self.writable_engine()?.sync()
    }

    /// Rewrites segments that hold deleted rows, keeping row ids, and frees
    /// their space once no snapshot reads them. Readers and writers keep
    /// working meanwhile.
    ///
    /// # Errors
    /// `Io`, `Corrupt` (a live record failed its checksum: nothing is
    /// dropped), `ReadOnly`, `Poisoned`.
    pub fn compact(&self) -> Result<()> {
        crate::compaction::compact(self.writable_engine()?)
    }

    /// Writes a complete, consistent copy of the database as of one moment
    /// into `dest`, a directory that must not exist yet (or be empty),
    /// while other threads and processes keep writing: the writer is held
    /// for a moment only (no I/O under its lock), then the segments are
    /// copied from this handle's mappings. From a read-only handle (beside
    /// a writer in another process, say) the copy is of this handle's
    /// state (see [`ToonStore::refresh`]). The copy is flushed and appears
    /// at `dest` in one rename: a backup that fails or is killed midway
    /// leaves nothing at `dest` (a hidden `.<name>.backup-tmp-*` directory
    /// beside it at most, which the next backup to `dest` removes). The copy
    /// opens on its own, with every row of that moment and the same ids.
    ///
    /// # Errors
    /// `InvalidArgument` when `dest` exists and is not an empty directory
    /// (or is this database), `Io` (nothing is left at `dest`), `Forked`.
    pub fn backup(&self, dest: impl AsRef<Path>) -> Result<()> {
        crate::backup::backup(self.usable()?, dest.as_ref())
    }

    /// Moves a read-only handle to the writer's latest acknowledged state:
    /// afterwards it sees every row whose `put` had returned in the writing
    /// process (in any durability mode: the rows are in the shared page
    /// cache) before `refresh` was called. A read-only open is a fixed
    /// snapshot of the database as it was when it opened until it is
    /// refreshed. Snapshots and scans taken before keep their state. On a
    /// writable handle, and on a read-only handle that shares a writable
    /// engine in this process (`open_shared`), which always see the
    /// latest state, it does nothing. Read-only handles that share one
    /// engine in this process (`open_shared`) share its state: a refresh of
    /// one moves them all. Costs about as much as a read-only open (the
    /// checkpoint is loaded and the log after it replayed).
    ///
    /// # Errors
    /// As a read-only open (`Corrupt`, `Io`, `Locked` when a writer kept
    /// switching files during every attempt); the handle keeps its state.
    pub fn refresh(&self) -> Result<()> {
        self.usable()?.refresh()
    }

    /// The number of live rows (cheap: no file system access, unlike `stats`).
    ///
    /// # Errors
    /// `Internal` if a writer panicked while holding the lock.
    pub fn live_rows(&self) -> Result<u64> {
        self.usable()?.live_rows()
    }

    /// Row counts and space.
    ///
    /// # Errors
    /// `Internal` if a writer panicked while holding the lock.
    pub fn stats(&self) -> Result<Stats> {
        self.usable()?.stats()
    }

    /// Closes this handle. When it is the last handle on its engine (always,
    /// for a handle from `open`/`open_with`), the engine closes: every
    /// acknowledged write is flushed, a checkpoint is written when replay
    /// would otherwise be long, the active segment is trimmed and the lock
    /// released. Snapshots and scans still open keep working until dropped.
    ///
    /// # Errors
    /// The first failure of the final flush (the lock is released anyway).
    pub fn close(mut self) -> Result<()> {
        self.release()
    }

    /// Gives up this handle's engine, closing it when it was the last.
    fn release(&mut self) -> Result<()> {
        let Some(running) = self.running.take() else {
            return Ok(());
        };
        // For a registered engine, the registry stays locked until the
        // engine is closed: a concurrent open of the directory either shares
        // it before, or opens it after the lock file is released.
        let _registry = self.shared.then(registry::lock);
        match Arc::try_unwrap(running) {
            Ok(running) => running.close(),
            // Another handle still uses the engine.
            Err(_) => Ok(()),
        }
    }
}

impl Drop for ToonStore {
    fn drop(&mut self) {
        let _ = self.release();
    }
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn check<T: Send + Sync>() {}
    check::<ToonStore>();
    check::<Snapshot>();
    check::<Scan>();
    let _ = Request::Stop;
}
