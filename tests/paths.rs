//! The database directory is resolved once, at open (issue 21): a relative
//! path keeps naming the directory it named at open, whatever the process's
//! working directory becomes; a directory renamed while open is refused
//! before anything is written elsewhere; a dangling symbolic link is named
//! as such.
//!
//! One test function: `chdir` changes the whole process, so the steps run in
//! order, in a test binary of their own.

use std::path::Path;

use toonstore::{ErrorKind, Options, ToonStore};

fn options() -> Options {
    Options {
        // Small segments: a few puts roll to a new segment file.
        segment_size: 4096,
        ..Options::default()
    }
}

fn rows(path: &Path) -> Vec<(u64, Vec<u8>)> {
    let db = ToonStore::open_with(path, &options()).unwrap();
    let rows = db.scan().unwrap().map(|r| r.unwrap()).collect();
    db.close().unwrap();
    rows
}

#[test]
fn relative_paths_chdir_renames_and_dangling_links() {
    let root = tempfile::tempdir().unwrap();
    let here = root.path().join("here");
    let there = root.path().join("there");
    std::fs::create_dir_all(&here).unwrap();
    std::fs::create_dir_all(&there).unwrap();
    let old_cwd = std::env::current_dir().unwrap();

    // Another database with the same relative name in the other directory.
    let other: Vec<Vec<u8>> = (0..150)
        .map(|i| format!("B{i:04}-").repeat(20).into_bytes())
        .collect();
    {
        let b = ToonStore::open_with(there.join("db"), &options()).unwrap();
        for v in &other {
            b.put(v).unwrap();
        }
        b.close().unwrap();
    }

    // 1. Open "db" relative to `here`, then chdir to `there` and write on
    //    through many segment rolls.
    std::env::set_current_dir(&here).unwrap();
    let a = ToonStore::open_with("db", &options()).unwrap();
    assert!(a.path().is_absolute(), "{}", a.path().display());
    assert_eq!(a.path(), here.join("db").canonicalize().unwrap());
    std::env::set_current_dir(&there).unwrap();
    let mine: Vec<Vec<u8>> = (0..200)
        .map(|i| format!("A{i:04}-").repeat(20).into_bytes())
        .collect();
    let mut ids = Vec::new();
    for v in &mine {
        ids.push(a.put(v).unwrap());
    }
    a.compact().unwrap();
    a.close().unwrap();
    std::env::set_current_dir(&old_cwd).unwrap();
    let got = rows(&here.join("db"));
    assert_eq!(got.len(), mine.len());
    for ((id, v), (want_id, want)) in got.iter().zip(ids.iter().zip(&mine)) {
        assert_eq!((id, v), (want_id, want));
    }
    let theirs: Vec<Vec<u8>> = rows(&there.join("db"))
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    assert_eq!(theirs, other, "the other directory's database was touched");

    // 2. The directory renamed while open: the next file creation is
    //    refused with a clear error, and nothing appears at the old path.
    let moved = root.path().join("moved");
    let c_path = root.path().join("c");
    let c = ToonStore::open_with(&c_path, &options()).unwrap();
    let first = c.put(b"before the rename").unwrap();
    std::fs::rename(&c_path, &moved).unwrap();
    let mut refused = None;
    for i in 0..100 {
        match c.put(format!("after the rename {i}").repeat(50).as_bytes()) {
            Ok(_) => {}
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let e = refused.expect("a roll into a moved directory was not refused");
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.message().contains("moved"), "{e}");
    assert!(!c_path.exists(), "files were created at the old path");
    drop(c);
    let again = ToonStore::open_with(&moved, &options()).unwrap();
    assert_eq!(
        again.get(first).unwrap().as_deref(),
        Some(&b"before the rename"[..])
    );
    again.close().unwrap();

    // 3. A dangling symbolic link as the path.
    let link = root.path().join("link");
    std::os::unix::fs::symlink(root.path().join("missing-target"), &link).unwrap();
    let e = ToonStore::open(&link).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io);
    assert!(e.message().contains("symbolic link"), "{e}");
    assert!(e.message().contains("missing-target"), "{e}");
    // A symbolic link to a directory works, and resolves to its target.
    let good = root.path().join("good-link");
    std::os::unix::fs::symlink(&here, &good).unwrap();
    let db = ToonStore::open(good.join("db")).unwrap();
    assert_eq!(db.path(), here.join("db").canonicalize().unwrap());
    db.close().unwrap();
}
