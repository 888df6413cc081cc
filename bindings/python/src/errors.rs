//! Engine errors as Python exceptions. The exception classes live in pure
//! Python (python/toonstore/_errors.py, for multiple inheritance: a
//! `NotFoundError` is also a `KeyError`, a `ToonStoreIOError` an `OSError`);
//! this module finds the class for an `ErrorKind` and builds
//! `cls(message, code)`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyDict, PyType};

use toonstore::ErrorKind;

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
            (ErrorKind::Forked, class("ForkedError")?),
        ];
        Ok(ErrorClasses {
            base: class("ToonStoreError")?,
            by_kind,
        })
    })
}

/// Builds the Python exception for an engine error kind: `cls(message, code)`.
pub(crate) fn make_error(py: Python<'_>, kind: ErrorKind, message: &str) -> PyErr {
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

/// `DatabaseNotFoundError(message, code, filename)`: open found no database
/// (`create_if_missing=False`): the engine's `TOONSTORE_ERR_IO`, so a
/// `ToonStoreIOError`, and a `FileNotFoundError` (errno ENOENT).
pub(crate) fn missing_database_error(
    py: Python<'_>,
    path: &std::path::Path,
    message: &str,
) -> PyErr {
    let made = (|| -> PyResult<PyErr> {
        let class = py
            .import("toonstore._errors")?
            .getattr("DatabaseNotFoundError")?;
        let exc = class.call1((message, ErrorKind::Io.code(), path.as_os_str()))?;
        Ok(PyErr::from_value(exc))
    })();
    made.unwrap_or_else(|e| e)
}

/// Emits `ResourceWarning("unclosed toonstore.ToonStore ...")` for a handle
/// dropped while open; from a destructor, so a warning turned into an error
/// by the filters is reported as unraisable rather than raised.
pub(crate) fn warn_unclosed(py: Python<'_>, path: &std::path::Path) {
    let message = format!(
        "unclosed toonstore.ToonStore path={:?}",
        path.display().to_string()
    );
    let Ok(message) = std::ffi::CString::new(message) else {
        return;
    };
    let category = py.get_type::<pyo3::exceptions::PyResourceWarning>();
    if let Err(e) = PyErr::warn(py, &category, &message, 1) {
        e.write_unraisable(py, None);
    }
}

pub(crate) fn engine_error(py: Python<'_>, err: toonstore::Error) -> PyErr {
    make_error(py, err.kind(), err.message())
}

pub(crate) fn closed_error(py: Python<'_>) -> PyErr {
    make_error(py, ErrorKind::Closed, "the database is closed")
}

pub(crate) fn not_found(py: Python<'_>, row_id: &Bound<'_, PyAny>) -> PyErr {
    let shown = row_id
        .repr()
        .map(|r| r.to_string())
        .unwrap_or_else(|_| "?".to_owned());
    make_error(py, ErrorKind::NotFound, &format!("row {shown} not found"))
}

/// Maps an engine result to a Python result.
pub(crate) trait EngineResult<T> {
    fn py_err(self, py: Python<'_>) -> PyResult<T>;
}

impl<T> EngineResult<T> for toonstore::Result<T> {
    #[inline]
    fn py_err(self, py: Python<'_>) -> PyResult<T> {
        self.map_err(|e| engine_error(py, e))
    }
}

/// `toonstore.ERROR_CODES`: the C error code of every error kind, by name.
pub(crate) fn error_codes<'py>(py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
    // Keyed by the kind's Rust name ("NotFound"), from the core's one error
    // table: every code the engine has, and no other.
    let d = PyDict::new(py);
    for &kind in ErrorKind::ALL {
        d.set_item(format!("{kind:?}"), kind.code())?;
    }
    Ok(d)
}
