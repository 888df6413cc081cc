//! Running out of file descriptors (issue 21, "faults outside the engine"):
//! an open or a segment roll that cannot get a descriptor fails with a clear
//! `Io` error ("Too many open files"), acknowledged rows stay readable, and
//! once descriptors are available again the same handle writes on.
//!
//! One test function: the descriptor limit is process-wide.

use toonstore::{ErrorKind, Options, ToonStore};

/// The lowest free descriptor number: every number below it is in use, so
/// a limit equal to it leaves no descriptor to allocate.
fn lowest_free_fd() -> u64 {
    // SAFETY: duplicates and closes a descriptor of our own.
    unsafe {
        let fd = libc::dup(2);
        assert!(fd >= 0);
        libc::close(fd);
        fd as u64
    }
}

fn set_nofile(soft: u64) -> libc::rlimit {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: reads and sets this process's descriptor limit.
    unsafe {
        assert_eq!(libc::getrlimit(libc::RLIMIT_NOFILE, &mut old), 0);
        let new = libc::rlimit {
            rlim_cur: soft,
            rlim_max: old.rlim_max,
        };
        assert_eq!(libc::setrlimit(libc::RLIMIT_NOFILE, &new), 0);
    }
    old
}

#[test]
fn descriptor_exhaustion_is_a_clear_error() {
    let tmp = tempfile::tempdir().unwrap();
    let opts = Options {
        segment_size: 4096,
        ..Options::default()
    };
    let a_path = tmp.path().join("a");
    let a = ToonStore::open_with(&a_path, &opts).unwrap();
    let mut acked = Vec::new();
    for i in 0..20 {
        let v = format!("row {i} ").repeat(30).into_bytes();
        acked.push((a.put(&v).unwrap(), v));
    }
    // No descriptor left (the limit is the number in use).
    let old = set_nofile(lowest_free_fd());
    let e = ToonStore::open_with(tmp.path().join("b"), &opts).unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.message().contains("Too many open files"), "{e}");
    // Puts on the open handle until a roll needs a new segment file.
    let mut refused = None;
    for i in 0..100 {
        let v = format!("more {i} ").repeat(30).into_bytes();
        match a.put(&v) {
            Ok(id) => acked.push((id, v)),
            Err(e) => {
                refused = Some(e);
                break;
            }
        }
    }
    let e = refused.expect("a roll without descriptors did not fail");
    assert_eq!(e.kind(), ErrorKind::Io, "{e}");
    assert!(e.message().contains("Too many open files"), "{e}");
    for (id, v) in &acked {
        assert_eq!(a.get(*id).unwrap().as_ref(), Some(v));
    }
    // Descriptors again: the same handle writes on.
    set_nofile(old.rlim_cur);
    for i in 0..50 {
        let v = format!("after {i} ").repeat(30).into_bytes();
        acked.push((a.put(&v).unwrap(), v));
    }
    a.close().unwrap();
    let a = ToonStore::open_with(&a_path, &opts).unwrap();
    assert_eq!(a.live_rows().unwrap(), acked.len() as u64);
    for (id, v) in &acked {
        assert_eq!(a.get(*id).unwrap().as_ref(), Some(v));
    }
    a.close().unwrap();
    assert!(toonstore::check(&a_path).unwrap().is_ok());
}
