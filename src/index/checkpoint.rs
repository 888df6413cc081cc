//! Writing and loading the index checkpoint (`INDEX`; layout in
//! `format::checkpoint`).
//!
//! A checkpoint is written from a frozen view, so writers keep going while
//! it is written. Protocol: flush the log up to the checkpoint's replay
//! position (the checkpoint must never reference bytes that a power loss
//! could take back), write `INDEX.tmp`, flush it, rename it over `INDEX`,
//! flush the directory.

use std::fs::{self, File};
use std::io::BufWriter;
use std::path::Path;

use crate::error::{Error, ErrorKind, Result};
use crate::format::checkpoint::{self as layout, CheckpointError, CheckpointMeta};
use crate::format::u64_at;
use crate::index::{View, CHUNK_LEN};
use crate::storage::{dir, faults};

/// Writes a checkpoint of `view` (ids below `meta.next_id`) into `dir_path`.
///
/// # Errors
/// `Io` (the previous checkpoint stays in place).
pub fn write(dir_path: &Path, meta: &CheckpointMeta, view: &View) -> Result<()> {
    let tmp = dir_path.join(dir::CHECKPOINT_TMP);
    let path = dir_path.join(dir::CHECKPOINT_FILE);
    let io = |what: &'static str, p: &Path| {
        let p = p.to_path_buf();
        move |e| Error::io(what, &p, e)
    };
    let result = (|| {
        let file = File::create(&tmp).map_err(io("cannot create checkpoint", &tmp))?;
        let mut out = BufWriter::with_capacity(1 << 20, file);
        let mut hasher = crc32fast::Hasher::new();
        let prefix = layout::encode_prefix(meta);
        hasher.update(&prefix);
        faults::write_all("checkpoint.write", &mut out, &tmp, &prefix)
            .map_err(io("cannot write checkpoint", &tmp))?;
        let mut block = Vec::with_capacity(CHUNK_LEN * 8);
        let mut id = 0u64;
        while id < meta.next_id {
            block.clear();
            let end = (id + CHUNK_LEN as u64).min(meta.next_id);
            for i in id..end {
                block.extend_from_slice(&view.get(i).to_le_bytes());
            }
            hasher.update(&block);
            faults::write_all("checkpoint.write", &mut out, &tmp, &block)
                .map_err(io("cannot write checkpoint", &tmp))?;
            id = end;
        }
        faults::write_all(
            "checkpoint.write",
            &mut out,
            &tmp,
            &hasher.finalize().to_le_bytes(),
        )
        .map_err(io("cannot write checkpoint", &tmp))?;
        let file = out
            .into_inner()
            .map_err(|e| Error::io("cannot write checkpoint", &tmp, e.into_error()))?;
        faults::check("checkpoint.fsync", &tmp)
            .and_then(|()| file.sync_all())
            .map_err(io("cannot flush checkpoint", &tmp))?;
        faults::check("checkpoint.rename", &tmp)
            .and_then(|()| fs::rename(&tmp, &path))
            .map_err(io("cannot rename checkpoint", &tmp))?;
        dir::sync_dir(dir_path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// Loads `INDEX` if it exists: its metadata and one location per id.
///
/// # Errors
/// `Corrupt` for a damaged file, `Version` for a newer format, `Io`.
pub fn load(dir_path: &Path) -> Result<Option<(CheckpointMeta, Vec<u64>)>> {
    let path = dir_path.join(dir::CHECKPOINT_FILE);
    let bytes = match fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("cannot read checkpoint", &path, e)),
    };
    let (meta, raw) = layout::decode(&bytes).map_err(|e| match e {
        CheckpointError::Invalid(what) => Error::corrupt(&path, 0, what),
        CheckpointError::NewerVersion(v) => Error::new(
            ErrorKind::Version,
            format!(
                "{} was written by a newer ToonStore (format version {v}); this library reads format versions up to {}",
                path.display(),
                crate::format::FORMAT_VERSION
            ),
        ),
    })?;
    let entries = (0..raw.len() / 8).map(|i| u64_at(raw, i * 8)).collect();
    Ok(Some((meta, entries)))
}
