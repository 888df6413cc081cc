//! Concurrency: readers, writers and compaction running in parallel.
//!
//! * Every `get` returns either `None` (the row was deleted, which the final
//!   state confirms) or exactly the bytes written for that id; values are
//!   self-describing, so a wrong value is caught even before its writer has
//!   recorded the id.
//! * Snapshots taken by a writer between its operations (while it holds the
//!   model's lock) yield exactly the rows of that moment when scanned later,
//!   after compactions rewrote the segments they read.
//! * `Full` group commit from 8 threads hands out distinct consecutive ids
//!   and every row is there after a reopen.
//!
//! `TOONSTORE_CONCURRENCY_SECS` sets how long the mixed run lasts (default 3).

mod common;
use common::Rng;

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use toonstore::{Batch, Durability, Options, Snapshot, ToonStore};

type Rows = BTreeMap<u64, Vec<u8>>;

/// A value that says who wrote it and checks itself:
/// `<tag><writer>:<seq>:<len>:` + `len` pattern bytes.
fn value(tag: u8, writer: u64, seq: u64) -> Vec<u8> {
    let len = ((writer * 131 + seq * 17) % 200) as usize;
    let mut v = format!("{}{writer}:{seq}:{len}:", tag as char).into_bytes();
    v.extend((0..len).map(|i| pattern(writer, seq, i)));
    v
}

fn pattern(writer: u64, seq: u64, i: usize) -> u8 {
    (writer.wrapping_mul(31) ^ seq.wrapping_mul(7) ^ (i as u64).wrapping_mul(13)) as u8
}

/// Whether `v` is a well-formed value (as `value` makes them).
fn well_formed(v: &[u8]) -> bool {
    let Some(&tag) = v.first() else {
        return false;
    };
    let text_end = match v.iter().enumerate().filter(|(_, b)| **b == b':').nth(2) {
        Some((i, _)) => i,
        None => return false,
    };
    let Ok(head) = std::str::from_utf8(&v[1..text_end]) else {
        return false;
    };
    let parts: Vec<u64> = match head.split(':').map(str::parse).collect() {
        Ok(p) => p,
        Err(_) => return false,
    };
    let [writer, seq, len] = parts[..] else {
        return false;
    };
    v == value(tag, writer, seq).as_slice() && len as usize == v.len() - text_end - 1
}

struct Shared {
    db: ToonStore,
    stop: AtomicBool,
    /// Rows of the model-keeping writers (which hold this lock across each
    /// operation and its model update).
    model: Mutex<Rows>,
    /// Every acknowledged (id, value), from every writer.
    written: RwLock<HashMap<u64, Vec<u8>>>,
    /// Rows of the put-only writer: never deleted.
    free: Mutex<Rows>,
    /// Highest acknowledged id + 1.
    acked_end: AtomicU64,
    /// Snapshots with the model of their moment and the number of finished
    /// compactions at that moment.
    snapshots: Mutex<Vec<(Snapshot, Rows, u64)>>,
    compactions: AtomicU64,
    /// Ids a reader saw as absent although they were assigned.
    seen_absent: Mutex<Vec<u64>>,
    /// (end id, free-writer rows seen) of reader scans.
    scans: Mutex<Vec<(u64, usize)>>,
}

impl Shared {
    fn ack(&self, id: u64, v: &[u8]) {
        self.written.write().unwrap().insert(id, v.to_vec());
        self.acked_end.fetch_max(id + 1, Ordering::AcqRel);
    }

    fn check_read(&self, id: u64, v: &[u8]) {
        assert!(
            well_formed(v),
            "row {id} holds bytes no writer wrote: {v:?}"
        );
        if let Some(w) = self.written.read().unwrap().get(&id) {
            assert_eq!(v, w.as_slice(), "row {id} holds another row's value");
        }
    }
}

fn model_writer(s: &Shared, writer: u64) -> u64 {
    let mut rng = Rng::new(writer * 0x9E37_79B9 + 11);
    let mut seq = 0;
    let mut ops = 0;
    while !s.stop.load(Ordering::Relaxed) {
        let mut model = s.model.lock().unwrap();
        let r = rng.below(100);
        if r < 55 || model.len() < 10 {
            let v = value(b'M', writer, seq);
            seq += 1;
            let id = s.db.put(&v).unwrap();
            s.ack(id, &v);
            assert!(model.insert(id, v).is_none(), "id {id} handed out twice");
        } else if r < 85 {
            let id = *model
                .keys()
                .nth(rng.below(model.len() as u64) as usize)
                .unwrap();
            s.db.delete(id).unwrap();
            model.remove(&id);
        } else if r < 97 {
            let mut b = Batch::new();
            let vs: Vec<Vec<u8>> = (0..3)
                .map(|_| {
                    seq += 1;
                    value(b'M', writer, seq)
                })
                .collect();
            for v in &vs {
                b.put(v);
            }
            let victim = *model
                .keys()
                .nth(rng.below(model.len() as u64) as usize)
                .unwrap();
            b.delete(victim);
            let ids = s.db.write(&b).unwrap();
            assert_eq!(ids.len(), 3);
            assert!(
                ids.windows(2).all(|w| w[1] == w[0] + 1),
                "batch ids {ids:?}"
            );
            model.remove(&victim);
            for (id, v) in ids.into_iter().zip(vs) {
                s.ack(id, &v);
                model.insert(id, v);
            }
        } else {
            // A snapshot of this moment: no model writer is between an
            // operation and its model update.
            let snap = s.db.snapshot().unwrap();
            let done = s.compactions.load(Ordering::Acquire);
            let mut kept = s.snapshots.lock().unwrap();
            if kept.len() < 40 {
                kept.push((snap, model.clone(), done));
            }
        }
        drop(model);
        ops += 1;
    }
    ops
}

fn free_writer(s: &Shared, writer: u64) -> u64 {
    let mut seq = 0;
    while !s.stop.load(Ordering::Relaxed) {
        let v = value(b'F', writer, seq);
        seq += 1;
        let id = s.db.put(&v).unwrap();
        s.ack(id, &v);
        s.free.lock().unwrap().insert(id, v);
    }
    seq
}

fn reader(s: &Shared, n: u64) -> u64 {
    let mut rng = Rng::new(n * 7 + 3);
    let mut reads = 0;
    while !s.stop.load(Ordering::Relaxed) {
        let end = s.acked_end.load(Ordering::Acquire);
        for _ in 0..200 {
            let id = rng.below(end);
            match s.db.get(id).unwrap() {
                Some(v) => s.check_read(id, &v),
                None if id < end => s.seen_absent.lock().unwrap().push(id),
                None => {}
            }
            reads += 1;
        }
        if rng.below(10) == 0 {
            let scan = s.db.scan().unwrap();
            let end = scan.snapshot().end_id();
            let mut last = None;
            let mut free_seen = 0;
            for row in scan {
                let (id, v) = row.unwrap();
                assert!(last < Some(id), "scan out of order");
                assert!(id < end, "scan beyond its snapshot");
                last = Some(id);
                s.check_read(id, &v);
                free_seen += usize::from(v[0] == b'F');
            }
            s.scans.lock().unwrap().push((end, free_seen));
        }
    }
    reads
}

fn compactor(s: &Shared) -> u64 {
    while !s.stop.load(Ordering::Relaxed) {
        s.db.compact().unwrap();
        s.compactions.fetch_add(1, Ordering::AcqRel);
        std::thread::sleep(Duration::from_millis(15));
    }
    s.compactions.load(Ordering::Acquire)
}

fn scan_rows(snap: &Snapshot) -> Rows {
    snap.scan().map(|r| r.unwrap()).collect()
}

#[test]
fn readers_writers_and_compaction_in_parallel() {
    let secs: u64 = std::env::var("TOONSTORE_CONCURRENCY_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        segment_size: 32 << 10,
        ..Options::default()
    };
    let s = Arc::new(Shared {
        db: ToonStore::open_with(tmp.path(), &opts).unwrap(),
        stop: AtomicBool::new(false),
        model: Mutex::new(Rows::new()),
        written: RwLock::new(HashMap::new()),
        free: Mutex::new(Rows::new()),
        acked_end: AtomicU64::new(0),
        snapshots: Mutex::new(Vec::new()),
        compactions: AtomicU64::new(0),
        seen_absent: Mutex::new(Vec::new()),
        scans: Mutex::new(Vec::new()),
    });
    let began = Instant::now();
    let mut threads = Vec::new();
    for w in 0..2 {
        let s = Arc::clone(&s);
        threads.push((
            "model writer",
            std::thread::spawn(move || model_writer(&s, w)),
        ));
    }
    {
        let s = Arc::clone(&s);
        threads.push((
            "free writer",
            std::thread::spawn(move || free_writer(&s, 9)),
        ));
    }
    for r in 0..2 {
        let s = Arc::clone(&s);
        threads.push(("reader", std::thread::spawn(move || reader(&s, r))));
    }
    {
        let s = Arc::clone(&s);
        threads.push(("compactor", std::thread::spawn(move || compactor(&s))));
    }
    std::thread::sleep(Duration::from_secs(secs));
    s.stop.store(true, Ordering::Release);
    let mut counts = Vec::new();
    for (name, t) in threads {
        counts.push((name, t.join().unwrap_or_else(|_| panic!("{name} panicked"))));
    }
    eprintln!("ops per thread: {counts:?} in {:.1?}", began.elapsed());

    let s = Arc::try_unwrap(s).ok().expect("threads are done");
    let model = s.model.into_inner().unwrap();
    let free = s.free.into_inner().unwrap();
    let mut all = model.clone();
    all.extend(free.iter().map(|(k, v)| (*k, v.clone())));
    assert!(
        model.keys().all(|id| !free.contains_key(id)),
        "id handed out twice"
    );
    let compactions = s.compactions.load(Ordering::Acquire);
    assert!(compactions >= 2, "compaction ran {compactions} times");

    // Snapshots: exactly the rows of their moment, after compactions.
    let snapshots = s.snapshots.into_inner().unwrap();
    assert!(snapshots.len() >= 3, "only {} snapshots", snapshots.len());
    let mut spanned = 0;
    for (k, (snap, at_model, done)) in snapshots.iter().enumerate() {
        let end = snap.end_id();
        let mut want = at_model.clone();
        want.extend(free.range(..end).map(|(k, v)| (*k, v.clone())));
        let got = scan_rows(snap);
        assert_eq!(got.len(), want.len(), "snapshot {k}: row count");
        assert!(got == want, "snapshot {k} differs from its moment");
        for (id, v) in want.iter().step_by(17) {
            assert_eq!(snap.get(*id).unwrap(), Some(v.as_slice()));
        }
        spanned += usize::from(compactions > *done + 1);
    }
    assert!(spanned > 0, "no snapshot lived through a compaction");

    // Reader scans saw every free row below their end.
    for (end, free_seen) in s.scans.into_inner().unwrap() {
        assert_eq!(free.range(..end).count(), free_seen, "scan missed rows");
    }
    // What readers saw as absent was deleted for good.
    for id in s.seen_absent.into_inner().unwrap() {
        assert!(
            !all.contains_key(&id),
            "row {id} read as absent but is live"
        );
    }
    // The final state, live and after a reopen.
    let db = s.db;
    let st = db.stats().unwrap();
    assert_eq!(st.live_rows, all.len() as u64);
    assert_eq!(st.next_row_id, s.acked_end.load(Ordering::Acquire));
    let got: Rows = db.scan().unwrap().map(|r| r.unwrap()).collect();
    assert!(got == all, "final state differs");
    drop(snapshots);
    db.close().unwrap();
    let db = ToonStore::open_with(tmp.path(), &opts).unwrap();
    let got: Rows = db.scan().unwrap().map(|r| r.unwrap()).collect();
    assert!(got == all, "state after reopen differs");
    let written = s.written.into_inner().unwrap();
    for id in 0..st.next_row_id {
        assert_eq!(
            db.get(id).unwrap(),
            all.get(&id).cloned(),
            "row {id} after reopen"
        );
        assert!(written.contains_key(&id), "id {id} was never acknowledged");
    }
}

#[test]
fn full_group_commit_from_eight_threads() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        durability: Durability::Full,
        segment_size: 64 << 10,
        ..Options::default()
    };
    let db = Arc::new(ToonStore::open_with(tmp.path(), &opts).unwrap());
    let per_thread = 60u64;
    let threads: Vec<_> = (0..8u64)
        .map(|t| {
            let db = Arc::clone(&db);
            std::thread::spawn(move || {
                let mut mine = Vec::new();
                for seq in 0..per_thread {
                    if seq % 10 == 9 {
                        let mut b = Batch::new();
                        let vs = [value(b'G', t, seq), value(b'H', t, seq)];
                        b.put(&vs[0]).put(&vs[1]);
                        let ids = db.write(&b).unwrap();
                        assert_eq!(ids[1], ids[0] + 1, "batch ids are consecutive");
                        mine.extend(ids.into_iter().zip(vs));
                    } else {
                        let v = value(b'G', t, seq);
                        mine.push((db.put(&v).unwrap(), v));
                    }
                }
                mine
            })
        })
        .collect();
    let mut all = Rows::new();
    for t in threads {
        for (id, v) in t.join().unwrap() {
            assert!(all.insert(id, v).is_none(), "id {id} handed out twice");
        }
    }
    let n = all.len() as u64;
    assert_eq!(n, 8 * (per_thread + per_thread / 10));
    let ids: HashSet<u64> = all.keys().copied().collect();
    assert_eq!(ids, (0..n).collect(), "ids are not exactly 0..{n}");
    assert_eq!(db.stats().unwrap().next_row_id, n);
    let db = Arc::try_unwrap(db).unwrap();
    db.close().unwrap();
    let db = ToonStore::open_with(tmp.path(), &opts).unwrap();
    let got: Rows = db.scan().unwrap().map(|r| r.unwrap()).collect();
    assert!(got == all, "rows after reopen differ");
    assert_eq!(db.put(b"next").unwrap(), n);
}
