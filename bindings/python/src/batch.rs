//! `Batch`: puts and deletes collected in Python and applied atomically by
//! `commit()` (or on leaving a `with` block without an exception).
//!
//! A batch may be shared between threads. Its state sits behind a mutex
//! that is only ever held for a few instructions with the GIL held and never
//! across a GIL release: `commit()` takes the queued operations out and marks
//! the batch `Committing` before it releases the GIL to write, so a call
//! from another thread meanwhile gets a clear `InvalidArgumentError`
//! ("being committed") instead of waiting or corrupting anything. No Python
//! code runs while the mutex is held (building an exception would run some,
//! and the interpreter may switch threads there), so a thread waiting for
//! the mutex with the GIL held never waits for a thread that needs the GIL.

use parking_lot::Mutex;
use pyo3::prelude::*;

use toonstore::{ErrorKind, RowId};

use crate::args::{data_arg, row_arg, RowArg};
use crate::errors::make_error;
use crate::store::PyToonStore;

#[derive(Clone, Copy, PartialEq, Eq)]
enum BatchState {
    Open,
    Committing,
    Committed,
    Discarded,
}

struct Inner {
    batch: toonstore::Batch,
    /// Operations queued (puts and deletes, including deletes of ids that
    /// cannot exist); kept after commit so that `len()` says what was
    /// committed.
    ops: usize,
    puts: usize,
    state: BatchState,
    ids: Vec<RowId>,
    /// The first delete of an id that cannot exist (negative, too large):
    /// reported, as documented, by `commit()` with nothing applied.
    bad_delete: Option<String>,
}

/// Puts and deletes applied together, atomically, by `commit()`.
#[pyclass(name = "Batch", module = "toonstore", frozen)]
pub(crate) struct PyBatch {
    db: Py<PyToonStore>,
    inner: Mutex<Inner>,
}

fn state_error(py: Python<'_>, state: BatchState) -> PyErr {
    let message = match state {
        BatchState::Open => "the batch is open",
        BatchState::Committing => "the batch is being committed by another thread",
        BatchState::Committed => "the batch has already been committed",
        BatchState::Discarded => "the batch has been discarded",
    };
    make_error(py, ErrorKind::InvalidArgument, message)
}

impl PyBatch {
    pub(crate) fn new(db: Py<PyToonStore>) -> Self {
        PyBatch {
            db,
            inner: Mutex::new(Inner {
                batch: toonstore::Batch::new(),
                ops: 0,
                puts: 0,
                state: BatchState::Open,
                ids: Vec::new(),
                bad_delete: None,
            }),
        }
    }

    /// Runs `f` on the open batch's state; the database must be usable too
    /// (a batch of a closed database raises `ClosedError`). Errors are built
    /// after the mutex is let go: building one runs Python code, which may
    /// switch threads, and no thread may hold the mutex then.
    fn with_open<R>(&self, py: Python<'_>, f: impl FnOnce(&mut Inner) -> R) -> PyResult<R> {
        let db = self.db.get();
        if !db.usable() {
            return Err(db.unusable_error(py));
        }
        let state = {
            let mut inner = self.inner.lock();
            if inner.state == BatchState::Open {
                return Ok(f(&mut inner));
            }
            inner.state
        };
        Err(state_error(py, state))
    }

    fn commit_impl(&self, py: Python<'_>) -> PyResult<Vec<RowId>> {
        let db = self.db.get();
        db.check_writable(py)?;
        let taken = {
            let mut inner = self.inner.lock();
            if inner.state == BatchState::Open {
                inner.state = BatchState::Committing;
                Ok((std::mem::take(&mut inner.batch), inner.bad_delete.take()))
            } else {
                Err(inner.state)
            }
        };
        let (batch, bad_delete) = taken.map_err(|state| state_error(py, state))?;
        let result = match bad_delete {
            Some(message) => Err(make_error(py, ErrorKind::NotFound, &message)),
            None => db.with_db_detached(py, |db| db.write(&batch)),
        };
        let mut inner = self.inner.lock();
        match result {
            Ok(ids) => {
                inner.state = BatchState::Committed;
                inner.ids.clone_from(&ids);
                Ok(ids)
            }
            Err(e) => {
                // Nothing was applied; the batch cannot be retried blindly.
                // (`e` was built before the mutex was taken.)
                inner.state = BatchState::Discarded;
                Err(e)
            }
        }
    }
}

#[pymethods]
impl PyBatch {
    /// Adds a put; its row id is in `ids` after commit.
    fn put(&self, py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<()> {
        let data = data_arg(data)?;
        self.with_open(py, |inner| {
            inner.batch.put(data.as_slice());
            inner.puts += 1;
            inner.ops += 1;
        })
    }

    /// Adds a delete; the whole batch fails with NotFoundError at commit if
    /// the row does not exist then.
    fn delete(&self, py: Python<'_>, row_id: &Bound<'_, PyAny>) -> PyResult<()> {
        let arg = row_arg(row_id)?;
        let shown = match arg {
            RowArg::Id(_) => None,
            RowArg::Absent => Some(format!("row {} not found", row_id.repr()?)),
        };
        self.with_open(py, |inner| {
            match arg {
                RowArg::Id(id) => {
                    inner.batch.delete(id);
                }
                RowArg::Absent => {
                    if inner.bad_delete.is_none() {
                        inner.bad_delete = shown;
                    }
                }
            }
            inner.ops += 1;
        })
    }

    /// Applies the batch atomically and returns the new row ids of its puts,
    /// in order.
    fn commit(&self, py: Python<'_>) -> PyResult<Vec<RowId>> {
        self.commit_impl(py)
    }

    /// Drops the batch's operations without applying them.
    fn discard(&self) {
        let mut inner = self.inner.lock();
        if inner.state == BatchState::Open {
            inner.batch.clear();
            inner.ops = 0;
            inner.puts = 0;
            inner.bad_delete = None;
            inner.state = BatchState::Discarded;
        }
    }

    /// Row ids of the batch's puts, in order; empty until committed.
    #[getter]
    fn ids(&self) -> Vec<RowId> {
        self.inner.lock().ids.clone()
    }

    /// True once the batch has been committed.
    #[getter]
    fn committed(&self) -> bool {
        self.inner.lock().state == BatchState::Committed
    }

    /// Number of puts and deletes queued, or committed once committed
    /// (0 after `discard()`).
    fn __len__(&self) -> usize {
        self.inner.lock().ops
    }

    fn __enter__(slf: PyRef<'_, Self>) -> PyResult<PyRef<'_, Self>> {
        slf.with_open(slf.py(), |_| ())?;
        Ok(slf)
    }

    #[pyo3(signature = (exc_type, _exc_value, _traceback))]
    fn __exit__(
        &self,
        py: Python<'_>,
        exc_type: &Bound<'_, PyAny>,
        _exc_value: &Bound<'_, PyAny>,
        _traceback: &Bound<'_, PyAny>,
    ) -> PyResult<()> {
        if exc_type.is_none() {
            let open = self.inner.lock().state == BatchState::Open;
            if open {
                self.commit_impl(py)?;
            }
        } else {
            self.discard();
        }
        Ok(())
    }

    fn __repr__(&self) -> String {
        let inner = self.inner.lock();
        let state = match inner.state {
            BatchState::Open => "open",
            BatchState::Committing => "committing",
            BatchState::Committed => "committed",
            BatchState::Discarded => "discarded",
        };
        format!(
            "<toonstore.Batch {} ops={} puts={}>",
            state, inner.ops, inner.puts
        )
    }
}
