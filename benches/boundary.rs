//! The Rust side of the C-boundary benchmark (benches/boundary/boundary.c):
//! the same reads of a present 100-byte row, called in Rust, so the C
//! figures can be read as "Rust + boundary". Plain timing (median of 9 runs),
//! no criterion, so the two programs measure the same way.
//!
//! Run: `cargo bench --bench boundary` (or benches/boundary/run.sh, which
//! also runs the C side). `TOONSTORE_BOUNDARY_ITERS` sets the calls per run.

use std::hint::black_box;
use std::time::Instant;

use toonstore::{Durability, Options, ToonStore};

const ROWS: usize = 1024;
const ROW_LEN: usize = 100;
const RUNS: usize = 9;

fn measure(name: &str, n: u64, mut f: impl FnMut(u64) -> u64) {
    let mut sink = f(n / 10);
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            sink = sink.wrapping_add(f(n));
            start.elapsed().as_nanos() as f64 / n as f64
        })
        .collect();
    black_box(sink);
    times.sort_by(f64::total_cmp);
    println!(
        "{name:<44} {:8.2} ns/call  (min {:.2}, max {:.2})",
        times[RUNS / 2],
        times[0],
        times[RUNS - 1]
    );
}

fn main() {
    let n: u64 = std::env::var("TOONSTORE_BOUNDARY_ITERS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(2_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let options = Options {
        durability: Durability::Off,
        ..Options::default()
    };
    let db = ToonStore::open_with(dir.path().join("db"), &options).expect("open");
    let mut ids = Vec::with_capacity(ROWS);
    for i in 0..ROWS {
        let mut row = format!("rows[1]{{id,name,score}}: {i},user-{i},{}", i * 7).into_bytes();
        row.resize(ROW_LEN, b'.');
        ids.push(db.put(&row).expect("put"));
    }
    db.sync().expect("sync");
    let snapshot = db.snapshot().expect("snapshot");
    let mask = (ROWS - 1) as u64;
    println!(
        "toonstore {} (Rust API, in-process), {ROWS} rows of {ROW_LEN} bytes, {n} calls per run, median of {RUNS} runs",
        toonstore::VERSION
    );

    measure("Rust: db.contains(present)", n, |n| {
        (0..n)
            .map(|i| db.contains(black_box(ids[(i & mask) as usize])).unwrap() as u64)
            .sum()
    });
    measure("Rust: db.get_with(copy into buf) (= get_into)", n, |n| {
        let mut buf = [0u8; 256];
        (0..n)
            .map(|i| {
                let id = black_box(ids[(i & mask) as usize]);
                let len = db
                    .get_with(id, |v| {
                        buf[..v.len()].copy_from_slice(v);
                        v.len()
                    })
                    .unwrap()
                    .unwrap();
                black_box(&buf);
                len as u64
            })
            .sum()
    });
    measure("Rust: db.get -> Vec (= get + free_buffer)", n, |n| {
        (0..n)
            .map(|i| {
                let v = db
                    .get(black_box(ids[(i & mask) as usize]))
                    .unwrap()
                    .unwrap();
                v.len() as u64 + u64::from(v[0])
            })
            .sum()
    });
    measure("Rust: snapshot.get (= snapshot_get)", n, |n| {
        (0..n)
            .map(|i| {
                let v = snapshot
                    .get(black_box(ids[(i & mask) as usize]))
                    .unwrap()
                    .unwrap();
                v.len() as u64 + u64::from(v[0])
            })
            .sum()
    });
    // The exported C function called from Rust, statically linked: the
    // boundary's checks and panic guard without the dynamic call.
    let handle = {
        let path = std::ffi::CString::new(dir.path().join("db2").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        let h = unsafe { toonstore::ffi::database::toonstore_open(path.as_ptr()) };
        assert!(!h.is_null());
        for id in 0..ROWS {
            let row = [b'x'; ROW_LEN];
            // SAFETY: live handle, ROW_LEN readable bytes.
            let got = unsafe { toonstore::ffi::database::toonstore_put(h, row.as_ptr(), ROW_LEN) };
            assert_eq!(got, id as i64);
        }
        h
    };
    measure("Rust->C ABI fn, static: toonstore_get_into", n, |n| {
        let mut buf = [0u8; 256];
        let mut len = 0usize;
        (0..n)
            .map(|i| {
                // SAFETY: live handle, 256 writable bytes, writable length.
                let rc = unsafe {
                    toonstore::ffi::database::toonstore_get_into(
                        handle,
                        black_box((i & mask) as i64),
                        buf.as_mut_ptr(),
                        buf.len(),
                        &mut len,
                    )
                };
                assert_eq!(rc, 0);
                len as u64
            })
            .sum()
    });
    // SAFETY: the handle is live and not used afterwards.
    unsafe { toonstore::ffi::database::toonstore_close(handle) };
    drop(snapshot);
    db.close().expect("close");
}
