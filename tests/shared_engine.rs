//! `ToonStore::open_shared`: one engine per directory per process, shared by
//! every handle opened on it (the C API and the bindings open this way).

use std::sync::Arc;
use std::time::Duration;

use toonstore::{Durability, ErrorKind, Options, ToonStore};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

#[test]
fn two_opens_share_one_engine_until_the_last_close() {
    let dir = tmp();
    let path = dir.path().join("db");
    let a = ToonStore::open_shared(&path, &Options::default()).unwrap();
    let b = ToonStore::open_shared(&path, &Options::default()).unwrap();
    let x = a.put(b"from a").unwrap();
    let y = b.put(b"from b").unwrap();
    assert_eq!(y, x + 1, "one id sequence");
    assert_eq!(b.get(x).unwrap().as_deref(), Some(&b"from a"[..]));
    assert_eq!(a.get(y).unwrap().as_deref(), Some(&b"from b"[..]));
    // Not a second engine: a private open is still refused by the lock.
    let err = ToonStore::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Locked);

    Arc::try_unwrap(a).unwrap().close().unwrap();
    let z = b.put(b"after a closed").unwrap();
    assert_eq!(b.get(x).unwrap().as_deref(), Some(&b"from a"[..]));
    Arc::try_unwrap(b).unwrap().close().unwrap();

    // The last close closed the engine: the lock is free, every write kept.
    let db = ToonStore::open(&path).unwrap();
    let rows: Vec<_> = db.scan().unwrap().map(|r| r.unwrap().0).collect();
    assert_eq!(rows, vec![x, y, z]);
}

#[test]
fn the_same_directory_by_another_path_is_the_same_engine() {
    let dir = tmp();
    let path = dir.path().join("db");
    let a = ToonStore::open_shared(&path, &Options::default()).unwrap();
    let other = dir.path().join("db").join("..").join("db");
    let b = ToonStore::open_shared(&other, &Options::default()).unwrap();
    let id = a.put(b"x").unwrap();
    assert!(b.contains(id).unwrap());
}

#[test]
fn dropping_the_last_handle_closes_the_engine() {
    let dir = tmp();
    let path = dir.path().join("db");
    let a = ToonStore::open_shared(&path, &Options::default()).unwrap();
    a.put(b"kept").unwrap();
    drop(a);
    let db = ToonStore::open(&path).unwrap();
    assert_eq!(db.live_rows().unwrap(), 1);
}

#[test]
fn a_reader_shares_a_writable_engine_read_only() {
    let dir = tmp();
    let path = dir.path().join("db");
    let writer = ToonStore::open_shared(&path, &Options::default()).unwrap();
    let read_only = Options {
        read_only: true,
        // A reader's write options do not matter.
        durability: Durability::Full,
        segment_size: 1 << 20,
        ..Options::default()
    };
    let reader = ToonStore::open_shared(&path, &read_only).unwrap();
    assert!(reader.options().read_only);
    assert!(!writer.options().read_only);
    let id = writer.put(b"seen at once").unwrap();
    assert_eq!(
        reader.get(id).unwrap().as_deref(),
        Some(&b"seen at once"[..])
    );
    for err in [
        reader.put(b"no").unwrap_err(),
        reader.delete(id).unwrap_err(),
        reader.sync().unwrap_err(),
        reader.compact().unwrap_err(),
        reader.write(&toonstore::Batch::new()).unwrap_err(),
    ] {
        assert_eq!(err.kind(), ErrorKind::ReadOnly, "{err}");
    }
    assert_eq!(
        writer.live_rows().unwrap(),
        1,
        "the refused writes wrote nothing"
    );
    // The writer closes first; the reader keeps the engine open.
    Arc::try_unwrap(writer).unwrap().close().unwrap();
    assert_eq!(
        reader.get(id).unwrap().as_deref(),
        Some(&b"seen at once"[..])
    );
    assert_eq!(
        ToonStore::open(&path).unwrap_err().kind(),
        ErrorKind::Locked,
        "the engine is still open for writing behind the reader"
    );
}

#[test]
fn a_writer_cannot_join_a_read_only_engine() {
    let dir = tmp();
    let path = dir.path().join("db");
    ToonStore::open(&path).unwrap().close().unwrap();
    let ro = Options {
        read_only: true,
        ..Options::default()
    };
    let reader = ToonStore::open_shared(&path, &ro).unwrap();
    let err = ToonStore::open_shared(&path, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Locked);
    assert!(err.message().contains("read-only"), "{err}");
    let second_reader = ToonStore::open_shared(&path, &ro).unwrap();
    drop(reader);
    drop(second_reader);
    ToonStore::open_shared(&path, &Options::default()).unwrap();
}

#[test]
fn differing_options_are_refused_by_name() {
    let dir = tmp();
    let path = dir.path().join("db");
    let _db = ToonStore::open_shared(&path, &Options::default()).unwrap();
    let cases = [
        (
            "durability",
            Options {
                durability: Durability::Full,
                ..Options::default()
            },
        ),
        (
            "sync_interval",
            Options {
                sync_interval: Duration::from_millis(5),
                ..Options::default()
            },
        ),
        (
            "max_value_size",
            Options {
                max_value_size: 10,
                ..Options::default()
            },
        ),
        (
            "segment_size",
            Options {
                segment_size: 1 << 20,
                ..Options::default()
            },
        ),
        (
            "verify_checksums",
            Options {
                verify_checksums: false,
                ..Options::default()
            },
        ),
    ];
    for (name, options) in cases {
        let err = ToonStore::open_shared(&path, &options).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{name}");
        assert!(err.message().contains(name), "{name}: {err}");
    }
    // create_if_missing does not matter once the database is open.
    let same = Options {
        create_if_missing: false,
        ..Options::default()
    };
    ToonStore::open_shared(&path, &same).unwrap();
}

#[test]
fn opens_and_closes_from_many_threads_share_one_engine() {
    let dir = tmp();
    let path = dir.path().join("db");
    let threads: Vec<_> = (0..8)
        .map(|t| {
            let path = path.clone();
            std::thread::spawn(move || {
                let mut ids = Vec::new();
                for round in 0..20 {
                    let db = ToonStore::open_shared(&path, &Options::default()).unwrap();
                    ids.push(db.put(format!("{t}/{round}").as_bytes()).unwrap());
                    Arc::try_unwrap(db).unwrap().close().unwrap();
                }
                ids
            })
        })
        .collect();
    let mut ids: Vec<u64> = threads
        .into_iter()
        .flat_map(|t| t.join().unwrap())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 160, "every put got its own id");
    let db = ToonStore::open(&path).unwrap();
    assert_eq!(db.live_rows().unwrap(), 160);
}

#[test]
fn bad_options_and_paths_fail_before_sharing() {
    let dir = tmp();
    let bad = Options {
        max_value_size: 0,
        ..Options::default()
    };
    let err = ToonStore::open_shared(dir.path().join("db"), &bad).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let file = dir.path().join("file");
    std::fs::write(&file, b"not a directory").unwrap();
    let err = ToonStore::open_shared(&file, &Options::default()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    let missing = Options {
        create_if_missing: false,
        ..Options::default()
    };
    let err = ToonStore::open_shared(dir.path().join("missing"), &missing).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
}

/// A child forked while the parent has the database open does not get the
/// parent's engine (whose threads it does not have): its own open is
/// refused by the parent's lock, as any other process's would be.
#[test]
fn a_forked_child_does_not_share_the_parents_engine() {
    let dir = tmp();
    let path = dir.path().join("db");
    let db = ToonStore::open_shared(&path, &Options::default()).unwrap();
    db.put(b"parent's").unwrap();
    // SAFETY: the child only calls open_shared (which takes locks the
    // atfork handlers released and allocates) and then _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = match ToonStore::open_shared(&path, &Options::default()) {
            Err(e) if e.kind() == ErrorKind::Locked => 0,
            _ => 1,
        };
        // SAFETY: ends the child without running the parent's destructors.
        unsafe { libc::_exit(code) };
    }
    let mut status = 0;
    // SAFETY: waits for the child just forked.
    assert_eq!(unsafe { libc::waitpid(pid, &mut status, 0) }, pid);
    assert!(libc::WIFEXITED(status), "child died: {status}");
    assert_eq!(
        libc::WEXITSTATUS(status),
        0,
        "the child shared the parent's engine"
    );
    assert_eq!(db.live_rows().unwrap(), 1);
}
