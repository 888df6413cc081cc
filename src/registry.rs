//! The engines open in this process, by canonical directory: what lets a
//! second open of a directory share the first one's engine
//! (`ToonStore::open_shared`) instead of failing on the directory lock.
//!
//! The registry holds weak references only: an engine lives as long as a
//! handle does, and closes with the last one. Whoever opens or closes a
//! registered engine holds the registry lock throughout, so that an open of
//! a directory whose last handle is closing waits for the lock file to be
//! released instead of failing with `Locked`.
//!
//! `fork()`: the child gets a copy of the registry, with entries for the
//! parent's engines, whose threads and locks it does not have. Entries
//! remember the process that made them and are invisible to any other, so a
//! child opens its own engine. The registry mutex is held across `fork()`
//! (`pthread_atfork` handlers), so the child never inherits it locked by a
//! thread that does not exist there: the forking thread takes it before the
//! fork and releases it after, in the parent and in the child. (std's mutex
//! releases with a plain atomic store and at most a futex wake: nothing in
//! the child can block on state another thread left behind.)

use std::any::Any;
#[cfg(unix)]
use std::cell::RefCell;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, Once, PoisonError, Weak};

struct Entry {
    dir: PathBuf,
    pid: u32,
    engine: Weak<dyn Any + Send + Sync>,
}

static OPEN: Mutex<Vec<Entry>> = Mutex::new(Vec::new());
static AT_FORK: Once = Once::new();

/// The locked registry.
pub(crate) struct Registry(MutexGuard<'static, Vec<Entry>>);

#[cfg(unix)]
thread_local! {
    /// The registry guard the forking thread holds across `fork()`.
    static HELD_ACROSS_FORK: RefCell<Option<MutexGuard<'static, Vec<Entry>>>> =
        const { RefCell::new(None) };
}

fn lock_open() -> MutexGuard<'static, Vec<Entry>> {
    // A panic while the registry was locked leaves a consistent Vec (every
    // change is one push or retain): keep using it.
    OPEN.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Locks the registry (installing the fork handlers on first use).
pub(crate) fn lock() -> Registry {
    AT_FORK.call_once(|| {
        // The lock-descriptor handlers (storage::fork) are registered first:
        // prepare handlers run in reverse order of registration, so a fork
        // takes `OPEN` before the lock-descriptor list, the order an open
        // takes them in (it registers its directory lock while holding the
        // registry). Registered the other way round, a fork racing an open
        // in another thread deadlocked (seen in tests/shared_engine.rs).
        #[cfg(unix)]
        crate::storage::fork::install();
        // SAFETY: registers `extern "C"` functions that only lock or unlock
        // `OPEN` on the forking thread; pthread_atfork has no other
        // precondition. A failure (ENOMEM) leaves the registry working
        // without the fork guard, as it is on platforms without fork.
        #[cfg(unix)]
        unsafe {
            libc::pthread_atfork(Some(before_fork), Some(after_fork), Some(after_fork))
        };
    });
    Registry(lock_open())
}

impl Registry {
    /// The live engine of type `T` registered for `dir` by this process.
    pub fn find<T: Any + Send + Sync>(&mut self, dir: &Path) -> Option<Arc<T>> {
        let pid = std::process::id();
        self.0.retain(|e| e.engine.strong_count() > 0);
        self.0
            .iter()
            .filter(|e| e.pid == pid && e.dir == dir)
            .find_map(|e| e.engine.upgrade())
            .and_then(|any| any.downcast::<T>().ok())
    }

    /// Registers `engine` for `dir`, replacing entries of other processes.
    pub fn insert<T: Any + Send + Sync>(&mut self, dir: PathBuf, engine: &Arc<T>) {
        let pid = std::process::id();
        self.0
            .retain(|e| e.pid == pid && e.engine.strong_count() > 0);
        let engine: Arc<dyn Any + Send + Sync> = engine.clone();
        self.0.push(Entry {
            dir,
            pid,
            engine: Arc::downgrade(&engine),
        });
    }
}

#[cfg(unix)]
extern "C" fn before_fork() {
    // Held until `after_fork`, in the parent and in the child (where this
    // thread is the only one).
    let guard = lock_open();
    HELD_ACROSS_FORK.with(|held| *held.borrow_mut() = Some(guard));
}

#[cfg(unix)]
extern "C" fn after_fork() {
    HELD_ACROSS_FORK.with(|held| drop(held.borrow_mut().take()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_live_engines_of_this_process_only() {
        let a = Arc::new(7u32);
        let mut reg = lock();
        reg.insert(PathBuf::from("/registry-test/a"), &a);
        assert_eq!(
            reg.find::<u32>(Path::new("/registry-test/a")).as_deref(),
            Some(&7)
        );
        assert!(reg.find::<u32>(Path::new("/registry-test/b")).is_none());
        assert!(
            reg.find::<u64>(Path::new("/registry-test/a")).is_none(),
            "other type"
        );
        reg.0.push(Entry {
            dir: PathBuf::from("/registry-test/c"),
            pid: std::process::id().wrapping_add(1),
            engine: Arc::downgrade(&(a.clone() as Arc<dyn Any + Send + Sync>)),
        });
        assert!(
            reg.find::<u32>(Path::new("/registry-test/c")).is_none(),
            "another process's"
        );
        drop(a);
        assert!(
            reg.find::<u32>(Path::new("/registry-test/a")).is_none(),
            "closed"
        );
    }
}
