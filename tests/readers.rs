//! Readers in other processes beside a live writer, and online backup
//! (issue 17).
//!
//! The writer is a child process: this test binary re-executed with
//! `--ignored --exact child` and `TOONSTORE_READERS_CHILD` set. It puts rows
//! whose value is a function of their id, without end, and prints
//! `A <count>` (flushed) once the put of id `count - 1` returned (and, in
//! the compacting variant, the row was deleted when `id.is_multiple_of(3)`), and
//! `C <n>` after its n-th compaction. The test process is the reader: it
//! opens the database read-only again and again while the child writes, and
//! checks that every acknowledged row is there and that what it sees is one
//! state of the log (a prefix: no gap, no half-written row).

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use toonstore::{Durability, ErrorKind, Options, ToonStore};

const CHILD_ENV: &str = "TOONSTORE_READERS_CHILD";
/// The writer child stops putting after this many rows.
const WRITER_ROWS: u64 = 30_000;

/// The value of row `id`: its length and bytes depend on the id.
fn value(id: u64) -> Vec<u8> {
    let len = (id.wrapping_mul(7919) % 97) as usize;
    let mut v = format!("row {id}:").into_bytes();
    let mut x = id.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for _ in 0..len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push(x as u8);
    }
    v
}

fn durability(name: &str) -> Durability {
    match name {
        "off" => Durability::Off,
        "normal" => Durability::Normal,
        "full" => Durability::Full,
        other => panic!("unknown durability {other}"),
    }
}

/// Small segments: the writer rolls (creates, seals and trims segments)
/// every few hundred rows, while readers open.
fn writer_options(durability: Durability) -> Options {
    Options {
        durability,
        segment_size: 64 << 10,
        ..Options::default()
    }
}

fn read_only() -> Options {
    Options {
        read_only: true,
        ..Options::default()
    }
}

/// The child processes (does nothing unless `CHILD_ENV` is set).
#[test]
#[ignore]
fn child() {
    let Ok(spec) = std::env::var(CHILD_ENV) else {
        return;
    };
    let parts: Vec<&str> = spec.split('|').collect();
    match parts[0] {
        "writer" => child_writer(
            parts[1],
            durability(parts[2]),
            match parts[3] {
                "compact" => Some(400),
                "churn" => Some(2),
                _ => None,
            },
        ),
        "backup" => {
            let db = ToonStore::open_with(parts[1], &read_only()).unwrap();
            println!("opened");
            db.backup(parts[2]).unwrap();
            println!("done");
        }
        other => panic!("unknown child {other}"),
    }
}

/// `compact_every`: delete rows with `id % 3 == 0` and compact every that
/// many puts.
fn child_writer(dir: &str, durability: Durability, compact_every: Option<u64>) {
    let compact = compact_every.is_some();
    use std::io::Write;
    let db = ToonStore::open_with(dir, &writer_options(durability)).unwrap();
    let mut id = db.stats().unwrap().next_row_id;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    writeln!(out, "START {id}").unwrap();
    out.flush().unwrap();
    let mut compactions = 0;
    loop {
        if id >= WRITER_ROWS {
            // Enough for every test: idle (compacting) until killed.
            std::thread::sleep(Duration::from_millis(20));
            if compact {
                db.compact().unwrap();
                compactions += 1;
                writeln!(out, "C {compactions}").unwrap();
                out.flush().unwrap();
            }
            continue;
        }
        if id.is_multiple_of(4) {
            // A bounded pace keeps the database small enough for readers
            // to scan it whole every round.
            std::thread::sleep(Duration::from_micros(500));
        }
        assert_eq!(db.put(&value(id)).unwrap(), id);
        if compact && id.is_multiple_of(3) {
            db.delete(id).unwrap();
        }
        id += 1;
        writeln!(out, "A {id}").unwrap();
        out.flush().unwrap();
        if compact_every.is_some_and(|n| id.is_multiple_of(n)) {
            db.compact().unwrap();
            compactions += 1;
            writeln!(out, "C {compactions}").unwrap();
            out.flush().unwrap();
        }
    }
}

/// A writer child and what it acknowledged so far.
struct Writer {
    child: Child,
    acked: Arc<AtomicU64>,
    compactions: Arc<AtomicU64>,
}

impl Writer {
    fn start(dir: &Path, durability: &str, compact: bool) -> Writer {
        Writer::start_mode(dir, durability, if compact { "compact" } else { "plain" })
    }

    fn start_mode(dir: &Path, durability: &str, mode: &str) -> Writer {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(
                CHILD_ENV,
                format!("writer|{}|{durability}|{mode}", dir.display()),
            )
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
        let start: u64 = loop {
            let line = lines.next().expect("writer exited before START").unwrap();
            // The harness prints "test child ... " before it on the line.
            if let Some(at) = line.find("START ") {
                break line[at + 6..].trim().parse().unwrap();
            }
        };
        let acked = Arc::new(AtomicU64::new(start));
        let compactions = Arc::new(AtomicU64::new(0));
        let (a, c) = (Arc::clone(&acked), Arc::clone(&compactions));
        std::thread::spawn(move || {
            for line in lines.map_while(|l| l.ok()) {
                if let Some(n) = line.strip_prefix("A ") {
                    a.store(n.parse().unwrap(), Ordering::Release);
                } else if let Some(n) = line.strip_prefix("C ") {
                    c.store(n.parse().unwrap(), Ordering::Release);
                }
            }
        });
        Writer {
            child,
            acked,
            compactions,
        }
    }

    fn acked(&self) -> u64 {
        self.acked.load(Ordering::Acquire)
    }

    /// Waits (bounded) until the writer acknowledged `more` rows beyond `from`.
    fn wait_for(&self, from: u64, more: u64) {
        let deadline = Instant::now() + Duration::from_secs(20);
        while self.acked() < (from + more).min(WRITER_ROWS) {
            assert!(
                Instant::now() < deadline,
                "the writer stalled at {}",
                self.acked()
            );
            std::thread::sleep(Duration::from_millis(1));
        }
    }

    fn kill(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Checks what `db` shows: every row below `acked` (acknowledged before
/// its state was taken) is there with its value, and the rows form one
/// state of the log: ids `0..next_row_id` with no gap (in the compacting
/// variant, rows with `id.is_multiple_of(3)` deleted, except possibly the last one,
/// whose delete may not have happened yet). Returns `next_row_id`.
fn verify(db: &ToonStore, acked: u64, compact: bool) -> u64 {
    let next = db.stats().unwrap().next_row_id;
    assert!(
        next >= acked,
        "the reader sees {next} ids, {acked} were acknowledged"
    );
    let mut expect = 0u64;
    let mut count = 0u64;
    for row in db.scan().unwrap() {
        let (id, data) = row.unwrap();
        while compact && expect.is_multiple_of(3) && expect < id {
            expect += 1;
        }
        assert_eq!(id, expect, "a gap in the rows before {id}");
        assert!(
            !(compact && id.is_multiple_of(3) && id + 1 < next),
            "row {id} was deleted before row {} was put",
            id + 1
        );
        assert_eq!(data, value(id), "the value of row {id}");
        expect += 1;
        count += 1;
    }
    while compact && expect.is_multiple_of(3) && expect < next {
        expect += 1;
    }
    assert_eq!(
        expect, next,
        "rows end at {expect} but next_row_id is {next}"
    );
    assert_eq!(db.live_rows().unwrap(), count);
    for id in [0, acked / 2, acked.saturating_sub(1)] {
        if id < acked && !(compact && id.is_multiple_of(3)) {
            assert_eq!(db.get(id).unwrap(), Some(value(id)), "get({id})");
        }
    }
    next
}

/// Readers open, read back and scan while a writer process puts; old
/// readers stay open across the writer's rolls (and compactions), are
/// refreshed, and outlive a kill -9 of the writer; then recovery.
fn readers_beside_a_live_writer(durability: &str, compact: bool) {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("db");
    let writer = Writer::start(&path, durability, compact);
    let mut kept: Vec<(ToonStore, u64)> = Vec::new();
    let mut last = 0;
    for round in 0..24 {
        writer.wait_for(last, if durability == "full" { 20 } else { 150 });
        let acked = writer.acked();
        let reader = ToonStore::open_with(&path, &read_only()).unwrap();
        last = verify(&reader, acked, compact);
        if round % 4 == 0 {
            kept.push((reader, acked));
        } else if round % 4 == 1 {
            // A refresh moves the handle to everything acknowledged since.
            writer.wait_for(last, 50);
            let acked = writer.acked();
            reader.refresh().unwrap();
            assert!(verify(&reader, acked, compact) >= acked);
        }
    }
    if compact {
        // The kept readers map segments that compactions have deleted
        // since: they still read every row.
        let seen = writer.compactions.load(Ordering::Acquire);
        let deadline = Instant::now() + Duration::from_secs(20);
        while writer.compactions.load(Ordering::Acquire) < seen + 2 {
            assert!(Instant::now() < deadline, "no compaction");
            std::thread::sleep(Duration::from_millis(2));
        }
    }
    for (reader, acked) in &kept {
        verify(reader, *acked, compact);
    }
    // kill -9 of the writer with readers open.
    writer.wait_for(last, 10);
    let acked = writer.acked();
    writer.kill();
    for (reader, at) in &kept {
        verify(reader, *at, compact);
    }
    let late = ToonStore::open_with(&path, &read_only()).unwrap();
    verify(&late, acked, compact);
    // Recovery by a new writer, with the readers still open.
    let db = ToonStore::open_with(&path, &writer_options(Durability::Normal)).unwrap();
    let recovered = verify(&db, acked, compact);
    for (reader, at) in &kept {
        verify(reader, *at, compact);
        reader.refresh().unwrap();
        assert_eq!(verify(reader, acked, compact), recovered);
    }
    assert_eq!(
        verify(&late, acked, compact),
        late.stats().unwrap().next_row_id
    );
    db.close().unwrap();
}

#[test]
fn readers_beside_a_writer_durability_off() {
    readers_beside_a_live_writer("off", false);
}

#[test]
fn readers_beside_a_writer_durability_normal() {
    readers_beside_a_live_writer("normal", false);
}

#[test]
fn readers_beside_a_writer_durability_full() {
    readers_beside_a_live_writer("full", false);
}

#[test]
fn readers_across_compactions() {
    readers_beside_a_live_writer("normal", true);
}

/// Opens race a writer that compacts every other put: each compaction
/// writes a checkpoint and deletes segments, so many opens overlap a switch
/// of files. Every open sees one consistent state (it retries a switch).
#[test]
fn readers_open_during_compaction_switches() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("db");
    let writer = Writer::start_mode(&path, "off", "churn");
    writer.wait_for(0, 20);
    let before = writer.compactions.load(Ordering::Acquire);
    let deadline = Instant::now() + Duration::from_secs(2);
    let mut opens = 0;
    while Instant::now() < deadline || opens < 20 {
        let acked = writer.acked();
        let reader = ToonStore::open_with(&path, &read_only()).unwrap();
        verify(&reader, acked, true);
        opens += 1;
    }
    let during = writer.compactions.load(Ordering::Acquire) - before;
    assert!(
        during >= 10,
        "only {during} compactions during {opens} opens"
    );
    writer.kill();
}

#[test]
fn a_second_writer_is_refused_and_a_writer_opens_beside_readers() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("db");
    {
        let db = ToonStore::open(&path).unwrap();
        db.put(b"first").unwrap();
        db.close().unwrap();
    }
    let reader = ToonStore::open_with(&path, &read_only()).unwrap();
    // A writer process opens beside this reader.
    let writer = Writer::start(&path, "normal", false);
    writer.wait_for(1, 10);
    let err = ToonStore::open(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Locked, "{err}");
    assert_eq!(err.code(), -5, "{err}");
    // The verify tool still needs a database no writer has open.
    let err = toonstore::check(&path).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Locked, "{err}");
    // The old reader still sees its state; writes through it fail.
    assert_eq!(reader.live_rows().unwrap(), 1);
    assert_eq!(reader.put(b"x").unwrap_err().kind(), ErrorKind::ReadOnly);
    writer.kill();
}

#[test]
fn refresh_on_a_writer_does_nothing_and_a_failed_refresh_keeps_the_state() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("db");
    let db = ToonStore::open(&path).unwrap();
    db.put(b"a").unwrap();
    db.refresh().unwrap();
    assert_eq!(db.live_rows().unwrap(), 1);
    db.close().unwrap();
    let reader = ToonStore::open_with(&path, &read_only()).unwrap();
    // The files go away: the refresh fails, the handle keeps reading what
    // it mapped.
    let moved = dir.path().join("moved");
    std::fs::rename(&path, &moved).unwrap();
    let err = reader.refresh().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    assert_eq!(reader.get(0).unwrap().as_deref(), Some(&b"a"[..]));
    std::fs::rename(&moved, &path).unwrap();
    reader.refresh().unwrap();
    assert_eq!(reader.live_rows().unwrap(), 1);
}

/// Opens a backup on its own and checks it as [`verify`] does.
fn verify_backup(dest: &Path, acked: u64, compact: bool) -> u64 {
    let copy = ToonStore::open_with(
        dest,
        &Options {
            create_if_missing: false,
            ..Options::default()
        },
    )
    .unwrap();
    let n = verify(&copy, acked, compact);
    // The copy is a database of its own: it takes writes.
    assert_eq!(copy.put(&value(n)).unwrap(), n);
    copy.close().unwrap();
    assert!(toonstore::check(dest).unwrap().is_ok());
    n
}

#[test]
fn backup_under_load_from_the_writer() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("db");
    let db = Arc::new(ToonStore::open_with(&path, &writer_options(Durability::Normal)).unwrap());
    let acked = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (db, acked, stop) = (Arc::clone(&db), Arc::clone(&acked), Arc::clone(&stop));
        std::thread::spawn(move || {
            let mut id = 0;
            while !stop.load(Ordering::Acquire) {
                assert_eq!(db.put(&value(id)).unwrap(), id);
                if id.is_multiple_of(3) {
                    db.delete(id).unwrap();
                }
                id += 1;
                acked.store(id, Ordering::Release);
                if id.is_multiple_of(1000) {
                    db.compact().unwrap();
                }
            }
        })
    };
    for round in 0..8 {
        while acked.load(Ordering::Acquire) < (round + 1) * 500 {
            std::thread::yield_now();
        }
        let before = acked.load(Ordering::Acquire);
        let dest = dir.path().join(format!("backup-{round}"));
        if round % 2 == 1 {
            std::fs::create_dir(&dest).unwrap(); // an empty directory is fine
        }
        db.backup(&dest).unwrap();
        verify_backup(&dest, before, true);
    }
    stop.store(true, Ordering::Release);
    writer.join().unwrap();
}

#[test]
fn backup_from_a_reader_beside_a_writer_process() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("db");
    let writer = Writer::start(&path, "normal", true);
    for round in 0..4 {
        writer.wait_for(0, 300 * (round + 1));
        let reader = ToonStore::open_with(&path, &read_only()).unwrap();
        let before = writer.acked();
        reader.refresh().unwrap();
        let seen = verify(&reader, before, true);
        let dest = dir.path().join(format!("backup-{round}"));
        reader.backup(&dest).unwrap();
        // The copy is the reader's state exactly.
        assert_eq!(verify_backup(&dest, before, true), seen);
    }
    writer.kill();
}

#[test]
fn backup_errors_leave_nothing_behind() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("db");
    let db = ToonStore::open(&path).unwrap();
    db.put(b"a").unwrap();
    let not_empty = dir.path().join("not-empty");
    std::fs::create_dir(&not_empty).unwrap();
    std::fs::write(not_empty.join("keep"), b"mine").unwrap();
    let file = dir.path().join("a-file");
    std::fs::write(&file, b"mine").unwrap();
    for (dest, kind) in [
        (not_empty.clone(), ErrorKind::InvalidArgument),
        (file.clone(), ErrorKind::InvalidArgument),
        (path.clone(), ErrorKind::InvalidArgument),
        (PathBuf::new(), ErrorKind::InvalidArgument),
        (dir.path().join("missing/parent/dest"), ErrorKind::Io),
    ] {
        let err = db.backup(&dest).unwrap_err();
        assert_eq!(err.kind(), kind, "{}: {err}", dest.display());
    }
    assert_eq!(std::fs::read(not_empty.join("keep")).unwrap(), b"mine");
    assert_eq!(std::fs::read(&file).unwrap(), b"mine");
    let names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    assert!(!names.iter().any(|n| n.contains("backup-tmp")), "{names:?}");
    db.close().unwrap();
}

#[test]
fn a_backup_killed_midway_leaves_no_database() {
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("db");
    {
        // Many small segments: the copy takes a while (a flush per file).
        let db = ToonStore::open_with(
            &path,
            &Options {
                segment_size: 4096,
                durability: Durability::Off,
                ..Options::default()
            },
        )
        .unwrap();
        for id in 0..6000 {
            db.put(&value(id)).unwrap();
        }
        db.close().unwrap();
    }
    let dest = dir.path().join("copy");
    let tmp_exists = || {
        std::fs::read_dir(dir.path()).unwrap().any(|e| {
            e.unwrap()
                .file_name()
                .to_str()
                .is_some_and(|n| n.starts_with(".copy.backup-tmp-"))
        })
    };
    // Killed as soon as its temporary directory appears; on a disk fast
    // enough for the copy to finish first, that attempt does not count.
    let mut killed_midway = false;
    for _attempt in 0..5 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--ignored",
                "--exact",
                "child",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(
                CHILD_ENV,
                format!("backup|{}|{}", path.display(), dest.display()),
            )
            .stdout(Stdio::null())
            .spawn()
            .unwrap();
        let deadline = Instant::now() + Duration::from_secs(20);
        while !tmp_exists() && !dest.exists() {
            assert!(Instant::now() < deadline, "the backup never started");
            std::thread::sleep(Duration::from_micros(100));
        }
        child.kill().unwrap();
        child.wait().unwrap();
        if dest.exists() && !tmp_exists() {
            // It finished before the kill: a complete copy; try again.
            assert_eq!(verify_backup(&dest, 6000, false), 6000);
            std::fs::remove_dir_all(&dest).unwrap();
            continue;
        }
        assert!(
            !dest.exists(),
            "a killed backup left something at the destination"
        );
        killed_midway = true;
        break;
    }
    assert!(killed_midway, "every backup finished before it was killed");
    let err = ToonStore::open_with(&dest, &read_only()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io, "{err}");
    // The next backup to the same destination removes the leftover.
    let db = ToonStore::open_with(&path, &read_only()).unwrap();
    db.backup(&dest).unwrap();
    assert!(!tmp_exists());
    assert_eq!(verify_backup(&dest, 6000, false), 6000);
}
