//! The options object of `ToonStore.open(path, options)`.
//!
//! lib/args.js checks the JavaScript types first (a wrong type is a
//! `TypeError` there); what reaches this file has the right types, and the
//! values are checked here (and by the engine's `Options::validate`).

use std::time::Duration;

use napi_derive::napi;
use toonstore::{Durability, ErrorKind, Options};

use crate::errors::make_error;

/// What JavaScript may pass to `open` (camelCase names).
#[napi(object)]
#[derive(Default)]
pub struct OpenOptions {
    /// 'off' | 'normal' | 'full'.
    pub durability: Option<String>,
    pub read_only: Option<bool>,
    pub create_if_missing: Option<bool>,
    pub verify_checksums: Option<bool>,
    pub max_value_size: Option<f64>,
    pub segment_size: Option<f64>,
    /// Seconds between background flushes under 'normal' durability.
    pub sync_interval: Option<f64>,
}

pub fn durability_name(d: Durability) -> &'static str {
    match d {
        Durability::Off => "off",
        Durability::Normal => "normal",
        Durability::Full => "full",
    }
}

fn size(name: &str, value: f64) -> napi::Result<u64> {
    if value.is_finite() && value >= 1.0 && value.fract() == 0.0 && value < 2f64.powi(53) {
        Ok(value as u64)
    } else {
        Err(make_error(
            ErrorKind::InvalidArgument,
            &format!("{name} must be a positive integer, got {value}"),
        ))
    }
}

/// The engine's options for `opts`.
pub fn engine_options(opts: Option<OpenOptions>) -> napi::Result<Options> {
    let opts = opts.unwrap_or_default();
    let mut options = Options::default();
    if let Some(d) = &opts.durability {
        options.durability = match d.as_str() {
            "off" => Durability::Off,
            "normal" => Durability::Normal,
            "full" => Durability::Full,
            other => {
                return Err(make_error(
                    ErrorKind::InvalidArgument,
                    &format!("durability must be 'off', 'normal' or 'full', got '{other}'"),
                ))
            }
        };
    }
    if let Some(v) = opts.read_only {
        options.read_only = v;
    }
    if let Some(v) = opts.create_if_missing {
        options.create_if_missing = v;
    }
    if let Some(v) = opts.verify_checksums {
        options.verify_checksums = v;
    }
    if let Some(v) = opts.max_value_size {
        options.max_value_size = size("maxValueSize", v)?;
    }
    if let Some(v) = opts.segment_size {
        options.segment_size = size("segmentSize", v)?;
    }
    if let Some(secs) = opts.sync_interval {
        if !(secs.is_finite() && secs > 0.0 && secs < 1e9) {
            return Err(make_error(
                ErrorKind::InvalidArgument,
                &format!("syncInterval must be a positive number of seconds, got {secs}"),
            ));
        }
        options.sync_interval = Duration::from_secs_f64(secs);
    }
    options.validate().map_err(crate::errors::engine_error)?;
    Ok(options)
}
