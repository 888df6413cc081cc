//! The Rust API's behaviour, one call at a time.

use toonstore::{Batch, Durability, ErrorKind, Options, ToonStore};

fn tmp() -> tempfile::TempDir {
    tempfile::tempdir().unwrap()
}

fn small_segments() -> Options {
    Options {
        segment_size: 4096,
        ..Options::default()
    }
}

#[test]
fn put_get_delete_scan_round_trip() {
    let dir = tmp();
    let db = ToonStore::open(dir.path().join("db")).unwrap();
    let a = db.put(b"users[1]{id,name}: 1,Alice").unwrap();
    let b = db.put(b"").unwrap();
    let c = db.put(b"users[1]{id,name}: 3,Carol").unwrap();
    assert_eq!((a, b, c), (0, 1, 2));
    assert_eq!(db.get(a).unwrap().unwrap(), b"users[1]{id,name}: 1,Alice");
    assert_eq!(db.get(b).unwrap().unwrap(), b"");
    assert_eq!(db.get(99).unwrap(), None);
    db.delete(b).unwrap();
    assert_eq!(db.get(b).unwrap(), None);
    assert_eq!(db.delete(b).unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(db.delete(1000).unwrap_err().kind(), ErrorKind::NotFound);
    let rows: Vec<_> = db.scan().unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].0, a);
    assert_eq!(rows[1].0, c);
    let from: Vec<_> = db.scan_from(1).unwrap().map(|r| r.unwrap().0).collect();
    assert_eq!(from, vec![c]);
    assert!(db.contains(a).unwrap());
    assert!(!db.contains(b).unwrap());
    assert_eq!(db.live_rows().unwrap(), 2);
    assert_eq!(db.stats().unwrap().live_rows, 2);
    db.close().unwrap();
}

#[test]
fn ids_are_never_reused_across_reopen_and_rolls() {
    let dir = tmp();
    let mut expected = Vec::new();
    for round in 0..4u32 {
        let db = ToonStore::open_with(dir.path(), &small_segments()).unwrap();
        for i in 0..100u32 {
            let value = format!("round {round} row {i} {}", "x".repeat((i % 50) as usize));
            let id = db.put(value.as_bytes()).unwrap();
            assert_eq!(id, expected.len() as u64);
            expected.push(Some(value.into_bytes()));
        }
        for id in (0..expected.len()).step_by(7) {
            if expected[id].take().is_some() {
                db.delete(id as u64).unwrap();
            }
        }
        db.close().unwrap();
    }
    let db = ToonStore::open_with(dir.path(), &small_segments()).unwrap();
    for (id, value) in expected.iter().enumerate() {
        assert_eq!(
            db.get(id as u64).unwrap().as_ref(),
            value.as_ref(),
            "row {id}"
        );
    }
    let st = db.stats().unwrap();
    assert_eq!(st.next_row_id, expected.len() as u64);
    assert_eq!(st.live_rows, expected.iter().flatten().count() as u64);
    assert!(st.segment_count > 1, "small segments should have rolled");
}

#[test]
fn batch_is_atomic_and_returns_consecutive_ids() {
    let dir = tmp();
    let db = ToonStore::open(dir.path()).unwrap();
    let first = db.put(b"first").unwrap();
    let mut batch = Batch::new();
    batch.put(b"a").put(b"b").delete(first);
    let ids = db.write(&batch).unwrap();
    assert_eq!(ids, vec![1, 2]);
    assert_eq!(db.get(first).unwrap(), None);
    // A batch deleting an absent row writes nothing.
    let mut bad = Batch::new();
    bad.put(b"c").delete(first);
    assert_eq!(db.write(&bad).unwrap_err().kind(), ErrorKind::NotFound);
    assert_eq!(db.put(b"d").unwrap(), 3, "the failed batch consumed no id");
    let mut dup = Batch::new();
    dup.delete(1).delete(1);
    assert_eq!(db.write(&dup).unwrap_err().kind(), ErrorKind::NotFound);
    assert!(db.contains(1).unwrap());
    assert_eq!(db.write(&Batch::new()).unwrap(), Vec::<u64>::new());
    db.close().unwrap();
    let db = ToonStore::open(dir.path()).unwrap();
    assert_eq!(db.get(2).unwrap().unwrap(), b"b");
    assert_eq!(db.get(first).unwrap(), None);
}

#[test]
fn snapshot_sees_only_its_moment() {
    let dir = tmp();
    let db = ToonStore::open(dir.path()).unwrap();
    for i in 0..10_000u32 {
        db.put(format!("row {i}").as_bytes()).unwrap();
    }
    let snap = db.snapshot().unwrap();
    let scan = db.scan().unwrap();
    for id in (0..10_000).step_by(3) {
        db.delete(id).unwrap();
    }
    db.put(b"after").unwrap();
    assert_eq!(snap.get(0).unwrap().unwrap(), b"row 0");
    assert_eq!(snap.get(10_000).unwrap(), None);
    assert_eq!(scan.count(), 10_000);
    assert_eq!(db.scan().unwrap().count(), 10_000 - 3334 + 1);
}

#[test]
fn too_large_values_and_read_only_writes_are_refused() {
    let dir = tmp();
    let opts = Options {
        max_value_size: 100,
        ..Options::default()
    };
    let db = ToonStore::open_with(dir.path(), &opts).unwrap();
    assert_eq!(db.put(&[1u8; 101]).unwrap_err().kind(), ErrorKind::TooLarge);
    db.put(&[1u8; 100]).unwrap();
    assert_eq!(
        ToonStore::open(dir.path()).unwrap_err().kind(),
        ErrorKind::Locked
    );
    db.close().unwrap();
    let ro = Options {
        read_only: true,
        ..Options::default()
    };
    let r1 = ToonStore::open_with(dir.path(), &ro).unwrap();
    let r2 = ToonStore::open_with(dir.path(), &ro).unwrap();
    assert_eq!(r1.get(0).unwrap().unwrap(), vec![1u8; 100]);
    assert_eq!(r2.put(b"x").unwrap_err().kind(), ErrorKind::ReadOnly);
    assert_eq!(r2.delete(0).unwrap_err().kind(), ErrorKind::ReadOnly);
    // Readers take no lock (issue 17): a writer opens beside them, and they
    // keep the state they opened until they refresh.
    let w = ToonStore::open(dir.path()).unwrap();
    assert_eq!(w.put(b"y").unwrap(), 1);
    assert_eq!(r1.get(1).unwrap(), None);
    r1.refresh().unwrap();
    assert_eq!(r1.get(1).unwrap().as_deref(), Some(&b"y"[..]));
}

#[test]
fn compaction_reclaims_space_and_keeps_ids() {
    let dir = tmp();
    let db = ToonStore::open_with(dir.path(), &small_segments()).unwrap();
    for i in 0..2000u32 {
        db.put(format!("row {i} {}", "y".repeat(40)).as_bytes())
            .unwrap();
    }
    let snap = db.snapshot().unwrap();
    for id in 0..2000u64 {
        if id % 10 != 0 {
            db.delete(id).unwrap();
        }
    }
    let before = db.stats().unwrap();
    assert!(before.garbage_fraction > 0.8, "{before:?}");
    db.compact().unwrap();
    let after = db.stats().unwrap();
    assert!(after.garbage_fraction < 0.05, "{after:?}");
    assert!(
        after.disk_bytes < before.disk_bytes / 3,
        "{before:?} {after:?}"
    );
    for id in 0..2000u64 {
        let want = (id % 10 == 0).then(|| format!("row {id} {}", "y".repeat(40)).into_bytes());
        assert_eq!(db.get(id).unwrap(), want, "row {id}");
        assert!(snap.get(id).unwrap().is_some(), "snapshot lost row {id}");
    }
    assert_eq!(db.put(b"next").unwrap(), 2000);
    db.close().unwrap();
    let db = ToonStore::open_with(dir.path(), &small_segments()).unwrap();
    assert_eq!(db.scan().unwrap().count(), 201);
    assert_eq!(
        db.get(10).unwrap().unwrap(),
        format!("row 10 {}", "y".repeat(40)).into_bytes()
    );
}

#[test]
fn full_durability_and_sync_work() {
    let dir = tmp();
    let opts = Options {
        durability: Durability::Full,
        ..Options::default()
    };
    let db = ToonStore::open_with(dir.path(), &opts).unwrap();
    let id = db.put(b"durable").unwrap();
    db.put_with(b"relaxed", Durability::Off).unwrap();
    db.sync().unwrap();
    drop(db);
    let db = ToonStore::open(dir.path()).unwrap();
    assert_eq!(db.get(id).unwrap().unwrap(), b"durable");
    assert_eq!(db.get(id + 1).unwrap().unwrap(), b"relaxed");
}

/// A crash between creating the next log segment and sealing the current
/// one leaves an untrimmed segment followed by an empty one; the next open
/// must finish the seal, not report corruption.
#[test]
fn interrupted_roll_is_recovered() {
    use toonstore::format::segment_header::{SegmentHeader, SegmentKind};
    let dir = tmp();
    let db = ToonStore::open(dir.path()).unwrap();
    for i in 0..10u32 {
        db.put(format!("row {i}").as_bytes()).unwrap();
    }
    db.close().unwrap();
    let seg = dir.path().join("0000000000000001.seg");
    let used = std::fs::metadata(&seg).unwrap().len();
    let file = std::fs::OpenOptions::new().write(true).open(&seg).unwrap();
    file.set_len(used + 8192).unwrap();
    let header = SegmentHeader {
        kind: SegmentKind::Log,
        number: 2,
        first_id: 10,
    };
    let mut next = header.encode().to_vec();
    next.resize(4096, 0);
    std::fs::write(dir.path().join("0000000000000002.seg"), &next).unwrap();
    for _ in 0..2 {
        let db = ToonStore::open(dir.path()).unwrap();
        assert_eq!(db.get(9).unwrap().unwrap(), b"row 9");
        let id = db.put(b"after").unwrap();
        assert!(id >= 10);
        assert_eq!(db.get(id).unwrap().unwrap(), b"after");
        db.close().unwrap();
    }
    assert!(toonstore::check(dir.path()).unwrap().is_ok());
}

/// Deletes replayed at open (they are applied in id order at the end of the
/// replay, not in log order) leave the rows and the space accounting
/// exactly as the writer had them, across several segments and batches.
#[test]
fn deletes_replayed_at_open_keep_rows_and_accounting() {
    let dir = tmp();
    let path = dir.path().join("db");
    let options = Options {
        segment_size: 64 << 10,
        ..Options::default()
    };
    let row = |i: u64| format!("row {i} {}", "z".repeat((i % 97) as usize)).into_bytes();
    let db = ToonStore::open_with(&path, &options).unwrap();
    for i in 0..6000u64 {
        assert_eq!(db.put(&row(i)).unwrap(), i);
    }
    // Deletes in a scattered order, some in batches with puts.
    let mut deleted = std::collections::BTreeSet::new();
    for k in 0..1500u64 {
        let id = (k * 7919) % 6000;
        if deleted.insert(id) {
            db.delete(id).unwrap();
        }
    }
    let mut batch = Batch::new();
    batch.put(b"after");
    for id in [5999u64, 3, 4242] {
        if deleted.insert(id) {
            batch.delete(id);
        }
    }
    db.write(&batch).unwrap();
    let before = db.stats().unwrap();
    drop(db);
    let db = ToonStore::open_with(&path, &options).unwrap();
    let after = db.stats().unwrap();
    assert_eq!(after.live_rows, before.live_rows);
    assert_eq!(after.live_bytes, before.live_bytes);
    assert_eq!(after.next_row_id, 6001);
    for id in 0..6000u64 {
        let want = (!deleted.contains(&id)).then(|| row(id));
        assert_eq!(db.get(id).unwrap(), want, "row {id}");
    }
    assert_eq!(db.get(6000).unwrap().unwrap(), b"after");
}

/// A clean close after many deletes writes a checkpoint, so that the next
/// open does not replay them (each is a random access); after a few puts
/// it does not.
#[test]
fn close_writes_a_checkpoint_after_many_deletes() {
    let dir = tmp();
    let path = dir.path().join("db");
    let index = path.join("INDEX");
    let db = ToonStore::open(&path).unwrap();
    let mut batch = Batch::new();
    for i in 0..70_000u32 {
        batch.put(format!("r{i}").as_bytes());
    }
    db.write(&batch).unwrap();
    db.close().unwrap();
    assert!(
        !index.exists(),
        "a close after 2 MB of puts wrote a checkpoint"
    );
    let db = ToonStore::open(&path).unwrap();
    for id in 0..70_000u64 {
        db.delete(id).unwrap();
    }
    db.close().unwrap();
    assert!(
        index.exists(),
        "a close after 70,000 deletes wrote no checkpoint"
    );
    let db = ToonStore::open(&path).unwrap();
    assert_eq!(db.stats().unwrap().live_rows, 0);
    assert_eq!(db.get(69_999).unwrap(), None);
}

/// `create_if_missing: false` on an existing directory that holds no
/// database fails with `Io` and leaves the directory untouched: no LOCK
/// file, nothing else (bad input loses nothing and leaves nothing).
#[test]
fn open_without_create_leaves_an_empty_directory_empty() {
    let dir = tmp();
    let path = dir.path().join("empty");
    std::fs::create_dir(&path).unwrap();
    let options = Options {
        create_if_missing: false,
        ..Options::default()
    };
    let err = ToonStore::open_with(&path, &options).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert!(err.to_string().contains("no database"), "{err}");
    let left: Vec<_> = std::fs::read_dir(&path).unwrap().collect();
    assert!(left.is_empty(), "the failed open left {left:?}");
}
