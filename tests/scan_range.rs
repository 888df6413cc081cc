//! Bounded and reverse scans (`scan_range`) against a `BTreeMap` model, over
//! databases that span several index chunks (4096 ids each) and have long
//! runs of deleted rows, so that ranges start, end and turn around inside
//! and between chunks, and past the last assigned id.
//!
//! `PROPTEST_CASES` overrides the number of cases (default 24).

use std::collections::BTreeMap;
use std::ops::Bound;

use proptest::prelude::*;
use toonstore::{Batch, ErrorKind, Options, ToonStore};

type Rows = BTreeMap<u64, Vec<u8>>;

fn value_of(id: u64) -> Vec<u8> {
    // Different lengths, including empty rows.
    let len = (id % 7) as usize;
    let mut v = id.to_le_bytes()[..len.min(8)].to_vec();
    v.resize(len, 0xAB);
    v
}

fn open(dir: &std::path::Path) -> ToonStore {
    let opts = Options {
        segment_size: 1 << 20,
        ..Options::default()
    };
    ToonStore::open_with(dir, &opts).expect("open")
}

/// Puts `n` rows and deletes those `dead` selects; returns the live model.
fn fill(db: &ToonStore, n: u64, dead: impl Fn(u64) -> bool) -> Rows {
    let values: Vec<Vec<u8>> = (0..n).map(value_of).collect();
    let mut batch = Batch::new();
    for v in &values {
        batch.put(v);
    }
    let ids = db.write(&batch).expect("write");
    assert_eq!(ids.len() as u64, n);
    let mut rows = Rows::new();
    let mut deletes = Batch::new();
    for (id, v) in ids.into_iter().zip(values) {
        if dead(id) {
            deletes.delete(id);
        } else {
            rows.insert(id, v);
        }
    }
    db.write(&deletes).expect("deletes");
    rows
}

fn collect(scan: toonstore::Scan) -> Vec<(u64, Vec<u8>)> {
    scan.map(|r| r.expect("scan item")).collect()
}

/// The rows a scan of `(lo, hi)` yields; None for an inverted range (the
/// scan refuses it).
fn model(
    rows: &Rows,
    lo: Bound<u64>,
    hi: Bound<u64>,
    reverse: bool,
) -> Option<Vec<(u64, Vec<u8>)>> {
    let start = match lo {
        Bound::Included(s) => s,
        Bound::Excluded(s) => s.saturating_add(1),
        Bound::Unbounded => 0,
    };
    let stop = match hi {
        Bound::Included(e) => e.saturating_add(1),
        Bound::Excluded(e) => e,
        Bound::Unbounded => u64::MAX,
    };
    if lo == Bound::Excluded(u64::MAX) {
        return Some(Vec::new());
    }
    if start > stop {
        return None;
    }
    let it = rows.range(start..stop).map(|(k, v)| (*k, v.clone()));
    Some(if reverse {
        it.rev().collect()
    } else {
        it.collect()
    })
}

fn bound(kind: u8, at: u64) -> Bound<u64> {
    match kind % 3 {
        0 => Bound::Included(at),
        1 => Bound::Excluded(at),
        _ => Bound::Unbounded,
    }
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("PROPTEST_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(24),
        ..ProptestConfig::default()
    })]

    #[test]
    fn scan_range_matches_the_model(
        n in 0u64..10_000,
        // Rows deleted: every k-th, plus one long run [run_at, run_at + run_len).
        every in 2u64..50,
        run_at in 0u64..10_000,
        run_len in 0u64..5000,
        ranges in proptest::collection::vec(
            (any::<u8>(), 0u64..10_500, any::<u8>(), 0u64..10_500, any::<bool>()), 1..12),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let db = open(dir.path());
        let rows = fill(&db, n, |id| id % every == 0 || (run_at..run_at + run_len).contains(&id));
        let snap = db.snapshot().unwrap();
        // Rows written after the snapshot must not show in it.
        let late = db.put(b"late").unwrap();
        if let Some((&first, _)) = rows.iter().next() {
            db.delete(first).unwrap();
        }
        for (lk, lo, hk, hi, reverse) in ranges {
            let (lo, hi) = (bound(lk, lo), bound(hk, hi));
            let want = model(&rows, lo, hi, reverse);
            let got = snap.scan_range((lo, hi), reverse).ok().map(collect);
            prop_assert_eq!(got, want, "snapshot {:?}..{:?} reverse={}", lo, hi, reverse);
        }
        // The database's own scan_range takes a new snapshot: it sees the
        // late put and the delete.
        let mut now = rows.clone();
        now.insert(late, b"late".to_vec());
        if let Some(&first) = rows.keys().next() {
            now.remove(&first);
        }
        let all = (Bound::Unbounded, Bound::Unbounded);
        prop_assert_eq!(Some(collect(db.scan_range(all, true).unwrap())), model(&now, all.0, all.1, true));
        prop_assert_eq!(Some(collect(db.scan_range(all, false).unwrap())), model(&now, all.0, all.1, false));
    }
}

#[test]
fn last_rows_newest_first_and_lazy() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let rows = fill(&db, 3 * 4096 + 10, |id| id % 3 == 1);
    let last: Vec<u64> = db
        .scan_range(.., true)
        .unwrap()
        .take(5)
        .map(|r| r.unwrap().0)
        .collect();
    let want: Vec<u64> = rows.keys().rev().take(5).copied().collect();
    assert_eq!(last, want);
    // A reverse scan that is stopped early leaves nothing half-done: a
    // second one from the same snapshot starts over.
    let snap = db.snapshot().unwrap();
    let mut scan = snap.scan_range(100..200, true).unwrap();
    assert!(scan.is_reverse());
    // 199 was deleted (199 % 3 == 1): the scan starts at 198.
    assert_eq!(scan.next().unwrap().unwrap().0, 198);
    assert_eq!(scan.next().unwrap().unwrap().0, 197);
    assert_eq!(
        snap.scan_range(100..200, true)
            .unwrap()
            .next()
            .unwrap()
            .unwrap()
            .0,
        198
    );
}

#[test]
fn empty_and_far_ranges_yield_nothing_and_inverted_ones_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    fill(&db, 50, |_| false);
    for reverse in [false, true] {
        assert_eq!(collect(db.scan_range(10..10, reverse).unwrap()), vec![]);
        #[allow(clippy::reversed_empty_ranges)]
        let inverted = db.scan_range(20..10, reverse).map(|_| ()).unwrap_err();
        assert_eq!(inverted.kind(), ErrorKind::InvalidArgument, "{inverted}");
        assert!(inverted.to_string().contains("inverted"), "{inverted}");
        let excluded_max = (Bound::Excluded(u64::MAX), Bound::Unbounded);
        assert_eq!(
            collect(db.scan_range(excluded_max, reverse).unwrap()),
            vec![]
        );
        assert_eq!(collect(db.scan_range(50.., reverse).unwrap()), vec![]);
        assert_eq!(
            collect(db.scan_range(1_000_000..u64::MAX, reverse).unwrap()),
            vec![]
        );
        // Stop past the end is the same as no stop.
        assert_eq!(
            collect(db.scan_range(45..1 << 40, reverse).unwrap()).len(),
            5
        );
        assert_eq!(
            collect(db.scan_range(45..=u64::MAX, reverse).unwrap()).len(),
            5
        );
    }
    let empty = tempfile::tempdir().unwrap();
    let db = open(empty.path());
    assert_eq!(collect(db.scan_range(.., true).unwrap()), vec![]);
    assert_eq!(collect(db.scan_range(.., false).unwrap()), vec![]);
}

#[test]
fn a_reverse_scan_survives_compaction_and_sees_its_snapshot() {
    let dir = tempfile::tempdir().unwrap();
    let db = open(dir.path());
    let rows = fill(&db, 9000, |id| id % 2 == 0);
    let scan = db.scan_range(1000..8000, true).unwrap();
    for id in (1001..2000).step_by(2) {
        db.delete(id).unwrap();
    }
    db.compact().unwrap();
    let want = model(&rows, Bound::Included(1000), Bound::Excluded(8000), true);
    assert_eq!(Some(collect(scan)), want);
}
