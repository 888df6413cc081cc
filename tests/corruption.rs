//! Corruption tests: damage the files of a cleanly closed database
//! (truncation, flipped bytes, appended garbage, a missing or damaged
//! checkpoint, a newer format version) and open it again, read-only and
//! writable. Every outcome must be one of:
//!
//! * the open is refused with `Corrupt` (naming the damaged file and an
//!   offset) or `Version` (saying the file is newer), and the refused open
//!   deleted no file;
//! * the open succeeds and every row it returns has exactly the bytes that
//!   were written. Rows may be missing only when the damage lies past the
//!   log's synced watermark (a committed prefix); after a clean close the
//!   watermark covers everything, so damage to records of the log must be
//!   refused. Damage to a segment the checkpoint covers (never replayed) is
//!   found when the row is read: `get` returns `Corrupt`, other rows read.
//!
//! Never a panic, never wrong bytes.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use toonstore::format::checkpoint as ckpt_format;
use toonstore::format::record::{self, Kind};
use toonstore::format::segment_header::{self, SegmentHeader, SegmentKind, HEADER_LEN};
use toonstore::format::FORMAT_VERSION;
use toonstore::{Batch, Error, ErrorKind, Options, ToonStore};

type Rows = BTreeMap<u64, Vec<u8>>;

#[derive(Clone, Debug, PartialEq)]
struct State {
    rows: Rows,
    next: u64,
}

fn opts() -> Options {
    Options {
        segment_size: 4096,
        ..Options::default()
    }
}

fn ro_opts() -> Options {
    Options {
        read_only: true,
        ..opts()
    }
}

fn value(i: u64) -> Vec<u8> {
    let len = (i * 37 % 150) as usize;
    let mut v = format!("row {i} ").into_bytes();
    v.extend((0..len).map(|k| (k as u64 * 31 + i * 7) as u8));
    v
}

/// A database built by a known sequence of operations, with the state after
/// every operation (each successful operation is exactly one log record).
struct Built {
    _tmp: tempfile::TempDir,
    path: PathBuf,
    /// `states[k]`: the state after the first `k` log records.
    states: Vec<State>,
    /// Log records written before the checkpoint's replay position.
    checkpointed_records: usize,
}

impl Built {
    fn last(&self) -> &State {
        self.states.last().unwrap()
    }
}

struct Writer<'a> {
    db: &'a ToonStore,
    state: State,
    states: Vec<State>,
    seq: u64,
}

impl Writer<'_> {
    fn put(&mut self) {
        let v = value(self.seq);
        self.seq += 1;
        let id = self.db.put(&v).unwrap();
        assert_eq!(id, self.state.next);
        self.state.rows.insert(id, v);
        self.state.next += 1;
        self.states.push(self.state.clone());
    }

    fn delete_nth_live(&mut self, n: usize) {
        let id = *self
            .state
            .rows
            .keys()
            .nth(n % self.state.rows.len())
            .unwrap();
        self.db.delete(id).unwrap();
        self.state.rows.remove(&id);
        self.states.push(self.state.clone());
    }

    fn batch(&mut self, puts: u64, deletes: &[usize]) {
        let mut b = Batch::new();
        let mut after = self.state.clone();
        for _ in 0..puts {
            let v = value(self.seq);
            self.seq += 1;
            b.put(&v);
            after.rows.insert(after.next, v);
            after.next += 1;
        }
        for n in deletes {
            let id = *self
                .state
                .rows
                .keys()
                .nth(*n % self.state.rows.len())
                .unwrap();
            if after.rows.remove(&id).is_some() {
                b.delete(id);
            }
        }
        let ids = self.db.write(&b).unwrap();
        assert_eq!(ids, (self.state.next..after.next).collect::<Vec<_>>());
        self.state = after;
        self.states.push(self.state.clone());
    }

    fn workload(&mut self, rounds: u64) {
        for i in 0..rounds {
            self.put();
            if i % 7 == 3 {
                self.delete_nth_live(i as usize * 13);
            }
            if i % 97 == 50 {
                self.batch(3, &[i as usize, i as usize * 5 + 1]);
            }
        }
    }
}

/// A database whose whole log is replayed at open (no checkpoint).
fn build_log_only() -> Built {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("db");
    let db = ToonStore::open_with(&path, &opts()).unwrap();
    let mut w = Writer {
        db: &db,
        state: State {
            rows: Rows::new(),
            next: 0,
        },
        states: Vec::new(),
        seq: 0,
    };
    w.states.push(w.state.clone());
    w.workload(400);
    let states = w.states;
    db.close().unwrap();
    assert!(!path.join("INDEX").exists(), "no checkpoint expected");
    assert!(segment_files(&path).len() >= 5, "want several segments");
    Built {
        _tmp: tmp,
        path,
        states,
        checkpointed_records: 0,
    }
}

/// A database with a checkpoint (written by a compaction) and log after it.
fn build_with_checkpoint() -> Built {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("db");
    let db = ToonStore::open_with(&path, &opts()).unwrap();
    let mut w = Writer {
        db: &db,
        state: State {
            rows: Rows::new(),
            next: 0,
        },
        states: Vec::new(),
        seq: 0,
    };
    w.states.push(w.state.clone());
    w.workload(400);
    db.compact().unwrap();
    let checkpointed_records = w.states.len() - 1;
    w.workload(150);
    let states = w.states;
    db.close().unwrap();
    assert!(
        path.join("INDEX").exists(),
        "compaction writes a checkpoint"
    );
    let kinds: Vec<SegmentKind> = segment_files(&path)
        .iter()
        .map(|p| read_segment(p).0.kind)
        .collect();
    assert!(kinds.contains(&SegmentKind::Compacted), "{kinds:?}");
    assert!(kinds.iter().filter(|k| **k == SegmentKind::Log).count() >= 2);
    Built {
        _tmp: tmp,
        path,
        states,
        checkpointed_records,
    }
}

fn segment_files(path: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "seg"))
        .collect();
    v.sort();
    v
}

/// A segment's header and the start offsets of its records, plus its end.
fn read_segment(path: &Path) -> (SegmentHeader, Vec<u64>, u64) {
    let bytes = fs::read(path).unwrap();
    let header = SegmentHeader::decode(&bytes).unwrap();
    let mut at = HEADER_LEN;
    let mut starts = Vec::new();
    while at < bytes.len() {
        match record::decode(&bytes[at..], true) {
            Ok(rec) => {
                starts.push(at as u64);
                at += rec.len();
            }
            Err(_) => break,
        }
    }
    (header, starts, at as u64)
}

fn log_segments(path: &Path) -> Vec<PathBuf> {
    segment_files(path)
        .into_iter()
        .filter(|p| read_segment(p).0.kind == SegmentKind::Log)
        .collect()
}

fn file_names(path: &Path) -> Vec<String> {
    let mut v: Vec<String> = fs::read_dir(path)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "LOCK")
        .collect();
    v.sort();
    v
}

/// A fresh copy of the built database to damage.
fn copy(built: &Built, scratch: &Path, name: &str) -> PathBuf {
    let dst = scratch.join(name);
    let _ = fs::remove_dir_all(&dst);
    fs::create_dir_all(&dst).unwrap();
    for entry in fs::read_dir(&built.path).unwrap() {
        let entry = entry.unwrap();
        fs::copy(entry.path(), dst.join(entry.file_name())).unwrap();
    }
    dst
}

fn flip(path: &Path, at: u64, mask: u8) {
    let mut bytes = fs::read(path).unwrap();
    bytes[at as usize] ^= mask;
    fs::write(path, bytes).unwrap();
}

fn truncate(path: &Path, len: u64) {
    fs::OpenOptions::new()
        .write(true)
        .open(path)
        .unwrap()
        .set_len(len)
        .unwrap();
}

/// Rewrites a segment's synced watermark (as if the writer had not flushed
/// since `len`).
fn set_watermark(path: &Path, len: u64) {
    let mut bytes = fs::read(path).unwrap();
    segment_header::write_synced_len(&mut bytes[..HEADER_LEN], len);
    fs::write(path, bytes).unwrap();
}

fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}

/// A refusal must be `Corrupt` naming the damaged file and an offset (or
/// `Version` saying newer).
fn assert_clear_refusal(err: &Error, damaged: &str, what: &str) {
    match err.kind() {
        ErrorKind::Corrupt => {
            let msg = err.message();
            assert!(
                msg.contains(damaged) && msg.contains("offset"),
                "{what}: corruption message does not name {damaged} and an offset: {err}"
            );
        }
        ErrorKind::Version => assert!(err.message().contains("newer"), "{what}: {err}"),
        _ => panic!("{what}: refused with the wrong kind: {err}"),
    }
}

/// What a database shows, with per-row read errors kept.
struct Seen {
    rows: Rows,
    next: u64,
    /// (id, error) of rows whose read failed.
    errors: Vec<(u64, Error)>,
}

fn read_all(db: &ToonStore, upto: u64) -> Seen {
    let next = db.stats().expect("stats").next_row_id;
    let mut rows = Rows::new();
    let mut errors = Vec::new();
    for id in 0..upto.max(next) + 2 {
        match db.get(id) {
            Ok(Some(v)) => {
                rows.insert(id, v);
            }
            Ok(None) => {}
            Err(e) => errors.push((id, e)),
        }
    }
    // The scan agrees with the gets: same rows, errors at the same ids.
    let mut scanned = Rows::new();
    let mut scan_errors = 0;
    for item in db.scan().expect("scan") {
        match item {
            Ok((id, v)) => {
                scanned.insert(id, v);
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Corrupt, "scan error: {e}");
                scan_errors += 1;
            }
        }
    }
    assert_eq!(scanned, rows, "scan and get disagree");
    assert_eq!(scan_errors, errors.len(), "scan and get disagree on errors");
    Seen { rows, next, errors }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Expect {
    /// Open must be refused (Corrupt/Version naming the file).
    Refuse,
    /// Open refused, or succeeds with exactly the full state.
    ExactOrRefuse,
    /// Open must succeed with exactly the full state.
    Exact,
    /// Open must succeed with `states[k]` for a `k` in the range (a
    /// committed prefix).
    Prefix(usize, usize),
    /// Open refused, or succeeds with every row either exact or (at most
    /// one) a `Corrupt` read naming the file.
    ReadsOrRefuse,
}

/// Opens the damaged copy read-only and then writable and checks the
/// outcome of each against `expect`. Returns how many opens were refused.
fn check_open(built: &Built, path: &Path, damaged: &Path, expect: Expect, what: &str) -> usize {
    let damaged_name = file_name(damaged);
    let mut refused = 0;
    for options in [ro_opts(), opts()] {
        let mode = if options.read_only {
            "read-only"
        } else {
            "writable"
        };
        let what = format!("{what} ({mode})");
        let before = file_names(path);
        match ToonStore::open_with(path, &options) {
            Err(e) => {
                refused += 1;
                assert_ne!(
                    expect,
                    Expect::Exact,
                    "{what}: must open with every row, got {e}"
                );
                assert!(
                    !matches!(expect, Expect::Prefix(..)),
                    "{what}: must open with a committed prefix, got {e}"
                );
                assert_clear_refusal(&e, &damaged_name, &what);
                assert_eq!(
                    file_names(path),
                    before,
                    "{what}: a refused open removed files"
                );
            }
            Ok(db) => {
                let full = built.last();
                let seen = read_all(&db, full.next);
                match expect {
                    Expect::Refuse => panic!(
                        "{what}: damage below the synced watermark was accepted ({} rows, next id {}, full has {} rows)",
                        seen.rows.len(),
                        seen.next,
                        full.rows.len()
                    ),
                    Expect::Exact | Expect::ExactOrRefuse => {
                        assert!(seen.errors.is_empty(), "{what}: {:?}", seen.errors);
                        assert_eq!(seen.next, full.next, "{what}: next id");
                        assert!(seen.rows == full.rows, "{what}: rows differ from what was written");
                    }
                    Expect::Prefix(lo, hi) => {
                        let k = (lo..=hi)
                            .find(|&k| built.states[k] == State { rows: seen.rows.clone(), next: seen.next })
                            .unwrap_or(lo);
                        let want = &built.states[k];
                        assert!(seen.errors.is_empty(), "{what}: {:?}", seen.errors);
                        assert_eq!(seen.next, want.next, "{what}: next id of the prefix");
                        if seen.rows != want.rows {
                            let extra: Vec<_> = seen.rows.keys().filter(|k| !want.rows.contains_key(k)).collect();
                            let missing: Vec<_> = want.rows.keys().filter(|k| !seen.rows.contains_key(k)).collect();
                            let wrong: Vec<_> = seen.rows.iter().filter(|(k, v)| want.rows.get(k).is_some_and(|w| w != *v)).map(|(k, _)| k).collect();
                            panic!("{what}: rows differ from the committed prefix: extra {extra:?} missing {missing:?} wrong {wrong:?}");
                        }
                    }
                    Expect::ReadsOrRefuse => {
                        assert_eq!(seen.next, full.next, "{what}: next id");
                        assert!(seen.errors.len() <= 1, "{what}: {:?}", seen.errors);
                        for (id, e) in &seen.errors {
                            assert!(full.rows.contains_key(id), "{what}: error on absent row {id}");
                            assert_clear_refusal(e, &damaged_name, &what);
                            assert_eq!(e.kind(), ErrorKind::Corrupt);
                        }
                        for (id, v) in &seen.rows {
                            assert_eq!(full.rows.get(id), Some(v), "{what}: row {id} has wrong bytes");
                        }
                        let errs: Vec<u64> = seen.errors.iter().map(|(id, _)| *id).collect();
                        for id in full.rows.keys() {
                            assert!(
                                seen.rows.contains_key(id) || errs.contains(id),
                                "{what}: row {id} is missing"
                            );
                        }
                    }
                }
                if !options.read_only {
                    // A writable open that succeeded can keep writing, and
                    // what it writes survives a reopen.
                    let id = db.put(b"after the damage").expect("put after damage");
                    assert_eq!(id, seen.next, "{what}: next id after damage");
                    db.close().expect("close");
                    let db = ToonStore::open_with(path, &options).expect("reopen");
                    assert_eq!(db.get(id).unwrap().unwrap(), b"after the damage");
                    let again = read_all(&db, full.next);
                    assert_eq!(again.rows.len(), seen.rows.len() + 1, "{what}: reopen");
                }
            }
        }
    }
    refused
}

/// A cheap deterministic generator for offsets.
fn offsets(seed: u64, below: u64, n: usize) -> Vec<u64> {
    let mut x = seed | 1;
    (0..n)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % below
        })
        .collect()
}

#[test]
fn truncating_the_last_segment_is_refused_below_the_watermark() {
    let built = build_log_only();
    let scratch = tempfile::tempdir().unwrap();
    let last = log_segments(&built.path).pop().unwrap();
    let (_, starts, end) = read_segment(&last);
    assert!(starts.len() > 5);
    let mut cuts: Vec<u64> = starts.clone();
    cuts.extend(offsets(7, end, 40));
    cuts.extend([0, 1, 30, HEADER_LEN as u64 - 1, end - 1]);
    for cut in cuts {
        let path = copy(&built, scratch.path(), "t");
        let target = path.join(file_name(&last));
        truncate(&target, cut);
        let what = format!("{} truncated to {cut} of {end}", file_name(&last));
        check_open(&built, &path, &target, Expect::Refuse, &what);
    }
    // At its end: nothing lost.
    let path = copy(&built, scratch.path(), "t");
    truncate(&path.join(file_name(&last)), end);
    check_open(&built, &path, &last, Expect::Exact, "truncated at its end");
}

#[test]
fn truncating_an_unsynced_tail_recovers_the_committed_prefix() {
    let built = build_log_only();
    let scratch = tempfile::tempdir().unwrap();
    let logs = log_segments(&built.path);
    let last = logs.last().unwrap();
    let records_before: usize = logs[..logs.len() - 1]
        .iter()
        .map(|p| read_segment(p).1.len())
        .sum();
    let (_, starts, end) = read_segment(last);
    assert_eq!(
        records_before + starts.len() + 1,
        built.states.len(),
        "one record per operation"
    );
    let ends: Vec<u64> = starts.iter().skip(1).copied().chain([end]).collect();
    let mut cuts: Vec<u64> = starts.clone();
    cuts.extend(
        offsets(11, end - HEADER_LEN as u64, 40)
            .iter()
            .map(|o| o + HEADER_LEN as u64),
    );
    cuts.push(end);
    for cut in cuts {
        let path = copy(&built, scratch.path(), "u");
        let target = path.join(file_name(last));
        // As if the process died before flushing anything of this segment.
        set_watermark(&target, HEADER_LEN as u64);
        truncate(&target, cut);
        // Records wholly before the cut survive; the one it splits is torn,
        // unless the bytes cut off were zeros: a writable open, which grows
        // the file with zeros, then finds the record whole and may keep it.
        let whole = ends.iter().filter(|&&e| e <= cut).count();
        let original = fs::read(last).unwrap();
        let split_whole = starts.iter().zip(&ends).any(|(&s, &e)| {
            s < cut && cut < e && original[cut as usize..e as usize].iter().all(|&b| b == 0)
        });
        let what = format!("unsynced {} truncated to {cut} of {end}", file_name(last));
        let k = records_before + whole;
        check_open(
            &built,
            &path,
            &target,
            Expect::Prefix(k, k + usize::from(split_whole)),
            &what,
        );
    }
}

#[test]
fn damage_past_the_watermark_of_the_last_segment_is_a_torn_tail() {
    let built = build_log_only();
    let scratch = tempfile::tempdir().unwrap();
    let logs = log_segments(&built.path);
    let last = logs.last().unwrap();
    let records_before: usize = logs[..logs.len() - 1]
        .iter()
        .map(|p| read_segment(p).1.len())
        .sum();
    let (_, starts, end) = read_segment(last);
    let ends: Vec<u64> = starts.iter().skip(1).copied().chain([end]).collect();
    for at in offsets(13, end - HEADER_LEN as u64, 40)
        .into_iter()
        .map(|o| o + HEADER_LEN as u64)
    {
        let path = copy(&built, scratch.path(), "w");
        let target = path.join(file_name(last));
        set_watermark(&target, HEADER_LEN as u64);
        flip(&target, at, 1 << (at % 8));
        // The damaged record and everything after it were never synced:
        // they are cut, the records before it survive.
        let k = records_before + ends.iter().filter(|&&e| e <= at).count();
        let what = format!("unsynced {} byte {at} flipped", file_name(last));
        check_open(&built, &path, &target, Expect::Prefix(k, k), &what);
    }
}

#[test]
fn truncating_an_earlier_log_segment_is_refused() {
    let built = build_log_only();
    let scratch = tempfile::tempdir().unwrap();
    let logs = log_segments(&built.path);
    for seg in &logs[..logs.len() - 1] {
        let (_, starts, _) = read_segment(seg);
        for &cut in starts.iter().skip(1).step_by(3) {
            let path = copy(&built, scratch.path(), "m");
            let target = path.join(file_name(seg));
            truncate(&target, cut);
            let what = format!("earlier segment {} truncated to {cut}", file_name(seg));
            check_open(&built, &path, &target, Expect::Refuse, &what);
        }
    }
}

#[test]
fn flipped_bytes_in_a_replayed_log_are_refused() {
    let built = build_log_only();
    let scratch = tempfile::tempdir().unwrap();
    let mut refused = 0;
    let mut tried = 0;
    for (n, seg) in segment_files(&built.path).iter().enumerate() {
        let (_, _, end) = read_segment(seg);
        let mut spots: Vec<u64> = (0..HEADER_LEN as u64).step_by(5).collect();
        spots.extend(offsets(n as u64 * 977 + 5, end, 25));
        for at in spots {
            let path = copy(&built, scratch.path(), "f");
            let target = path.join(file_name(seg));
            flip(&target, at, 1 << (at % 8));
            // Records (and the fixed header fields) are below the synced
            // watermark: damage there is refused. The watermark field and
            // the reserved header bytes carry no data.
            let expect = match at {
                36..=63 => Expect::ExactOrRefuse,
                _ => Expect::Refuse,
            };
            let what = format!("{} byte {at} flipped", file_name(seg));
            refused += check_open(&built, &path, &target, expect, &what);
            tried += 2;
        }
    }
    assert!(
        refused * 10 >= tried * 7,
        "only {refused} of {tried} opens refused"
    );
}

#[test]
fn garbage_after_the_last_record_is_a_torn_tail() {
    let built = build_log_only();
    let scratch = tempfile::tempdir().unwrap();
    let last = log_segments(&built.path).pop().unwrap();
    for (n, garbage) in [
        vec![0xFFu8; 1],
        vec![0xAB; 7],
        vec![0x5A; 8],
        (0..300u32).map(|i| (i * 7 + 3) as u8).collect(),
        // A plausible header announcing a huge record.
        vec![0x12, 0x34, 0x56, 0x78, 0xFF, 0xFF, 0xFF, 0x3F, 1, 2, 3],
        vec![0; 100],
    ]
    .into_iter()
    .enumerate()
    {
        let path = copy(&built, scratch.path(), "g");
        let target = path.join(file_name(&last));
        let mut bytes = fs::read(&target).unwrap();
        bytes.extend_from_slice(&garbage);
        fs::write(&target, bytes).unwrap();
        let what = format!("garbage {n} appended to {}", file_name(&last));
        check_open(&built, &path, &target, Expect::Exact, &what);
    }
}

/// Recovery reads only the ranges the file system reports as data when it
/// looks for a torn tail (`Segment::data_range`): garbage past a hole (space
/// never written) is still found, and a tail of holes alone is no damage.
#[test]
fn garbage_past_a_hole_after_the_last_record_is_a_torn_tail() {
    use std::io::{Seek, SeekFrom, Write};
    let built = build_log_only();
    let scratch = tempfile::tempdir().unwrap();
    let last = log_segments(&built.path).pop().unwrap();
    for (n, garbage) in [vec![0x5Au8; 8], vec![0u8; 0]].into_iter().enumerate() {
        let path = copy(&built, scratch.path(), "h");
        let target = path.join(file_name(&last));
        let len = fs::metadata(&target).unwrap().len();
        let mut f = fs::OpenOptions::new().write(true).open(&target).unwrap();
        f.set_len(len + (3 << 20)).unwrap();
        f.seek(SeekFrom::Start(len + (2 << 20) + 4095)).unwrap();
        f.write_all(&garbage).unwrap();
        drop(f);
        let what = format!(
            "{} bytes of garbage 2 MiB past the end of {}",
            garbage.len(),
            file_name(&last)
        );
        let _ = n;
        // A writable open cuts a torn tail at once: while it is open, the
        // garbage is gone from the file (a clean close would trim it anyway).
        let db = ToonStore::open_with(&path, &opts()).unwrap();
        let bytes = fs::read(&target).unwrap();
        let at = (len + (2 << 20) + 4095) as usize;
        assert!(
            bytes
                .get(at..at + garbage.len())
                .is_none_or(|b| b.iter().all(|&x| x == 0)),
            "{what}: the torn tail was not cut"
        );
        drop(db);
        check_open(&built, &path, &target, Expect::Exact, &what);
    }
}

#[test]
fn checkpointed_database_damage() {
    let built = build_with_checkpoint();
    let scratch = tempfile::tempdir().unwrap();
    let index = fs::read(built.path.join("INDEX")).unwrap();
    let (meta, _) = ckpt_format::decode(&index).unwrap();
    let mut flipped = 0;
    for (n, seg) in segment_files(&built.path).iter().enumerate() {
        let (header, _, end) = read_segment(seg);
        let replayed = header.kind == SegmentKind::Log && header.number >= meta.replay_segment;
        let mut spots: Vec<u64> = (0..HEADER_LEN as u64).step_by(7).collect();
        spots.extend(offsets(n as u64 * 31 + 1, end, 20));
        for at in spots {
            let path = copy(&built, scratch.path(), "c");
            let target = path.join(file_name(seg));
            flip(&target, at, 0x80 >> (at % 8));
            let expect = match at {
                36..=63 => Expect::ExactOrRefuse,
                0..=35 => Expect::Refuse,
                _ if replayed
                    && (header.number > meta.replay_segment || at >= meta.replay_offset) =>
                {
                    Expect::Refuse
                }
                _ => Expect::ReadsOrRefuse,
            };
            let what = format!("{} byte {at} flipped", file_name(seg));
            check_open(&built, &path, &target, expect, &what);
            flipped += 1;
        }
    }
    assert!(flipped > 50);
    // The checkpoint itself: every flip and every truncation is refused.
    for at in offsets(3, index.len() as u64, 60)
        .into_iter()
        .chain([0, 8, 16, 24, 48])
    {
        let path = copy(&built, scratch.path(), "i");
        let target = path.join("INDEX");
        flip(&target, at, 1 << (at % 8));
        check_open(
            &built,
            &path,
            &target,
            Expect::Refuse,
            &format!("INDEX byte {at} flipped"),
        );
    }
    for len in offsets(4, index.len() as u64, 20)
        .into_iter()
        .chain([0, 1, 63, 64, 68])
    {
        let path = copy(&built, scratch.path(), "i");
        let target = path.join("INDEX");
        truncate(&target, len);
        check_open(
            &built,
            &path,
            &target,
            Expect::Refuse,
            &format!("INDEX truncated to {len}"),
        );
    }
    // The last log segment truncated at its records: refused.
    let last = log_segments(&built.path).pop().unwrap();
    let (_, starts, _) = read_segment(&last);
    for &cut in &starts {
        let path = copy(&built, scratch.path(), "l");
        let target = path.join(file_name(&last));
        truncate(&target, cut);
        let what = format!("checkpointed db: {} truncated to {cut}", file_name(&last));
        check_open(&built, &path, &target, Expect::Refuse, &what);
    }
    let _ = built.checkpointed_records;
}

#[test]
fn missing_checkpoint_is_refused_without_destroying_data() {
    let built = build_with_checkpoint();
    let scratch = tempfile::tempdir().unwrap();
    let path = copy(&built, scratch.path(), "x");
    let saved = fs::read(path.join("INDEX")).unwrap();
    fs::remove_file(path.join("INDEX")).unwrap();
    let before = file_names(&path);
    for options in [ro_opts(), opts()] {
        match ToonStore::open_with(&path, &options) {
            Ok(db) => {
                // Opening without the checkpoint may only show the truth.
                let seen = read_all(&db, built.last().next);
                assert!(seen.errors.is_empty());
                assert!(seen.rows == built.last().rows, "rows differ without INDEX");
            }
            Err(e) => {
                assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}");
                assert!(e.message().contains("offset"), "{e}");
                assert_eq!(
                    file_names(&path),
                    before,
                    "a refused open removed files: {e}"
                );
            }
        }
    }
    // Putting the checkpoint back restores the whole database.
    fs::write(path.join("INDEX"), saved).unwrap();
    let db = ToonStore::open_with(&path, &opts()).unwrap();
    let seen = read_all(&db, built.last().next);
    assert!(seen.errors.is_empty(), "{:?}", seen.errors);
    assert_eq!(seen.next, built.last().next);
    assert!(
        seen.rows == built.last().rows,
        "rows differ after restoring INDEX"
    );
}

#[test]
fn damaged_record_in_a_checkpointed_segment_is_reported_on_read() {
    let built = build_with_checkpoint();
    let scratch = tempfile::tempdir().unwrap();
    let compacted = segment_files(&built.path)
        .into_iter()
        .find(|p| read_segment(p).0.kind == SegmentKind::Compacted)
        .unwrap();
    let (_, starts, _) = read_segment(&compacted);
    let bytes = fs::read(&compacted).unwrap();
    // Pick a few PutAt records: their ids are written in them.
    for &start in starts.iter().step_by(starts.len() / 5 + 1) {
        let rec = record::decode(&bytes[start as usize..], true).unwrap();
        assert_eq!(rec.kind, Kind::PutAt);
        let id = rec.explicit_id().unwrap();
        let Some(want) = built.last().rows.get(&id) else {
            continue;
        };
        for at in [
            start + 2,
            start + 5,
            start + 8 + 8,
            start + rec.len() as u64 - 1,
        ] {
            let path = copy(&built, scratch.path(), "d");
            let target = path.join(file_name(&compacted));
            flip(&target, at, 0x10);
            let db = ToonStore::open_with(&path, &opts()).expect("checkpoint covers the segment");
            let err = db.get(id).expect_err("damaged row must not read");
            assert_eq!(err.kind(), ErrorKind::Corrupt, "{err}");
            assert!(
                err.message().contains(&file_name(&compacted))
                    && err.message().contains(&format!("offset {start}")),
                "error names the file and the record's offset: {err}"
            );
            assert_eq!(
                db.get_with(id, |b| b.len()).unwrap_err().kind(),
                ErrorKind::Corrupt
            );
            // Every other row still reads, and the scan reports the one bad row.
            let seen = read_all(&db, built.last().next);
            assert_eq!(seen.errors.len(), 1);
            assert_eq!(seen.errors[0].0, id);
            let mut others = built.last().rows.clone();
            others.remove(&id);
            assert!(seen.rows == others, "other rows changed");
            // A snapshot reports it too; a compaction that would have to
            // copy it refuses rather than drop it.
            let snap = db.snapshot().unwrap();
            assert_eq!(snap.get(id).unwrap_err().kind(), ErrorKind::Corrupt);
            let victim = *others.keys().next().unwrap();
            db.delete(victim).unwrap();
            let _ = want;
            match db.compact() {
                Err(e) => assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}"),
                Ok(()) => panic!("compaction copied a record that fails its checksum"),
            }
            assert_eq!(db.get(id).unwrap_err().kind(), ErrorKind::Corrupt);
            for (other, v) in others.iter().filter(|(k, _)| **k != victim) {
                assert_eq!(db.get(*other).unwrap().as_ref(), Some(v));
            }
        }
    }
}

fn write_newer_version(bytes: &mut [u8]) {
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let crc = crc32fast::hash(&bytes[0..32]);
    bytes[32..36].copy_from_slice(&crc.to_le_bytes());
}

#[test]
fn newer_format_versions_are_refused_with_a_clear_message() {
    let built = build_with_checkpoint();
    let scratch = tempfile::tempdir().unwrap();
    let check = |path: &Path, what: &str| {
        for options in [ro_opts(), opts()] {
            let err = ToonStore::open_with(path, &options).expect_err(what);
            assert_eq!(err.kind(), ErrorKind::Version, "{what}: {err}");
            assert!(err.message().contains("newer"), "{what}: {err}");
        }
    };
    // An existing segment rewritten by a newer version.
    for seg in segment_files(&built.path) {
        let path = copy(&built, scratch.path(), "v");
        let target = path.join(file_name(&seg));
        let mut bytes = fs::read(&target).unwrap();
        write_newer_version(&mut bytes);
        fs::write(&target, bytes).unwrap();
        check(&path, &format!("{} of a newer version", file_name(&seg)));
    }
    // A new segment added by a newer version.
    let path = copy(&built, scratch.path(), "v");
    let header = SegmentHeader {
        kind: SegmentKind::Log,
        number: 0xFFFF,
        first_id: built.last().next,
    };
    let mut bytes = header.encode().to_vec();
    write_newer_version(&mut bytes);
    fs::write(path.join("000000000000ffff.seg"), bytes).unwrap();
    check(&path, "new segment of a newer version");
    // The checkpoint of a newer version.
    let path = copy(&built, scratch.path(), "v");
    let mut bytes = fs::read(path.join("INDEX")).unwrap();
    bytes[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let body = bytes.len() - 4;
    let crc = crc32fast::hash(&bytes[..body]);
    bytes[body..].copy_from_slice(&crc.to_le_bytes());
    fs::write(path.join("INDEX"), bytes).unwrap();
    check(&path, "INDEX of a newer version");
}

#[test]
fn deleted_segment_files_are_refused() {
    let scratch = tempfile::tempdir().unwrap();
    // Without a checkpoint: a hole in the log shows as a gap in row ids.
    let built = build_log_only();
    let logs = log_segments(&built.path);
    for seg in &logs[..logs.len() - 1] {
        let path = copy(&built, scratch.path(), "h");
        fs::remove_file(path.join(file_name(seg))).unwrap();
        let before = file_names(&path);
        for options in [ro_opts(), opts()] {
            let what = format!(
                "{} deleted (read-only {})",
                file_name(seg),
                options.read_only
            );
            let err = ToonStore::open_with(&path, &options).expect_err(&what);
            assert_eq!(err.kind(), ErrorKind::Corrupt, "{what}: {err}");
            assert!(err.message().contains("offset"), "{what}: {err}");
            assert_eq!(
                file_names(&path),
                before,
                "{what}: a refused open removed files"
            );
        }
    }
    // With a checkpoint: every segment it references must be there, and the
    // message names the missing one.
    let built = build_with_checkpoint();
    let index = fs::read(built.path.join("INDEX")).unwrap();
    let (meta, _) = ckpt_format::decode(&index).unwrap();
    assert!(meta.segments.len() >= 2);
    for seg in &meta.segments {
        let name = format!("{:016x}.seg", seg.number);
        let path = copy(&built, scratch.path(), "h");
        fs::remove_file(path.join(&name)).unwrap();
        let before = file_names(&path);
        for options in [ro_opts(), opts()] {
            let what = format!("{name} deleted (read-only {})", options.read_only);
            let err = ToonStore::open_with(&path, &options).expect_err(&what);
            assert_eq!(err.kind(), ErrorKind::Corrupt, "{what}: {err}");
            assert!(err.message().contains(&name), "{what}: {err}");
            assert_eq!(
                file_names(&path),
                before,
                "{what}: a refused open removed files"
            );
        }
    }
}

/// A device error zeroed the last acknowledged (synced) record (issue 21):
/// a normal open refuses, but a read-only `salvage` open shows the intact
/// prefix (every row but the damaged one), and `check` names the damage.
#[test]
fn salvage_opens_the_intact_prefix_read_only() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("db");
    let db = ToonStore::open_with(&path, &Options::default()).unwrap();
    let rows: Vec<(u64, Vec<u8>)> = (0..100)
        .map(|i| (db.put(&value(i)).unwrap(), value(i)))
        .collect();
    db.close().unwrap();
    // Zero the last record, as the EIO did.
    let seg = log_segments(&path).pop().unwrap();
    let mut bytes = fs::read(&seg).unwrap();
    let last_len = record::record_len(value(99).len());
    let end = bytes.len();
    bytes[end - last_len..].fill(0);
    fs::write(&seg, &bytes).unwrap();

    let e = ToonStore::open_with(&path, &ro_opts()).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Corrupt, "{e}");
    let bad = Options {
        salvage: true,
        ..opts()
    };
    assert_eq!(
        ToonStore::open_with(&path, &bad).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
    let salvage = Options {
        salvage: true,
        ..ro_opts()
    };
    let db = ToonStore::open_with(&path, &salvage).unwrap();
    let got: Vec<(u64, Vec<u8>)> = db.scan().unwrap().map(|r| r.unwrap()).collect();
    assert_eq!(got, rows[..99].to_vec());
    drop(db);
    let report = toonstore::check(&path).unwrap();
    let problem = report.first_problem.expect("check names the damage");
    assert!(
        problem.contains(&seg.file_name().unwrap().to_string_lossy().to_string()),
        "{problem}"
    );
    // Nothing was changed by either open.
    assert_eq!(fs::read(&seg).unwrap(), bytes);
}

/// `check` lists every damaged record whose frame survived, not only the
/// first: two records with a flipped value byte in the compacted segment
/// give two problems, in file order, each naming the file and the record's
/// offset; the walk goes on after each, so the records between and after
/// them are counted.
#[test]
fn check_lists_each_damaged_record() {
    let built = build_with_checkpoint();
    let scratch = tempfile::tempdir().unwrap();
    let path = copy(&built, scratch.path(), "two-flips");
    let healthy = toonstore::check(&path).unwrap();
    assert!(healthy.is_ok(), "{:?}", healthy.problems);
    let compacted = segment_files(&path)
        .into_iter()
        .find(|p| read_segment(p).0.kind == SegmentKind::Compacted)
        .unwrap();
    let (_, starts, _) = read_segment(&compacted);
    assert!(starts.len() > 20, "want many records, got {}", starts.len());
    let damaged = [starts[3], starts[17]];
    for at in damaged {
        // The last byte of the record (its value): the header still frames it.
        let end = starts[starts.iter().position(|s| *s == at).unwrap() + 1];
        flip(&compacted, end - 1, 0x40);
    }
    let report = toonstore::check(&path).unwrap();
    assert_eq!(report.problems.len(), 2, "{:?}", report.problems);
    let name = file_name(&compacted);
    for (problem, at) in report.problems.iter().zip(damaged) {
        assert!(problem.contains(&name), "{problem}");
        assert!(problem.contains(&format!("at offset {at}:")), "{problem}");
        assert!(problem.contains("checksum"), "{problem}");
    }
    assert_eq!(report.first_problem.as_ref(), report.problems.first());
    assert_eq!(report.records, healthy.records - 2);
    assert!(!report.is_ok());
}
