//! `RowBuffer`: the exporter behind `Snapshot.get(..., buffer=True)`'s
//! `memoryview`, a read-only view of one row inside the database's mapping.
//!
//! Lifetime rule (the one thing that makes this safe): a `RowBuffer` owns a
//! clone of the engine snapshot the row was read from, and every memoryview
//! of it holds a reference to the `RowBuffer` (CPython's `Py_buffer.obj`).
//! An engine snapshot keeps the segments it reads mapped until it is dropped
//! (also through compaction and after the database is closed), so the bytes
//! a view points at stay mapped for as long as any view of them exists: a
//! view never outlives its mapping. Releasing the Python `Snapshot` or
//! closing the database does not invalidate a view; it only delays the
//! unmapping (and the freeing of compacted segments) until the last view
//! is released.

use std::os::raw::{c_int, c_void};

use pyo3::exceptions::PyBufferError;
use pyo3::ffi;
use pyo3::prelude::*;

/// One row of a snapshot, exported through the buffer protocol (read-only,
/// bytes, contiguous).
#[pyclass(name = "RowBuffer", module = "toonstore", frozen)]
pub(crate) struct RowBuffer {
    /// Keeps the mapping that `addr` points into alive.
    _snapshot: toonstore::Snapshot,
    /// Where the row's bytes start in the mapping (an address, so that the
    /// class is `Send`; it is only read through `__getbuffer__`).
    addr: usize,
    len: usize,
}

impl RowBuffer {
    /// `data` must be borrowed from `snapshot` (`Snapshot::get`).
    pub(crate) fn new(snapshot: toonstore::Snapshot, data: &[u8]) -> Self {
        RowBuffer {
            addr: data.as_ptr() as usize,
            len: data.len(),
            _snapshot: snapshot,
        }
    }
}

#[pymethods]
impl RowBuffer {
    /// The buffer protocol: a read-only, one-dimensional view of bytes.
    /// A request for a writable buffer fails with `BufferError`.
    unsafe fn __getbuffer__(
        slf: Bound<'_, Self>,
        view: *mut ffi::Py_buffer,
        flags: c_int,
    ) -> PyResult<()> {
        if view.is_null() {
            return Err(PyBufferError::new_err("no Py_buffer to fill"));
        }
        let (addr, len) = {
            let this = slf.get();
            (this.addr, this.len)
        };
        let len = ffi::Py_ssize_t::try_from(len)
            .map_err(|_| PyBufferError::new_err("row too large for a buffer"))?;
        // SAFETY: `view` is non-null and CPython passes a writable Py_buffer;
        // `addr..addr + len` lies in a mapping kept alive by `_snapshot`,
        // which lives as long as `slf`, and PyBuffer_FillInfo stores a new
        // reference to `slf` in `view.obj`, so the view keeps it alive. The
        // memory is exported read-only (readonly = 1): PyBuffer_FillInfo
        // refuses a PyBUF_WRITABLE request with BufferError.
        let rc = unsafe {
            ffi::PyBuffer_FillInfo(view, slf.as_ptr(), addr as *mut c_void, len, 1, flags)
        };
        if rc == -1 {
            return Err(PyErr::fetch(slf.py()));
        }
        Ok(())
    }

    unsafe fn __releasebuffer__(&self, _view: *mut ffi::Py_buffer) {
        // Nothing to do: PyBuffer_Release drops the reference in `view.obj`.
    }

    fn __len__(&self) -> usize {
        self.len
    }
}
