//! Operation sequences against an in-memory model: put, get, delete, batch,
//! scan, snapshots (checked later, after more writes), compaction, sync and
//! reopen, with small segments so rolls and compactions happen constantly.
//! Every result must agree with the model: ids dense and never reused,
//! values byte-exact, deletes of absent rows refused, batches all or nothing,
//! snapshots frozen at their moment, and everything kept across reopen.

#![no_main]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use toonstore::{Batch, Durability, ErrorKind, Options, Snapshot, ToonStore};

#[derive(Arbitrary, Debug)]
enum BatchOp {
    Put(Value),
    Delete(u16),
}

/// A value: short bytes from the input, or a long generated one.
#[derive(Arbitrary, Debug)]
enum Value {
    Bytes(Vec<u8>),
    Long { len: u16, fill: u8 },
}

impl Value {
    fn bytes(&self) -> Vec<u8> {
        match self {
            Value::Bytes(b) => b.clone(),
            Value::Long { len, fill } => (0..*len as usize * 2)
                .map(|i| fill.wrapping_add(i as u8))
                .collect(),
        }
    }
}

#[derive(Arbitrary, Debug)]
enum Action {
    Put(Value),
    Get(u16),
    Delete(u16),
    Batch(Vec<BatchOp>),
    Scan,
    ScanFrom(u16),
    /// scan_range(start..stop, reverse), reading at most `limit` rows.
    ScanRange(u16, u16, bool, u8),
    TakeSnapshot,
    CheckSnapshot(u8),
    DropSnapshot(u8),
    Compact,
    Sync,
    Reopen,
    Stats,
}

#[derive(Arbitrary, Debug)]
struct Input {
    durability: u8,
    small_segments: bool,
    actions: Vec<Action>,
}

fn scratch() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

type Model = BTreeMap<u64, Vec<u8>>;

/// Maps a fuzzer id onto ids the model knows (and a few beyond).
fn pick(model_next: u64, raw: u16) -> u64 {
    raw as u64 % (model_next + 3)
}

fn check_snapshot(snap: &Snapshot, model: &Model, end: u64) {
    assert_eq!(snap.end_id(), end, "snapshot end id");
    let rows: Vec<(u64, Vec<u8>)> = snap.scan().map(|r| r.expect("snapshot scan")).collect();
    let want: Vec<(u64, Vec<u8>)> = model.iter().map(|(k, v)| (*k, v.clone())).collect();
    assert_eq!(rows, want, "snapshot changed after it was taken");
    for (id, v) in model.iter().take(8) {
        assert_eq!(snap.get(*id).expect("snapshot get"), Some(&v[..]));
    }
}

fuzz_target!(|input: Input| {
    let tmp = tempfile::tempdir_in(scratch()).unwrap();
    let dir = tmp.path().join("db");
    let opts = Options {
        durability: match input.durability % 3 {
            0 => Durability::Off,
            1 => Durability::Normal,
            _ => Durability::Full,
        },
        segment_size: if input.small_segments { 4096 } else { 1 << 20 },
        ..Options::default()
    };
    let mut db = Some(ToonStore::open_with(&dir, &opts).expect("open"));
    let mut model = Model::new();
    let mut next: u64 = 0;
    let mut snapshots: Vec<(Snapshot, Model, u64)> = Vec::new();
    for action in input.actions.into_iter().take(200) {
        let h = db.as_ref().unwrap();
        match action {
            Action::Put(v) => {
                let v = v.bytes();
                let id = h.put(&v).expect("put");
                assert_eq!(id, next, "ids are dense and increasing");
                next += 1;
                model.insert(id, v);
            }
            Action::Get(raw) => {
                let id = pick(next, raw);
                assert_eq!(h.get(id).expect("get"), model.get(&id).cloned(), "get {id}");
                assert_eq!(h.contains(id).unwrap(), model.contains_key(&id));
            }
            Action::Delete(raw) => {
                let id = pick(next, raw);
                match h.delete(id) {
                    Ok(()) => assert!(model.remove(&id).is_some(), "deleted absent row {id}"),
                    Err(e) => {
                        assert_eq!(e.kind(), ErrorKind::NotFound, "delete {id}: {e}");
                        assert!(!model.contains_key(&id), "live row {id} not deleted");
                    }
                }
            }
            Action::Batch(ops) => {
                let mut batch = Batch::new();
                let mut puts = Vec::new();
                let mut dels = Vec::new();
                for op in ops.into_iter().take(16) {
                    match op {
                        BatchOp::Put(v) => {
                            let v = v.bytes();
                            batch.put(&v);
                            puts.push(v);
                        }
                        BatchOp::Delete(raw) => {
                            let id = pick(next, raw);
                            batch.delete(id);
                            dels.push(id);
                        }
                    }
                }
                let mut sorted = dels.clone();
                sorted.sort_unstable();
                sorted.dedup();
                let valid =
                    sorted.len() == dels.len() && dels.iter().all(|d| model.contains_key(d));
                match h.write(&batch) {
                    Ok(ids) => {
                        assert!(valid, "batch with bad deletes {dels:?} accepted");
                        assert_eq!(ids.len(), puts.len());
                        for (id, v) in ids.into_iter().zip(puts) {
                            assert_eq!(id, next, "batch ids are consecutive");
                            next += 1;
                            model.insert(id, v);
                        }
                        for d in dels {
                            model.remove(&d);
                        }
                    }
                    Err(e) => {
                        assert!(!valid, "valid batch refused: {e}");
                        assert_eq!(e.kind(), ErrorKind::NotFound, "{e}");
                    }
                }
            }
            Action::Scan => {
                let rows: Vec<(u64, Vec<u8>)> =
                    h.scan().unwrap().map(|r| r.expect("scan")).collect();
                let want: Vec<(u64, Vec<u8>)> =
                    model.iter().map(|(k, v)| (*k, v.clone())).collect();
                assert_eq!(rows, want, "scan");
            }
            Action::ScanFrom(raw) => {
                let start = pick(next, raw);
                let rows: Vec<u64> = h
                    .scan_from(start)
                    .unwrap()
                    .map(|r| r.expect("scan").0)
                    .collect();
                let want: Vec<u64> = model.range(start..).map(|(k, _)| *k).collect();
                assert_eq!(rows, want, "scan_from {start}");
            }
            Action::ScanRange(a, b, reverse, limit) => {
                let (start, stop) = (pick(next, a), pick(next, b));
                match h.scan_range(start..stop, reverse) {
                    Err(e) => {
                        assert!(stop < start, "scan_range {start}..{stop}: {e}");
                        assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
                    }
                    Ok(scan) => {
                        assert!(stop >= start, "scan_range {start}..{stop} was not refused");
                        let rows: Vec<u64> = scan
                            .take(limit as usize)
                            .map(|r| r.expect("scan").0)
                            .collect();
                        let inside = model.range(start..stop).map(|(k, _)| *k);
                        let want: Vec<u64> = if reverse {
                            inside.rev().take(limit as usize).collect()
                        } else {
                            inside.take(limit as usize).collect()
                        };
                        assert_eq!(rows, want, "scan_range {start}..{stop} reverse={reverse}");
                    }
                }
            }
            Action::TakeSnapshot => {
                if snapshots.len() < 4 {
                    snapshots.push((h.snapshot().unwrap(), model.clone(), next));
                }
            }
            Action::CheckSnapshot(i) => {
                if !snapshots.is_empty() {
                    let (snap, m, end) = &snapshots[i as usize % snapshots.len()];
                    check_snapshot(snap, m, *end);
                }
            }
            Action::DropSnapshot(i) => {
                if !snapshots.is_empty() {
                    let n = snapshots.len();
                    snapshots.remove(i as usize % n);
                }
            }
            Action::Compact => h.compact().expect("compact"),
            Action::Sync => h.sync().expect("sync"),
            Action::Stats => {
                let s = h.stats().unwrap();
                assert_eq!(s.live_rows, model.len() as u64, "stats live rows");
                assert_eq!(s.next_row_id, next, "stats next id");
            }
            Action::Reopen => {
                db.take().unwrap().close().expect("close");
                let h = ToonStore::open_with(&dir, &opts).expect("reopen");
                let rows: Vec<(u64, Vec<u8>)> =
                    h.scan().unwrap().map(|r| r.expect("scan")).collect();
                let want: Vec<(u64, Vec<u8>)> =
                    model.iter().map(|(k, v)| (*k, v.clone())).collect();
                assert_eq!(rows, want, "rows after reopen");
                assert_eq!(h.stats().unwrap().next_row_id, next, "next id after reopen");
                db = Some(h);
            }
        }
    }
    // Snapshots outlive compactions and even the handle.
    let h = db.take().unwrap();
    h.compact().expect("final compact");
    for (snap, m, end) in &snapshots {
        check_snapshot(snap, m, *end);
    }
    h.close().expect("close");
    for (snap, m, end) in &snapshots {
        check_snapshot(snap, m, *end);
    }
    let report = toonstore::check(&dir).expect("check");
    assert!(report.is_ok(), "check: {:?}", report.first_problem);
    assert_eq!(report.live_rows, model.len() as u64);
});
