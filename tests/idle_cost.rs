//! What an open, nearly empty database costs (issue 21): it used to fault in
//! and write a whole 64 MiB segment of zeros (20 open databases: 1.1 GB
//! resident) and run two threads. Now: a 64 KiB reservation, no prefaulted
//! pages until the writer moves, one background thread.
//!
//! One test function in a binary of its own: it measures the process.

use std::time::Duration;

use toonstore::{Durability, Options, ToonStore};

fn status(field: &str) -> u64 {
    let text = std::fs::read_to_string("/proc/self/status").unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(field)?.strip_prefix(':'))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap()
}

fn write_bytes() -> u64 {
    let text = std::fs::read_to_string("/proc/self/io").unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix("write_bytes: "))
        .unwrap()
        .parse()
        .unwrap()
}

#[test]
fn twenty_idle_databases_cost_little() {
    let tmp = tempfile::tempdir().unwrap();
    for durability in [Durability::Off, Durability::Normal] {
        let rss0 = status("VmRSS");
        let threads0 = status("Threads");
        let written0 = write_bytes();
        let dbs: Vec<ToonStore> = (0..20)
            .map(|i| {
                let db = ToonStore::open_with(
                    tmp.path().join(format!("{durability:?}-{i}")),
                    &Options {
                        durability,
                        ..Options::default()
                    },
                )
                .unwrap();
                db.put(b"x").unwrap();
                db
            })
            .collect();
        // Background threads have had time to do what they do.
        std::thread::sleep(Duration::from_millis(1500));
        let rss_kib = status("VmRSS").saturating_sub(rss0);
        let threads = status("Threads") - threads0;
        let written_kib = (write_bytes() - written0) / 1024;
        let disk_kib: u64 = dbs
            .iter()
            .map(|db| db.stats().unwrap().disk_bytes)
            .sum::<u64>()
            / 1024;
        println!(
            "idle_cost: 20 {durability:?} databases: {rss_kib} KiB resident, {threads} threads, \
             {written_kib} KiB written, {disk_kib} KiB on disk"
        );
        assert!(
            rss_kib < 16 << 10,
            "{rss_kib} KiB resident for 20 idle databases"
        );
        assert!(threads <= 20, "{threads} threads for 20 idle databases");
        assert!(
            written_kib < 4 << 10,
            "{written_kib} KiB written for 20 idle databases"
        );
        assert!(
            disk_kib < 4 << 10,
            "{disk_kib} KiB on disk for 20 idle databases"
        );
        for db in dbs {
            db.close().unwrap();
        }
    }
}
