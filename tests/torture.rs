//! Crash torture: a writer process killed with SIGKILL at random moments,
//! hundreds of times, with and without a simulated power loss.
//!
//! Each *run* is a fresh database that lives through several *generations*.
//! A generation is a child process (this test binary, re-executed with
//! `TORTURE_CHILD` set) that opens the database and writes at full speed:
//! puts of 10 B to 1 MiB (enough volume for background checkpoints), deletes,
//! batches, explicit compactions (each writes a checkpoint), syncs and reads,
//! with one durability mode (Off, Normal, Full; the mode cycles per run).
//! Before each operation it appends its intent to an operation log, after it
//! the acknowledgement (one `write(2)` per line, so a kill never tears a
//! line). The parent kills it after a random delay, reopens the database
//! and checks:
//!
//! * after kill -9 (every mode: records are in the OS page cache): the rows
//!   are exactly those of every acknowledged operation, plus at most the one
//!   in flight, applied whole (a batch all or nothing);
//! * after kill -9 and a simulated power loss (`power_loss_torture`, needs
//!   `--features fault-injection`): the rows are exactly the state after
//!   some prefix of the operations, no shorter than everything acknowledged
//!   (Full) or everything before the last acknowledged sync (Normal, Off);
//!   never wrong bytes, never a `Corrupt` error;
//! * row ids are never reused: the next id is above every surviving id and,
//!   without power loss, above every acknowledged id;
//! * every row reads back through `get` as through `scan`, and
//!   `toonstore::check` is clean after the reopen.
//!
//! The power-loss model: the child records every successful flush of a
//! segment (`faults::set_trace`). After the kill, every segment page that no
//! flush covered is, at random, kept (the OS wrote it back) or reverted to
//! what stable storage held before (the previous generation's bytes, or
//! zeros). Directory operations (creations, renames, removals) are treated
//! as durable once done; the engine flushes the directory after each.
//!
//! The whole file needs `--features fault-injection` (the flush trace), so a
//! plain `cargo test` skips this tier; `scripts/reliability.sh` runs it.
//!
//! `TORTURE_ROUNDS` (default 60) sets the kills of `kill9_torture`,
//! `TORTURE_POWER_ROUNDS` (default 30) those of `power_loss_torture`,
//! `TORTURE_SEED` the random choices. A long run:
//! `TORTURE_ROUNDS=600 TORTURE_POWER_ROUNDS=300 cargo test --release --features fault-injection --test torture -- --nocapture`

#![cfg(feature = "fault-injection")]

mod common;
use common::Rng;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use toonstore::{Batch, Durability, ErrorKind, Options, ToonStore};

const CHILD_ENV: &str = "TORTURE_CHILD";
const GENERATIONS: u64 = 6;
const PAGE: usize = 4096;

type Rows = BTreeMap<u64, Vec<u8>>;

/// The bytes of member `k` of operation `seq`: unique per (seq, k).
fn value(seq: u64, k: u64, len: usize) -> Vec<u8> {
    let stamp = format!("[{seq}.{k}]");
    let mut v: Vec<u8> = stamp.bytes().cycle().take(len.max(stamp.len())).collect();
    v.truncate(len.max(stamp.len()));
    v
}

fn mode_name(d: Durability) -> &'static str {
    match d {
        Durability::Off => "off",
        Durability::Normal => "normal",
        Durability::Full => "full",
    }
}

fn mode_from(name: &str) -> Durability {
    match name {
        "off" => Durability::Off,
        "full" => Durability::Full,
        _ => Durability::Normal,
    }
}

fn options(d: Durability) -> Options {
    Options {
        durability: d,
        segment_size: 64 << 10,
        sync_interval: Duration::from_millis(20),
        ..Options::default()
    }
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

// ---------------------------------------------------------------- the child

/// The writer: runs until killed (or 60 s, a guard against a lost parent).
fn child_main() -> ! {
    let dir = PathBuf::from(std::env::var("TORTURE_DIR").unwrap());
    let log_path = PathBuf::from(std::env::var("TORTURE_LOG").unwrap());
    let mode = mode_from(&std::env::var("TORTURE_MODE").unwrap());
    let mut seq = env_u64("TORTURE_SEQ", 0);
    let mut rng = Rng::new(env_u64("TORTURE_SEED", 1));
    if let Ok(trace) = std::env::var("TORTURE_TRACE") {
        toonstore::faults::set_trace(&dir, Some(Path::new(&trace)));
    }
    let mut log = fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(&log_path)
        .unwrap();
    let mut say = |line: String| {
        log.write_all(format!("{line}\n").as_bytes()).unwrap();
    };
    let db = ToonStore::open_with(&dir, &options(mode)).unwrap_or_else(|e| {
        eprintln!("child: open failed: {e}");
        std::process::exit(2)
    });
    let mut live: Vec<u64> = db.scan().unwrap().map(|r| r.unwrap().0).collect();
    let mut known: BTreeMap<u64, (u64, u64, usize)> = BTreeMap::new();
    say(format!("O {}", db.stats().unwrap().next_row_id));
    let started = Instant::now();
    // Mostly small rows; now and then a large one (volume for checkpoints).
    let len_of = |rng: &mut Rng| -> usize {
        match rng.below(100) {
            0..=2 => 256 * 1024 + rng.below(768 * 1024) as usize,
            3..=10 => 1024 + rng.below(8 * 1024) as usize,
            _ => 10 + rng.below(400) as usize,
        }
    };
    while started.elapsed() < Duration::from_secs(60) {
        seq += 1;
        let roll = rng.below(100);
        match roll {
            0..=49 => {
                let len = len_of(&mut rng);
                say(format!("I {seq} P {len}"));
                let id = db
                    .put(&value(seq, 0, len))
                    .unwrap_or_else(|e| fail("put", e));
                say(format!("A {seq} {id}"));
                live.push(id);
                known.insert(id, (seq, 0, len));
            }
            50..=64 if !live.is_empty() => {
                let id = live.swap_remove(rng.below(live.len() as u64) as usize);
                say(format!("I {seq} D {id}"));
                db.delete(id).unwrap_or_else(|e| fail("delete", e));
                say(format!("A {seq}"));
                known.remove(&id);
            }
            65..=79 => {
                let puts = rng.below(6) as usize;
                let mut lens = Vec::new();
                let mut batch = Batch::new();
                for k in 0..puts {
                    let len = 10 + rng.below(2000) as usize;
                    batch.put(&value(seq, k as u64, len));
                    lens.push(len);
                }
                let mut dels = Vec::new();
                for _ in 0..rng.below(3) {
                    if live.is_empty() {
                        break;
                    }
                    let id = live.swap_remove(rng.below(live.len() as u64) as usize);
                    batch.delete(id);
                    dels.push(id);
                }
                say(format!("I {seq} B {} {}", join(&lens), join(&dels)));
                let ids = db.write(&batch).unwrap_or_else(|e| fail("batch", e));
                say(format!(
                    "A {seq} {}",
                    ids.first().map_or("-".into(), |i| i.to_string())
                ));
                for (k, id) in ids.iter().enumerate() {
                    live.push(*id);
                    known.insert(*id, (seq, k as u64, lens[k]));
                }
                for d in dels {
                    known.remove(&d);
                }
            }
            80..=82 => {
                say(format!("I {seq} C"));
                db.compact().unwrap_or_else(|e| fail("compact", e));
                say(format!("A {seq}"));
            }
            83..=86 => {
                say(format!("I {seq} S"));
                db.sync().unwrap_or_else(|e| fail("sync", e));
                say(format!("A {seq}"));
            }
            _ => {
                // A read of one of this generation's rows: never wrong bytes.
                if let Some((&id, &(s, k, len))) =
                    known.iter().nth(rng.below(known.len() as u64 + 1) as usize)
                {
                    let got = db.get(id).unwrap_or_else(|e| fail("get", e));
                    if got != Some(value(s, k, len)) {
                        eprintln!("child: row {id} reads wrong bytes");
                        std::process::exit(4);
                    }
                }
            }
        }
    }
    std::process::exit(0)
}

fn fail(what: &str, e: toonstore::Error) -> ! {
    eprintln!("child: {what} failed: {e}");
    std::process::exit(3)
}

fn join<T: ToString>(items: &[T]) -> String {
    if items.is_empty() {
        "-".into()
    } else {
        items.iter().map(T::to_string).collect::<Vec<_>>().join(",")
    }
}

fn split(field: &str) -> Vec<u64> {
    if field == "-" {
        Vec::new()
    } else {
        field.split(',').map(|x| x.parse().unwrap()).collect()
    }
}

// ---------------------------------------------------------------- the parent

/// One logged operation.
#[derive(Clone, Debug)]
enum Op {
    Put {
        seq: u64,
        len: usize,
    },
    Delete {
        id: u64,
    },
    Batch {
        seq: u64,
        lens: Vec<usize>,
        dels: Vec<u64>,
    },
    Compact,
    Sync,
}

#[derive(Clone, Debug)]
struct Logged {
    op: Op,
    /// The acknowledgement: `Some(first id or None)` once acknowledged.
    ack: Option<Option<u64>>,
}

fn parse_log(text: &str) -> (Option<u64>, Vec<Logged>) {
    let mut start = None;
    let mut ops: Vec<Logged> = Vec::new();
    // A line without its newline was cut by the kill: ignore it.
    let complete = match text.rfind('\n') {
        Some(i) => &text[..=i],
        None => "",
    };
    for line in complete.lines() {
        let f: Vec<&str> = line.split(' ').collect();
        match f[0] {
            "O" => start = Some(f[1].parse().unwrap()),
            "I" => {
                let seq: u64 = f[1].parse().unwrap();
                let op = match f[2] {
                    "P" => Op::Put {
                        seq,
                        len: f[3].parse().unwrap(),
                    },
                    "D" => Op::Delete {
                        id: f[3].parse().unwrap(),
                    },
                    "B" => Op::Batch {
                        seq,
                        lens: split(f[3]).into_iter().map(|l| l as usize).collect(),
                        dels: split(f[4]),
                    },
                    "C" => Op::Compact,
                    "S" => Op::Sync,
                    other => panic!("bad log line {other}"),
                };
                assert!(
                    ops.last().is_none_or(|l| l.ack.is_some()),
                    "two operations in flight"
                );
                ops.push(Logged { op, ack: None });
            }
            "A" => {
                let last = ops.last_mut().expect("ack without intent");
                last.ack = Some(f.get(2).and_then(|x| x.parse().ok()));
            }
            other => panic!("bad log line {other}"),
        }
    }
    (start, ops)
}

/// The effect of an operation on rows: (id, new value or None for delete).
/// `first_id` is the id its first put received.
fn effects(op: &Op, first_id: Option<u64>) -> Vec<(u64, Option<Vec<u8>>)> {
    match op {
        Op::Put { seq, len } => vec![(first_id.unwrap(), Some(value(*seq, 0, *len)))],
        Op::Delete { id } => vec![(*id, None)],
        Op::Batch { seq, lens, dels } => {
            let mut out: Vec<(u64, Option<Vec<u8>>)> = lens
                .iter()
                .enumerate()
                .map(|(k, len)| {
                    (
                        first_id.unwrap() + k as u64,
                        Some(value(*seq, k as u64, *len)),
                    )
                })
                .collect();
            out.extend(dels.iter().map(|d| (*d, None)));
            out
        }
        Op::Compact | Op::Sync => Vec::new(),
    }
}

/// Where the in-flight operation's first put landed, if it is visible.
fn in_flight_first_id(op: &Op, found: &Rows) -> Option<u64> {
    let (seq, len) = match op {
        Op::Put { seq, len } => (*seq, *len),
        Op::Batch { seq, lens, .. } if !lens.is_empty() => (*seq, lens[0]),
        _ => return None,
    };
    let v = value(seq, 0, len);
    found.iter().find(|(_, got)| **got == v).map(|(id, _)| *id)
}

/// Statistics of a torture test.
#[derive(Default)]
struct Tally {
    rounds: u64,
    in_flight_applied: u64,
    ops_acknowledged: u64,
    ops_lost_unsynced: u64,
    checkpoints_seen: u64,
    per_mode: BTreeMap<&'static str, u64>,
}

/// What the files of a database held on stable storage when a generation started.
struct Baseline {
    files: BTreeMap<String, Vec<u8>>,
}

fn segment_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Vec::new(); // killed before it created the database
    };
    let mut out: Vec<(String, PathBuf)> = entries
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.ends_with(".seg").then(|| (name, e.path()))
        })
        .collect();
    out.sort();
    out
}

fn baseline(dir: &Path) -> Baseline {
    let files = segment_files(dir)
        .into_iter()
        .map(|(name, path)| (name, fs::read(path).unwrap()))
        .collect();
    Baseline { files }
}

/// Simulates a power loss right after the kill: every page of every segment
/// that no traced flush covered is kept or reverted at random.
fn power_cut(dir: &Path, trace: &Path, before: &Baseline, rng: &mut Rng) -> u64 {
    let mut durable: BTreeMap<String, u64> = BTreeMap::new();
    if let Ok(text) = fs::read_to_string(trace) {
        for line in text.lines() {
            let f: Vec<&str> = line.split(' ').collect();
            if f.len() == 3 && f[1] == "0" {
                let end: u64 = f[2].parse().unwrap();
                let e = durable.entry(f[0].to_string()).or_insert(0);
                *e = (*e).max(end);
            }
        }
    }
    let mut reverted_pages = 0;
    for (name, path) in segment_files(dir) {
        let mut bytes = fs::read(&path).unwrap();
        let old = before.files.get(&name);
        let flushed = *durable.get(&name).unwrap_or(&0) as usize;
        let mut changed = false;
        let mut page = 0;
        while page * PAGE < bytes.len() {
            let (lo, hi) = (page * PAGE, ((page + 1) * PAGE).min(bytes.len()));
            page += 1;
            if hi <= flushed || rng.below(2) == 0 {
                continue; // flushed, or written back by the OS anyway
            }
            let from = lo.max(flushed);
            for (at, byte) in bytes.iter_mut().enumerate().take(hi).skip(from) {
                if at < 64 && old.is_none() {
                    continue; // the header was made durable when the file was created
                }
                let was = old.and_then(|o| o.get(at).copied()).unwrap_or(0);
                if *byte != was {
                    *byte = was;
                    changed = true;
                }
            }
            if lo < 64 && old.is_none() {
                // A new segment's header page reverts to its creation state:
                // the synced-length watermark back to the header length.
                bytes[40..48].copy_from_slice(&64u64.to_le_bytes());
                bytes[48..56].copy_from_slice(&(!64u64).to_le_bytes());
                changed = true;
            }
            reverted_pages += 1;
        }
        if changed {
            fs::write(&path, &bytes).unwrap();
        }
    }
    reverted_pages
}

/// Row-level difference tracker: how many ids differ between a model
/// and the rows found.
struct Matcher<'a> {
    model: Rows,
    found: &'a Rows,
    mismatches: usize,
}

impl<'a> Matcher<'a> {
    fn new(model: Rows, found: &'a Rows) -> Matcher<'a> {
        let ids: BTreeSet<u64> = model.keys().chain(found.keys()).copied().collect();
        let mismatches = ids
            .iter()
            .filter(|id| model.get(id) != found.get(id))
            .count();
        Matcher {
            model,
            found,
            mismatches,
        }
    }

    fn apply(&mut self, changes: Vec<(u64, Option<Vec<u8>>)>) {
        for (id, v) in changes {
            let before = self.model.get(&id) == self.found.get(&id);
            match v {
                Some(v) => {
                    self.model.insert(id, v);
                }
                None => {
                    self.model.remove(&id);
                }
            }
            let after = self.model.get(&id) == self.found.get(&id);
            match (before, after) {
                (true, false) => self.mismatches += 1,
                (false, true) => self.mismatches -= 1,
                _ => {}
            }
        }
    }

    fn first_difference(&self) -> String {
        let ids: BTreeSet<u64> = self
            .model
            .keys()
            .chain(self.found.keys())
            .copied()
            .collect();
        for id in ids {
            let (m, f) = (self.model.get(&id), self.found.get(&id));
            if m != f {
                let show = |x: Option<&Vec<u8>>| {
                    x.map_or("absent".to_string(), |v| {
                        format!(
                            "{:?}..({} bytes)",
                            String::from_utf8_lossy(&v[..v.len().min(16)]),
                            v.len()
                        )
                    })
                };
                return format!("row {id}: expected {}, found {}", show(m), show(f));
            }
        }
        "none".into()
    }
}

/// Reopens after a kill (and maybe a power cut) and checks the rows against
/// the operation log; returns the verified rows.
#[allow(clippy::too_many_arguments)]
fn verify(
    dir: &Path,
    mode: Durability,
    base: &Rows,
    floor_id: u64,
    log_text: &str,
    power_loss: bool,
    ctx: &str,
    tally: &mut Tally,
) -> (Rows, u64) {
    let (start, ops) = parse_log(log_text);
    if let Some(start) = start {
        assert!(
            start >= floor_id,
            "{ctx}: the child started at id {start}, below {floor_id}: ids reused"
        );
    }
    let db = ToonStore::open_with(dir, &options(mode)).unwrap_or_else(|e| {
        panic!(
            "{ctx}: reopen failed ({:?}): {e}",
            e.kind() == ErrorKind::Corrupt
        )
    });
    let found: Rows = db
        .scan()
        .unwrap()
        .map(|r| r.unwrap_or_else(|e| panic!("{ctx}: scan: {e}")))
        .collect();
    for (id, v) in &found {
        let got = db
            .get(*id)
            .unwrap_or_else(|e| panic!("{ctx}: get {id}: {e}"));
        assert_eq!(
            got.as_ref(),
            Some(v),
            "{ctx}: get and scan disagree on {id}"
        );
    }
    let next_id = db.stats().unwrap().next_row_id;
    if let Some(max) = found.keys().next_back() {
        assert!(
            next_id > *max,
            "{ctx}: next id {next_id} not above row {max}"
        );
    }

    // Candidate states: after operation k, for k in [k_min, k_max].
    let acked = ops.iter().take_while(|o| o.ack.is_some()).count();
    let in_flight = ops.get(acked).map(|o| o.op.clone());
    tally.ops_acknowledged += acked as u64;
    let mut acked_max_id = None;
    for o in &ops[..acked] {
        if let Some(Some(first)) = o.ack {
            let n = match &o.op {
                Op::Batch { lens, .. } => lens.len() as u64,
                _ => 1,
            };
            if n > 0 {
                acked_max_id = Some(first + n - 1);
            }
        }
    }
    let k_min = if !power_loss || mode == Durability::Full {
        acked
    } else {
        // Normal and Off: what an acknowledged sync covered is durable. (A
        // compaction flushes only when it has work: not counted.)
        ops[..acked]
            .iter()
            .rposition(|o| matches!(o.op, Op::Sync))
            .map_or(0, |i| i + 1)
    };
    let mut m = Matcher::new(base.clone(), &found);
    let mut matched = None;
    for k in 0..=ops.len() {
        if k >= k_min && m.mismatches == 0 {
            matched = Some(k);
            if !power_loss {
                // Prefer the acknowledged state; the in-flight one only if needed.
                if k >= acked {
                    break;
                }
            }
        }
        if k == ops.len() {
            break;
        }
        let o = &ops[k];
        let first = match o.ack {
            Some(first) => first,
            None => in_flight_first_id(&o.op, &found),
        };
        let needs_id = match &o.op {
            Op::Put { .. } => true,
            Op::Batch { lens, .. } => !lens.is_empty(),
            _ => false,
        };
        if needs_id && first.is_none() {
            break; // the in-flight put is not visible: no later state can match
        }
        m.apply(effects(&o.op, first));
    }
    let Some(k) = matched else {
        panic!(
            "{ctx}: the database matches no allowed state (ops {}, acknowledged {acked}, must keep {k_min}, in flight {in_flight:?}); {}",
            ops.len(),
            m.first_difference()
        );
    };
    if !power_loss {
        assert!(k >= acked, "{ctx}: acknowledged operations lost");
        if let Some(max) = acked_max_id {
            assert!(
                next_id > max,
                "{ctx}: next id {next_id} would reuse acknowledged id {max}"
            );
        }
    }
    if k > acked {
        tally.in_flight_applied += 1;
    }
    tally.ops_lost_unsynced += acked.saturating_sub(k) as u64;
    // A new put gets a fresh id.
    let probe = db.put(b"probe").unwrap();
    assert!(
        probe >= next_id,
        "{ctx}: probe id {probe} below next id {next_id}"
    );
    db.delete(probe).unwrap();
    db.close().unwrap_or_else(|e| panic!("{ctx}: close: {e}"));
    if dir.join("INDEX").exists() {
        tally.checkpoints_seen += 1;
    }
    let report = toonstore::check(dir).unwrap_or_else(|e| panic!("{ctx}: check: {e}"));
    assert!(report.is_ok(), "{ctx}: check: {:?}", report.first_problem);
    assert_eq!(
        report.live_rows,
        found.len() as u64,
        "{ctx}: check's row count"
    );
    (found, probe + 1)
}

fn torture(test_name: &str, rounds: u64, power_loss: bool) -> Tally {
    if std::env::var_os(CHILD_ENV).is_some() {
        child_main();
    }
    let seed = env_u64(
        "TORTURE_SEED",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos() as u64,
    );
    println!("{test_name}: seed {seed} (set TORTURE_SEED to repeat)");
    let mut rng = Rng::new(seed);
    let exe = std::env::current_exe().unwrap();
    let mut tally = Tally::default();
    let modes = [Durability::Normal, Durability::Full, Durability::Off];
    let mut run = 0u64;
    while tally.rounds < rounds {
        let mode = modes[(run % 3) as usize];
        run += 1;
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("db");
        let mut base = Rows::new();
        let mut floor_id = 0;
        for generation in 0..GENERATIONS {
            if tally.rounds >= rounds {
                break;
            }
            let ctx = format!(
                "{test_name} seed {seed} run {run} ({}) generation {generation}",
                mode_name(mode)
            );
            let log = tmp.path().join(format!("ops-{generation}.log"));
            let trace = tmp.path().join(format!("flush-{generation}.trace"));
            let before = power_loss.then(|| baseline(&dir));
            let stderr = fs::File::create(tmp.path().join("child.err")).unwrap();
            let mut command = Command::new(&exe);
            if power_loss {
                command.env("TORTURE_TRACE", &trace);
            }
            let mut child = command
                .args(["--exact", test_name, "--nocapture", "--test-threads=1"])
                .env(CHILD_ENV, "1")
                .env("TORTURE_DIR", &dir)
                .env("TORTURE_LOG", &log)
                .env("TORTURE_MODE", mode_name(mode))
                .env("TORTURE_SEQ", (generation * 10_000_000).to_string())
                .env("TORTURE_SEED", rng.next().to_string())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .unwrap();
            // Kill moments: mostly while writing, now and then during open.
            let delay = match rng.below(10) {
                0 => rng.below(30),
                _ => 30 + rng.below(if mode == Durability::Full { 900 } else { 400 }),
            };
            std::thread::sleep(Duration::from_millis(delay));
            if let Some(status) = child.try_wait().unwrap() {
                let err = fs::read_to_string(tmp.path().join("child.err")).unwrap_or_default();
                panic!("{ctx}: the writer exited by itself ({status}): {err}");
            }
            child.kill().unwrap();
            child.wait().unwrap();
            let err = fs::read_to_string(tmp.path().join("child.err")).unwrap_or_default();
            assert!(!err.contains("child:"), "{ctx}: writer reported: {err}");
            if let Some(before) = &before {
                power_cut(&dir, &trace, before, &mut rng);
            }
            let text = fs::read_to_string(&log).unwrap_or_default();
            if !dir.exists() {
                // Killed before it created the database.
                tally.rounds += 1;
                continue;
            }
            let (rows, next) = verify(
                &dir, mode, &base, floor_id, &text, power_loss, &ctx, &mut tally,
            );
            base = rows;
            floor_id = floor_id.max(next);
            tally.rounds += 1;
            *tally.per_mode.entry(mode_name(mode)).or_insert(0) += 1;
        }
    }
    println!(
        "{test_name}: {} rounds survived ({:?}), {} operations acknowledged, {} in-flight operations found applied, {} unsynced acknowledged operations lost to power cuts, {} reopens with a checkpoint",
        tally.rounds,
        tally.per_mode,
        tally.ops_acknowledged,
        tally.in_flight_applied,
        tally.ops_lost_unsynced,
        tally.checkpoints_seen
    );
    tally
}

#[test]
fn kill9_torture() {
    let rounds = env_u64("TORTURE_ROUNDS", 60);
    let tally = torture("kill9_torture", rounds, false);
    assert_eq!(tally.rounds, rounds);
    assert!(
        tally.ops_acknowledged > 0,
        "the writers acknowledged nothing"
    );
    assert_eq!(tally.ops_lost_unsynced, 0);
}

#[test]
fn power_loss_torture() {
    let rounds = env_u64("TORTURE_POWER_ROUNDS", 30);
    let tally = torture("power_loss_torture", rounds, true);
    assert_eq!(tally.rounds, rounds);
    assert!(
        tally.ops_acknowledged > 0,
        "the writers acknowledged nothing"
    );
}
