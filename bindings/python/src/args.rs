//! Reading Python arguments: row ids (any `int`) and row data (any
//! bytes-like object or `str`, borrowed without copying when contiguous).

use std::mem::MaybeUninit;

use pyo3::exceptions::{PyOverflowError, PyTypeError};
use pyo3::ffi;
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyString};

use toonstore::{ErrorKind, RowId};

use crate::errors::make_error;

/// How a Python object names a row.
pub(crate) enum RowArg {
    /// A valid row id.
    Id(RowId),
    /// An `int` that no row can have (negative or above u64): always absent.
    Absent,
}

/// Reads a row id: any `int` (or object with `__index__`). Integers out of
/// the u64 range name no row; anything else is a `TypeError`.
#[inline]
pub(crate) fn row_arg(obj: &Bound<'_, PyAny>) -> PyResult<RowArg> {
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
pub(crate) fn start_arg(obj: Option<&Bound<'_, PyAny>>) -> PyResult<RowId> {
    let Some(obj) = obj else { return Ok(0) };
    if obj.is_none() {
        return Ok(0);
    }
    match row_arg(obj)? {
        RowArg::Id(id) => Ok(id),
        RowArg::Absent => Ok(if obj.lt(0)? { 0 } else { RowId::MAX }),
    }
}

/// Reads the `start` and `stop` of a bounded scan (`start <= id < stop`):
/// each as `start_arg` reads it (None: no bound), so that the rows are the
/// ones `range(start, stop)` would name. `stop < start` is a caller's bug:
/// `InvalidArgumentError` (TOONSTORE_ERR_INVALID_ARG), as in the C ABI.
pub(crate) fn range_args(
    py: Python<'_>,
    start: Option<&Bound<'_, PyAny>>,
    stop: Option<&Bound<'_, PyAny>>,
) -> PyResult<(RowId, RowId)> {
    let start = start.filter(|s| !s.is_none());
    let stop = stop.filter(|s| !s.is_none());
    let lo = start_arg(start)?;
    let Some(stop) = stop else {
        return Ok((lo, RowId::MAX));
    };
    let hi = start_arg(Some(stop))?;
    // Compared as Python ints, before negative and huge ones are clamped.
    let inverted = match start {
        Some(start) => stop.lt(start)?,
        None => stop.lt(0)?,
    };
    if inverted {
        let start = start.map_or_else(|| "None".to_owned(), |s| s.to_string());
        return Err(make_error(
            py,
            ErrorKind::InvalidArgument,
            &format!("scan stop {stop} is below start {start}"),
        ));
    }
    Ok((lo, hi.max(lo)))
}

/// The name of `obj`'s type, for error messages.
pub(crate) fn type_name(obj: &Bound<'_, PyAny>) -> String {
    obj.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "?".to_owned())
}

/// A borrowed view of a bytes-like argument (bytes, bytearray, memoryview,
/// any object with the buffer protocol, or str as UTF-8), without copying
/// when the object's memory is contiguous.
pub(crate) enum Data<'a> {
    Slice(&'a [u8]),
    /// A buffer obtained with `PyObject_GetBuffer`, released on drop.
    Buffer(Box<ffi::Py_buffer>),
    /// A non-contiguous buffer copied into a new bytes object.
    Copied(Bound<'a, PyBytes>),
}

impl Data<'_> {
    #[inline]
    pub(crate) fn as_slice(&self) -> &[u8] {
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

/// Reads row data; bytes and str (the common cases) without a C-API call.
#[inline]
pub(crate) fn data_arg<'a>(obj: &'a Bound<'_, PyAny>) -> PyResult<Data<'a>> {
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

/// Reads a filesystem path: str, bytes or any `os.PathLike`, decoded as
/// `os.fsdecode` does (undecodable bytes survive as surrogate escapes).
pub(crate) fn path_arg(obj: &Bound<'_, PyAny>) -> PyResult<std::path::PathBuf> {
    let decoded = obj.py().import("os")?.call_method1("fsdecode", (obj,))?;
    decoded.extract()
}

/// Reads a size option (bytes): a non-negative int. Anything else that is
/// an int (negative, or 2^64 and above) is `InvalidArgumentError`, a
/// `ValueError`, never `OverflowError`.
pub(crate) fn size_arg(obj: &Bound<'_, PyAny>, name: &str) -> PyResult<u64> {
    match obj.extract::<u64>() {
        Ok(v) => Ok(v),
        Err(_) if obj.is_instance_of::<pyo3::types::PyInt>() => Err(crate::errors::make_error(
            obj.py(),
            toonstore::ErrorKind::InvalidArgument,
            &format!(
                "{name} must be an int between 0 and 2^64-1, not {}",
                obj.repr()?
            ),
        )),
        Err(_) => Err(PyTypeError::new_err(format!(
            "{name} must be an int, not {}",
            type_name(obj)
        ))),
    }
}
