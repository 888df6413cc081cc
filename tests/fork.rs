//! `fork()` with an open database (issue 21): the child can use none of the
//! handles it inherited (`Forked`), closing them touches no file and does not
//! panic, and a child that does nothing keeps no lock on the database.
//!
//! One test function, so that no other test thread is inside the engine
//! while this one forks.

use std::time::Duration;

use toonstore::{Batch, ErrorKind, Options, ToonStore};

fn options() -> Options {
    Options {
        segment_size: 8192,
        ..Options::default()
    }
}

/// Forks; the child runs `child` and exits with its code (never returns).
fn fork_child(child: impl FnOnce() -> i32) -> libc::pid_t {
    // SAFETY: fork() from a test; the child only runs `child` and _exits.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code = std::panic::catch_unwind(std::panic::AssertUnwindSafe(child)).unwrap_or(99);
        // SAFETY: ends the child without running the parent's atexit work.
        unsafe { libc::_exit(code) };
    }
    pid
}

fn wait(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: waits for our own child.
    let rc = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(rc, pid);
    assert!(libc::WIFEXITED(status), "child died: status {status:#x}");
    libc::WEXITSTATUS(status)
}

#[test]
fn forked_children_cannot_use_inherited_handles_and_hold_no_lock() {
    let tmp = tempfile::tempdir().unwrap();
    let path = tmp.path().join("db");
    let db = ToonStore::open_with(&path, &options()).unwrap();
    let ids: Vec<u64> = (0..100)
        .map(|i| db.put(format!("parent {i}").as_bytes()).unwrap())
        .collect();
    let snap = db.snapshot().unwrap();
    let mut scan = db.scan().unwrap();
    assert_eq!(scan.next().unwrap().unwrap().0, ids[0]);

    // 1. A child that tries everything on the inherited handles.
    let child_db = &db;
    let child_path = path.clone();
    let pid = fork_child(|| {
        let forked = |e: toonstore::Error| e.kind() == ErrorKind::Forked;
        let checks = [
            child_db.put(b"child").err().is_some_and(forked),
            child_db.get(ids[0]).err().is_some_and(forked),
            child_db.contains(ids[0]).err().is_some_and(forked),
            child_db.delete(ids[1]).err().is_some_and(forked),
            child_db.write(&Batch::new()).err().is_some_and(forked),
            child_db.snapshot().err().is_some_and(forked),
            child_db.sync().err().is_some_and(forked),
            child_db.compact().err().is_some_and(forked),
            child_db.stats().err().is_some_and(forked),
            child_db.live_rows().err().is_some_and(forked),
            snap.get(ids[0]).err().is_some_and(forked),
            scan.next().is_some_and(|r| r.err().is_some_and(forked)),
            // The parent still holds the lock: the child cannot open it.
            ToonStore::open_with(&child_path, &options())
                .err()
                .is_some_and(|e| e.kind() == ErrorKind::Locked),
        ];
        if let Some(bad) = checks.iter().position(|ok| !ok) {
            return 10 + bad as i32;
        }
        0
    });
    assert_eq!(wait(pid), 0, "check number (code - 10) failed in the child");

    // 2. A child that closes the inherited handle: no panic, no file touched.
    let before: Vec<(String, u64)> = list(&path);
    let pid = fork_child(|| {
        // SAFETY: `db` is the child's copy; the parent keeps its own.
        let copy = unsafe { std::ptr::read(&db) };
        match copy.close() {
            Ok(()) => 0,
            Err(_) => 1,
        }
    });
    assert_eq!(wait(pid), 0, "close in the child failed");
    assert_eq!(list(&path), before, "the child's close changed the files");

    // 3. An idle child (a fork-pool worker) keeps no lock: the parent closes
    //    and reopens while it lives, and so can another process.
    let mut pipe = [0; 2];
    // SAFETY: a pipe for the child to wait on.
    assert_eq!(unsafe { libc::pipe(pipe.as_mut_ptr()) }, 0);
    let pid = fork_child(|| {
        let mut byte = 0u8;
        // SAFETY: blocks until the parent writes or closes its end.
        unsafe {
            libc::close(pipe[1]);
            libc::read(pipe[0], (&mut byte as *mut u8).cast(), 1);
        }
        0
    });
    // SAFETY: the parent's copy of the read end.
    unsafe { libc::close(pipe[0]) };
    drop(scan);
    drop(snap);
    db.close().unwrap();
    let db = ToonStore::open_with(&path, &options())
        .expect("reopen while an idle forked child lives (the child kept the lock)");
    // The parent writes on across many segment rolls.
    let more: Vec<u64> = (0..500)
        .map(|i| {
            db.put(format!("after the forks {i}").repeat(10).as_bytes())
                .unwrap()
        })
        .collect();
    db.close().unwrap();
    // SAFETY: lets the idle child exit.
    unsafe { libc::close(pipe[1]) };
    assert_eq!(wait(pid), 0);
    std::thread::sleep(Duration::from_millis(10));

    let db = ToonStore::open_with(&path, &options()).unwrap();
    assert_eq!(db.live_rows().unwrap(), 600);
    assert_eq!(db.get(ids[99]).unwrap().as_deref(), Some(&b"parent 99"[..]));
    assert_eq!(
        db.get(*more.last().unwrap()).unwrap(),
        Some(format!("after the forks {}", 499).repeat(10).into_bytes())
    );
    db.close().unwrap();
    assert!(toonstore::check(&path).unwrap().is_ok());
}

fn list(path: &std::path::Path) -> Vec<(String, u64)> {
    let mut files: Vec<(String, u64)> = std::fs::read_dir(path)
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            (
                e.file_name().into_string().unwrap(),
                e.metadata().unwrap().len(),
            )
        })
        .collect();
    files.sort();
    files
}
