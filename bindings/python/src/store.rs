//! The `ToonStore` handle: opening, the read and write calls, closing.
//!
//! Concurrency model. A handle holds the engine in
//! `RwLock<Option<Arc<toonstore::ToonStore>>>`; `None` means closed (the
//! `Arc` is shared by the handles of one directory in this process, see
//! `registry`). Every call takes the lock shared with `read_recursive`,
//! which never waits for a writer that is merely queued, so a thread that
//! holds the GIL can never wait for `close()` while `close()` waits for a
//! thread that wants the GIL: the only exclusive holder is `close()` itself,
//! for the instant it takes the engine out, and it holds no GIL then. Calls
//! that release the GIL (`Python::detach`) take and drop the lock inside the
//! detached closure, so no lock is held while waiting to get the GIL back.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString, PyTuple};

use toonstore::{Durability, ErrorKind, RowId};

use crate::args::{data_arg, path_arg, range_args, row_arg, RowArg};
use crate::batch::PyBatch;
use crate::errors::{
    closed_error, engine_error, make_error, missing_database_error, not_found, warn_unclosed,
    EngineResult,
};
use crate::fork::{fork_generation, forked_error};
use crate::options::{durability_name, open_options, parse_durability, OpenArgs};
use crate::registry::{open_shared, release_shared};
use crate::scan::{PyKeyScan, PyScan, PyValueScan};
use crate::snapshot::PySnapshot;
use crate::stats::make_stats;

/// Values at least this large are copied into the engine with the GIL
/// released, so that other Python threads run meanwhile.
const DETACH_PUT_BYTES: usize = 256 * 1024;

/// Values at least this large are copied out of the engine with the GIL
/// released (see `get_bytes`).
const DETACH_GET_BYTES: usize = 256 * 1024;

/// An open ToonStore database: a directory of rows of bytes keyed by
/// increasing integer row ids.
#[pyclass(name = "ToonStore", module = "toonstore", frozen, weakref)]
pub(crate) struct PyToonStore {
    state: RwLock<Option<Arc<toonstore::ToonStore>>>,
    /// Set once the engine has been taken out by `close()`; lets iterators
    /// and snapshots notice without taking the lock.
    closed: AtomicBool,
    /// `fork_generation()` when opened: a handle inherited by a child
    /// process through `os.fork()` must not touch the parent's engine.
    pub(crate) generation: u64,
    path: PathBuf,
    durability: Durability,
    read_only: bool,
}

impl PyToonStore {
    /// Runs `f` on the open engine with the GIL held.
    #[inline]
    pub(crate) fn with_db<R>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&toonstore::ToonStore) -> toonstore::Result<R>,
    ) -> PyResult<R> {
        if self.generation != fork_generation() {
            return Err(forked_error(py));
        }
        let guard = self.state.read_recursive();
        match guard.as_ref() {
            Some(db) => f(db).py_err(py),
            None => Err(closed_error(py)),
        }
    }

    /// Runs `f` on the open engine with the GIL released.
    pub(crate) fn with_db_detached<R: Send>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&toonstore::ToonStore) -> toonstore::Result<R> + Send,
    ) -> PyResult<R> {
        if self.generation != fork_generation() {
            return Err(forked_error(py));
        }
        let result = py.detach(|| {
            let guard = self.state.read_recursive();
            guard.as_ref().map(|db| f(db))
        });
        match result {
            Some(r) => r.py_err(py),
            None => Err(closed_error(py)),
        }
    }

    /// A read-only handle may share a writable engine (see `open_shared`),
    /// so the handle checks its own mode before every write.
    #[inline]
    pub(crate) fn check_writable(&self, py: Python<'_>) -> PyResult<()> {
        if self.read_only {
            self.with_db(py, |_| Ok(()))?;
            Err(make_error(
                py,
                ErrorKind::ReadOnly,
                "the database is open read-only",
            ))
        } else {
            Ok(())
        }
    }

    pub(crate) fn check_open(&self, py: Python<'_>) -> PyResult<()> {
        self.with_db(py, |_| Ok(()))
    }

    /// False once closed, or in a child process forked after the open.
    #[inline]
    pub(crate) fn usable(&self) -> bool {
        !self.closed.load(Ordering::Acquire) && self.generation == fork_generation()
    }

    /// The error for a call on a handle that is not `usable`.
    pub(crate) fn unusable_error(&self, py: Python<'_>) -> PyErr {
        if self.generation != fork_generation() {
            forked_error(py)
        } else {
            closed_error(py)
        }
    }

    /// The row's bytes. Values of `DETACH_GET_BYTES` or more are copied with
    /// the GIL released (read once more, out of the engine into a buffer,
    /// then into the new bytes object), so other Python threads run
    /// meanwhile; smaller ones are copied once, with the GIL held, which is
    /// faster than releasing it.
    fn get_bytes<'py>(&self, py: Python<'py>, id: RowId) -> PyResult<Option<Bound<'py, PyBytes>>> {
        let small = self.with_db(py, |db| {
            db.get_with(id, |s| {
                (s.len() < DETACH_GET_BYTES).then(|| PyBytes::new(py, s))
            })
        })?;
        match small {
            None => Ok(None),
            Some(Some(b)) => Ok(Some(b)),
            Some(None) => {
                let Some(value) = self.with_db_detached(py, |db| db.get(id))? else {
                    // Deleted by another thread between the two reads.
                    return Ok(None);
                };
                let b = PyBytes::new_with(py, value.len(), |buf| {
                    py.detach(|| buf.copy_from_slice(&value));
                    Ok(())
                })?;
                Ok(Some(b))
            }
        }
    }

    /// A scan of a new snapshot over the ids `start..stop`.
    fn new_scan(
        &self,
        py: Python<'_>,
        (start, stop): (RowId, RowId),
        reverse: bool,
    ) -> PyResult<toonstore::Scan> {
        self.with_db(py, |db| db.scan_range(start..stop, reverse))
    }
}

fn open_store(
    py: Python<'_>,
    path: &Bound<'_, PyAny>,
    args: OpenArgs<'_, '_>,
) -> PyResult<PyToonStore> {
    let path = path_arg(path)?;
    let options = open_options(py, &args)?;
    let opened = py.detach(|| open_shared(&path, &options));
    let db = opened.map_err(|(kind, message)| {
        if !options.create_if_missing
            && kind == ErrorKind::Io
            && is_missing_database(&path, &message)
        {
            missing_database_error(py, &path, &message)
        } else {
            make_error(py, kind, &message)
        }
    })?;
    Ok(PyToonStore {
        durability: options.durability,
        read_only: options.read_only,
        path,
        state: RwLock::new(Some(db)),
        closed: AtomicBool::new(false),
        generation: fork_generation(),
    })
}

/// Whether an I/O error at open (with `create_if_missing=False`) means there
/// is no database: no such directory, or the engine's "no database at"
/// (a directory without segments). Other I/O errors stay `ToonStoreIOError`.
fn is_missing_database(path: &std::path::Path, message: &str) -> bool {
    message.starts_with("no database at")
        || matches!(std::fs::symlink_metadata(path), Err(e) if e.kind() == std::io::ErrorKind::NotFound)
}

impl Drop for PyToonStore {
    fn drop(&mut self) {
        if let Some(db) = self.state.get_mut().take() {
            if self.generation != fork_generation() {
                // The parent's engine, in a forked child: dropped without
                // closing anything (the engine refuses with
                // TOONSTORE_ERR_FORKED and lets go; see `fork`).
                drop(db);
            } else {
                // Like an unclosed file or sqlite3 connection: say so (the
                // engine is still flushed and closed below).
                Python::attach(|py| warn_unclosed(py, &self.path));
                // Errors cannot be reported from a garbage-collected handle.
                let _ = release_shared(db);
            }
        }
    }
}

#[pymethods]
impl PyToonStore {
    /// Same as `ToonStore.open(path, ...)`.
    #[new]
    #[pyo3(signature = (path, *, durability=None, read_only=false, create_if_missing=true,
                        verify_checksums=true, max_value_size=None, segment_size=None,
                        sync_interval=None))]
    #[allow(clippy::too_many_arguments)]
    fn py_new(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        durability: Option<&Bound<'_, PyAny>>,
        read_only: bool,
        create_if_missing: bool,
        verify_checksums: bool,
        max_value_size: Option<&Bound<'_, PyAny>>,
        segment_size: Option<&Bound<'_, PyAny>>,
        sync_interval: Option<f64>,
    ) -> PyResult<Self> {
        let args = OpenArgs {
            durability,
            read_only,
            create_if_missing,
            verify_checksums,
            max_value_size,
            segment_size,
            sync_interval,
        };
        open_store(py, path, args)
    }

    /// Opens (by default creating) the database in directory `path`.
    #[staticmethod]
    #[pyo3(signature = (path, *, durability=None, read_only=false, create_if_missing=true,
                        verify_checksums=true, max_value_size=None, segment_size=None,
                        sync_interval=None))]
    #[allow(clippy::too_many_arguments)]
    fn open(
        py: Python<'_>,
        path: &Bound<'_, PyAny>,
        durability: Option<&Bound<'_, PyAny>>,
        read_only: bool,
        create_if_missing: bool,
        verify_checksums: bool,
        max_value_size: Option<&Bound<'_, PyAny>>,
        segment_size: Option<&Bound<'_, PyAny>>,
        sync_interval: Option<f64>,
    ) -> PyResult<Self> {
        let args = OpenArgs {
            durability,
            read_only,
            create_if_missing,
            verify_checksums,
            max_value_size,
            segment_size,
            sync_interval,
        };
        open_store(py, path, args)
    }

    /// Appends a row and returns its new row id.
    #[pyo3(signature = (data, *, durability=None))]
    fn put(
        &self,
        py: Python<'_>,
        data: &Bound<'_, PyAny>,
        durability: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<RowId> {
        self.check_writable(py)?;
        let data = data_arg(data)?;
        let durability = match durability {
            None => self.durability,
            Some(d) => parse_durability(d)?,
        };
        let bytes = data.as_slice();
        if durability.syncs_each_commit() || bytes.len() >= DETACH_PUT_BYTES {
            self.with_db_detached(py, |db| db.put_with(bytes, durability))
        } else {
            self.with_db(py, |db| db.put_with(bytes, durability))
        }
    }

    /// Returns the row's bytes, or `default` (None) if there is no such row.
    #[pyo3(signature = (row_id, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        row_id: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let id = match row_arg(row_id)? {
            RowArg::Id(id) => id,
            RowArg::Absent => return self.with_db(py, |_| Ok(default)),
        };
        Ok(match self.get_bytes(py, id)? {
            Some(b) => Some(b.into_any()),
            None => default,
        })
    }

    /// Appends every row of `rows` (an iterable of bytes-like objects or
    /// str) in one atomic commit (a batch) and returns their new row ids,
    /// in order. Nothing is written if any item is refused.
    fn put_many(&self, py: Python<'_>, rows: &Bound<'_, PyAny>) -> PyResult<Vec<RowId>> {
        self.check_writable(py)?;
        let mut batch = toonstore::Batch::new();
        for row in rows.try_iter()? {
            let row = row?;
            batch.put(data_arg(&row)?.as_slice());
        }
        if batch.is_empty() {
            return Ok(Vec::new());
        }
        self.with_db_detached(py, |db| db.write(&batch))
    }

    /// The data of each row id of `row_ids`, in order, `None` for a missing
    /// row; read under one lock acquisition.
    fn get_many<'py>(
        &self,
        py: Python<'py>,
        row_ids: &Bound<'py, PyAny>,
    ) -> PyResult<Vec<Option<Bound<'py, PyBytes>>>> {
        let ids = row_ids
            .try_iter()?
            .map(|id| row_arg(&id?))
            .collect::<PyResult<Vec<RowArg>>>()?;
        self.with_db(py, |db| {
            ids.iter()
                .map(|id| match id {
                    RowArg::Id(id) => db.get_with(*id, |s| PyBytes::new(py, s)),
                    RowArg::Absent => Ok(None),
                })
                .collect()
        })
    }

    /// Deletes every row of `row_ids` in one atomic commit; if one is
    /// missing, `NotFoundError` and nothing is deleted.
    fn delete_many(&self, py: Python<'_>, row_ids: &Bound<'_, PyAny>) -> PyResult<()> {
        self.check_writable(py)?;
        let mut batch = toonstore::Batch::new();
        for id in row_ids.try_iter()? {
            let id = id?;
            match row_arg(&id)? {
                RowArg::Id(n) => {
                    batch.delete(n);
                }
                RowArg::Absent => {
                    self.check_open(py)?;
                    return Err(not_found(py, &id));
                }
            }
        }
        if batch.is_empty() {
            return self.check_open(py);
        }
        self.with_db_detached(py, |db| db.write(&batch)).map(|_| ())
    }

    /// Deletes a row; `NotFoundError` if there is no such row.
    fn delete(&self, py: Python<'_>, row_id: &Bound<'_, PyAny>) -> PyResult<()> {
        // A read-only or closed handle says so before "not found".
        self.check_writable(py)?;
        let id = match row_arg(row_id)? {
            RowArg::Id(id) => id,
            RowArg::Absent => {
                self.with_db(py, |_| Ok(()))?;
                return Err(not_found(py, row_id));
            }
        };
        if self.durability.syncs_each_commit() {
            self.with_db_detached(py, |db| db.delete(id))
        } else {
            self.with_db(py, |db| db.delete(id))
        }
    }

    /// Iterates over `(row_id, data)` for the rows live now (a snapshot) with
    /// `start <= row_id < stop` (None: no bound), in increasing row id
    /// order, or decreasing when `reverse`.
    #[pyo3(signature = (start=None, stop=None, reverse=false))]
    fn scan(
        slf: &Bound<'_, Self>,
        start: Option<&Bound<'_, PyAny>>,
        stop: Option<&Bound<'_, PyAny>>,
        reverse: bool,
    ) -> PyResult<PyScan> {
        let py = slf.py();
        let scan = slf
            .get()
            .new_scan(py, range_args(py, start, stop)?, reverse)?;
        Ok(PyScan::new(scan, slf.clone().unbind()))
    }

    /// Same as `scan()`: `(row_id, data)` pairs, as `dict.items()`.
    #[pyo3(signature = (start=None, stop=None, reverse=false))]
    fn items(
        slf: &Bound<'_, Self>,
        start: Option<&Bound<'_, PyAny>>,
        stop: Option<&Bound<'_, PyAny>>,
        reverse: bool,
    ) -> PyResult<PyScan> {
        Self::scan(slf, start, stop, reverse)
    }

    /// The row ids live now, in increasing order (decreasing when
    /// `reverse`), without copying values; bounds as for `scan()`.
    #[pyo3(signature = (start=None, stop=None, reverse=false))]
    fn keys(
        slf: &Bound<'_, Self>,
        start: Option<&Bound<'_, PyAny>>,
        stop: Option<&Bound<'_, PyAny>>,
        reverse: bool,
    ) -> PyResult<PyKeyScan> {
        let py = slf.py();
        let scan = slf
            .get()
            .new_scan(py, range_args(py, start, stop)?, reverse)?;
        Ok(PyKeyScan::new(scan, slf.clone().unbind()))
    }

    /// The data of the rows live now, in increasing row id order
    /// (decreasing when `reverse`); bounds as for `scan()`.
    #[pyo3(signature = (start=None, stop=None, reverse=false))]
    fn values(
        slf: &Bound<'_, Self>,
        start: Option<&Bound<'_, PyAny>>,
        stop: Option<&Bound<'_, PyAny>>,
        reverse: bool,
    ) -> PyResult<PyValueScan> {
        let py = slf.py();
        let scan = slf
            .get()
            .new_scan(py, range_args(py, start, stop)?, reverse)?;
        Ok(PyValueScan::new(scan, slf.clone().unbind()))
    }

    /// A consistent read-only view of the rows live now.
    fn snapshot(slf: &Bound<'_, Self>) -> PyResult<PySnapshot> {
        let py = slf.py();
        let snap = slf.get().with_db(py, |db| db.snapshot())?;
        Ok(PySnapshot::new(snap, slf.clone().unbind()))
    }

    /// A batch of puts and deletes applied atomically by `commit()` (or on
    /// leaving a `with` block without an exception).
    fn batch(slf: &Bound<'_, Self>) -> PyResult<PyBatch> {
        slf.get().check_open(slf.py())?;
        Ok(PyBatch::new(slf.clone().unbind()))
    }

    /// Makes every acknowledged write durable on disk (fsync).
    fn sync(&self, py: Python<'_>) -> PyResult<()> {
        self.check_writable(py)?;
        self.with_db_detached(py, |db| db.sync())
    }

    /// Rewrites segments with much garbage, keeping row ids.
    fn compact(&self, py: Python<'_>) -> PyResult<()> {
        self.check_writable(py)?;
        self.with_db_detached(py, |db| db.compact())
    }

    /// Writes a complete, consistent copy of the database as of one moment
    /// into directory `dest` (new, or empty) while writes go on; works on a
    /// read-only handle too (the copy is then of that handle's state).
    /// Nothing is left at `dest` when it fails.
    fn backup(&self, py: Python<'_>, dest: &Bound<'_, PyAny>) -> PyResult<()> {
        let dest = path_arg(dest)?;
        self.with_db_detached(py, |db| db.backup(&dest))
    }

    /// Moves a read-only handle to the writer's latest acknowledged state
    /// (a read-only open is a fixed snapshot until then). Does nothing on a
    /// writable handle.
    fn refresh(&self, py: Python<'_>) -> PyResult<()> {
        self.with_db_detached(py, |db| db.refresh())
    }

    /// Counters of the database.
    fn stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyAny>> {
        make_stats(py, self.with_db(py, |db| db.stats())?)
    }

    /// Closes the database (flushing and syncing it). Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        if self.generation != fork_generation() {
            // In a forked child: let go of the parent's engine. The engine
            // knows it is in a child (TOONSTORE_ERR_FORKED): dropping it
            // releases this process's mappings and descriptors and touches
            // no file (see `fork`).
            drop(self.state.write().take());
            self.closed.store(true, Ordering::Release);
            return Ok(());
        }
        let taken = py.detach(|| {
            let taken = self.state.write().take();
            self.closed.store(true, Ordering::Release);
            taken.map(release_shared)
        });
        match taken {
            None | Some(Ok(())) => Ok(()),
            Some(Err(e)) => Err(engine_error(py, e)),
        }
    }

    /// True once `close()` has been called.
    #[getter]
    fn closed(&self) -> bool {
        !self.usable()
    }

    /// The directory given to `open`.
    #[getter]
    fn path(&self) -> PathBuf {
        self.path.clone()
    }

    /// The durability chosen at open: "normal", "full" or "off".
    #[getter]
    fn durability(&self) -> &'static str {
        durability_name(self.durability)
    }

    /// True if the database was opened with `read_only=True`.
    #[getter]
    fn read_only(&self) -> bool {
        self.read_only
    }

    /// True while the handle is open, whatever its row count; never raises.
    fn __bool__(&self) -> bool {
        self.usable()
    }

    fn __len__(&self, py: Python<'_>) -> PyResult<usize> {
        let live = self.with_db(py, |db| db.live_rows())?;
        Ok(usize::try_from(live).unwrap_or(usize::MAX))
    }

    fn __contains__(&self, py: Python<'_>, row_id: &Bound<'_, PyAny>) -> PyResult<bool> {
        let id = match row_id.extract::<u64>() {
            Ok(id) => id,
            // Like `"x" in range(3)`: what cannot be a row id is not in it.
            Err(_) => return self.with_db(py, |_| Ok(false)),
        };
        self.with_db(py, |db| db.contains(id))
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        row_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let id = match row_arg(row_id)? {
            RowArg::Id(id) => id,
            RowArg::Absent => {
                self.with_db(py, |_| Ok(()))?;
                return Err(not_found(py, row_id));
            }
        };
        match self.get_bytes(py, id)? {
            Some(b) => Ok(b),
            None => Err(not_found(py, row_id)),
        }
    }

    fn __delitem__(&self, py: Python<'_>, row_id: &Bound<'_, PyAny>) -> PyResult<()> {
        self.delete(py, row_id)
    }

    fn __iter__(slf: &Bound<'_, Self>) -> PyResult<PyScan> {
        let scan = slf.get().new_scan(slf.py(), (0, RowId::MAX), false)?;
        Ok(PyScan::new(scan, slf.clone().unbind()))
    }

    /// `reversed(db)`: `(row_id, data)` from the highest row id down, as
    /// `scan(reverse=True)`.
    fn __reversed__(slf: &Bound<'_, Self>) -> PyResult<PyScan> {
        let scan = slf.get().new_scan(slf.py(), (0, RowId::MAX), true)?;
        Ok(PyScan::new(scan, slf.clone().unbind()))
    }

    fn __enter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        slf.get().check_open(slf.py())?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, py: Python<'_>, _args: &Bound<'_, PyTuple>) -> PyResult<()> {
        self.close(py)
    }

    fn __repr__(&self, py: Python<'_>) -> PyResult<String> {
        let path = PyString::new(py, &self.path.to_string_lossy()).repr()?;
        let state = if !self.usable() { "closed" } else { "open" };
        Ok(format!("<toonstore.ToonStore path={path} {state}>"))
    }
}
