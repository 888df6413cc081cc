//! `Scan`: the iterator of `ToonStore.scan()`, `iter(db)` and
//! `Snapshot.scan()`, over `(row_id, data)` of one snapshot. It stops with
//! the handle's error once the handle is closed (or in a forked child).

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::errors::engine_error;
use crate::store::PyToonStore;

/// Iterator over `(row_id, data)` of one snapshot.
#[pyclass(name = "Scan", module = "toonstore")]
pub(crate) struct PyScan {
    scan: Option<toonstore::Scan>,
    db: Py<PyToonStore>,
}

impl PyScan {
    pub(crate) fn new(scan: toonstore::Scan, db: Py<PyToonStore>) -> Self {
        PyScan {
            scan: Some(scan),
            db,
        }
    }

    /// Drops the scan (and its snapshot): in a forked child too, where
    /// that only unmaps this process's copy of the segments.
    fn finish(&mut self) {
        self.scan.take();
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
