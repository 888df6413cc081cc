//! Readers and backup (issue 17): what a backup costs the writer, how fast
//! it copies, and what a read-only open and a refresh cost beside a live
//! writer. A plain `main` (no criterion: the figures are latencies under a
//! concurrent load, reported as medians and spread over repeated runs).
//!
//! `cargo bench --bench readers` (env `READERS_BENCH_ROWS`, default 400000
//! rows of 200 bytes, about 85 MB; `READERS_BENCH_RUNS`, default 5).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use toonstore::{Durability, Options, ToonStore};

fn env(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(|a, b| a.partial_cmp(b).unwrap());
    v[v.len() / 2]
}

fn spread(v: &[f64]) -> String {
    let min = v.iter().cloned().fold(f64::INFINITY, f64::min);
    let max = v.iter().cloned().fold(0.0, f64::max);
    format!("{min:.2}..{max:.2}")
}

/// The longest single put while `during` runs, with one writer thread
/// putting as fast as it can.
fn longest_put_during(db: &Arc<ToonStore>, during: impl FnOnce()) -> Duration {
    let stop = Arc::new(AtomicBool::new(false));
    let longest = Arc::new(Mutex::new(Duration::ZERO));
    let writer = {
        let (db, stop, longest) = (Arc::clone(db), Arc::clone(&stop), Arc::clone(&longest));
        std::thread::spawn(move || {
            let value = vec![7u8; 200];
            let mut worst = Duration::ZERO;
            while !stop.load(Ordering::Acquire) {
                let t = Instant::now();
                db.put(&value).unwrap();
                worst = worst.max(t.elapsed());
            }
            *longest.lock().unwrap() = worst;
        })
    };
    std::thread::sleep(Duration::from_millis(50));
    during();
    stop.store(true, Ordering::Release);
    writer.join().unwrap();
    let worst = *longest.lock().unwrap();
    worst
}

fn main() {
    let rows = env("READERS_BENCH_ROWS", 400_000);
    let runs = env("READERS_BENCH_RUNS", 5);
    let dir = tempfile::TempDir::new().unwrap();
    let path = dir.path().join("db");
    let db = Arc::new(
        ToonStore::open_with(
            &path,
            &Options {
                durability: Durability::Normal,
                ..Options::default()
            },
        )
        .unwrap(),
    );
    let value = vec![1u8; 200];
    for _ in 0..rows {
        db.put(&value).unwrap();
    }
    db.sync().unwrap();
    let bytes = db.stats().unwrap().disk_bytes as f64;

    let (mut quiet, mut stalled, mut mbps, mut opens, mut refreshes) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for run in 0..runs {
        quiet.push(
            longest_put_during(&db, || std::thread::sleep(Duration::from_millis(300)))
                .as_secs_f64()
                * 1e3,
        );
        let dest = dir.path().join(format!("backup-{run}"));
        let mut took = Duration::ZERO;
        stalled.push(
            longest_put_during(&db, || {
                let t = Instant::now();
                db.backup(&dest).unwrap();
                took = t.elapsed();
            })
            .as_secs_f64()
                * 1e3,
        );
        mbps.push(bytes / took.as_secs_f64() / 1e6);
        std::fs::remove_dir_all(&dest).unwrap();
        let t = Instant::now();
        let reader = ToonStore::open_with(
            &path,
            &Options {
                read_only: true,
                ..Options::default()
            },
        )
        .unwrap();
        opens.push(t.elapsed().as_secs_f64() * 1e3);
        for _ in 0..1000 {
            db.put(&value).unwrap();
        }
        let t = Instant::now();
        reader.refresh().unwrap();
        refreshes.push(t.elapsed().as_secs_f64() * 1e3);
    }
    println!(
        "readers bench: {rows} rows of 200 B ({:.0} MB on disk), {runs} runs, median (min..max)",
        bytes / 1e6
    );
    println!(
        "  longest put, no backup running:  {:.2} ms ({})",
        median(&mut quiet.clone()),
        spread(&quiet)
    );
    println!(
        "  longest put, during a backup:    {:.2} ms ({})",
        median(&mut stalled.clone()),
        spread(&stalled)
    );
    println!(
        "  backup throughput:               {:.0} MB/s ({})",
        median(&mut mbps.clone()),
        spread(&mbps)
    );
    println!(
        "  read-only open beside the writer: {:.2} ms ({})",
        median(&mut opens.clone()),
        spread(&opens)
    );
    println!(
        "  refresh (1000 new rows):          {:.2} ms ({})",
        median(&mut refreshes.clone()),
        spread(&refreshes)
    );
}
