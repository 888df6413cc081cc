//! Engine benchmarks (issue 2, "Benchmarks"): the figures BENCHMARKS.md
//! records, against these targets on the project's 2-core machine:
//!
//! | what | target |
//! |---|---|
//! | random-order get of every row, 1 thread | >= 4,000,000 ops/s |
//! | put, `Off` | >= 10,000,000 ops/s |
//! | put, `Normal`, each acknowledged alone | >= 2,000,000 ops/s |
//! | put, `Full`, 8 writers vs 1 (group commit) | >= 4x |
//! | full scan (`Scan::next_ref`) | >= 40,000,000 rows/s |
//! | reopen of a cleanly closed 10,000,000-row database | <= 100 ms |
//! | index memory | <= 16 B/row |
//! | disk after a load | <= 1.2x the raw row bytes |
//!
//! Run: `cargo bench --bench engine`. Criterion measures the per-operation
//! figures (gets, puts, scan: ops/s via `Throughput`); the one-shot figures
//! (reopen, recovery after kill -9, memory, disk) are timed once and printed
//! after criterion's output, followed by a summary table.
//!
//! Environment:
//! * `TOONSTORE_BENCH_ROWS` rows of the 1M data set (default 1,000,000);
//! * `TOONSTORE_BENCH_BIG_ROWS` rows of the reopen database (default
//!   10,000,000; built once under the bench directory and reused);
//! * `TOONSTORE_BENCH_DIR` where the databases live (default
//!   `target/toonstore-bench`; must be a real disk, not tmpfs, for the
//!   durability figures to mean anything);
//! * `TOONSTORE_BENCH_ONESHOT=0` skips the one-shot measurements.
//!
//! A quick CI run: `TOONSTORE_BENCH_ROWS=20000 TOONSTORE_BENCH_BIG_ROWS=100000
//! cargo bench --bench engine -- --quick`.
//!
//! The binary re-executes itself (env `TOONSTORE_BENCH_CHILD`) for the
//! measurements that need a fresh process: the memory figure and the crash
//! that precedes the recovery measurement.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, Throughput};
use toonstore::{Durability, Options, ToonStore};

const SEED: u64 = 0x9E37_79B9_7F4A_7C15;

/// xorshift64*: tiny, deterministic, good enough for lengths and orders.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed | 1)
    }

    fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Writes row `i` of the data set into `out`: a TOON-like line of 60..=120
/// bytes, e.g. `users[123]{id,name,email,age,bio}: 123,Name123,user123@example.com,42,kqzv...`.
fn row_into(i: u64, out: &mut Vec<u8>) {
    let mut rng = Rng::new(SEED ^ i.wrapping_mul(0xD1B5_4A32_D192_ED03));
    let target = 60 + rng.below(61) as usize;
    let age = 18 + rng.below(70);
    out.clear();
    write!(
        out,
        "users[{i}]{{id,name,email,age,bio}}: {i},Name{i},user{i}@example.com,{age},"
    )
    .unwrap();
    while out.len() < target {
        out.push(b'a' + rng.below(26) as u8);
    }
    out.truncate(target);
}

fn row(i: u64) -> Vec<u8> {
    let mut v = Vec::with_capacity(128);
    row_into(i, &mut v);
    v
}

/// Rows `0..n` in one buffer with their offsets (no per-row allocation).
struct Rows {
    buf: Vec<u8>,
    ends: Vec<usize>,
}

impl Rows {
    fn generate(n: u64) -> Rows {
        let mut buf = Vec::with_capacity(n as usize * 90);
        let mut ends = Vec::with_capacity(n as usize);
        let mut one = Vec::with_capacity(128);
        for i in 0..n {
            row_into(i, &mut one);
            buf.extend_from_slice(&one);
            ends.push(buf.len());
        }
        Rows { buf, ends }
    }

    fn len(&self) -> usize {
        self.ends.len()
    }

    fn get(&self, i: usize) -> &[u8] {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.buf[start..self.ends[i]]
    }
}

/// A random permutation of `0..n` (Fisher-Yates with the fixed seed).
fn permutation(n: u64) -> Vec<u64> {
    let mut ids: Vec<u64> = (0..n).collect();
    let mut rng = Rng::new(SEED ^ 0x5555);
    for i in (1..ids.len()).rev() {
        let j = rng.below(i as u64 + 1) as usize;
        ids.swap(i, j);
    }
    ids
}

fn env_u64(name: &str, default: u64) -> u64 {
    std::env::var(name)
        .ok()
        .and_then(|v| v.replace('_', "").parse().ok())
        .unwrap_or(default)
}

fn rows_n() -> u64 {
    env_u64("TOONSTORE_BENCH_ROWS", 1_000_000)
}

fn big_rows_n() -> u64 {
    env_u64("TOONSTORE_BENCH_BIG_ROWS", 10_000_000)
}

fn bench_dir() -> PathBuf {
    let dir = std::env::var_os("TOONSTORE_BENCH_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            // Benches run with the package root as working directory.
            PathBuf::from("target/toonstore-bench")
        });
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn options(durability: Durability) -> Options {
    Options {
        durability,
        ..Options::default()
    }
}

fn fresh(dir: &Path) {
    let _ = std::fs::remove_dir_all(dir);
}

/// Every measured figure of the criterion runs: total ops and time over all
/// of a benchmark's calls (warm-up included), for the final summary.
/// The measuring thread's CPU time is kept too (single-thread benchmarks):
/// on a shared machine it shows what the operations cost when other
/// processes take turns on the cores.
static TOTALS: Mutex<BTreeMap<String, (u64, Duration, Duration)>> = Mutex::new(BTreeMap::new());

fn record(name: &str, ops: u64, elapsed: Duration) {
    record_cpu(name, ops, elapsed, Duration::ZERO)
}

fn record_cpu(name: &str, ops: u64, elapsed: Duration, cpu: Duration) {
    let mut t = TOTALS.lock().unwrap();
    let e = t
        .entry(name.to_string())
        .or_insert((0, Duration::ZERO, Duration::ZERO));
    e.0 += ops;
    e.1 += elapsed;
    e.2 += cpu;
}

fn ops_per_sec(name: &str) -> Option<f64> {
    let t = TOTALS.lock().unwrap();
    t.get(name)
        .map(|(ops, d, _)| *ops as f64 / d.as_secs_f64().max(1e-12))
}

/// The time per iteration (ns) of criterion's last run of `group/id`, from
/// its `estimates.json`: the slope of the linear fit (the figure criterion
/// prints as `time:`), or the mean where there is no slope.
fn criterion_time_ns(group: &str, id: &str) -> Option<f64> {
    let target = std::env::var_os("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("target"));
    let path = target
        .join("criterion")
        .join(group)
        .join(id)
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let estimate = |key: &str| -> Option<f64> {
        let part = &text[text.find(&format!("\"{key}\":{{"))?..];
        let at = part.find("\"point_estimate\":")? + "\"point_estimate\":".len();
        let rest = &part[at..];
        let end = rest.find([',', '}'])?;
        rest[..end].trim().parse().ok()
    };
    estimate("slope").or_else(|| estimate("mean"))
}

/// CPU time of the calling thread.
fn thread_cpu() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

/// Loads rows `0..n` into a new database at `dir` (durability `Off`) and
/// closes it cleanly; returns the raw row bytes.
fn load(dir: &Path, n: u64) -> u64 {
    fresh(dir);
    let db = ToonStore::open_with(dir, &options(Durability::Off)).unwrap();
    let mut one = Vec::with_capacity(128);
    let mut raw = 0u64;
    for i in 0..n {
        row_into(i, &mut one);
        raw += one.len() as u64;
        assert_eq!(db.put(&one).unwrap(), i);
    }
    db.close().unwrap();
    raw
}

fn bench_reads(c: &mut Criterion, db: &ToonStore, n: u64) {
    let order = permutation(n);
    let mut g = c.benchmark_group("get");
    g.throughput(Throughput::Elements(1));
    let mut cursor = 0usize;
    g.bench_function("get_with_random_1t", |b| {
        b.iter_custom(|iters| {
            let cpu = thread_cpu();
            let start = Instant::now();
            for _ in 0..iters {
                let id = order[cursor];
                cursor += 1;
                if cursor == order.len() {
                    cursor = 0;
                }
                let len = db.get_with(id, |v| v.len()).unwrap().unwrap();
                black_box(len);
            }
            let el = start.elapsed();
            record_cpu("get_with_random_1t", iters, el, thread_cpu() - cpu);
            el
        })
    });
    let mut cursor = 0usize;
    g.bench_function("get_owned_random_1t", |b| {
        b.iter_custom(|iters| {
            let cpu = thread_cpu();
            let start = Instant::now();
            for _ in 0..iters {
                let id = order[cursor];
                cursor += 1;
                if cursor == order.len() {
                    cursor = 0;
                }
                black_box(db.get(id).unwrap().unwrap());
            }
            let el = start.elapsed();
            record_cpu("get_owned_random_1t", iters, el, thread_cpu() - cpu);
            el
        })
    });
    g.throughput(Throughput::Elements(2));
    for (name, owned) in [("get_with_random_2t", false), ("get_owned_random_2t", true)] {
        let mut base = 0usize;
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let start = Instant::now();
                std::thread::scope(|s| {
                    for t in 0..2usize {
                        let order = &order;
                        let first = (base + t * order.len() / 2) % order.len();
                        s.spawn(move || {
                            let cpu = thread_cpu();
                            let mut k = first;
                            for _ in 0..iters {
                                let id = order[k];
                                k += 1;
                                if k == order.len() {
                                    k = 0;
                                }
                                if owned {
                                    black_box(db.get(id).unwrap().unwrap());
                                } else {
                                    black_box(db.get_with(id, |v| v.len()).unwrap().unwrap());
                                }
                            }
                            record_cpu(name, 0, Duration::ZERO, thread_cpu() - cpu);
                        });
                    }
                });
                base = (base + iters as usize) % order.len();
                let el = start.elapsed();
                record(name, 2 * iters, el);
                el
            })
        });
    }
    g.finish();

    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Elements(n));
    g.sample_size(20);
    g.bench_function("scan_next_ref", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let cpu = thread_cpu();
            for _ in 0..iters {
                let start = Instant::now();
                let mut scan = db.scan().unwrap();
                let mut rows = 0u64;
                let mut bytes = 0usize;
                while let Some(r) = scan.next_ref() {
                    let (_, v) = r.unwrap();
                    rows += 1;
                    bytes += v.len();
                }
                total += start.elapsed();
                assert_eq!(rows, n);
                black_box(bytes);
            }
            record_cpu("scan_next_ref", iters * n, total, thread_cpu() - cpu);
            total
        })
    });
    // The same walk from the highest id down (scan_range(.., true)).
    g.bench_function("scan_reverse_next_ref", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let start = Instant::now();
                let mut scan = db.scan_range(.., true).unwrap();
                let mut rows = 0u64;
                let mut bytes = 0usize;
                while let Some(r) = scan.next_ref() {
                    let (_, v) = r.unwrap();
                    rows += 1;
                    bytes += v.len();
                }
                total += start.elapsed();
                assert_eq!(rows, n);
                black_box(bytes);
            }
            record("scan_reverse_next_ref", iters * n, total);
            total
        })
    });
    g.finish();

    // Bounded scans: 100 rows found by id (snapshot, seek, 100 rows), so the
    // cost does not depend on where the range lies.
    let mut g = c.benchmark_group("scan_range");
    g.throughput(Throughput::Elements(100));
    for (name, lo, reverse) in [
        ("last_100_rows_reverse", 0, true),
        ("100_rows_from_the_middle", n / 2, false),
    ] {
        g.bench_function(name, |b| {
            b.iter(|| {
                let mut scan = db.scan_range(lo.., reverse).unwrap();
                let mut bytes = 0usize;
                for _ in 0..100 {
                    bytes += scan.next_ref().unwrap().unwrap().1.len();
                }
                black_box(bytes)
            })
        });
    }
    g.finish();
}

/// A database for a put benchmark, recreated (outside the timing) once it
/// has grown past `limit` rows so that the disk does not fill up.
struct PutTarget {
    dir: PathBuf,
    durability: Durability,
    db: Option<ToonStore>,
    rows: u64,
    limit: u64,
}

impl PutTarget {
    fn new(dir: PathBuf, durability: Durability, limit: u64) -> PutTarget {
        PutTarget {
            dir,
            durability,
            db: None,
            rows: 0,
            limit,
        }
    }

    fn db(&mut self, upcoming: u64) -> &ToonStore {
        if self.db.is_none() || self.rows + upcoming > self.limit.max(upcoming) {
            if let Some(db) = self.db.take() {
                db.close().unwrap();
            }
            fresh(&self.dir);
            self.db = Some(ToonStore::open_with(&self.dir, &options(self.durability)).unwrap());
            self.rows = 0;
        }
        self.rows += upcoming;
        self.db.as_ref().unwrap()
    }

    fn finish(mut self) {
        if let Some(db) = self.db.take() {
            db.close().unwrap();
        }
        fresh(&self.dir);
    }
}

fn bench_puts(c: &mut Criterion, rows: &Rows) {
    let root = bench_dir();
    let mut g = c.benchmark_group("put");
    g.throughput(Throughput::Elements(1));
    for (name, durability) in [
        ("put_off", Durability::Off),
        ("put_normal", Durability::Normal),
    ] {
        let mut target = PutTarget::new(root.join(name), durability, 4_000_000);
        let mut next = 0usize;
        g.bench_function(name, |b| {
            b.iter_custom(|iters| {
                let db = target.db(iters);
                let cpu = thread_cpu();
                let start = Instant::now();
                for _ in 0..iters {
                    black_box(db.put(rows.get(next)).unwrap());
                    next += 1;
                    if next == rows.len() {
                        next = 0;
                    }
                }
                let el = start.elapsed();
                record_cpu(name, iters, el, thread_cpu() - cpu);
                el
            })
        });
        target.finish();
    }
    g.finish();

    let mut g = c.benchmark_group("put_full");
    g.sample_size(10);
    g.warm_up_time(Duration::from_secs(1));
    g.measurement_time(Duration::from_secs(5));
    for writers in [1u64, 8] {
        let name = format!("put_full_{writers}w");
        let mut target = PutTarget::new(root.join(&name), Durability::Full, 200_000);
        g.throughput(Throughput::Elements(writers));
        g.bench_function(BenchmarkId::from_parameter(&name), |b| {
            b.iter_custom(|iters| {
                let db = target.db(iters * writers);
                let start = Instant::now();
                std::thread::scope(|s| {
                    for w in 0..writers {
                        s.spawn(move || {
                            for k in 0..iters {
                                let i = ((w * iters + k) as usize) % rows.len();
                                black_box(db.put(rows.get(i)).unwrap());
                            }
                        });
                    }
                });
                let el = start.elapsed();
                record(&name, iters * writers, el);
                el
            })
        });
        target.finish();
    }
    g.finish();
}

/// Anonymous resident memory of this process (resident minus file-backed
/// and shared pages, from /proc/self/statm), in bytes: the heap, where the
/// index lives, without the segment mappings' page-cache pages.
fn anon_rss() -> u64 {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let f: Vec<u64> = statm
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    // SAFETY: sysconf has no preconditions.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as u64;
    (f[1] - f[2]) * page
}

/// Resident bytes of this process's mappings of files whose path ends
/// with `suffix` (from /proc/self/smaps).
fn mapping_rss(suffix: &str) -> u64 {
    let smaps = std::fs::read_to_string("/proc/self/smaps").unwrap();
    let mut inside = false;
    let mut total = 0;
    for line in smaps.lines() {
        let first = line.split_whitespace().next().unwrap_or("");
        if first.contains('-') && !first.ends_with(':') {
            inside = line.trim_end().ends_with(suffix);
        } else if inside && first == "Rss:" {
            let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
            total += kb * 1024;
        }
    }
    total
}

/// The children: `mem` loads rows and reports memory and disk; `crash`
/// loads rows with `Normal` durability and waits to be killed.
fn child(mode: &str) {
    let dir = PathBuf::from(std::env::var("TOONSTORE_BENCH_CHILD_DIR").unwrap());
    let n = rows_n();
    let mut one = Vec::with_capacity(128);
    match mode {
        "mem" => {
            fresh(&dir);
            let before = anon_rss();
            let db = ToonStore::open_with(&dir, &options(Durability::Off)).unwrap();
            let mut raw = 0u64;
            for i in 0..n {
                row_into(i, &mut one);
                raw += one.len() as u64;
                db.put(&one).unwrap();
            }
            let after = anon_rss();
            let open_disk = db.stats().unwrap().disk_bytes;
            db.close().unwrap();
            let closed_disk = dir_disk_usage(&dir);
            println!("{} {} {} {} {}", before, after, raw, open_disk, closed_disk);
        }
        "reopen_mem" => {
            let before = anon_rss();
            let db = ToonStore::open_with(&dir, &options(Durability::Off)).unwrap();
            let after = anon_rss();
            // A reopened index lives in the checkpoint file's private
            // mapping (copy-on-write), not on the heap: count its pages too.
            let mapped = mapping_rss("/INDEX");
            let rows = db.stats().unwrap().live_rows;
            db.close().unwrap();
            println!("{} {} {} {}", before, after, rows, mapped);
        }
        "reopen_time" => {
            let probe: u64 = std::env::var("TOONSTORE_BENCH_PROBE")
                .unwrap()
                .parse()
                .unwrap();
            let cpu0 = cpu_time();
            let r = time_reopen(&dir, 1, probe)[0];
            let cpu = cpu_time() - cpu0;
            println!("{} {} {}", r.0.as_nanos(), r.1.as_nanos(), cpu.as_nanos());
        }
        "crash" => {
            fresh(&dir);
            let db = ToonStore::open_with(&dir, &options(Durability::Normal)).unwrap();
            for i in 0..n {
                row_into(i, &mut one);
                db.put(&one).unwrap();
            }
            println!("loaded");
            std::io::stdout().flush().unwrap();
            loop {
                std::thread::sleep(Duration::from_secs(60));
            }
        }
        other => panic!("unknown child mode {other}"),
    }
}

/// CPU time of this process (all threads): on a shared machine, the part of
/// a wall-clock figure that was the process's own work.
fn cpu_time() -> Duration {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid out-pointer.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    Duration::new(ts.tv_sec as u64, ts.tv_nsec as u32)
}

fn dir_disk_usage(dir: &Path) -> u64 {
    use std::os::unix::fs::MetadataExt;
    std::fs::read_dir(dir)
        .unwrap()
        .flatten()
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.blocks() * 512)
        .sum()
}

fn run_child(mode: &str, dir: &Path) -> Command {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.env("TOONSTORE_BENCH_CHILD", mode)
        .env("TOONSTORE_BENCH_CHILD_DIR", dir)
        .stdout(Stdio::piped());
    cmd
}

fn child_numbers(mode: &str, dir: &Path) -> Vec<u64> {
    let out = run_child(mode, dir).output().unwrap();
    assert!(out.status.success(), "child {mode} failed");
    String::from_utf8(out.stdout)
        .unwrap()
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect()
}

/// Times `open` + the first `get` of a database, `runs` times; returns the
/// (open, open + first get) durations of each run.
fn time_reopen(dir: &Path, runs: usize, probe: u64) -> Vec<(Duration, Duration)> {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            let db = ToonStore::open_with(dir, &options(Durability::Normal)).unwrap();
            let opened = start.elapsed();
            let v = db.get(probe).unwrap().unwrap();
            let first = start.elapsed();
            assert_eq!(v, row(probe));
            db.close().unwrap();
            (opened, first)
        })
        .collect()
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

struct OneShot {
    lines: Vec<String>,
}

impl OneShot {
    fn say(&mut self, line: String) {
        println!("{line}");
        self.lines.push(line);
    }
}

fn one_shots(n: u64) -> OneShot {
    let root = bench_dir();
    let mut out = OneShot { lines: Vec::new() };
    println!("\n== one-shot measurements ==");

    // Memory and disk: a fresh process loads n rows.
    let mem_dir = root.join("mem");
    let f = child_numbers("mem", &mem_dir);
    let (before, after, raw, open_disk, closed_disk) = (f[0], f[1], f[2], f[3], f[4]);
    out.say(format!(
        "index memory after loading {n} rows: {:.2} B/row (anon RSS {} -> {} bytes)",
        (after.saturating_sub(before)) as f64 / n as f64,
        before,
        after
    ));
    out.say(format!(
        "disk after load: {:.3}x raw after close ({closed_disk} B on disk / {raw} B of rows); {:.3}x while open (preallocated active segment: {open_disk} B)",
        closed_disk as f64 / raw as f64,
        open_disk as f64 / raw as f64
    ));
    let f = child_numbers("reopen_mem", &mem_dir);
    out.say(format!(
        "index memory after reopening it ({} rows): {:.2} B/row (heap {:.2} B/row + the checkpoint's copy-on-write mapping {:.2} B/row)",
        f[2],
        (f[1].saturating_sub(f[0]) + f[3]) as f64 / f[2].max(1) as f64,
        (f[1].saturating_sub(f[0])) as f64 / f[2].max(1) as f64,
        f[3] as f64 / f[2].max(1) as f64
    ));
    fresh(&mem_dir);

    // Reopen of a cleanly closed big database (built once, reused).
    let big = big_rows_n();
    let big_dir = root.join(format!("reopen-{big}"));
    let marker = big_dir.join("BENCH_COMPLETE");
    if !marker.exists() {
        println!(
            "building the {big}-row database in {} (once) ...",
            big_dir.display()
        );
        let start = Instant::now();
        load(&big_dir, big);
        std::fs::write(&marker, b"").unwrap();
        println!("built in {:.1} s", start.elapsed().as_secs_f64());
    }
    let probe = big / 2 + 7;
    // Each open in a fresh process (as an application would see it; a
    // second open in the same process reuses the freed heap of the first).
    let runs: Vec<(Duration, Duration, Duration)> = (0..7)
        .map(|_| {
            let mut cmd = run_child("reopen_time", &big_dir);
            cmd.env("TOONSTORE_BENCH_PROBE", probe.to_string());
            let out = cmd.output().unwrap();
            assert!(out.status.success(), "reopen child failed");
            let f: Vec<u64> = String::from_utf8(out.stdout)
                .unwrap()
                .split_whitespace()
                .map(|x| x.parse().unwrap())
                .collect();
            (
                Duration::from_nanos(f[0]),
                Duration::from_nanos(f[1]),
                Duration::from_nanos(f[2]),
            )
        })
        .collect();
    let cpu = median(runs.iter().map(|r| r.2).collect());
    let open = median(runs.iter().map(|r| r.0).collect());
    let first = median(runs.iter().map(|r| r.1).collect());
    let worst = runs.iter().map(|r| r.1).max().unwrap();
    let same = median(
        time_reopen(&big_dir, 5, probe)
            .iter()
            .map(|r| r.1)
            .collect(),
    );
    out.say(format!(
        "reopen of a cleanly closed {big}-row database (warm page cache, fresh process each): open {:.1} ms, open + first get {:.1} ms (median of {}, worst {:.1} ms; CPU time of open + get {:.1} ms; repeated in one process: {:.1} ms)",
        ms(open),
        ms(first),
        runs.len(),
        ms(worst),
        ms(cpu),
        ms(same)
    ));

    // Recovery after kill -9 of a process that loaded n rows (Normal).
    let crash_dir = root.join("crash");
    let mut childp = run_child("crash", &crash_dir).spawn().unwrap();
    let mut line = String::new();
    BufReader::new(childp.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    assert_eq!(line.trim(), "loaded");
    childp.kill().unwrap(); // SIGKILL
    childp.wait().unwrap();
    let start = Instant::now();
    let db = ToonStore::open_with(&crash_dir, &options(Durability::Normal)).unwrap();
    let opened = start.elapsed();
    let v = db.get(n - 1).unwrap().unwrap();
    let first = start.elapsed();
    assert_eq!(v, row(n - 1));
    let live = db.stats().unwrap().live_rows;
    assert_eq!(live, n, "every acknowledged put survives kill -9");
    db.close().unwrap();
    out.say(format!(
        "recovery after kill -9 of a process that put {n} rows (Normal): open {:.1} ms, open + first get {:.1} ms, {live} rows recovered",
        ms(opened),
        ms(first)
    ));
    let again = time_reopen(&crash_dir, 3, n - 1);
    out.say(format!(
        "reopen of that database after the recovery and a clean close: {:.1} ms (median of 3)",
        ms(median(again.iter().map(|r| r.1).collect()))
    ));
    fresh(&crash_dir);
    out
}

fn main() {
    if let Ok(mode) = std::env::var("TOONSTORE_BENCH_CHILD") {
        child(&mode);
        return;
    }
    let n = rows_n();
    let root = bench_dir();
    let mut c = Criterion::default()
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(3))
        .configure_from_args();

    println!(
        "machine: {} cores, load average at start: {}",
        std::thread::available_parallelism().map_or(0, |n| n.get()),
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    let read_dir = root.join("reads");
    println!(
        "loading {n} rows for the read benchmarks into {} ...",
        read_dir.display()
    );
    let raw = load(&read_dir, n);
    println!("raw row bytes: {raw} ({:.1} B/row)", raw as f64 / n as f64);
    {
        let db = ToonStore::open_with(&read_dir, &options(Durability::Normal)).unwrap();
        bench_reads(&mut c, &db, n);
        db.close().unwrap();
    }
    fresh(&read_dir);
    {
        let rows = Rows::generate(n);
        bench_puts(&mut c, &rows);
    }
    c.final_summary();

    let shots = if std::env::var("TOONSTORE_BENCH_ONESHOT").as_deref() == Ok("0") {
        None
    } else {
        Some(one_shots(n))
    };

    println!(
        "\nload average at the end: {}",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );
    println!("\n== summary (criterion runs: total ops / total time, warm-up included) ==");
    for (name, (ops, d, cpu)) in TOTALS.lock().unwrap().iter() {
        let per_cpu = if cpu.is_zero() {
            String::new()
        } else {
            format!(
                "; {:.0} ops per CPU-second of the measuring thread(s)",
                *ops as f64 / cpu.as_secs_f64()
            )
        };
        println!(
            "{name:<24} {:>14.0} ops/s  ({ops} ops in {:.2} s{per_cpu})",
            *ops as f64 / d.as_secs_f64(),
            d.as_secs_f64()
        );
    }
    println!(
        "\n== criterion (ops/s = elements per iteration / time per iteration, as criterion prints it) =="
    );
    let benches = [
        ("get", "get_with_random_1t", 1),
        ("get", "get_owned_random_1t", 1),
        ("get", "get_with_random_2t", 2),
        ("get", "get_owned_random_2t", 2),
        ("scan", "scan_next_ref", n),
        ("put", "put_off", 1),
        ("put", "put_normal", 1),
        ("put_full", "put_full_1w", 1),
        ("put_full", "put_full_8w", 8),
    ];
    let mut means = BTreeMap::new();
    for (group, id, elements) in benches {
        if let Some(ns) = criterion_time_ns(group, id) {
            let ops = elements as f64 * 1e9 / ns;
            means.insert(id, ops);
            println!("{id:<24} {ops:>14.0} ops/s");
        }
    }
    if let (Some(one), Some(eight)) = (means.get("put_full_1w"), means.get("put_full_8w")) {
        println!(
            "FULL group commit (criterion): 8 writers / 1 writer = {:.2}x (target >= 4x)",
            eight / one
        );
    }
    if let (Some(one), Some(eight)) = (ops_per_sec("put_full_1w"), ops_per_sec("put_full_8w")) {
        println!(
            "FULL group commit (totals, warm-up included): 8 writers / 1 writer = {:.2}x",
            eight / one
        );
    }
    if let Some(shots) = shots {
        for l in shots.lines {
            println!("{l}");
        }
    }
}
