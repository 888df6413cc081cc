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
use crate::index::{Entries, MappedFile, View, CHUNK_LEN};
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
pub fn load(dir_path: &Path) -> Result<Option<(CheckpointMeta, Entries)>> {
    let path = dir_path.join(dir::CHECKPOINT_FILE);
    let file = match File::open(&path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io("cannot read checkpoint", &path, e)),
    };
    let len = file
        .metadata()
        .map_err(|e| Error::io("cannot read checkpoint", &path, e))?
        .len();
    // Mapped rather than read: the entries are used in place (copy-on-write)
    // as the index's chunks. A 10M-row checkpoint is 80 MB; reading it into
    // buffers and copying it into chunks cost three copies and 160 MB of
    // fresh pages to fault in, most of an open's time.
    let map = if len == 0 {
        None
    } else {
        Some(
            MappedFile::map(&file, len as usize)
                .map_err(|e| Error::io("cannot read checkpoint", &path, e))?,
        )
    };
    let bytes: &[u8] = map.as_ref().map_or(&[], |m| m.bytes());
    let (meta, raw) = layout::decode(bytes).map_err(|e| match e {
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
    let at = raw.as_ptr() as usize - bytes.as_ptr() as usize;
    let count = raw.len() / 8;
    let entries = match map {
        Some(map) => Entries::from_mapped(map, at, count),
        None => Entries::new(),
    };
    Ok(Some((meta, entries)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::index::{pack, IndexWriter};

    #[test]
    fn loaded_entries_are_copy_on_write() {
        let dir = tempfile::tempdir().unwrap();
        let n = CHUNK_LEN as u64 * 3 + 17;
        let mut w = IndexWriter::new(View::default());
        for id in 0..n {
            w.set_new(id, pack(1, 64 + id));
        }
        let meta = CheckpointMeta {
            next_id: n,
            replay_segment: 1,
            replay_offset: 64,
            next_segment_number: 2,
            segments: vec![],
        };
        write(dir.path(), &meta, w.view()).unwrap();
        let (m, mut entries) = load(dir.path()).unwrap().unwrap();
        assert_eq!(m.next_id, n);
        assert_eq!(entries.len(), n as usize);
        for id in 0..n {
            assert_eq!(entries.get(id as usize), Some(pack(1, 64 + id)));
        }
        assert_eq!(entries.get(n as usize), None);
        entries.set(5, 0);
        entries.set(n as usize - 1, 0);
        entries.push(pack(2, 64));
        assert_eq!(entries.get(5), Some(0));
        assert_eq!(entries.count_live(), n - 2 + 1);
        entries.resize(n as usize + 5000, 0);
        assert_eq!(entries.get(n as usize), Some(pack(2, 64)));
        assert_eq!(entries.count_live(), n - 1);
        let chunks = entries.into_chunks();
        assert_eq!(chunks[0].get(5), 0);
        assert_eq!(chunks[0].get(6), pack(1, 70));
        // Changes stay in this process: the file still holds the original.
        let (_, again) = load(dir.path()).unwrap().unwrap();
        assert_eq!(again.get(5), Some(pack(1, 69)));
        drop(chunks);
        assert_eq!(again.count_live(), n);
    }
}
