//! The keyword arguments of `ToonStore.open` as engine `Options`, and
//! durability names ("normal", "full", "off").

use std::time::Duration;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyString;

use toonstore::{Durability, ErrorKind, Options};

use crate::args::{size_arg, type_name};
use crate::errors::make_error;

/// The keyword arguments of `ToonStore.open` and of the constructor, as
/// Python passed them (None: the engine's default).
pub(crate) struct OpenArgs<'a, 'py> {
    pub durability: Option<&'a Bound<'py, PyAny>>,
    pub read_only: bool,
    pub create_if_missing: bool,
    pub verify_checksums: bool,
    pub max_value_size: Option<&'a Bound<'py, PyAny>>,
    pub segment_size: Option<&'a Bound<'py, PyAny>>,
    pub sync_interval: Option<f64>,
}

/// Builds the engine options from `open`'s keyword arguments.
pub(crate) fn open_options(py: Python<'_>, args: &OpenArgs<'_, '_>) -> PyResult<Options> {
    let OpenArgs {
        durability,
        read_only,
        create_if_missing,
        verify_checksums,
        max_value_size,
        segment_size,
        sync_interval,
    } = *args;
    let mut options = Options {
        read_only,
        create_if_missing,
        verify_checksums,
        ..Options::default()
    };
    if let Some(d) = durability {
        options.durability = parse_durability(d)?;
    }
    if let Some(v) = max_value_size {
        options.max_value_size = size_arg(v, "max_value_size")?;
    }
    if let Some(v) = segment_size {
        options.segment_size = size_arg(v, "segment_size")?;
    }
    if let Some(secs) = sync_interval {
        // The engine refuses a zero interval; a positive one too small to be
        // a whole nanosecond would round to zero, so it is refused here too.
        let interval = if secs.is_finite() && secs > 0.0 {
            Duration::try_from_secs_f64(secs)
                .ok()
                .filter(|d| !d.is_zero())
        } else {
            None
        };
        let Some(interval) = interval else {
            return Err(make_error(
                py,
                ErrorKind::InvalidArgument,
                &format!("sync_interval must be a finite number of seconds > 0, not {secs}"),
            ));
        };
        options.sync_interval = interval;
    }
    Ok(options)
}

/// Reads a durability name, in any case.
pub(crate) fn parse_durability(value: &Bound<'_, PyAny>) -> PyResult<Durability> {
    let Ok(text) = value.cast::<PyString>() else {
        return Err(PyTypeError::new_err(format!(
            "durability must be a str ('normal', 'full' or 'off'), not {}",
            type_name(value)
        )));
    };
    match text.to_str()?.to_ascii_lowercase().as_str() {
        "normal" => Ok(Durability::Normal),
        "full" => Ok(Durability::Full),
        "off" => Ok(Durability::Off),
        _ => Err(make_error(
            value.py(),
            ErrorKind::InvalidArgument,
            &format!(
                "durability must be 'normal', 'full' or 'off', not {}",
                value.repr()?
            ),
        )),
    }
}

pub(crate) fn durability_name(d: Durability) -> &'static str {
    match d {
        Durability::Off => "off",
        Durability::Normal => "normal",
        Durability::Full => "full",
    }
}
