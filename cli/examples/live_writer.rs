//! A writer process that keeps putting, for the tests that run `toonstore`
//! beside a live writer (cli/tests/cli.rs); also a way to try that by hand:
//! `cargo run --example live_writer -- DB`, then `toonstore stat DB` in
//! another terminal.
//!
//! It opens DB for writing (default options: `Normal` durability, so an
//! acknowledged put is in the shared page cache), puts row `i` as
//! `row i` without end, and after every 64 puts prints `acked N` (N the
//! highest acknowledged id) on stdout. It closes the database and exits 0
//! when its stdin reaches end of file.

use std::io::{Read, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use toonstore::ToonStore;

fn main() {
    let db = std::env::args_os().nth(1).expect("usage: live_writer DB");
    let store = ToonStore::open(&db).expect("open the database for writing");
    let stop = Arc::new(AtomicBool::new(false));
    {
        let stop = Arc::clone(&stop);
        std::thread::spawn(move || {
            let mut sink = Vec::new();
            let _ = std::io::stdin().read_to_end(&mut sink);
            stop.store(true, Ordering::SeqCst);
        });
    }
    let mut out = std::io::stdout().lock();
    let mut i: u64 = 0;
    while !stop.load(Ordering::SeqCst) {
        let id = store.put(format!("row {i}").as_bytes()).expect("put");
        assert_eq!(id, i, "ids are dense from 0 in a new database");
        i += 1;
        if i.is_multiple_of(64) {
            writeln!(out, "acked {id}")
                .and_then(|()| out.flush())
                .expect("report");
            // Keeps the log from growing by gigabytes during a test run.
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    store.close().expect("close");
}
