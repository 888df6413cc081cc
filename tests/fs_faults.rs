//! Faults of the filesystem under the engine (issue 21), on real mounts that
//! `scripts/faults-fs.sh` creates as root: a small ext2 (no `fallocate`),
//! tmpfs and ext4 filled to the last block, and a filesystem remounted
//! read-only. The tests are `#[ignore]`d in a plain `cargo test` (they need
//! those mounts); the script runs them with `--ignored` and says why when it
//! cannot.
//!
//! A full disk must never kill the process (a store into a mapped page
//! without a block behind it is a `SIGBUS`): the call that needed the space
//! fails with `Io` ("No space left on device"), nothing acknowledged is
//! lost, and once space is freed the same handle writes again.

use std::path::{Path, PathBuf};

use toonstore::{Durability, ErrorKind, Options, ToonStore};

/// `TOONSTORE_FS_DIRS`: `label=dir` pairs separated by `:`.
fn mounts() -> Vec<(String, PathBuf)> {
    let dirs = std::env::var("TOONSTORE_FS_DIRS")
        .expect("TOONSTORE_FS_DIRS is not set: run scripts/faults-fs.sh");
    dirs.split(':')
        .filter(|s| !s.is_empty())
        .map(|pair| {
            let (label, dir) = pair.split_once('=').expect("label=dir");
            (label.to_owned(), PathBuf::from(dir))
        })
        .collect()
}

fn value(i: usize, len: usize) -> Vec<u8> {
    let stamp = format!("<row {i}>");
    stamp.bytes().cycle().take(len).collect()
}

/// Fills the filesystem of `mount` through a database with `durability`,
/// frees space, writes on, and checks every acknowledged row after a reopen.
fn fill_free_and_verify(label: &str, mount: &Path, durability: Durability) {
    let ctx = format!("{label}/{durability:?}");
    let db_path = mount.join(format!("db-{durability:?}"));
    let ballast = mount.join(format!("ballast-{durability:?}"));
    let _ = std::fs::remove_dir_all(&db_path);
    // Space to give back later: real blocks, not a sparse file.
    std::fs::write(&ballast, vec![0x5a; 1 << 20]).unwrap();
    let opts = Options {
        durability,
        segment_size: 1 << 20,
        ..Options::default()
    };
    let db = ToonStore::open_with(&db_path, &opts).unwrap_or_else(|e| panic!("{ctx}: open: {e}"));
    let mut acked = Vec::new();
    let mut full = None;
    for i in 0..100_000 {
        let v = value(i, 16 << 10);
        match db.put(&v) {
            Ok(id) => acked.push((id, v)),
            Err(e) => {
                full = Some(e);
                break;
            }
        }
    }
    let e = full.unwrap_or_else(|| panic!("{ctx}: the filesystem never filled up"));
    assert_eq!(e.kind(), ErrorKind::Io, "{ctx}: {e}");
    assert!(
        e.message().contains("No space left on device"),
        "{ctx}: {e}"
    );
    assert!(acked.len() > 10, "{ctx}: only {} rows fit", acked.len());
    // Retries keep failing cleanly, and consume no segment numbers.
    for i in 0..200 {
        let err = db.put(&value(i, 16 << 10)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io, "{ctx}: retry {i}: {err}");
    }
    // Every acknowledged row reads back on the same handle.
    for (id, v) in &acked {
        assert_eq!(db.get(*id).unwrap().as_ref(), Some(v), "{ctx}: row {id}");
    }
    // Space comes back: the same handle writes again.
    std::fs::remove_file(&ballast).unwrap();
    for i in 0..20 {
        let v = value(1_000_000 + i, 16 << 10);
        let id = db
            .put(&v)
            .unwrap_or_else(|e| panic!("{ctx}: put {i} after space was freed: {e}"));
        acked.push((id, v));
    }
    db.sync().unwrap_or_else(|e| panic!("{ctx}: sync: {e}"));
    db.close().unwrap_or_else(|e| panic!("{ctx}: close: {e}"));
    let highest = std::fs::read_dir(&db_path)
        .unwrap()
        .filter_map(|e| {
            let name = e.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".seg")
                .map(|hex| u64::from_str_radix(hex, 16).unwrap())
        })
        .max()
        .unwrap();
    assert!(
        highest < 64,
        "{ctx}: failed puts consumed segment numbers (highest {highest})"
    );
    let db = ToonStore::open_with(&db_path, &opts).unwrap_or_else(|e| panic!("{ctx}: reopen: {e}"));
    assert_eq!(db.live_rows().unwrap(), acked.len() as u64, "{ctx}");
    for (id, v) in &acked {
        assert_eq!(
            db.get(*id).unwrap().as_ref(),
            Some(v),
            "{ctx}: row {id} after reopen"
        );
    }
    db.close().unwrap();
    let report = toonstore::check(&db_path).unwrap();
    assert!(report.is_ok(), "{ctx}: check: {:?}", report.first_problem);
    println!(
        "fs_faults: {ctx}: disk full after {} acknowledged rows of 16 KiB: error `{e}`; \
         writes resumed after freeing 1 MiB; all {} rows verified after reopen",
        acked.len() - 20,
        acked.len()
    );
    std::fs::remove_dir_all(&db_path).unwrap();
}

#[test]
#[ignore = "needs the small filesystems that scripts/faults-fs.sh mounts"]
fn disk_full_is_an_error_never_a_signal() {
    for (label, mount) in mounts() {
        for durability in [Durability::Off, Durability::Normal, Durability::Full] {
            fill_free_and_verify(&label, &mount, durability);
        }
    }
}

/// `TOONSTORE_RO_DB`: a database on a filesystem the script remounted
/// read-only after `TOONSTORE_RO_DB` was written by `ro_prepare`.
#[test]
#[ignore = "needs the read-only remount that scripts/faults-fs.sh makes"]
fn read_only_filesystem() {
    let path = PathBuf::from(std::env::var("TOONSTORE_RO_DB").expect("TOONSTORE_RO_DB"));
    let stage = std::env::var("TOONSTORE_RO_STAGE").expect("TOONSTORE_RO_STAGE");
    if stage == "prepare" {
        let _ = std::fs::remove_dir_all(&path);
        let db = ToonStore::open(&path).unwrap();
        for i in 0..100 {
            db.put(&value(i, 100)).unwrap();
        }
        db.close().unwrap();
        return;
    }
    // Writable open: a clear error, not a crash.
    let e = ToonStore::open(&path).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.message().contains("Read-only file system"), "{e}");
    // Read-only open: every row.
    let db = ToonStore::open_with(
        &path,
        &Options {
            read_only: true,
            ..Options::default()
        },
    )
    .unwrap_or_else(|e| panic!("read-only open on a read-only filesystem: {e}"));
    let rows: Vec<(u64, Vec<u8>)> = db.scan().unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 100);
    for (id, v) in &rows {
        assert_eq!(v, &value(*id as usize, 100));
    }
    println!("fs_faults: read-only filesystem: writable open refused with `{e}`; read-only open reads all 100 rows");
}
