//! Recovery from damaged files: a database directory whose segment files and
//! checkpoint are (partly) fuzzer bytes.
//!
//! The input is structured: starting from a small valid database (several
//! log segments, a compacted segment, a checkpoint, deletes and a batch),
//! the fuzzer splices bytes over its files, truncates them, drops them, or
//! adds files of raw bytes. Opening must refuse (`Err`) or recover; after a
//! successful open every get, scan, snapshot read, stats call, write and
//! close returns `Ok` or `Err`, never panics, hangs or reads out of bounds
//! (the targets run under AddressSanitizer). `toonstore::check` likewise.

#![no_main]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use toonstore::{Batch, Durability, Options, ToonStore};

#[derive(Arbitrary, Debug)]
enum Edit {
    /// Overwrite bytes of template file `file` at `at` (modulo its length).
    Splice { file: u8, at: u32, bytes: Vec<u8> },
    /// Flip one bit.
    Flip { file: u8, at: u32, bit: u8 },
    /// Cut the file to `len` (modulo its length).
    Truncate { file: u8, len: u32 },
    /// Remove the file.
    Remove { file: u8 },
    /// A new file of raw bytes: a segment with number `number`, or the
    /// checkpoint when `number` is 0.
    Raw { number: u8, bytes: Vec<u8> },
}

#[derive(Arbitrary, Debug)]
struct Input {
    edits: Vec<Edit>,
    read_only: bool,
    verify_checksums: bool,
}

/// The template database's files, by name.
fn template() -> &'static Vec<(String, Vec<u8>)> {
    static FILES: OnceLock<Vec<(String, Vec<u8>)>> = OnceLock::new();
    FILES.get_or_init(|| {
        let tmp = tempfile::tempdir_in(scratch()).unwrap();
        let dir = tmp.path().join("db");
        let opts = Options {
            durability: Durability::Off,
            segment_size: 4096,
            ..Options::default()
        };
        let db = ToonStore::open_with(&dir, &opts).unwrap();
        let mut ids = Vec::new();
        for i in 0..60u32 {
            let v = format!(
                "users[1]{{id,name}}: {i},user-{i}-{}",
                "x".repeat(i as usize * 3)
            );
            ids.push(db.put(v.as_bytes()).unwrap());
        }
        for id in ids.iter().step_by(4) {
            db.delete(*id).unwrap();
        }
        db.compact().unwrap(); // a compacted segment and a checkpoint
        let mut batch = Batch::new();
        batch.put(b"batch-a");
        batch.put(b"");
        batch.delete(ids[1]);
        db.write(&batch).unwrap();
        for i in 0..20u32 {
            db.put(format!("after-{i}").as_bytes()).unwrap();
        }
        db.delete(ids[2]).unwrap();
        db.close().unwrap();
        let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
            .unwrap()
            .flatten()
            .filter_map(|e| {
                let name = e.file_name().to_string_lossy().into_owned();
                (name != "LOCK").then(|| (name, std::fs::read(e.path()).unwrap()))
            })
            .collect();
        files.sort();
        files
    })
}

/// tmpfs when there is one: fsync is free there.
fn scratch() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

fn exercise(db: &ToonStore) {
    let next = db.stats().map(|s| s.next_row_id).unwrap_or(0);
    for id in 0..next.min(512) + 2 {
        let _ = db.get(id);
        let _ = db.contains(id);
    }
    let _ = db.get(u64::MAX);
    if let Ok(scan) = db.scan() {
        for row in scan.take(1024) {
            let _ = row;
        }
    }
    if let Ok(snap) = db.snapshot() {
        let _ = snap.get(next.saturating_sub(1));
        let mut scan = snap.scan_from(next / 2);
        while let Some(row) = scan.next_ref() {
            let _ = row;
        }
    }
    let _ = db.stats();
}

fuzz_target!(|input: Input| {
    let files = template();
    let tmp = tempfile::tempdir_in(scratch()).unwrap();
    let dir = tmp.path().join("db");
    std::fs::create_dir(&dir).unwrap();
    let mut contents: Vec<(String, Option<Vec<u8>>)> = files
        .iter()
        .map(|(n, b)| (n.clone(), Some(b.clone())))
        .collect();
    for edit in input.edits.into_iter().take(16) {
        match edit {
            Edit::Splice { file, at, bytes } => {
                let i = file as usize % contents.len();
                if let Some(data) = contents[i].1.as_mut() {
                    if !data.is_empty() {
                        let at = at as usize % data.len();
                        let n = bytes.len().min(data.len() - at);
                        data[at..at + n].copy_from_slice(&bytes[..n]);
                    }
                }
            }
            Edit::Flip { file, at, bit } => {
                let i = file as usize % contents.len();
                if let Some(data) = contents[i].1.as_mut() {
                    if !data.is_empty() {
                        let at = at as usize % data.len();
                        data[at] ^= 1 << (bit % 8);
                    }
                }
            }
            Edit::Truncate { file, len } => {
                let i = file as usize % contents.len();
                if let Some(data) = contents[i].1.as_mut() {
                    let len = len as usize % (data.len() + 1);
                    data.truncate(len);
                }
            }
            Edit::Remove { file } => {
                let i = file as usize % contents.len();
                contents[i].1 = None;
            }
            Edit::Raw { number, bytes } => {
                let name = if number == 0 {
                    "INDEX".to_string()
                } else {
                    format!("{:016x}.seg", number)
                };
                let bytes = bytes.into_iter().take(1 << 16).collect();
                match contents.iter_mut().find(|(n, _)| *n == name) {
                    Some(entry) => entry.1 = Some(bytes),
                    None => contents.push((name, Some(bytes))),
                }
            }
        }
    }
    for (name, data) in &contents {
        if let Some(data) = data {
            std::fs::write(dir.join(name), data).unwrap();
        }
    }
    let opts = Options {
        durability: Durability::Off,
        segment_size: 4096,
        read_only: input.read_only,
        verify_checksums: input.verify_checksums,
        ..Options::default()
    };
    if let Ok(db) = ToonStore::open_with(&dir, &opts) {
        exercise(&db);
        if !input.read_only {
            let _ = db.put(b"fuzz-put");
            let _ = db.delete(0);
            let _ = db.compact();
            exercise(&db);
        }
        let closed = db.close();
        // A database this library opened for writing and closed cleanly
        // reopens: whatever it kept, it kept consistent.
        match ToonStore::open_with(&dir, &opts) {
            Ok(db) => {
                exercise(&db);
                let _ = db.close();
            }
            Err(e) => assert!(
                input.read_only || closed.is_err() || e.kind() != toonstore::ErrorKind::Corrupt,
                "cleanly closed database no longer opens: {e}"
            ),
        }
    }
    let _ = toonstore::check(&dir);
});
