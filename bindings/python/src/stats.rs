//! `Stats`: the counters of `ToonStore.stats()`, as the pure-Python frozen
//! dataclass `toonstore._stats.Stats`.

use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;

/// The `toonstore._stats.Stats` class, imported once.
static STATS_CLASS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();

/// The Python `Stats` (a frozen dataclass, see python/toonstore/_stats.py)
/// for the engine's counters.
pub(crate) fn make_stats(py: Python<'_>, s: toonstore::Stats) -> PyResult<Bound<'_, PyAny>> {
    let class = STATS_CLASS.get_or_try_init(py, || {
        Ok::<_, PyErr>(py.import("toonstore._stats")?.getattr("Stats")?.unbind())
    })?;
    class.bind(py).call1((
        s.live_rows,
        s.deleted_rows,
        s.next_row_id,
        s.live_bytes,
        s.disk_bytes,
        s.segment_count,
        s.garbage_fraction,
    ))
}
