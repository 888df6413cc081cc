//! `Stats`: the counters of `ToonStore.stats()`.

use pyo3::prelude::*;
use pyo3::types::PyDict;

/// Counters returned by `ToonStore.stats()`.
#[pyclass(name = "Stats", module = "toonstore", frozen, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyStats {
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

impl From<toonstore::Stats> for PyStats {
    fn from(s: toonstore::Stats) -> Self {
        PyStats {
            live_rows: s.live_rows,
            deleted_rows: s.deleted_rows,
            next_row_id: s.next_row_id,
            live_bytes: s.live_bytes,
            disk_bytes: s.disk_bytes,
            segment_count: s.segment_count,
            garbage_fraction: s.garbage_fraction,
        }
    }
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
