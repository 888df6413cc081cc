//! `Scan`, `KeyScan` and `ValueScan`: the iterators of `ToonStore.scan()` /
//! `iter(db)` / `items()` / `Snapshot.scan()` (`(row_id, data)`),
//! `keys()` (row ids; no value is copied) and `values()` (data), over one
//! snapshot. They stop with the handle's error once the handle is closed (or
//! in a forked child). `close()` (or leaving a `with` block) drops the
//! snapshot at once instead of at garbage collection.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyTuple};

use crate::errors::engine_error;
use crate::store::PyToonStore;

/// The part shared by the three iterators: the engine scan and its handle.
pub(crate) struct ScanCore {
    scan: Option<toonstore::Scan>,
    db: Py<PyToonStore>,
}

impl ScanCore {
    pub(crate) fn new(scan: toonstore::Scan, db: Py<PyToonStore>) -> Self {
        ScanCore {
            scan: Some(scan),
            db,
        }
    }

    /// Drops the scan (and its snapshot): in a forked child too, where
    /// that only unmaps this process's copy of the segments.
    fn finish(&mut self) {
        self.scan.take();
    }

    /// The next live row, given to `f` as `(row_id, data)` borrowed from
    /// the snapshot; `None` at the end or once closed.
    fn next_with<'py, R>(
        &mut self,
        py: Python<'py>,
        f: impl FnOnce(u64, &[u8]) -> PyResult<R>,
    ) -> PyResult<Option<R>> {
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
            Some(Ok((id, data))) => f(id, data).map(Some),
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

impl Drop for ScanCore {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Defines the iterator protocol, `close()` and the context manager of a
/// scan class holding a `core: ScanCore`.
macro_rules! scan_common {
    ($ty:ty, |$py:ident, $id:pat_param, $data:pat_param| -> $ret:ty { $body:expr }) => {
        #[pymethods]
        impl $ty {
            fn __next__<'py>(&mut self, $py: Python<'py>) -> PyResult<Option<$ret>> {
                self.core.next_with($py, |$id, $data| Ok($body))
            }

            fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
                slf
            }

            /// Stops the scan and lets go of its snapshot now; idempotent.
            fn close(&mut self) {
                self.core.finish();
            }

            fn __enter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
                slf
            }

            #[pyo3(signature = (*_args))]
            fn __exit__(&mut self, _args: &Bound<'_, PyTuple>) {
                self.core.finish();
            }
        }
    };
}

/// Iterator over `(row_id, data)` of one snapshot.
#[pyclass(name = "Scan", module = "toonstore")]
pub(crate) struct PyScan {
    core: ScanCore,
}

impl PyScan {
    pub(crate) fn new(scan: toonstore::Scan, db: Py<PyToonStore>) -> Self {
        PyScan {
            core: ScanCore::new(scan, db),
        }
    }
}

scan_common!(PyScan, |py, id, data| -> (u64, Bound<'py, PyBytes>) {
    (id, PyBytes::new(py, data))
});

/// Iterator over the row ids of one snapshot; values are not copied.
#[pyclass(name = "KeyScan", module = "toonstore")]
pub(crate) struct PyKeyScan {
    core: ScanCore,
}

impl PyKeyScan {
    pub(crate) fn new(scan: toonstore::Scan, db: Py<PyToonStore>) -> Self {
        PyKeyScan {
            core: ScanCore::new(scan, db),
        }
    }
}

scan_common!(PyKeyScan, |py, id, _data| -> u64 { id });

/// Iterator over the data of the rows of one snapshot, in row id order.
#[pyclass(name = "ValueScan", module = "toonstore")]
pub(crate) struct PyValueScan {
    core: ScanCore,
}

impl PyValueScan {
    pub(crate) fn new(scan: toonstore::Scan, db: Py<PyToonStore>) -> Self {
        PyValueScan {
            core: ScanCore::new(scan, db),
        }
    }
}

scan_common!(PyValueScan, |py, _id, data| -> Bound<'py, PyBytes> {
    PyBytes::new(py, data)
});
