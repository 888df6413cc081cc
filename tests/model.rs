//! Model test: random sequences of operations run against the engine and
//! against a `BTreeMap` model; any divergence is a failure.
//!
//! Segments are 4 KiB so that logs roll, values larger than a segment get a
//! segment of their own, and compaction always has work. Snapshots are kept
//! alive across later mutations, compactions, reopens and read-only opens and
//! re-checked against the model of their moment.
//!
//! `PROPTEST_CASES` overrides the number of cases (default 64).

use std::collections::BTreeMap;
use std::path::PathBuf;

use proptest::prelude::*;
use proptest::sample::Index;
use toonstore::{Batch, Durability, ErrorKind, Options, Snapshot, ToonStore};

type Rows = BTreeMap<u64, Vec<u8>>;

#[derive(Clone, Debug)]
enum BatchOp {
    Put(Vec<u8>),
    /// Delete a live row (picked from the model).
    DeleteLive(Index),
    /// Delete a row that is absent (deleted or never assigned): the whole
    /// batch must fail and write nothing.
    DeleteAbsent(Index),
    /// Delete the same live row twice: the whole batch must fail.
    DeleteTwice(Index),
}

#[derive(Clone, Debug)]
enum Op {
    Put(Vec<u8>),
    PutWith(Vec<u8>, Durability),
    Get(Index),
    GetAbsent(Index),
    Delete(Index),
    DeleteAbsent(Index),
    Batch(Vec<BatchOp>),
    Scan,
    ScanFrom(Index),
    /// `scan_range(start..stop)`, forward or reverse, maybe cut short.
    ScanRange(Index, Index, bool, Option<usize>),
    /// Take a snapshot and keep it; it is checked later.
    TakeSnapshot,
    /// Check one kept snapshot against its model (and maybe drop it).
    CheckSnapshot(Index, bool),
    Contains(Index),
    Stats,
    Sync,
    Reopen,
    DropReopen,
    ReadOnlyCheck,
    Compact,
}

fn value() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        8 => proptest::collection::vec(any::<u8>(), 0..48),
        3 => proptest::collection::vec(any::<u8>(), 48..400),
        // Larger than a segment: gets a segment of its own.
        1 => proptest::collection::vec(any::<u8>(), 4000..6000),
    ]
}

fn durability() -> impl Strategy<Value = Durability> {
    prop_oneof![
        Just(Durability::Off),
        Just(Durability::Normal),
        Just(Durability::Full)
    ]
}

fn batch_op() -> impl Strategy<Value = BatchOp> {
    prop_oneof![
        6 => value().prop_map(BatchOp::Put),
        3 => any::<Index>().prop_map(BatchOp::DeleteLive),
        1 => any::<Index>().prop_map(BatchOp::DeleteAbsent),
        1 => any::<Index>().prop_map(BatchOp::DeleteTwice),
    ]
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        30 => value().prop_map(Op::Put),
        3 => (value(), durability()).prop_map(|(v, d)| Op::PutWith(v, d)),
        10 => any::<Index>().prop_map(Op::Get),
        2 => any::<Index>().prop_map(Op::GetAbsent),
        14 => any::<Index>().prop_map(Op::Delete),
        2 => any::<Index>().prop_map(Op::DeleteAbsent),
        6 => proptest::collection::vec(batch_op(), 0..8).prop_map(Op::Batch),
        2 => Just(Op::Scan),
        2 => any::<Index>().prop_map(Op::ScanFrom),
        3 => (any::<Index>(), any::<Index>(), any::<bool>(), proptest::option::of(0usize..5))
            .prop_map(|(a, b, r, n)| Op::ScanRange(a, b, r, n)),
        2 => Just(Op::TakeSnapshot),
        3 => (any::<Index>(), any::<bool>()).prop_map(|(i, d)| Op::CheckSnapshot(i, d)),
        2 => any::<Index>().prop_map(Op::Contains),
        2 => Just(Op::Stats),
        1 => Just(Op::Sync),
        2 => Just(Op::Reopen),
        2 => Just(Op::DropReopen),
        1 => Just(Op::ReadOnlyCheck),
        3 => Just(Op::Compact),
    ]
}

struct Model {
    rows: Rows,
    next: u64,
}

impl Model {
    fn pick_live(&self, i: &Index) -> Option<u64> {
        if self.rows.is_empty() {
            return None;
        }
        self.rows.keys().nth(i.index(self.rows.len())).copied()
    }

    /// An id that is not live: a deleted one or one never assigned.
    fn pick_absent(&self, i: &Index) -> u64 {
        let dead: Vec<u64> = (0..self.next)
            .filter(|id| !self.rows.contains_key(id))
            .collect();
        let n = dead.len() + 3;
        let k = i.index(n);
        if k < dead.len() {
            dead[k]
        } else {
            // Never assigned: next, next + 1, or far away.
            [self.next, self.next + 1, u64::MAX / 2][k - dead.len()]
        }
    }

    fn pick_any(&self, i: &Index) -> u64 {
        i.index(self.next as usize + 2) as u64
    }
}

struct Harness {
    path: PathBuf,
    opts: Options,
    db: Option<ToonStore>,
    model: Model,
    snapshots: Vec<(Snapshot, Rows, u64)>,
}

fn check_rows(
    scan: impl Iterator<Item = toonstore::Result<(u64, Vec<u8>)>>,
    want: &Rows,
    what: &str,
) {
    let got: Vec<(u64, Vec<u8>)> = scan.map(|r| r.expect("scan item")).collect();
    let want: Vec<(u64, Vec<u8>)> = want.iter().map(|(k, v)| (*k, v.clone())).collect();
    assert_eq!(got.len(), want.len(), "{what}: row count");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{what}: row differs");
    }
}

fn check_snapshot(snap: &Snapshot, rows: &Rows, next: u64) {
    assert_eq!(snap.end_id(), next, "snapshot end id");
    check_rows(snap.scan(), rows, "snapshot scan");
    for id in 0..next + 1 {
        assert_eq!(
            snap.get(id).expect("snapshot get"),
            rows.get(&id).map(Vec::as_slice),
            "snapshot get {id}"
        );
    }
    if let Some((&mid, _)) = rows.iter().nth(rows.len() / 2) {
        let want: Rows = rows.range(mid..).map(|(k, v)| (*k, v.clone())).collect();
        check_rows(snap.scan_from(mid), &want, "snapshot scan_from");
        let want: Vec<(u64, Vec<u8>)> = rows
            .range(..mid)
            .rev()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        let got: Vec<(u64, Vec<u8>)> = snap
            .scan_range(..mid, true)
            .expect("scan_range")
            .map(|r| r.expect("scan item"))
            .collect();
        assert_eq!(got, want, "snapshot reverse scan_range ..{mid}");
    }
}

/// The model's rows with `start <= id < stop`, in the scan's order,
/// `limit` of them at most; None when `stop < start` (refused).
fn range_rows(
    rows: &Rows,
    start: u64,
    stop: u64,
    reverse: bool,
    limit: usize,
) -> Option<Vec<(u64, Vec<u8>)>> {
    if stop < start {
        return None;
    }
    let inside = || rows.range(start..stop).map(|(k, v)| (*k, v.clone()));
    Some(if reverse {
        inside().rev().take(limit).collect()
    } else {
        inside().take(limit).collect()
    })
}

impl Harness {
    fn db(&self) -> &ToonStore {
        self.db.as_ref().expect("open")
    }

    fn open(&mut self) {
        let db = ToonStore::open_with(&self.path, &self.opts).expect("reopen");
        self.db = Some(db);
    }

    fn full_check(&self) {
        let db = self.db();
        check_rows(db.scan().expect("scan"), &self.model.rows, "full scan");
        for id in 0..self.model.next + 2 {
            assert_eq!(
                db.get(id).expect("get"),
                self.model.rows.get(&id).cloned(),
                "get {id}"
            );
        }
        let st = db.stats().expect("stats");
        assert_eq!(st.next_row_id, self.model.next, "stats next id");
        assert_eq!(st.live_rows, self.model.rows.len() as u64, "stats live");
        assert_eq!(
            st.deleted_rows,
            self.model.next - self.model.rows.len() as u64,
            "stats deleted"
        );
    }

    fn put(&mut self, v: &[u8], d: Option<Durability>) {
        let id = match d {
            Some(d) => self.db().put_with(v, d),
            None => self.db().put(v),
        }
        .expect("put");
        assert_eq!(id, self.model.next, "put id");
        self.model.rows.insert(id, v.to_vec());
        self.model.next += 1;
    }

    fn apply(&mut self, op: &Op) {
        match op {
            Op::Put(v) => self.put(v, None),
            Op::PutWith(v, d) => self.put(v, Some(*d)),
            Op::Get(i) => {
                if let Some(id) = self.model.pick_live(i) {
                    assert_eq!(
                        self.db().get(id).expect("get").as_ref(),
                        self.model.rows.get(&id),
                        "get {id}"
                    );
                    let borrowed = self.db().get_with(id, |b| b.len()).expect("get_with");
                    assert_eq!(borrowed, Some(self.model.rows[&id].len()));
                }
            }
            Op::GetAbsent(i) => {
                let id = self.model.pick_absent(i);
                assert_eq!(self.db().get(id).expect("get absent"), None, "get {id}");
            }
            Op::Contains(i) => {
                let id = self.model.pick_any(i);
                assert_eq!(
                    self.db().contains(id).expect("contains"),
                    self.model.rows.contains_key(&id),
                    "contains {id}"
                );
            }
            Op::Delete(i) => {
                if let Some(id) = self.model.pick_live(i) {
                    self.db().delete(id).expect("delete");
                    self.model.rows.remove(&id);
                    assert_eq!(self.db().get(id).expect("get"), None);
                }
            }
            Op::DeleteAbsent(i) => {
                let id = self.model.pick_absent(i);
                let err = self.db().delete(id).expect_err("delete of an absent row");
                assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
            }
            Op::Batch(ops) => self.batch(ops),
            Op::Scan => check_rows(self.db().scan().expect("scan"), &self.model.rows, "scan"),
            Op::ScanFrom(i) => {
                let start = self.model.pick_any(i);
                let want: Rows = self
                    .model
                    .rows
                    .range(start..)
                    .map(|(k, v)| (*k, v.clone()))
                    .collect();
                check_rows(
                    self.db().scan_from(start).expect("scan_from"),
                    &want,
                    "scan_from",
                );
            }
            Op::ScanRange(a, b, reverse, limit) => {
                let (start, stop) = (self.model.pick_any(a), self.model.pick_any(b));
                let limit = limit.unwrap_or(usize::MAX);
                let want = range_rows(&self.model.rows, start, stop, *reverse, limit);
                let got: Option<Vec<(u64, Vec<u8>)>> =
                    match self.db().scan_range(start..stop, *reverse) {
                        Ok(scan) => Some(scan.take(limit).map(|r| r.expect("scan item")).collect()),
                        Err(e) => {
                            assert_eq!(e.kind(), ErrorKind::InvalidArgument, "{e}");
                            None
                        }
                    };
                assert_eq!(got, want, "scan_range {start}..{stop} reverse={reverse}");
            }
            Op::TakeSnapshot => {
                let snap = self.db().snapshot().expect("snapshot");
                self.snapshots
                    .push((snap, self.model.rows.clone(), self.model.next));
                if self.snapshots.len() > 4 {
                    self.snapshots.remove(0);
                }
            }
            Op::CheckSnapshot(i, drop_it) => {
                if !self.snapshots.is_empty() {
                    let k = i.index(self.snapshots.len());
                    let (snap, rows, next) = &self.snapshots[k];
                    check_snapshot(snap, rows, *next);
                    if *drop_it {
                        self.snapshots.remove(k);
                    }
                }
            }
            Op::Stats => {
                let st = self.db().stats().expect("stats");
                assert_eq!(st.next_row_id, self.model.next);
                assert_eq!(st.live_rows, self.model.rows.len() as u64);
                assert!(st.segment_count >= 1);
                assert!((0.0..=1.0).contains(&st.garbage_fraction), "{st:?}");
            }
            Op::Sync => self.db().sync().expect("sync"),
            Op::Reopen => {
                self.db.take().expect("open").close().expect("close");
                self.open();
                self.full_check();
            }
            Op::DropReopen => {
                drop(self.db.take());
                self.open();
                self.full_check();
            }
            Op::ReadOnlyCheck => {
                self.db.take().expect("open").close().expect("close");
                let ro = Options {
                    read_only: true,
                    ..self.opts.clone()
                };
                {
                    let r = ToonStore::open_with(&self.path, &ro).expect("read-only open");
                    check_rows(r.scan().expect("scan"), &self.model.rows, "read-only scan");
                    let st = r.stats().expect("stats");
                    assert_eq!(st.next_row_id, self.model.next);
                    assert_eq!(st.live_rows, self.model.rows.len() as u64);
                    assert_eq!(r.put(b"x").unwrap_err().kind(), ErrorKind::ReadOnly);
                }
                self.open();
            }
            Op::Compact => {
                let before = self.db().stats().expect("stats");
                self.db().compact().expect("compact");
                let after = self.db().stats().expect("stats");
                assert!(
                    after.garbage_fraction < 1e-9,
                    "compaction left garbage: {before:?} -> {after:?}"
                );
                self.full_check();
            }
        }
    }

    fn batch(&mut self, ops: &[BatchOp]) {
        let mut batch = Batch::new();
        let mut after = self.model.rows.clone();
        let mut next = self.model.next;
        let mut ids = Vec::new();
        let mut must_fail = false;
        for op in ops {
            match op {
                BatchOp::Put(v) => {
                    batch.put(v);
                    after.insert(next, v.clone());
                    ids.push(next);
                    next += 1;
                }
                BatchOp::DeleteLive(i) => {
                    // A live row not yet deleted by this batch, if any.
                    let live: Vec<u64> = self
                        .model
                        .rows
                        .keys()
                        .copied()
                        .filter(|id| after.contains_key(id))
                        .collect();
                    if !live.is_empty() {
                        let id = live[i.index(live.len())];
                        batch.delete(id);
                        after.remove(&id);
                    }
                }
                BatchOp::DeleteAbsent(i) => {
                    batch.delete(self.model.pick_absent(i));
                    must_fail = true;
                }
                BatchOp::DeleteTwice(i) => {
                    if let Some(id) = self.model.pick_live(i) {
                        batch.delete(id).delete(id);
                        must_fail = true;
                    }
                }
            }
        }
        let result = self.db().write(&batch);
        if must_fail {
            let err = result.expect_err("batch with an absent delete must fail");
            assert_eq!(err.kind(), ErrorKind::NotFound, "{err}");
            // Nothing was written: the next put gets the model's next id
            // (checked by the next put) and every row is unchanged.
            let st = self.db().stats().expect("stats");
            assert_eq!(st.next_row_id, self.model.next, "failed batch took ids");
            assert_eq!(st.live_rows, self.model.rows.len() as u64);
        } else {
            let got = result.expect("batch");
            assert_eq!(got, ids, "batch ids");
            for (id, v) in &after {
                if !self.model.rows.contains_key(id) {
                    assert_eq!(self.db().get(*id).expect("get").as_ref(), Some(v));
                }
            }
            self.model.rows = after;
            self.model.next = next;
        }
    }
}

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(64)
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: cases(),
        max_shrink_iters: 2000,
        ..ProptestConfig::default()
    })]

    #[test]
    fn engine_matches_model(
        durability in prop_oneof![
            4 => Just(Durability::Normal),
            2 => Just(Durability::Off),
            1 => Just(Durability::Full),
        ],
        ops in proptest::collection::vec(op(), 1..200),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let opts = Options {
            durability,
            segment_size: 4096,
            ..Options::default()
        };
        let mut h = Harness {
            path: dir.path().join("db"),
            opts,
            db: None,
            model: Model { rows: Rows::new(), next: 0 },
            snapshots: Vec::new(),
        };
        h.open();
        for op in &ops {
            h.apply(op);
        }
        h.full_check();
        // Every kept snapshot still reads its moment, also after the
        // handle that made it is closed and the database reopened.
        h.db.take().unwrap().close().unwrap();
        h.open();
        h.full_check();
        for (snap, rows, next) in &h.snapshots {
            check_snapshot(snap, rows, *next);
        }
        h.db().compact().unwrap();
        for (snap, rows, next) in &h.snapshots {
            check_snapshot(snap, rows, *next);
        }
        h.full_check();
    }
}
