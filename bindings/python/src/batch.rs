//! `Batch`: puts and deletes collected in Python and applied atomically by
//! `commit()` (or on leaving a `with` block without an exception).

use pyo3::prelude::*;

use toonstore::{ErrorKind, RowId};

use crate::args::{data_arg, row_arg, RowArg};
use crate::errors::{make_error, not_found};
use crate::store::PyToonStore;

#[derive(Clone, Copy, PartialEq, Eq)]
enum BatchState {
    Open,
    Committed,
    Discarded,
}

/// Puts and deletes applied together, atomically, by `commit()`.
#[pyclass(name = "Batch", module = "toonstore")]
pub(crate) struct PyBatch {
    batch: toonstore::Batch,
    puts: usize,
    db: Py<PyToonStore>,
    state: BatchState,
    ids: Vec<RowId>,
}

impl PyBatch {
    pub(crate) fn new(db: Py<PyToonStore>) -> Self {
        PyBatch {
            batch: toonstore::Batch::new(),
            puts: 0,
            db,
            state: BatchState::Open,
            ids: Vec::new(),
        }
    }

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
