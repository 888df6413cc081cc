//! `fork()` with open databases.
//!
//! A child process gets a copy of every handle the parent had open: the same
//! shared mappings, the same open file descriptions (and so the same
//! directory locks), but none of the parent's threads. Using such a copy
//! would corrupt the database (the child hands out the parent's next row
//! ids, writes into the parent's active segment, seals and trims it), and a
//! child that merely exists would keep the database locked until it exits.
//!
//! So, once the first database is opened, a `pthread_atfork` child handler
//! ([`install`]) runs in every child forked afterwards, before `fork()`
//! returns there:
//!
//! 1. it advances the process's *fork generation*; every handle remembers
//!    the generation it was opened in, and every entry point refuses a
//!    handle of another generation with `ErrorKind::Forked`
//!    (`TOONSTORE_ERR_FORKED`);
//! 2. it closes the child's copy of each directory lock's descriptor
//!    ([`register_lock_fd`]), so the child holds no lock at all: the parent
//!    can close and reopen, and other processes can open, while the child
//!    lives on (a `multiprocessing` fork-pool worker, say). The parent's
//!    descriptor still refers to the lock, so the parent keeps it. See
//!    `lock.rs` for why this is the chosen way.
//!
//! `fork()` and `os.fork()` run the handlers; a raw `clone` system call
//! does not (nor do `vfork` and `posix_spawn`, whose children only exec,
//! which closes the descriptors anyway: they are opened close-on-exec).

use std::cell::UnsafeCell;
use std::os::unix::io::RawFd;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Once;

use crate::error::{Error, ErrorKind};

/// Advanced in the child by every `fork()` after [`install`].
static GENERATION: AtomicU64 = AtomicU64::new(0);
static INSTALL: Once = Once::new();

/// The descriptors of the directory locks this process holds.
///
/// Guarded by a spin lock rather than a `Mutex`: the prepare handler takes
/// it before the fork and the parent and child handlers release it after,
/// so the child never inherits it held by a thread that does not exist
/// there, and the child handler needs no allocation or blocking call.
struct LockFds {
    busy: AtomicBool,
    fds: UnsafeCell<Vec<RawFd>>,
}

// SAFETY: `fds` is only touched by the holder of `busy` (see `with`).
unsafe impl Sync for LockFds {}

static LOCK_FDS: LockFds = LockFds {
    busy: AtomicBool::new(false),
    fds: UnsafeCell::new(Vec::new()),
};

impl LockFds {
    fn acquire(&self) {
        while self
            .busy
            .compare_exchange_weak(false, true, Ordering::Acquire, Ordering::Relaxed)
            .is_err()
        {
            std::thread::yield_now();
        }
    }

    fn release(&self) {
        self.busy.store(false, Ordering::Release);
    }

    fn with<R>(&self, f: impl FnOnce(&mut Vec<RawFd>) -> R) -> R {
        self.acquire();
        // SAFETY: we hold `busy`, the only way to reach `fds`.
        let result = f(unsafe { &mut *self.fds.get() });
        self.release();
        result
    }
}

extern "C" fn before_fork() {
    LOCK_FDS.acquire();
}

extern "C" fn after_fork_in_parent() {
    LOCK_FDS.release();
}

extern "C" fn after_fork_in_child() {
    GENERATION.fetch_add(1, Ordering::Relaxed);
    // SAFETY: `before_fork` took `busy` in the thread that forked, which is
    // the thread running this handler; only `close` is called (async-signal
    // safe), no allocation.
    let fds = unsafe { &mut *LOCK_FDS.fds.get() };
    for &fd in fds.iter() {
        // SAFETY: `fd` is the child's copy of a lock descriptor; its owner
        // (a `DirLock` of the previous generation) neither closes nor
        // unregisters it again (`DirLock::drop`).
        unsafe { libc::close(fd) };
    }
    // The child holds no lock yet. (Clearing a Vec of integers frees nothing.)
    fds.clear();
    LOCK_FDS.release();
}

/// Installs the fork handlers (once per process; called by every open).
pub fn install() {
    INSTALL.call_once(|| {
        // SAFETY: registers three `extern "C"` functions that live for the
        // whole program. A failure (ENOMEM) leaves fork undetected, as
        // before; nothing unsafe follows from it.
        unsafe {
            libc::pthread_atfork(
                Some(before_fork),
                Some(after_fork_in_parent),
                Some(after_fork_in_child),
            );
        }
    });
}

/// The process's fork generation: 0 in the process that installed the
/// handlers, one more in each generation of children.
#[inline]
pub fn generation() -> u64 {
    GENERATION.load(Ordering::Relaxed)
}

/// The error every entry point returns for a handle opened before a fork.
pub fn forked_error() -> Error {
    Error::new(
        ErrorKind::Forked,
        "this handle was opened by the parent process before fork(); a child process must \
         open the database itself (the parent's handle is left alone)",
    )
}

/// Fails with [`forked_error`] unless `opened_in` is this process's generation.
///
/// # Errors
/// `Forked`.
#[inline]
pub fn check(opened_in: u64) -> crate::error::Result<()> {
    if opened_in == generation() {
        Ok(())
    } else {
        Err(forked_error())
    }
}

/// Registers a lock file's descriptor to be closed in forked children.
pub fn register_lock_file(file: &std::fs::File) {
    use std::os::unix::io::AsRawFd;
    install();
    LOCK_FDS.with(|fds| fds.push(file.as_raw_fd()));
}

/// Forgets a lock descriptor and closes it (releasing its lock), as one
/// step with respect to `fork()`: a child forked meanwhile never closes a
/// descriptor number that was already reused.
pub fn close_lock_file(file: std::fs::File) {
    use std::os::unix::io::AsRawFd;
    LOCK_FDS.with(|fds| {
        let fd = file.as_raw_fd();
        fds.retain(|&f| f != fd);
        drop(file);
    });
}

/// Leaves a lock file inherited through `fork()` unclosed: the child
/// handler already closed its descriptor number, which may name another
/// file of the child's by now.
pub fn forget_inherited(file: std::fs::File) {
    use std::os::unix::io::IntoRawFd;
    let _ = file.into_raw_fd();
}
