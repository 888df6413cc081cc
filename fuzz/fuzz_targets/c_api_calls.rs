//! The C ABI driven by arbitrary call sequences: every exported function,
//! with NULL pointers, closed handles, handles of the wrong type, negative and
//! huge row ids, unknown durabilities and struct versions, zero-length and
//! too-small buffers, two handles on one directory, and so on: everything the
//! contract says the library detects. Nothing may crash (under ASan), and
//! every failure must come with a negative code and a last-error message.
//!
//! Out of scope, because the contract makes them the caller's bug: pointers
//! to memory that is not what the signature says (wild pointers, buffers
//! shorter than the length passed), and using a handle after more than
//! 4096 newer handles were released. Segment sizes are kept at most 1 MiB
//! (a valid 1 TiB segment would really be allocated).

#![no_main]

use std::ffi::{CStr, CString};
use std::os::raw::{c_char, c_int};
use std::path::{Path, PathBuf};
use std::ptr::{null, null_mut};

use arbitrary::Arbitrary;
use libfuzzer_sys::fuzz_target;
use toonstore::ffi::api_table::toonstore_api;
use toonstore::ffi::batch::*;
use toonstore::ffi::check::{toonstore_check, ToonStoreCheckReport};
use toonstore::ffi::database::*;
use toonstore::ffi::handles::{FfiBatch, FfiDatabase, FfiIter, FfiSnapshot};
use toonstore::ffi::info::*;
use toonstore::ffi::maintenance::*;
use toonstore::ffi::options::{ToonStoreOpenOptions, ToonStoreStats};
use toonstore::ffi::read::*;
use toonstore::ffi::{TOONSTORE_ERR_INVALID_ARG, TOONSTORE_SCAN_END, TOONSTORE_SCAN_REVERSE};

#[derive(Arbitrary, Debug, Clone, Copy)]
enum PathKind {
    Null,
    Empty,
    Db(u8),
    NotUtf8,
    AFile,
    Missing,
}

#[derive(Arbitrary, Debug)]
struct OptSpec {
    version: u32,
    durability: u32,
    read_only: u32,
    create_if_missing: u32,
    verify_checksums: u32,
    sync_interval_ms: u32,
    max_value_size: u64,
    segment_size: u32,
}

/// Which pointer to pass where a handle is expected.
#[derive(Arbitrary, Debug, Clone, Copy)]
enum H {
    Null,
    Slot(u8),
    /// A handle of another type in that slot (type confusion).
    Other(u8),
}

#[derive(Arbitrary, Debug)]
enum Call {
    /// `toonstore_open` (default options), or with `small` `toonstore_open_with`
    /// and 4 KiB segments (quicker, and rolls happen).
    Open {
        path: PathKind,
        small: bool,
    },
    OpenWith {
        path: PathKind,
        opts: Option<OptSpec>,
        null_out: bool,
    },
    Close(H),
    CloseChecked(H),
    Put {
        db: H,
        data: Vec<u8>,
        null_data: bool,
    },
    PutWith {
        db: H,
        data: Vec<u8>,
        durability: u32,
        null_out: bool,
    },
    Get {
        db: H,
        id: i64,
        null_data: bool,
        null_len: bool,
    },
    GetInto {
        db: H,
        id: i64,
        cap: u16,
        null_buf: bool,
        null_len: bool,
    },
    Contains {
        db: H,
        id: i64,
    },
    Delete {
        db: H,
        id: i64,
    },
    Sync(H),
    Compact(H),
    Stats {
        db: H,
        version: u32,
        null_out: bool,
    },
    Scan {
        db: H,
        start: Option<i64>,
    },
    /// `toonstore_scan_range`.
    ScanRange {
        db: H,
        range: RangeSpec,
    },
    IterNext {
        it: H,
        null_which: u8,
    },
    IterFree(H),
    SnapshotOpen {
        db: H,
        null_out: bool,
    },
    SnapshotGet {
        snap: H,
        id: i64,
        null_which: u8,
    },
    SnapshotScan {
        snap: H,
        start: i64,
    },
    /// `toonstore_snapshot_scan_range`; see `ScanRange`.
    SnapshotScanRange {
        snap: H,
        range: RangeSpec,
    },
    SnapshotFree(H),
    BatchNew,
    BatchPut {
        b: H,
        data: Vec<u8>,
        null_data: bool,
    },
    BatchDelete {
        b: H,
        id: i64,
    },
    BatchCount(H),
    BatchClear(H),
    BatchCommit {
        db: H,
        b: H,
        null_out: bool,
    },
    BatchFree(H),
    LastError,
    Strerror(i32),
    Check {
        path: PathKind,
        version: u32,
        null_out: bool,
    },
    Api(u32),
    OptionsInit {
        version: u32,
        null: bool,
    },
    Version,
}

/// The arguments of a range scan: bounds and flags as the input gives them
/// (negative, reversed, unknown flags included), `stop: None` being
/// `TOONSTORE_SCAN_END`.
#[derive(Arbitrary, Debug)]
struct RangeSpec {
    start: i64,
    stop: Option<i64>,
    flags: u32,
    null_out: bool,
}

impl RangeSpec {
    /// The flags to pass: mostly known ones (0 or `TOONSTORE_SCAN_REVERSE`),
    /// the raw input (usually unknown bits) when its bit 8 is set.
    fn flags(&self) -> u32 {
        if self.flags & 0x100 == 0 {
            self.flags & TOONSTORE_SCAN_REVERSE
        } else {
            self.flags
        }
    }

    fn stop(&self) -> i64 {
        self.stop.unwrap_or(TOONSTORE_SCAN_END)
    }

    /// Whether the contract refuses these arguments whatever the handle:
    /// they are checked before it.
    fn invalid(&self) -> bool {
        self.null_out
            || self.flags() & !TOONSTORE_SCAN_REVERSE != 0
            || self.start < 0
            || self.stop() < self.start
    }
}

/// Runs one range scan call (`scan` calls `toonstore_scan_range` or
/// `toonstore_snapshot_scan_range` with the out-pointer it is given) and
/// checks the contract: refused arguments give `TOONSTORE_ERR_INVALID_ARG`,
/// a failure leaves `*out_iter` NULL, and the first rows of a scan lie in
/// `start..stop` in the asked direction. Returns the new iterator.
///
/// # Safety
/// `scan` passes only valid or NULL handles (see the fuzz target).
unsafe fn scan_range_call(
    spec: &RangeSpec,
    scan: impl FnOnce(i64, i64, u32, *mut *mut FfiIter) -> c_int,
) -> Option<*mut FfiIter> {
    let mut out: *mut FfiIter = std::ptr::dangling_mut();
    let out_ptr = if spec.null_out {
        null_mut()
    } else {
        &mut out as *mut _
    };
    let (start, stop, flags) = (spec.start, spec.stop(), spec.flags());
    let rc = scan(start, stop, flags, out_ptr);
    expect_error(rc);
    if spec.invalid() {
        assert_eq!(rc, TOONSTORE_ERR_INVALID_ARG, "{spec:?} accepted");
    }
    if rc != 0 {
        assert!(rc < 0, "scan_range returned {rc}");
        if !spec.null_out {
            assert!(out.is_null(), "out_iter not NULL after a failure");
        }
        return None;
    }
    assert!(!out.is_null());
    let reverse = flags & TOONSTORE_SCAN_REVERSE != 0;
    let mut last: Option<i64> = None;
    for _ in 0..4 {
        let (mut id, mut data, mut len) = (0i64, null_mut::<u8>(), 0usize);
        // SAFETY: `out` is the live iterator just made; the rest are locals.
        let rc = unsafe { toonstore_iter_next(out, &mut id, &mut data, &mut len) };
        expect_error(rc);
        if rc != 1 {
            break;
        }
        assert!(start <= id && id < stop, "row {id} outside {start}..{stop}");
        if let Some(prev) = last {
            assert!(
                if reverse { id < prev } else { id > prev },
                "rows out of order"
            );
        }
        last = Some(id);
        touch(data, len);
    }
    Some(out)
}

#[derive(Default)]
struct Slots {
    dbs: Vec<*mut FfiDatabase>,
    iters: Vec<*mut FfiIter>,
    snaps: Vec<*mut FfiSnapshot>,
    batches: Vec<*mut FfiBatch>,
    /// Rows borrowed from iterators or snapshots, read back to catch
    /// dangling borrows under ASan: (pointer, length).
    borrowed: Vec<(*const u8, usize)>,
}

fn scratch() -> PathBuf {
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        shm.to_path_buf()
    } else {
        std::env::temp_dir()
    }
}

struct Paths {
    dbs: [CString; 2],
    file: CString,
    missing: CString,
}

impl Paths {
    fn get(&self, kind: PathKind) -> Option<CString> {
        Some(match kind {
            PathKind::Null => return None,
            PathKind::Empty => CString::new("").unwrap(),
            PathKind::Db(i) => self.dbs[i as usize % 2].clone(),
            PathKind::NotUtf8 => CString::new(vec![b'/', 0xff, 0xfe]).unwrap(),
            PathKind::AFile => self.file.clone(),
            PathKind::Missing => self.missing.clone(),
        })
    }
}

fn pick<T>(v: &[*mut T], h: H) -> *mut T {
    match h {
        H::Null => null_mut(),
        H::Slot(i) | H::Other(i) if !v.is_empty() => v[i as usize % v.len()],
        _ => null_mut(),
    }
}

/// The pointer for `h` where a `T` handle is expected: a real one, NULL, or
/// (for `Other`) a live handle of another type, cast.
fn handle<T>(own: &[*mut T], other: Option<*mut u8>, h: H) -> *mut T {
    match (h, other) {
        (H::Other(_), Some(p)) => p.cast(),
        _ => pick(own, h),
    }
}

fn expect_error(rc: c_int) {
    if rc < 0 {
        assert_eq!(toonstore_last_error_code(), rc, "last error code");
        let msg = toonstore_last_error();
        assert!(!msg.is_null(), "an error without a message");
        // SAFETY: a NUL-terminated string owned by the library.
        let text = unsafe { CStr::from_ptr(msg) };
        assert!(!text.to_bytes().is_empty());
        let copy = toonstore_last_error_copy();
        assert!(!copy.is_null());
        // SAFETY: a string the library allocated for us.
        unsafe { toonstore_free_string(copy) };
    }
    assert!(rc >= -13, "undocumented error code {rc}");
}

fn touch(p: *const u8, len: usize) -> u8 {
    if len == 0 {
        return 0;
    }
    // SAFETY: the library says the borrowed row is valid here.
    let bytes = unsafe { std::slice::from_raw_parts(p, len) };
    bytes.iter().fold(0u8, |a, b| a ^ b)
}

fuzz_target!(|calls: Vec<Call>| {
    let tmp = tempfile::tempdir_in(scratch()).unwrap();
    let file = tmp.path().join("a-file");
    std::fs::write(&file, b"not a database").unwrap();
    let c = |p: &Path| CString::new(p.to_str().unwrap()).unwrap();
    let paths = Paths {
        dbs: [c(&tmp.path().join("db0")), c(&tmp.path().join("db1"))],
        file: c(&file),
        missing: c(&tmp.path().join("no").join("such")),
    };
    let mut s = Slots::default();
    // SAFETY (whole block): every pointer passed is NULL, a handle this
    // library returned (live or released in this run, i.e. within the
    // quarantine), or points to a local of the right type and size.
    unsafe {
        for call in calls.into_iter().take(64) {
            let other_db = s.iters.first().map(|p| p.cast::<u8>());
            let other_any = s.dbs.first().map(|p| p.cast::<u8>());
            match call {
                Call::Open { path, small } => {
                    let path = paths.get(path);
                    let path = path.as_ref().map_or(null(), |c| c.as_ptr());
                    let db = if small {
                        let mut o: ToonStoreOpenOptions = std::mem::zeroed();
                        assert_eq!(toonstore_open_options_init(&mut o, 1), 0);
                        o.segment_size = 4096;
                        let mut db = null_mut();
                        let rc = toonstore_open_with(path, &o, &mut db);
                        assert_eq!(rc == 0, !db.is_null());
                        db
                    } else {
                        toonstore_open(path)
                    };
                    if db.is_null() {
                        expect_error(toonstore_last_error_code());
                    } else {
                        s.dbs.push(db);
                    }
                }
                Call::OpenWith {
                    path,
                    opts,
                    null_out,
                } => {
                    let path = paths.get(path);
                    let c_opts = opts.map(|o| ToonStoreOpenOptions {
                        version: o.version % 3,
                        durability: o.durability % 4,
                        read_only: o.read_only % 3,
                        create_if_missing: o.create_if_missing % 3,
                        verify_checksums: o.verify_checksums % 3,
                        sync_interval_ms: o.sync_interval_ms % 2000,
                        max_value_size: o.max_value_size,
                        segment_size: u64::from(o.segment_size % (1 << 20)),
                    });
                    let mut out: *mut FfiDatabase = std::ptr::dangling_mut();
                    let rc = toonstore_open_with(
                        path.as_ref().map_or(null(), |c| c.as_ptr()),
                        c_opts.as_ref().map_or(null(), |o| o as *const _),
                        if null_out { null_mut() } else { &mut out },
                    );
                    expect_error(rc);
                    if !null_out {
                        if rc == 0 {
                            assert!(!out.is_null());
                            s.dbs.push(out);
                        } else {
                            assert!(out.is_null(), "out_db not NULL after a failure");
                        }
                    }
                }
                Call::Close(h) => toonstore_close(handle(&s.dbs, other_db, h)),
                Call::CloseChecked(h) => {
                    expect_error(toonstore_close_checked(handle(&s.dbs, other_db, h)))
                }
                Call::Put {
                    db,
                    data,
                    null_data,
                } => {
                    let ptr = if null_data { null() } else { data.as_ptr() };
                    let rc = toonstore_put(handle(&s.dbs, other_db, db), ptr, data.len());
                    if rc < 0 {
                        expect_error(rc as c_int);
                    }
                }
                Call::PutWith {
                    db,
                    data,
                    durability,
                    null_out,
                } => {
                    let mut id = -7i64;
                    let rc = toonstore_put_with(
                        handle(&s.dbs, other_db, db),
                        data.as_ptr(),
                        data.len(),
                        if durability % 2 == 0 {
                            durability % 4
                        } else {
                            durability
                        },
                        if null_out { null_mut() } else { &mut id },
                    );
                    expect_error(rc);
                    if rc == 0 && !null_out {
                        assert!(id >= 0);
                    }
                }
                Call::Get {
                    db,
                    id,
                    null_data,
                    null_len,
                } => {
                    let mut data: *mut u8 = null_mut();
                    let mut len = 0usize;
                    let rc = toonstore_get(
                        handle(&s.dbs, other_db, db),
                        id,
                        if null_data { null_mut() } else { &mut data },
                        if null_len { null_mut() } else { &mut len },
                    );
                    expect_error(rc);
                    if rc == 0 {
                        touch(data, len);
                        toonstore_free_buffer(data);
                    } else if !null_data && !null_len {
                        assert!(data.is_null() && len == 0);
                    }
                }
                Call::GetInto {
                    db,
                    id,
                    cap,
                    null_buf,
                    null_len,
                } => {
                    let mut buf = vec![0u8; cap as usize];
                    let mut len = 0usize;
                    let rc = toonstore_get_into(
                        handle(&s.dbs, other_db, db),
                        id,
                        if null_buf {
                            null_mut()
                        } else {
                            buf.as_mut_ptr()
                        },
                        if null_buf { 0 } else { buf.len() },
                        if null_len { null_mut() } else { &mut len },
                    );
                    expect_error(rc);
                }
                Call::Contains { db, id } => {
                    let rc = toonstore_contains(handle(&s.dbs, other_db, db), id);
                    expect_error(rc);
                    assert!(rc <= 1);
                }
                Call::Delete { db, id } => {
                    expect_error(toonstore_delete(handle(&s.dbs, other_db, db), id))
                }
                Call::Sync(db) => expect_error(toonstore_sync(handle(&s.dbs, other_db, db))),
                Call::Compact(db) => expect_error(toonstore_compact(handle(&s.dbs, other_db, db))),
                Call::Stats {
                    db,
                    version,
                    null_out,
                } => {
                    let mut st: ToonStoreStats = std::mem::zeroed();
                    st.version = version % 3;
                    let rc = toonstore_stats(
                        handle(&s.dbs, other_db, db),
                        if null_out { null_mut() } else { &mut st },
                    );
                    expect_error(rc);
                }
                Call::Scan { db, start } => {
                    let db = handle(&s.dbs, other_db, db);
                    let it = match start {
                        None => toonstore_scan(db),
                        Some(st) => toonstore_scan_from(db, st),
                    };
                    if it.is_null() {
                        expect_error(toonstore_last_error_code());
                    } else {
                        s.iters.push(it);
                    }
                }
                Call::ScanRange { db, range } => {
                    let db = handle(&s.dbs, other_db, db);
                    let it = scan_range_call(&range, |start, stop, flags, out| {
                        toonstore_scan_range(db, start, stop, flags, out)
                    });
                    s.iters.extend(it);
                }
                Call::IterNext { it, null_which } => {
                    let (mut id, mut data, mut len) = (0i64, null_mut::<u8>(), 0usize);
                    let rc = toonstore_iter_next(
                        handle(&s.iters, other_any, it),
                        if null_which == 1 { null_mut() } else { &mut id },
                        if null_which == 2 {
                            null_mut()
                        } else {
                            &mut data
                        },
                        if null_which == 3 {
                            null_mut()
                        } else {
                            &mut len
                        },
                    );
                    expect_error(rc);
                    if rc == 1 {
                        touch(data, len);
                    }
                }
                Call::IterFree(it) => toonstore_iter_free(handle(&s.iters, other_any, it)),
                Call::SnapshotOpen { db, null_out } => {
                    let mut out: *mut FfiSnapshot = std::ptr::dangling_mut();
                    let rc = toonstore_snapshot_open(
                        handle(&s.dbs, other_db, db),
                        if null_out { null_mut() } else { &mut out },
                    );
                    expect_error(rc);
                    if rc == 0 && !null_out {
                        s.snaps.push(out);
                    }
                }
                Call::SnapshotGet {
                    snap,
                    id,
                    null_which,
                } => {
                    let (mut data, mut len) = (null::<u8>(), 0usize);
                    let sp = handle(&s.snaps, other_any, snap);
                    let rc = toonstore_snapshot_get(
                        sp,
                        id,
                        if null_which == 1 {
                            null_mut()
                        } else {
                            &mut data
                        },
                        if null_which == 2 {
                            null_mut()
                        } else {
                            &mut len
                        },
                    );
                    expect_error(rc);
                    if rc == 0 {
                        touch(data, len);
                        s.borrowed.push((data, len));
                    }
                }
                Call::SnapshotScan { snap, start } => {
                    let it = toonstore_snapshot_scan(handle(&s.snaps, other_any, snap), start);
                    if it.is_null() {
                        expect_error(toonstore_last_error_code());
                    } else {
                        s.iters.push(it);
                    }
                }
                Call::SnapshotScanRange { snap, range } => {
                    let sp = handle(&s.snaps, other_any, snap);
                    let it = scan_range_call(&range, |start, stop, flags, out| {
                        toonstore_snapshot_scan_range(sp, start, stop, flags, out)
                    });
                    s.iters.extend(it);
                }
                Call::SnapshotFree(h) => {
                    let p = handle(&s.snaps, other_any, h);
                    toonstore_snapshot_free(p);
                    // Borrows from snapshots end with them; forget all.
                    s.borrowed.clear();
                }
                Call::BatchNew => s.batches.push(toonstore_batch_new()),
                Call::BatchPut { b, data, null_data } => {
                    let ptr = if null_data { null() } else { data.as_ptr() };
                    expect_error(toonstore_batch_put(
                        handle(&s.batches, other_any, b),
                        ptr,
                        data.len(),
                    ));
                }
                Call::BatchDelete { b, id } => {
                    expect_error(toonstore_batch_delete(handle(&s.batches, other_any, b), id))
                }
                Call::BatchCount(b) => {
                    let _ = toonstore_batch_count(handle(&s.batches, other_any, b));
                }
                Call::BatchClear(b) => toonstore_batch_clear(handle(&s.batches, other_any, b)),
                Call::BatchCommit { db, b, null_out } => {
                    let mut first = -7i64;
                    let rc = toonstore_batch_commit(
                        handle(&s.dbs, other_db, db),
                        handle(&s.batches, other_any, b),
                        if null_out { null_mut() } else { &mut first },
                    );
                    expect_error(rc);
                }
                Call::BatchFree(b) => toonstore_batch_free(handle(&s.batches, other_any, b)),
                Call::LastError => {
                    let p = toonstore_last_error();
                    if !p.is_null() {
                        let _ = CStr::from_ptr(p).to_bytes().len();
                    }
                }
                Call::Strerror(code) => {
                    let p = toonstore_strerror(code);
                    assert!(!p.is_null());
                    let _ = CStr::from_ptr(p).to_bytes().len();
                }
                Call::Check {
                    path,
                    version,
                    null_out,
                } => {
                    let path = paths.get(path);
                    let mut report: ToonStoreCheckReport = std::mem::zeroed();
                    report.version = version % 3;
                    let rc = toonstore_check(
                        path.as_ref().map_or(null(), |c| c.as_ptr()),
                        if null_out { null_mut() } else { &mut report },
                    );
                    expect_error(rc);
                    if rc == 0 || rc == -4 {
                        let text = report.first_problem.as_ptr() as *const c_char;
                        let _ = CStr::from_ptr(text).to_bytes().len();
                    }
                }
                Call::Api(v) => {
                    let p = toonstore_api(v % 4);
                    if p.is_null() {
                        expect_error(toonstore_last_error_code());
                    }
                }
                Call::OptionsInit { version, null } => {
                    let mut o: ToonStoreOpenOptions = std::mem::zeroed();
                    let rc = toonstore_open_options_init(
                        if null { null_mut() } else { &mut o },
                        version % 3,
                    );
                    expect_error(rc);
                }
                Call::Version => {
                    let _ = CStr::from_ptr(toonstore_version()).to_bytes().len();
                    let _ = toonstore_version_number();
                }
            }
            // Rows borrowed from live snapshots must still be readable.
            for &(p, len) in &s.borrowed {
                touch(p, len);
            }
        }
        // Release everything (double releases included: they are detected).
        for it in s.iters.drain(..) {
            toonstore_iter_free(it);
        }
        for sp in s.snaps.drain(..) {
            toonstore_snapshot_free(sp);
        }
        for b in s.batches.drain(..) {
            toonstore_batch_free(b);
        }
        for db in s.dbs.drain(..) {
            toonstore_close(db);
        }
    }
});
