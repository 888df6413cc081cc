//! Python binding of ToonStore (`toonstore._toonstore`).
//!
//! The Python package `toonstore` (python/toonstore/__init__.py) re-exports
//! what this module defines; the exception classes live in pure Python
//! (python/toonstore/_errors.py) so that they can use multiple inheritance
//! (`NotFoundError` is also a `KeyError`, `ToonStoreIOError` an `OSError`).
//!
//! Concurrency model. A `ToonStore` handle holds the engine in
//! `RwLock<Option<Arc<toonstore::ToonStore>>>`; `None` means closed (the
//! `Arc` is shared by the handles of one directory in this process, see
//! `open_shared`). Every call
//! takes the lock shared with `read_recursive`, which never waits for a
//! writer that is merely queued, so a thread that holds the GIL can never wait
//! for `close()` while `close()` waits for a thread that wants the GIL: the
//! only exclusive holder is `close()` itself, for the instant it takes the
//! engine out, and it holds no GIL then. Calls that release the GIL
//! (`Python::detach`) take and drop the lock inside the detached closure, so
//! no lock is held while waiting to get the GIL back.

use std::mem::MaybeUninit;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use parking_lot::{Mutex, MutexGuard, RwLock};
use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyString, PyTuple, PyType};

use toonstore::{Durability, ErrorKind, Options, RowId};

/// Values at least this large are copied into the engine with the GIL
/// released, so that other Python threads run meanwhile.
const DETACH_PUT_BYTES: usize = 256 * 1024;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Every exception class, by engine error kind, imported once from
/// `toonstore._errors`.
struct ErrorClasses {
    base: Py<PyType>,
    by_kind: Vec<(ErrorKind, Py<PyType>)>,
}

static ERROR_CLASSES: PyOnceLock<ErrorClasses> = PyOnceLock::new();

fn error_classes(py: Python<'_>) -> PyResult<&ErrorClasses> {
    ERROR_CLASSES.get_or_try_init(py, || {
        let module = py.import("toonstore._errors")?;
        let class = |name: &str| -> PyResult<Py<PyType>> {
            Ok(module.getattr(name)?.cast_into::<PyType>()?.unbind())
        };
        let by_kind = vec![
            (ErrorKind::InvalidArgument, class("InvalidArgumentError")?),
            (ErrorKind::NotFound, class("NotFoundError")?),
            (ErrorKind::Io, class("ToonStoreIOError")?),
            (ErrorKind::Corrupt, class("CorruptError")?),
            (ErrorKind::Locked, class("LockedError")?),
            (ErrorKind::TooLarge, class("TooLargeError")?),
            (ErrorKind::ReadOnly, class("ReadOnlyError")?),
            (ErrorKind::Version, class("VersionError")?),
            (ErrorKind::NoMemory, class("OutOfMemoryError")?),
            (ErrorKind::Internal, class("InternalError")?),
            (ErrorKind::Closed, class("ClosedError")?),
            (ErrorKind::Poisoned, class("PoisonedError")?),
        ];
        Ok(ErrorClasses {
            base: class("ToonStoreError")?,
            by_kind,
        })
    })
}

/// Builds the Python exception for an engine error kind: `cls(message, code)`.
fn make_error(py: Python<'_>, kind: ErrorKind, message: &str) -> PyErr {
    let classes = match error_classes(py) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let class = classes
        .by_kind
        .iter()
        .find(|(k, _)| *k == kind)
        .map(|(_, c)| c)
        .unwrap_or(&classes.base);
    match class.bind(py).call1((message, kind.code())) {
        Ok(exc) => PyErr::from_value(exc),
        Err(e) => e,
    }
}

fn engine_error(py: Python<'_>, err: toonstore::Error) -> PyErr {
    make_error(py, err.kind(), err.message())
}

fn closed_error(py: Python<'_>) -> PyErr {
    make_error(py, ErrorKind::Closed, "the database is closed")
}

fn not_found(py: Python<'_>, row_id: &Bound<'_, PyAny>) -> PyErr {
    let shown = row_id
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    make_error(py, ErrorKind::NotFound, &format!("row {shown} not found"))
}

/// Maps an engine result to a Python result.
trait EngineResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> EngineResult<T> for toonstore::Result<T> {
    #[inline]
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| engine_error(py, e))
    }
}

// ---------------------------------------------------------------------------
// Arguments
// ---------------------------------------------------------------------------

/// How a Python object names a row.
enum RowArg {
    /// A valid row id.
    Id(RowId),
    /// An `int` that no row can have (negative or above u64): always absent.
    Absent,
}

/// Reads a row id: any `int` (or object with `__index__`). Integers out of
/// the u64 range name no row; anything else is a `TypeError`.
#[inline]
fn row_arg(obj: &Bound<'_, PyAny>) -> PyResult<RowArg> {
    match obj.extract::<u64>() {
        Ok(id) => Ok(RowArg::Id(id)),
        Err(err) if err.is_instance_of::<PyOverflowError>(obj.py()) => Ok(RowArg::Absent),
        Err(_) => Err(PyTypeError::new_err(format!(
            "row id must be an int, not {}",
            type_name(obj)
        ))),
    }
}

/// Reads the `start` of a scan: None is 0, a negative int is 0, an int above
/// u64 starts past every row.
fn start_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<RowId> {
    let Some(obj) = obj else { return Ok(0) };
    if obj.is_none() {
        return Ok(0);
    }
    match row_arg(obj)? {
        RowArg::Id(id) => Ok(id),
        RowArg::Absent => Ok(if obj.lt(0)? { 0 } else { RowId::MAX }),
    }
}

fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// A borrowed view of a bytes-like argument (bytes, bytearray, memoryview,
/// any object with the buffer protocol, or str as UTF-8), without copying
/// when the object's memory is contiguous.
enum Data<'a> {
    Slice(&'a [u8]),
    /// A buffer obtained with `PyObject_GetBuffer`, released on drop.
    Buffer(Box<ffi::Py_buffer>),
    /// A non-contiguous buffer copied into a new bytes object.
    Copied(Bound<'a, PyBytes>),
}

impl Data<'_> {
    #[inline]
    fn as_slice(&self) -> &[u8] {
        match self {
            Data::Slice(s) => s,
            Data::Buffer(view) => {
                if view.len <= 0 || view.buf.is_null() {
                    &[]
                } else {
                    // SAFETY: a PyBUF_SIMPLE view is `len` contiguous bytes at
                    // `buf`, valid until PyBuffer_Release (see Drop).
                    unsafe { std::slice::from_raw_parts(view.buf as *const u8, view.len as usize) }
                }
            }
            Data::Copied(b) => b.as_bytes(),
        }
    }
}

impl Drop for Data<'_> {
    fn drop(&mut self) {
        if let Data::Buffer(view) = self {
            // SAFETY: the view was filled by a successful PyObject_GetBuffer
            // and is released exactly once, with the GIL held.
            unsafe { ffi::PyBuffer_Release(&mut **view) };
        }
    }
}

#[inline]
fn data_arg<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Data<'a>> {
    if let Ok(b) = obj.cast_exact::<PyBytes>() {
        return Ok(Data::Slice(b.as_bytes()));
    }
    if let Ok(s) = obj.cast::<PyString>() {
        return Ok(Data::Slice(s.to_str()?.as_bytes()));
    }
    data_arg_buffer(obj)
}

#[cold]
fn data_arg_buffer<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Data<'a>> {
    let py = obj.py();
    // SAFETY: plain C-API calls on a live object with the GIL held.
    unsafe {
        if ffi::PyObject_CheckBuffer(obj.as_ptr()) == 0 {
            return Err(PyTypeError::new_err(format!(
                "expected a bytes-like object or str, not {}",
                type_name(obj)
            )));
        }
        let mut view: Box<MaybeUninit<ffi::Py_buffer>> = Box::new(MaybeUninit::uninit());
        if ffi::PyObject_GetBuffer(obj.as_ptr(), view.as_mut_ptr(), ffi::PyBUF_SIMPLE) == 0 {
            let view: Box<ffi::Py_buffer> = Box::from_raw(Box::into_raw(view).cast());
            return Ok(Data::Buffer(view));
        }
        // Not contiguous (e.g. memoryview(b)[::2]): fall back to a copy.
        let _ = PyErr::take(py);
        let copied = ffi::PyBytes_FromObject(obj.as_ptr());
        let copied = Bound::from_owned_ptr_or_err(py, copied)?;
        Ok(Data::Copied(copied.cast_into_unchecked()))
    }
}

fn parse_durability(value: &Bound<'_, PyAny>) -> PyResult<Durability> {
    let Ok(text) = value.cast::<PyString>() else {
        return Err(PyTypeError::new_err(format!(
            "durability must be a str ('normal', 'full' or 'off'), not {}",
            type_name(value)
        )));
    };
    match text.to_str()?.to_ascii_lowercase().as_str() {
        "normal" => Ok(Durability::Normal),
        "full" => Ok(Durability::Full),
        "off" => Ok(Durability::Off),
        _ => Err(make_error(
            value.py(),
            ErrorKind::InvalidArgument,
            &format!(
                "durability must be 'normal', 'full' or 'off', not {}",
                value.repr()?
            ),
        )),
    }
}

fn durability_name(d: Durability) -> &'static str {
    match d {
        Durability::Off => "off",
        Durability::Normal => "normal",
        Durability::Full => "full",
    }
}

// ---------------------------------------------------------------------------
// ToonStore
// ---------------------------------------------------------------------------

/// An open ToonStore database: a directory of rows of bytes keyed by
/// increasing integer row ids.
#[pyclass(name = "ToonStore", module = "toonstore", frozen)]
struct PyToonStore {
    state: RwLock<Option<Arc<toonstore::ToonStore>>>,
    /// Set once the engine has been taken out by `close()`; lets iterators
    /// and snapshots notice without taking the lock.
    closed: AtomicBool,
    /// `FORK_GENERATION` when opened: a handle inherited by a child process
    /// through `os.fork()` must not touch the parent's engine.
    generation: u64,
    path: PathBuf,
    durability: Durability,
    read_only: bool,
}

impl PyToonStore {
    /// Runs `f` on the open engine with the GIL held.
    #[inline]
    fn with_db<R>(
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
    fn with_db_detached<R: Send>(
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
    fn check_writable(&self, py: Python<'_>) -> PyResult<()> {
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

    fn check_open(&self, py: Python<'_>) -> PyResult<()> {
        self.with_db(py, |_| Ok(()))
    }

    /// False once closed, or in a child process forked after the open.
    #[inline]
    fn usable(&self) -> bool {
        !self.closed.load(Ordering::Acquire) && self.generation == fork_generation()
    }

    /// The error for a call on a handle that is not `usable`.
    fn unusable_error(&self, py: Python<'_>) -> PyErr {
        if self.generation != fork_generation() {
            forked_error(py)
        } else {
            closed_error(py)
        }
    }

    fn new_scan(&self, py: Python<'_>, start: RowId) -> PyResult<toonstore::Scan> {
        self.with_db(py, |db| db.scan_from(start))
    }
}

#[allow(clippy::too_many_arguments)]
fn open_store(
    py: Python<'_>,
    path: PathBuf,
    durability: Option<&Bound<'_, PyAny>>,
    read_only: bool,
    create_if_missing: bool,
    verify_checksums: bool,
    max_value_size: Option<u64>,
    segment_size: Option<u64>,
    sync_interval: Option<f64>,
) -> PyResult<PyToonStore> {
    let mut options = Options {
        read_only,
        create_if_missing,
        verify_checksums,
        ..Options::default()
    };
    if let Some(d) = durability {
        options.durability = parse_durability(d)?;
    }
    if let Some(v) = max_value_size {
        options.max_value_size = v;
    }
    if let Some(v) = segment_size {
        options.segment_size = v;
    }
    if let Some(secs) = sync_interval {
        if !(secs.is_finite() && secs >= 0.0) {
            return Err(make_error(
                py,
                ErrorKind::InvalidArgument,
                "sync_interval must be a finite number of seconds >= 0",
            ));
        }
        options.sync_interval = Duration::from_secs_f64(secs);
    }
    let opened = py.detach(|| open_shared(&path, &options));
    let db = opened.map_err(|(kind, message)| make_error(py, kind, &message))?;
    Ok(PyToonStore {
        durability: options.durability,
        read_only: options.read_only,
        path,
        state: RwLock::new(Some(db)),
        closed: AtomicBool::new(false),
        generation: fork_generation(),
    })
}

// ---------------------------------------------------------------------------
// One engine per database directory in this process
// ---------------------------------------------------------------------------

/// The engines open in this process, by canonical directory. A second
/// `ToonStore.open` of a directory that is already open here shares the
/// first one's engine instead of opening the files twice (which the file
/// lock would refuse, or which would let two writers append to the same
/// segments). The engine is closed when its last handle is closed.
static OPEN_ENGINES: Mutex<Vec<(PathBuf, Weak<toonstore::ToonStore>)>> = Mutex::new(Vec::new());

fn registry() -> MutexGuard<'static, Vec<(PathBuf, Weak<toonstore::ToonStore>)>> {
    OPEN_ENGINES.lock()
}

// ---------------------------------------------------------------------------
// os.fork()
// ---------------------------------------------------------------------------

/// Incremented in the child after every `os.fork()`. The child has a copy of
/// the parent's engines (same files, same shared mappings, but none of the
/// parent's threads or locks): handles, scans and snapshots opened before
/// the fork refuse every call there (`ClosedError`) and are leaked rather
/// than closed when dropped, since closing would truncate, checkpoint or
/// delete files that the parent is still using. The child opens the
/// database itself if it needs it.
static FORK_GENERATION: AtomicU64 = AtomicU64::new(0);

#[inline]
fn fork_generation() -> u64 {
    FORK_GENERATION.load(Ordering::Relaxed)
}

fn forked_error(py: Python<'_>) -> PyErr {
    make_error(
        py,
        ErrorKind::Closed,
        "this handle was opened before os.fork(); open the database again in the child process",
    )
}

/// `os.register_at_fork(before=...)`: holds the registry across the fork so
/// that the child's copy is not locked by a thread that does not exist there.
#[pyfunction]
fn _before_fork(py: Python<'_>) {
    // Waits (without the GIL) for an open or close in progress on another thread.
    py.detach(|| std::mem::forget(registry()));
}

/// `os.register_at_fork(after_in_parent=...)`.
#[pyfunction]
fn _after_fork_in_parent() {
    // SAFETY: `_before_fork` locked the registry in this thread and forgot
    // the guard; the fork hooks always run as a before/after pair.
    unsafe { OPEN_ENGINES.force_unlock() };
}

/// `os.register_at_fork(after_in_child=...)`.
#[pyfunction]
fn _after_fork_in_child() {
    FORK_GENERATION.fetch_add(1, Ordering::Relaxed);
    // SAFETY: as in `_after_fork_in_parent`: the child's copy of the lock is
    // the one `_before_fork` took.
    unsafe { OPEN_ENGINES.force_unlock() };
    // The parent's engines are not this process's: forget them (dropping a
    // `Weak` runs no destructor).
    registry().clear();
}

/// Opens `path`, or shares the engine already open on it in this process.
/// Runs without the GIL.
fn open_shared(
    path: &Path,
    options: &Options,
) -> Result<Arc<toonstore::ToonStore>, (ErrorKind, String)> {
    let mut engines = registry();
    engines.retain(|(_, weak)| weak.strong_count() > 0);
    if let Ok(canonical) = std::fs::canonicalize(path) {
        if let Some(db) = engines
            .iter()
            .find(|(p, _)| *p == canonical)
            .and_then(|(_, weak)| weak.upgrade())
        {
            if db.options().read_only && !options.read_only {
                return Err((
                    ErrorKind::Locked,
                    format!(
                        "{} is already open read-only in this process; close that handle \
                         before opening it for writing",
                        path.display()
                    ),
                ));
            }
            return Ok(db);
        }
    }
    let db = toonstore::ToonStore::open_with(path, options)
        .map_err(|e| (e.kind(), e.message().to_owned()))?;
    let db = Arc::new(db);
    if let Ok(canonical) = std::fs::canonicalize(path) {
        engines.push((canonical, Arc::downgrade(&db)));
    }
    Ok(db)
}

/// Gives up one handle's reference to its engine, closing the engine if it
/// was the last. Runs without the GIL (or from Drop).
fn release_shared(db: Arc<toonstore::ToonStore>) -> toonstore::Result<()> {
    let mut engines = registry();
    match Arc::try_unwrap(db) {
        Ok(db) => {
            // Closed while the registry is locked, so that an open of the
            // same directory waits for the file lock to be released.
            let result = db.close();
            engines.retain(|(_, weak)| weak.strong_count() > 0);
            result
        }
        // Another handle still uses the engine.
        Err(shared) => {
            drop(shared);
            Ok(())
        }
    }
}

impl Drop for PyToonStore {
    fn drop(&mut self) {
        if let Some(db) = self.state.get_mut().take() {
            if self.generation != fork_generation() {
                // The parent's engine, in a forked child: see FORK_GENERATION.
                std::mem::forget(db);
            } else {
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
        path: PathBuf,
        durability: Option<&Bound<'_, PyAny>>,
        read_only: bool,
        create_if_missing: bool,
        verify_checksums: bool,
        max_value_size: Option<u64>,
        segment_size: Option<u64>,
        sync_interval: Option<f64>,
    ) -> PyResult<Self> {
        open_store(
            py,
            path,
            durability,
            read_only,
            create_if_missing,
            verify_checksums,
            max_value_size,
            segment_size,
            sync_interval,
        )
    }

    /// Opens (by default creating) the database in directory `path`.
    #[staticmethod]
    #[pyo3(signature = (path, *, durability=None, read_only=false, create_if_missing=true,
                        verify_checksums=true, max_value_size=None, segment_size=None,
                        sync_interval=None))]
    #[allow(clippy::too_many_arguments)]
    fn open(
        py: Python<'_>,
        path: PathBuf,
        durability: Option<&Bound<'_, PyAny>>,
        read_only: bool,
        create_if_missing: bool,
        verify_checksums: bool,
        max_value_size: Option<u64>,
        segment_size: Option<u64>,
        sync_interval: Option<f64>,
    ) -> PyResult<Self> {
        open_store(
            py,
            path,
            durability,
            read_only,
            create_if_missing,
            verify_checksums,
            max_value_size,
            segment_size,
            sync_interval,
        )
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
        if durability == Durability::Full || bytes.len() >= DETACH_PUT_BYTES {
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
        let found = self.with_db(py, |db| db.get_with(id, |s| PyBytes::new(py, s)))?;
        Ok(match found {
            Some(b) => Some(b.into_any()),
            None => default,
        })
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
        if self.durability == Durability::Full {
            self.with_db_detached(py, |db| db.delete(id))
        } else {
            self.with_db(py, |db| db.delete(id))
        }
    }

    /// Iterates over `(row_id, data)` for the rows live now (a snapshot),
    /// in increasing row id order, from row id `start` on.
    #[pyo3(signature = (start=None))]
    fn scan(slf: &Bound<'_, Self>, start: Option<&Bound<'_, PyAny>>) -> PyResult<PyScan> {
        let py = slf.py();
        let start = start_arg(start)?;
        let scan = slf.get().new_scan(py, start)?;
        Ok(PyScan {
            scan: Some(scan),
            db: slf.clone().unbind(),
        })
    }

    /// A consistent read-only view of the rows live now.
    fn snapshot(slf: &Bound<'_, Self>) -> PyResult<PySnapshot> {
        let py = slf.py();
        let snap = slf.get().with_db(py, |db| db.snapshot())?;
        Ok(PySnapshot {
            snap: RwLock::new(Some(snap)),
            db: slf.clone().unbind(),
        })
    }

    /// A batch of puts and deletes applied atomically by `commit()` (or on
    /// leaving a `with` block without an exception).
    fn batch(slf: &Bound<'_, Self>) -> PyResult<PyBatch> {
        slf.get().check_open(slf.py())?;
        Ok(PyBatch {
            batch: toonstore::Batch::new(),
            puts: 0,
            db: slf.clone().unbind(),
            state: BatchState::Open,
            ids: Vec::new(),
        })
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

    /// Counters of the database.
    fn stats(&self, py: Python<'_>) -> PyResult<PyStats> {
        let s = self.with_db(py, |db| db.stats())?;
        Ok(PyStats {
            live_rows: s.live_rows,
            deleted_rows: s.deleted_rows,
            next_row_id: s.next_row_id,
            live_bytes: s.live_bytes,
            disk_bytes: s.disk_bytes,
            segment_count: s.segment_count,
            garbage_fraction: s.garbage_fraction,
        })
    }

    /// Closes the database (flushing and syncing it). Idempotent.
    fn close(&self, py: Python<'_>) -> PyResult<()> {
        if self.generation != fork_generation() {
            // In a forked child: let go of the parent's engine without
            // closing it (see FORK_GENERATION).
            if let Some(db) = self.state.write().take() {
                std::mem::forget(db);
            }
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
        match self.with_db(py, |db| db.get_with(id, |s| PyBytes::new(py, s)))? {
            Some(b) => Ok(b),
            None => Err(not_found(py, row_id)),
        }
    }

    fn __delitem__(&self, py: Python<'_>, row_id: &Bound<'_, PyAny>) -> PyResult<()> {
        self.delete(py, row_id)
    }

    fn __iter__(slf: &Bound<'_, Self>) -> PyResult<PyScan> {
        let scan = slf.get().new_scan(slf.py(), 0)?;
        Ok(PyScan {
            scan: Some(scan),
            db: slf.clone().unbind(),
        })
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

// ---------------------------------------------------------------------------
// Scan
// ---------------------------------------------------------------------------

/// Iterator over `(row_id, data)` of one snapshot.
#[pyclass(name = "Scan", module = "toonstore")]
struct PyScan {
    scan: Option<toonstore::Scan>,
    db: Py<PyToonStore>,
}

impl PyScan {
    /// Drops the scan (and its snapshot), or leaks it in a forked child.
    fn finish(&mut self) {
        if let Some(scan) = self.scan.take() {
            if self.db.get().generation != fork_generation() {
                std::mem::forget(scan);
            }
        }
    }
}

impl Drop for PyScan {
    fn drop(&mut self) {
        self.finish();
    }
}

#[pymethods]
impl PyScan {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__<'py>(&mut self, py: Python<'py>) -> PyResult<Option<(u64, Bound<'py, PyBytes>)>> {
        let Some(scan) = self.scan.as_mut() else {
            return Ok(None);
        };
        let db = self.db.get();
        if !db.usable() {
            let err = db.unusable_error(py);
            self.finish();
            return Err(err);
        }
        match scan.next_ref() {
            Some(Ok((id, data))) => Ok(Some((id, PyBytes::new(py, data)))),
            Some(Err(e)) => {
                self.finish();
                Err(engine_error(py, e))
            }
            None => {
                self.finish();
                Ok(None)
            }
        }
    }
}

// ---------------------------------------------------------------------------
// Snapshot
// ---------------------------------------------------------------------------

/// A consistent, read-only view of the database at one moment.
#[pyclass(name = "Snapshot", module = "toonstore", frozen)]
struct PySnapshot {
    snap: RwLock<Option<toonstore::Snapshot>>,
    db: Py<PyToonStore>,
}

impl Drop for PySnapshot {
    fn drop(&mut self) {
        self.release();
    }
}

impl PySnapshot {
    #[inline]
    fn with_snap<R>(
        &self,
        py: Python<'_>,
        f: impl FnOnce(&toonstore::Snapshot) -> PyResult<R>,
    ) -> PyResult<R> {
        let db = self.db.get();
        if !db.usable() {
            return Err(db.unusable_error(py));
        }
        let guard = self.snap.read_recursive();
        match guard.as_ref() {
            Some(s) => f(s),
            None => Err(make_error(
                py,
                ErrorKind::Closed,
                "the snapshot has been released",
            )),
        }
    }

    fn lookup<'py>(&self, py: Python<'py>, id: RowId) -> PyResult<Option<Bound<'py, PyBytes>>> {
        self.with_snap(py, |s| {
            Ok(s.get(id).py_err(py)?.map(|data| PyBytes::new(py, data)))
        })
    }
}

#[pymethods]
impl PySnapshot {
    /// The row's bytes as of the snapshot, or `default`.
    #[pyo3(signature = (row_id, default=None))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        row_id: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let id = match row_arg(row_id)? {
            RowArg::Id(id) => id,
            RowArg::Absent => return self.with_snap(py, |_| Ok(default)),
        };
        Ok(match self.lookup(py, id)? {
            Some(b) => Some(b.into_any()),
            None => default,
        })
    }

    fn __getitem__<'py>(
        &self,
        py: Python<'py>,
        row_id: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyBytes>> {
        let found = match row_arg(row_id)? {
            RowArg::Id(id) => self.lookup(py, id)?,
            RowArg::Absent => self.with_snap(py, |_| Ok(None))?,
        };
        found.ok_or_else(|| not_found(py, row_id))
    }

    fn __contains__(&self, py: Python<'_>, row_id: &Bound<'_, PyAny>) -> PyResult<bool> {
        match row_id.extract::<u64>() {
            Ok(id) => Ok(self.lookup(py, id)?.is_some()),
            Err(_) => self.with_snap(py, |_| Ok(false)),
        }
    }

    /// Iterates over `(row_id, data)` of the snapshot from row id `start` on.
    #[pyo3(signature = (start=None))]
    fn scan(&self, py: Python<'_>, start: Option<&Bound<'_, PyAny>>) -> PyResult<PyScan> {
        let start = start_arg(start)?;
        let scan = self.with_snap(py, |s| Ok(s.scan_from(start)))?;
        Ok(PyScan {
            scan: Some(scan),
            db: self.db.clone_ref(py),
        })
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<PyScan> {
        self.scan(py, None)
    }

    /// Row ids at or above this are not in the snapshot.
    #[getter]
    fn end_id(&self, py: Python<'_>) -> PyResult<RowId> {
        self.with_snap(py, |s| Ok(s.end_id()))
    }

    /// Releases the snapshot (also done when it is garbage collected).
    fn release(&self) {
        if let Some(snap) = self.snap.write().take() {
            if self.db.get().generation != fork_generation() {
                std::mem::forget(snap);
            }
        }
    }

    fn __enter__<'py>(slf: &Bound<'py, Self>) -> PyResult<Bound<'py, Self>> {
        slf.get().with_snap(slf.py(), |_| Ok(()))?;
        Ok(slf.clone())
    }

    #[pyo3(signature = (*_args))]
    fn __exit__(&self, _args: &Bound<'_, PyTuple>) {
        self.release();
    }
}

// ---------------------------------------------------------------------------
// Batch
// ---------------------------------------------------------------------------

#[derive(Clone, Copy, PartialEq, Eq)]
enum BatchState {
    Open,
    Committed,
    Discarded,
}

/// Puts and deletes applied together, atomically, by `commit()`.
#[pyclass(name = "Batch", module = "toonstore")]
struct PyBatch {
    batch: toonstore::Batch,
    puts: usize,
    db: Py<PyToonStore>,
    state: BatchState,
    ids: Vec<RowId>,
}

impl PyBatch {
    fn check_open(&self, py: Python<'_>) -> PyResult<()> {
        match self.state {
            BatchState::Open => Ok(()),
            BatchState::Committed => Err(make_error(
                py,
                ErrorKind::InvalidArgument,
                "the batch has already been committed",
            )),
            BatchState::Discarded => Err(make_error(
                py,
                ErrorKind::InvalidArgument,
                "the batch has been discarded",
            )),
        }
    }
}

#[pymethods]
impl PyBatch {
    /// Adds a put; its row id is in `ids` after commit.
    fn put(&mut self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        self.check_open(py)?;
        let data = data_arg(data)?;
        self.batch.put(data.as_slice());
        self.puts += 1;
        Ok(())
    }

    /// Adds a delete; the whole batch fails with NotFoundError at commit if
    /// the row does not exist then.
    fn delete(&mut self, py: Python<'_>, row_id: &Bound<'_, PyAny>) -> PyResult<()> {
        self.check_open(py)?;
        match row_arg(row_id)? {
            RowArg::Id(id) => {
                self.batch.delete(id);
                Ok(())
            }
            RowArg::Absent => Err(not_found(py, row_id)),
        }
    }

    /// Applies the batch atomically and returns the new row ids of its puts,
    /// in order.
    fn commit(&mut self, py: Python<'_>) -> PyResult<Vec<RowId>> {
        self.check_open(py)?;
        let db = self.db.get();
        db.check_writable(py)?;
        let batch = std::mem::take(&mut self.batch);
        let result = db.with_db_detached(py, |db| db.write(&batch));
        match result {
            Ok(ids) => {
                self.state = BatchState::Committed;
                self.ids = ids.clone();
                Ok(ids)
            }
            Err(e) => {
                // Nothing was applied; the batch cannot be retried blindly.
                self.state = BatchState::Discarded;
                Err(e)
            }
        }
    }

    /// Drops the batch's operations without applying them.
    fn discard(&mut self) {
        if self.state == BatchState::Open {
            self.batch.clear();
            self.state = BatchState::Discarded;
        }
    }

    /// Row ids of the batch's puts, in order; empty until committed.
    #[getter]
    fn ids(&self) -> Vec<RowId> {
        self.ids.clone()
    }

    /// True once the batch has been committed.
    #[getter]
    fn committed(&self) -> bool {
        self.state == BatchState::Committed
    }

    /// Number of puts and deletes queued.
    fn __len__(&self) -> usize {
        self.batch.len()
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        slf.check_open(slf.py())?;
        Ok(slf)
    }

    #[pyo3(signature = (exc_type, _exc_value, _traceback))]
    fn __exit__(
        &mut self,
        py: Python<'_>,
        exc_type: &Bound<'_, PyAny>,
        _exc_value: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        if exc_type.is_none() {
            if self.state == BatchState::Open {
                self.commit(py)?;
            }
        } else {
            self.discard();
        }
        Ok(())
    }

    fn __repr__(&self) -> String {
        let state = match self.state {
            BatchState::Open => "open",
            BatchState::Committed => "committed",
            BatchState::Discarded => "discarded",
        };
        format!(
            "<toonstore.Batch {} ops={} puts={}>",
            state,
            self.batch.len(),
            self.puts
        )
    }
}

// ---------------------------------------------------------------------------
// Stats
// ---------------------------------------------------------------------------

/// Counters returned by `ToonStore.stats()`.
#[pyclass(name = "Stats", module = "toonstore", frozen, eq)]
#[derive(Clone, PartialEq)]
struct PyStats {
    /// Rows that can be read.
    #[pyo3(get)]
    live_rows: u64,
    /// Rows deleted (their space is reclaimed by compaction).
    #[pyo3(get)]
    deleted_rows: u64,
    /// The row id the next put will get.
    #[pyo3(get)]
    next_row_id: u64,
    /// Bytes of data in live rows.
    #[pyo3(get)]
    live_bytes: u64,
    /// Bytes the database's files take on disk.
    #[pyo3(get)]
    disk_bytes: u64,
    /// Number of segment files.
    #[pyo3(get)]
    segment_count: u64,
    /// Fraction of segment bytes no longer live (0.0 to 1.0).
    #[pyo3(get)]
    garbage_fraction: f64,
}

#[pymethods]
impl PyStats {
    /// The counters as a dict.
    fn as_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let d = PyDict::new(py);
        d.set_item("live_rows", self.live_rows)?;
        d.set_item("deleted_rows", self.deleted_rows)?;
        d.set_item("next_row_id", self.next_row_id)?;
        d.set_item("live_bytes", self.live_bytes)?;
        d.set_item("disk_bytes", self.disk_bytes)?;
        d.set_item("segment_count", self.segment_count)?;
        d.set_item("garbage_fraction", self.garbage_fraction)?;
        Ok(d)
    }

    fn __repr__(&self) -> String {
        format!(
            "Stats(live_rows={}, deleted_rows={}, next_row_id={}, live_bytes={}, \
             disk_bytes={}, segment_count={}, garbage_fraction={:?})",
            self.live_rows,
            self.deleted_rows,
            self.next_row_id,
            self.live_bytes,
            self.disk_bytes,
            self.segment_count,
            self.garbage_fraction
        )
    }
}

// ---------------------------------------------------------------------------
// Module
// ---------------------------------------------------------------------------

fn error_codes<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    for (name, kind) in [
        ("InvalidArgument", ErrorKind::InvalidArgument),
        ("NotFound", ErrorKind::NotFound),
        ("Io", ErrorKind::Io),
        ("Corrupt", ErrorKind::Corrupt),
        ("Locked", ErrorKind::Locked),
        ("TooLarge", ErrorKind::TooLarge),
        ("ReadOnly", ErrorKind::ReadOnly),
        ("Version", ErrorKind::Version),
        ("NoMemory", ErrorKind::NoMemory),
        ("Internal", ErrorKind::Internal),
        ("Closed", ErrorKind::Closed),
        ("BufferTooSmall", ErrorKind::BufferTooSmall),
        ("Poisoned", ErrorKind::Poisoned),
    ] {
        d.set_item(name, kind.code())?;
    }
    Ok(d)
}

#[pymodule]
fn _toonstore(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", toonstore::VERSION)?;
    m.add("ERROR_CODES", error_codes(m.py())?)?;
    m.add_class::<PyToonStore>()?;
    m.add_class::<PyScan>()?;
    m.add_class::<PySnapshot>()?;
    m.add_class::<PyBatch>()?;
    m.add_class::<PyStats>()?;
    let py = m.py();
    let os = py.import("os")?;
    if os.hasattr("register_at_fork")? {
        let kwargs = PyDict::new(py);
        kwargs.set_item("before", wrap_pyfunction!(_before_fork, m)?)?;
        kwargs.set_item(
            "after_in_parent",
            wrap_pyfunction!(_after_fork_in_parent, m)?,
        )?;
        kwargs.set_item("after_in_child", wrap_pyfunction!(_after_fork_in_child, m)?)?;
        os.call_method("register_at_fork", (), Some(&kwargs))?;
    }
    Ok(())
}

#[allow(dead_code)]
fn _assert_send_sync() {
    fn is<T: Send + Sync>() {}
    is::<toonstore::ToonStore>();
    is::<toonstore::Snapshot>();
}
