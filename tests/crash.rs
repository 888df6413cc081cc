//! Crash test: a child process writes to a database and is killed with
//! SIGKILL at random moments, many rounds on the same database; after each
//! kill the database is reopened and must hold exactly the acknowledged
//! operations, plus at most the one operation that was in flight.
//!
//! The child is this test binary itself, re-executed with
//! `--ignored --exact child_writer` and `TOONSTORE_CRASH_CHILD` set (so no
//! extra binary or Cargo target is needed). It prints, flushing each line:
//!
//! ```text
//! @@ START <next_row_id>                 after open
//! @@ I P <seq>                           before put of value(seq)
//! @@ A P <seq> <id>                      after the put returned
//! @@ I D <id> / @@ A D <id>              delete
//! @@ I B <seq> <puts> <d1,d2,..|->       batch of puts value(seq..) and deletes
//! @@ A B <seq> <id1,id2,..|->            after the batch returned
//! @@ I C / @@ A C                        compaction (small-segment variant)
//! ```
//!
//! `TOONSTORE_CRASH_SEED` fixes the random choices of the parent (kill
//! delays) and of the children; `TOONSTORE_CRASH_ROUNDS` overrides the
//! number of rounds of every variant.

mod common;
use common::Rng;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use toonstore::{Batch, Durability, Options, ToonStore};

const CHILD_ENV: &str = "TOONSTORE_CRASH_CHILD";
const MODE_ENV: &str = "TOONSTORE_CRASH_MODE";
const SEQ_ENV: &str = "TOONSTORE_CRASH_SEQ";
const SEED_ENV: &str = "TOONSTORE_CRASH_SEED";
const ROUNDS_ENV: &str = "TOONSTORE_CRASH_ROUNDS";

type Rows = BTreeMap<u64, Vec<u8>>;

/// The bytes of the value with sequence number `seq`: its length and
/// content both depend on `seq`, so a row with the wrong value is caught.
fn value(seq: u64) -> Vec<u8> {
    let len = (seq.wrapping_mul(7919) % 300) as usize;
    let mut v = format!("seq {seq}:").into_bytes();
    let mut x = seq.wrapping_add(1).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for _ in 0..len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        v.push(x as u8);
    }
    v
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Mode {
    Normal,
    Full,
    Small,
}

impl Mode {
    fn name(self) -> &'static str {
        match self {
            Mode::Normal => "normal",
            Mode::Full => "full",
            Mode::Small => "small",
        }
    }
    fn parse(s: &str) -> Mode {
        match s {
            "normal" => Mode::Normal,
            "full" => Mode::Full,
            "small" => Mode::Small,
            other => panic!("unknown mode {other}"),
        }
    }
    fn options(self) -> Options {
        match self {
            Mode::Normal => Options::default(),
            Mode::Full => Options {
                durability: Durability::Full,
                segment_size: 64 << 10,
                ..Options::default()
            },
            Mode::Small => Options {
                segment_size: 4096,
                ..Options::default()
            },
        }
    }
}

fn seed() -> u64 {
    std::env::var(SEED_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        })
}

fn ids_text(ids: &[u64]) -> String {
    if ids.is_empty() {
        "-".to_string()
    } else {
        ids.iter().map(u64::to_string).collect::<Vec<_>>().join(",")
    }
}

fn parse_ids(s: &str) -> Vec<u64> {
    if s == "-" {
        Vec::new()
    } else {
        s.split(',').map(|x| x.parse().unwrap()).collect()
    }
}

/// The child: writes until it is killed. Run only by the crash tests.
#[test]
#[ignore = "helper process of the crash tests, run by them"]
fn child_writer() {
    let Ok(dir) = std::env::var(CHILD_ENV) else {
        return;
    };
    let mode = Mode::parse(&std::env::var(MODE_ENV).unwrap());
    let mut seq: u64 = std::env::var(SEQ_ENV).unwrap().parse().unwrap();
    let mut rng = Rng::new(std::env::var(SEED_ENV).unwrap().parse().unwrap());
    let stdout = std::io::stdout();
    let say = |line: String| {
        let mut out = stdout.lock();
        out.write_all(format!("@@ {line}\n").as_bytes()).unwrap();
        out.flush().unwrap();
    };
    let db = ToonStore::open_with(&dir, &mode.options()).unwrap();
    let mut live: Vec<u64> = db.scan().unwrap().map(|r| r.unwrap().0).collect();
    say(format!("START {}", db.stats().unwrap().next_row_id));
    let mut ops = 0u64;
    loop {
        ops += 1;
        let r = rng.below(100);
        if r < 55 || live.is_empty() {
            say(format!("I P {seq}"));
            let id = db.put(&value(seq)).unwrap();
            say(format!("A P {seq} {id}"));
            live.push(id);
            seq += 1;
        } else if r < 80 {
            let id = live.swap_remove(rng.below(live.len() as u64) as usize);
            say(format!("I D {id}"));
            db.delete(id).unwrap();
            say(format!("A D {id}"));
        } else if r < 98 {
            let puts = rng.below(4);
            let mut dels = Vec::new();
            for _ in 0..rng.below(3) {
                if live.is_empty() {
                    break;
                }
                dels.push(live.swap_remove(rng.below(live.len() as u64) as usize));
            }
            let mut batch = Batch::new();
            for k in 0..puts {
                batch.put(&value(seq + k));
            }
            for id in &dels {
                batch.delete(*id);
            }
            say(format!("I B {seq} {puts} {}", ids_text(&dels)));
            let ids = db.write(&batch).unwrap();
            say(format!("A B {seq} {}", ids_text(&ids)));
            live.extend(&ids);
            seq += puts;
        } else if mode == Mode::Small && rng.below(3) == 0 {
            say("I C".to_string());
            db.compact().unwrap();
            say("A C".to_string());
        } else {
            db.sync().unwrap();
        }
        // Keep the database from growing without bound in fast modes; most
        // of the time is still spent inside writes.
        if ops.is_multiple_of(64) {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
}

/// An operation of the child as the parent understands it.
#[derive(Clone, Debug)]
enum Intent {
    Put { seq: u64 },
    Delete { id: u64 },
    Batch { seq: u64, puts: u64, dels: Vec<u64> },
    Compact,
}

#[derive(Clone, Debug, PartialEq)]
struct State {
    rows: Rows,
    next: u64,
}

impl State {
    /// Applies an intent; `ids` are the ids the engine returned (checked
    /// against the model's next id) or `None` to assume the next ids.
    fn apply(&mut self, intent: &Intent, ids: Option<&[u64]>) {
        match intent {
            Intent::Put { seq } => {
                if let Some(ids) = ids {
                    assert_eq!(ids, [self.next], "put id is not the next id");
                }
                self.rows.insert(self.next, value(*seq));
                self.next += 1;
            }
            Intent::Delete { id } => {
                assert!(
                    self.rows.remove(id).is_some(),
                    "child deleted row {id}, which the model does not have"
                );
            }
            Intent::Batch { seq, puts, dels } => {
                let want: Vec<u64> = (self.next..self.next + puts).collect();
                if let Some(ids) = ids {
                    assert_eq!(ids, want, "batch ids are not the next ids");
                }
                for (k, id) in want.iter().enumerate() {
                    self.rows.insert(*id, value(seq + k as u64));
                }
                self.next += puts;
                for id in dels {
                    assert!(self.rows.remove(id).is_some(), "batch deletes absent {id}");
                }
            }
            Intent::Compact => {}
        }
    }
}

/// Everything a database shows: rows by scan, checked row by row with get.
fn read_state(db: &ToonStore) -> State {
    let mut rows = Rows::new();
    for row in db.scan().expect("scan") {
        let (id, v) = row.expect("scan row");
        rows.insert(id, v);
    }
    let next = db.stats().expect("stats").next_row_id;
    for id in 0..next + 2 {
        assert_eq!(db.get(id).expect("get"), rows.get(&id).cloned(), "get {id}");
    }
    assert!(rows.keys().all(|&id| id < next), "row beyond next id");
    State { rows, next }
}

fn parse_line(line: &str) -> Option<Vec<String>> {
    let at = line.find("@@ ")?;
    Some(
        line[at + 3..]
            .split_whitespace()
            .map(str::to_string)
            .collect(),
    )
}

/// One round: run the child, kill it `delay` after it started writing (or,
/// with `early`, `delay` after it was spawned: maybe while it is still
/// recovering), return the complete lines it printed.
fn run_child(
    dir: &Path,
    mode: Mode,
    seq: u64,
    seed: u64,
    delay: Duration,
    early: bool,
) -> Vec<Vec<String>> {
    let exe = std::env::current_exe().unwrap();
    let mut child = Command::new(exe)
        .args([
            "--ignored",
            "--exact",
            "child_writer",
            "--nocapture",
            "--test-threads=1",
        ])
        .env(CHILD_ENV, dir)
        .env(MODE_ENV, mode.name())
        .env(SEQ_ENV, seq.to_string())
        .env(SEED_ENV, seed.to_string())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let stdout = child.stdout.take().unwrap();
    let (tx, rx) = mpsc::channel();
    let reader = std::thread::spawn(move || {
        let mut r = BufReader::new(stdout);
        let mut lines = Vec::new();
        loop {
            let mut buf = Vec::new();
            match r.read_until(b'\n', &mut buf) {
                Ok(0) | Err(_) => break,
                Ok(_) => {}
            }
            // A line cut by the kill has no newline: it was not printed.
            if buf.last() != Some(&b'\n') {
                break;
            }
            let line = String::from_utf8_lossy(&buf).into_owned();
            if let Some(words) = parse_line(&line) {
                if words[0] == "START" {
                    let _ = tx.send(());
                }
                lines.push(words);
            }
        }
        lines
    });
    let started = if early {
        std::thread::sleep(delay);
        true
    } else {
        let started = rx.recv_timeout(Duration::from_secs(60)).is_ok();
        if started {
            std::thread::sleep(delay);
        }
        started
    };
    let exited_early = child.try_wait().unwrap();
    child.kill().expect("kill child");
    let status = child.wait().unwrap();
    let lines = reader.join().unwrap();
    if !started || exited_early.is_some() {
        let mut err = String::new();
        use std::io::Read;
        child
            .stderr
            .take()
            .unwrap()
            .read_to_string(&mut err)
            .unwrap();
        panic!(
            "child did not keep writing until killed (started {started}, status {status:?}); \
             its output: {lines:?}\nstderr:\n{err}"
        );
    }
    lines
}

/// The acknowledged state and the in-flight intent of a child's output.
fn replay_lines(lines: &[Vec<String>], start: &State) -> (State, Option<Intent>, usize) {
    let mut state = start.clone();
    let mut pending: Option<Intent> = None;
    let mut acked = 0;
    let num = |s: &String| s.parse::<u64>().unwrap();
    for words in lines {
        match words[0].as_str() {
            "START" => assert_eq!(
                num(&words[1]),
                start.next,
                "the child's next id after recovery differs from the parent's"
            ),
            "I" => {
                assert!(pending.is_none(), "two operations in flight");
                pending = Some(match words[1].as_str() {
                    "P" => Intent::Put {
                        seq: num(&words[2]),
                    },
                    "D" => Intent::Delete { id: num(&words[2]) },
                    "B" => Intent::Batch {
                        seq: num(&words[2]),
                        puts: num(&words[3]),
                        dels: parse_ids(&words[4]),
                    },
                    "C" => Intent::Compact,
                    other => panic!("unknown intent {other}"),
                });
            }
            "A" => {
                let intent = pending.take().expect("ack without intent");
                let ids = match words[1].as_str() {
                    "P" => Some(vec![num(&words[3])]),
                    "B" => Some(parse_ids(&words[3])),
                    _ => None,
                };
                state.apply(&intent, ids.as_deref());
                acked += 1;
            }
            other => panic!("unknown line {other}"),
        }
    }
    (state, pending, acked)
}

fn describe_diff(got: &State, want: &State) -> String {
    let mut out = format!("next id: got {} want {}\n", got.next, want.next);
    let mut shown = 0;
    for id in 0..got.next.max(want.next) {
        let (g, w) = (got.rows.get(&id), want.rows.get(&id));
        if g != w && shown < 10 {
            shown += 1;
            out += &format!(
                "row {id}: got {:?} want {:?}\n",
                g.map(|v| String::from_utf8_lossy(&v[..v.len().min(24)]).into_owned()),
                w.map(|v| String::from_utf8_lossy(&v[..v.len().min(24)]).into_owned()),
            );
        }
    }
    out
}

fn crash_rounds(mode: Mode, rounds: u32) {
    let rounds = std::env::var(ROUNDS_ENV)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(rounds);
    let seed = seed();
    eprintln!("crash test {}: {SEED_ENV}={seed}", mode.name());
    let mut rng = Rng::new(seed);
    let tmp = tempfile::tempdir().unwrap();
    let dir: PathBuf = tmp.path().join("db");
    let opts = mode.options();
    let mut state = State {
        rows: Rows::new(),
        next: 0,
    };
    let mut total_acked = 0;
    let mut early_kills = 0;
    let mut in_compaction = 0;
    let mut in_flight_landed = 0;
    let began = Instant::now();
    for round in 0..rounds {
        // Every fifth round the kill may land while the child is still
        // opening (recovering) the database.
        let early = round % 5 == 4;
        let delay = if early {
            early_kills += 1;
            Duration::from_millis(rng.below(40))
        } else {
            Duration::from_millis(5 + rng.below(196))
        };
        let lines = run_child(
            &dir,
            mode,
            u64::from(round) * 10_000_000,
            rng.next(),
            delay,
            early,
        );
        let (acked, pending, n) = replay_lines(&lines, &state);
        in_compaction += usize::from(matches!(pending, Some(Intent::Compact)));
        total_acked += n;
        let mut candidates = vec![acked.clone()];
        if let Some(intent) = &pending {
            let mut landed = acked.clone();
            landed.apply(intent, None);
            if landed != acked {
                candidates.push(landed);
            }
        }
        let context = format!(
            "mode {} round {round} seed {seed}: {n} acknowledged ops, in flight {pending:?}",
            mode.name()
        );
        // A read-only open sees the same state as the writable open that
        // follows (and cuts the torn tail).
        let ro = Options {
            read_only: true,
            ..opts.clone()
        };
        let seen_ro = {
            let db = ToonStore::open_with(&dir, &ro)
                .unwrap_or_else(|e| panic!("{context}: read-only open after kill: {e}"));
            read_state(&db)
        };
        let db = ToonStore::open_with(&dir, &opts)
            .unwrap_or_else(|e| panic!("{context}: open after kill: {e}"));
        let seen = read_state(&db);
        assert_eq!(
            seen_ro, seen,
            "{context}: read-only and writable opens disagree"
        );
        let Some(k) = candidates.iter().position(|c| *c == seen) else {
            panic!(
                "{context}: recovered state matches neither the acknowledged state nor it plus the op in flight\n{}",
                describe_diff(&seen, &acked)
            );
        };
        in_flight_landed += k;
        // Ids are never reused: every id acknowledged so far is below the
        // next id, and the next put gets exactly it.
        assert!(seen.next >= acked.next, "{context}: next id went back");
        state = seen;
        db.close()
            .unwrap_or_else(|e| panic!("{context}: close: {e}"));
    }
    let db = ToonStore::open_with(&dir, &opts).unwrap();
    assert_eq!(
        read_state(&db),
        state,
        "state changed across a clean reopen"
    );
    let id = db.put(b"after the last crash").unwrap();
    assert_eq!(id, state.next, "the next id after the rounds");
    db.close().unwrap();
    eprintln!(
        "crash test {}: {rounds} rounds ({early_kills} killed early), {total_acked} acknowledged ops, \
         in-flight op visible after {in_flight_landed} kills, \
         {in_compaction} kills during a compaction, {} live rows, next id {}, {:.1?}",
        mode.name(),
        state.rows.len(),
        state.next + 1,
        began.elapsed()
    );
    assert!(total_acked > 0, "the children never acknowledged anything");
}

#[test]
fn kill9_normal_mode_loses_nothing_acknowledged() {
    crash_rounds(Mode::Normal, 25);
}

#[test]
fn kill9_small_segments_with_rolls_and_checkpoints() {
    crash_rounds(Mode::Small, 25);
}

#[test]
fn kill9_full_mode() {
    crash_rounds(Mode::Full, 6);
}
