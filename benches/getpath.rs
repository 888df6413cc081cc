//! Where a random get's time goes: the Rust `get_with` against the C entry
//! points (`toonstore_get_into`, `toonstore_get`) on the same database, in
//! the same random order, in one process (issue 20). Every read is compared
//! byte for byte with the expected row inside the timed loop, as in
//! benches/compare. A benchmark, not a test.
//!
//! Run: `cargo bench --bench getpath` (`TOONSTORE_GETPATH_ROWS`, default
//! 1,000,000 rows of 60-120 bytes). Prints each form's median of 5 passes
//! with the fastest and slowest, and the C forms' cost over `get_with`.
//! The C functions are called through the crate (statically linked), so the
//! figure is the entry points' own work (checks, panic guard, copy or
//! malloc), not the dynamic call (about 1 ns, see benches/boundary).

use std::hint::black_box;
use std::time::Instant;

use toonstore::ffi::database::{toonstore_get, toonstore_get_into};
use toonstore::ffi::info::toonstore_free_buffer;
use toonstore::{Options, ToonStore};

const PASSES: usize = 5;

fn row(i: u64, out: &mut Vec<u8>) {
    out.clear();
    let mut x = i.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ 0x5bd1_e995;
    x ^= x >> 29;
    let len = 60 + (x % 61) as usize;
    out.extend_from_slice(
        format!("users[{i}]{{id,name,email}}: {i},Name{i},user{i}@example.com,").as_bytes(),
    );
    while out.len() < len {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        out.push(b'a' + (x % 26) as u8);
    }
    out.truncate(len);
}

fn main() {
    let rows: u64 = std::env::var("TOONSTORE_GETPATH_ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db");
    let options = Options::default();
    let mut expected: Vec<Vec<u8>> = Vec::with_capacity(rows as usize);
    {
        let db = ToonStore::open_with(&path, &options).expect("open");
        let mut batch = toonstore::Batch::new();
        let mut buf = Vec::new();
        for i in 0..rows {
            row(i, &mut buf);
            batch.put(&buf);
            expected.push(buf.clone());
            if batch.len() == 1000 || i + 1 == rows {
                db.write(&batch).expect("write");
                batch = toonstore::Batch::new();
            }
        }
        db.close().expect("close");
    }
    // A C handle and a Rust handle share the engine (open_shared).
    let cpath = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a NUL-terminated path.
    let h = unsafe { toonstore::ffi::database::toonstore_open(cpath.as_ptr()) };
    assert!(!h.is_null());
    let db = ToonStore::open_shared(&path, &options).expect("open");
    let mut order: Vec<u64> = (0..rows).collect();
    let mut x = 0x2545_f491_4f6c_dd1du64;
    for i in (1..order.len()).rev() {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        order.swap(i, (x % (i as u64 + 1)) as usize);
    }
    println!(
        "toonstore {}: {rows} rows, random order, every read compared; median of {PASSES} passes (min-max), ns per get",
        toonstore::VERSION
    );
    let pass = |name: &str, f: &mut dyn FnMut(u64) -> bool| -> f64 {
        let mut times = Vec::new();
        for _ in 0..PASSES {
            let start = Instant::now();
            let mut bad = 0u64;
            for &id in &order {
                bad += u64::from(!f(id));
            }
            times.push(start.elapsed().as_nanos() as f64 / rows as f64);
            assert_eq!(bad, 0, "{name}: rows read back wrong");
        }
        times.sort_by(f64::total_cmp);
        let median = times[PASSES / 2];
        println!(
            "{name:<44} {median:8.1} ns  ({:.1}-{:.1})",
            times[0],
            times[PASSES - 1]
        );
        median
    };
    let mut buf = [0u8; 256];
    let rust = pass("Rust get_with (copy into a buffer)", &mut |id| {
        let want = &expected[id as usize];
        let n = db
            .get_with(black_box(id), |v| {
                buf[..v.len()].copy_from_slice(v);
                v.len()
            })
            .unwrap()
            .unwrap();
        buf[..n] == want[..]
    });
    let into = pass("C toonstore_get_into", &mut |id| {
        let want = &expected[id as usize];
        let mut n = 0usize;
        // SAFETY: a live handle, a 256-byte buffer, a valid out-pointer.
        let rc = unsafe {
            toonstore_get_into(h, black_box(id as i64), buf.as_mut_ptr(), buf.len(), &mut n)
        };
        rc == 0 && buf[..n] == want[..]
    });
    let owned = pass("C toonstore_get + toonstore_free_buffer", &mut |id| {
        let want = &expected[id as usize];
        let mut data = std::ptr::null_mut();
        let mut n = 0usize;
        // SAFETY: a live handle and valid out-pointers; the buffer is freed below.
        let rc = unsafe { toonstore_get(h, black_box(id as i64), &mut data, &mut n) };
        // SAFETY: on success `data` holds `n` bytes.
        let ok = rc == 0 && unsafe { std::slice::from_raw_parts(data, n) } == &want[..];
        // SAFETY: a buffer from toonstore_get (or NULL).
        unsafe { toonstore_free_buffer(data) };
        ok
    });
    println!(
        "C cost over get_with: toonstore_get_into {:+.0}%, toonstore_get {:+.0}%",
        (into / rust - 1.0) * 100.0,
        (owned / rust - 1.0) * 100.0
    );
    drop(db);
    // SAFETY: the handle from toonstore_open, not used afterwards.
    unsafe { toonstore::ffi::database::toonstore_close(h) };
}
