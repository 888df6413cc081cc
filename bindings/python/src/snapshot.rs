//! `Snapshot`: a consistent, read-only view of the database at one moment
//! (`ToonStore.snapshot()`), readable until released or its handle closes.

use parking_lot::RwLock;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyMemoryView, PyTuple};

use toonstore::{ErrorKind, RowId};

use crate::args::{range_args, row_arg, RowArg};
use crate::buffer::RowBuffer;
use crate::errors::{make_error, not_found, EngineResult};
use crate::scan::PyScan;
use crate::store::PyToonStore;

/// A consistent, read-only view of the database at one moment.
#[pyclass(name = "Snapshot", module = "toonstore", frozen)]
pub(crate) struct PySnapshot {
    snap: RwLock<Option<toonstore::Snapshot>>,
    db: Py<PyToonStore>,
}

impl Drop for PySnapshot {
    fn drop(&mut self) {
        self.release();
    }
}

impl PySnapshot {
    pub(crate) fn new(snap: toonstore::Snapshot, db: Py<PyToonStore>) -> Self {
        PySnapshot {
            snap: RwLock::new(Some(snap)),
            db,
        }
    }

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
    /// The row's bytes as of the snapshot, or `default`. With
    /// `buffer=True`, a read-only `memoryview` of the row in the database's
    /// mapping instead of a copy (zero copy); the view keeps the mapping
    /// alive, so it stays valid after the snapshot is released and the
    /// database closed (see `RowBuffer`).
    #[pyo3(signature = (row_id, default=None, *, buffer=false))]
    fn get<'py>(
        &self,
        py: Python<'py>,
        row_id: &Bound<'py, PyAny>,
        default: Option<Bound<'py, PyAny>>,
        buffer: bool,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let id = match row_arg(row_id)? {
            RowArg::Id(id) => id,
            RowArg::Absent => return self.with_snap(py, |_| Ok(default)),
        };
        if buffer {
            let found = self.with_snap(py, |s| {
                let Some(data) = s.get(id).py_err(py)? else {
                    return Ok(None);
                };
                let row = Bound::new(py, RowBuffer::new(s.clone(), data))?;
                Ok(Some(PyMemoryView::from(&row.into_any())?.into_any()))
            })?;
            return Ok(found.or(default));
        }
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

    /// Iterates over `(row_id, data)` of the snapshot with
    /// `start <= row_id < stop` (None: no bound), in increasing row id
    /// order, or decreasing when `reverse`.
    #[pyo3(signature = (start=None, stop=None, reverse=false))]
    fn scan(
        &self,
        py: Python<'_>,
        start: Option<&Bound<'_, PyAny>>,
        stop: Option<&Bound<'_, PyAny>>,
        reverse: bool,
    ) -> PyResult<PyScan> {
        let (start, stop) = range_args(py, start, stop)?;
        let scan = self.with_snap(py, |s| s.scan_range(start..stop, reverse).py_err(py))?;
        Ok(PyScan::new(scan, self.db.clone_ref(py)))
    }

    fn __iter__(&self, py: Python<'_>) -> PyResult<PyScan> {
        self.scan(py, None, None, false)
    }

    /// `reversed(snapshot)`: the rows from the highest row id down.
    fn __reversed__(&self, py: Python<'_>) -> PyResult<PyScan> {
        self.scan(py, None, None, true)
    }

    /// Row ids at or above this are not in the snapshot.
    #[getter]
    fn end_id(&self, py: Python<'_>) -> PyResult<RowId> {
        self.with_snap(py, |s| Ok(s.end_id()))
    }

    /// Releases the snapshot (also done when it is garbage collected).
    fn release(&self) {
        // In a forked child too: dropping only unmaps this process's copy.
        self.snap.write().take();
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
