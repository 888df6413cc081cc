//! Group commit: one flush serves every writer waiting for durability.
//!
//! A `Full` writer appends its record under the writer lock, notes the log
//! sequence number (LSN: bytes appended since open) that ends it, releases the
//! lock and calls [`GroupCommit::wait_durable`]. The first waiter becomes the
//! leader: it flushes everything appended so far (other writers keep
//! appending meanwhile), then wakes everyone whose LSN the flush covered. The
//! rest wait on the condition variable; whoever is still not covered when the
//! leader finishes leads the next flush. With N concurrent writers this costs
//! about one fsync per round instead of one per write.
//!
//! Why a mutex and a condition variable rather than crossbeam-channel here:
//! waiters need "wake everyone whose LSN is covered", a broadcast with a
//! shared watermark, which a condvar expresses directly; a channel would add a
//! queue and a dedicated flusher thread for no gain. (The channel is used by
//! the maintenance thread, see `maintenance.rs`.)

#[cfg(loom)]
use loom::sync::{
    atomic::{AtomicBool, Ordering},
    Condvar, Mutex,
};
#[cfg(not(loom))]
use std::sync::{
    atomic::{AtomicBool, Ordering},
    Condvar, Mutex,
};

use crate::error::{Error, ErrorKind, Result};

#[derive(Debug, Default)]
struct State {
    durable_lsn: u64,
    flushing: bool,
}

/// The durable watermark and the leader election around it.
#[derive(Debug, Default)]
pub struct GroupCommit {
    state: Mutex<State>,
    wake: Condvar,
    poisoned: AtomicBool,
}

fn lock_err() -> Error {
    Error::new(ErrorKind::Internal, "group commit lock poisoned by a panic")
}

impl GroupCommit {
    /// Records that everything up to `lsn` is on stable storage (a segment
    /// was sealed, or a flush outside the group completed).
    pub fn mark_durable(&self, lsn: u64) {
        if let Ok(mut st) = self.state.lock() {
            st.durable_lsn = st.durable_lsn.max(lsn);
        }
        self.wake.notify_all();
    }

    /// Whether a flush has failed: the handle then refuses writes.
    pub fn is_poisoned(&self) -> bool {
        self.poisoned.load(Ordering::Acquire)
    }

    /// Marks the handle poisoned (a flush failed, so the page cache may
    /// have dropped data the disk never got) and wakes every waiter.
    pub fn poison(&self) {
        self.poisoned.store(true, Ordering::Release);
        self.wake.notify_all();
    }

    /// The error a poisoned handle returns.
    pub fn poisoned_error() -> Error {
        Error::new(
            ErrorKind::Poisoned,
            "an earlier flush to disk failed; writes are refused until the database is reopened",
        )
    }

    /// Returns once everything up to `target` is durable. `flush` performs
    /// one flush of everything appended so far and returns the LSN it covered;
    /// it runs in at most one thread at a time.
    ///
    /// # Errors
    /// The flush's error (and the handle is poisoned), or `Poisoned`.
    pub fn wait_durable(&self, target: u64, flush: impl Fn() -> Result<u64>) -> Result<()> {
        let mut st = self.state.lock().map_err(|_| lock_err())?;
        loop {
            if st.durable_lsn >= target {
                return Ok(());
            }
            if self.is_poisoned() {
                return Err(Self::poisoned_error());
            }
            if st.flushing {
                st = self.wake.wait(st).map_err(|_| lock_err())?;
                continue;
            }
            st.flushing = true;
            drop(st);
            let outcome = flush();
            st = self.state.lock().map_err(|_| lock_err())?;
            st.flushing = false;
            match outcome {
                Ok(lsn) => {
                    st.durable_lsn = st.durable_lsn.max(lsn);
                    self.wake.notify_all();
                }
                Err(e) => {
                    self.poison();
                    return Err(e);
                }
            }
        }
    }
}

#[cfg(all(test, not(loom)))]
mod tests {
    use super::*;
    use std::sync::atomic::AtomicU64;
    use std::sync::Arc;

    #[test]
    fn concurrent_waiters_share_flushes() {
        let gc = Arc::new(GroupCommit::default());
        let appended = Arc::new(AtomicU64::new(0));
        let flushes = Arc::new(AtomicU64::new(0));
        let threads: Vec<_> = (0..8)
            .map(|_| {
                let (gc, appended, flushes) = (gc.clone(), appended.clone(), flushes.clone());
                std::thread::spawn(move || {
                    for _ in 0..200 {
                        let lsn = appended.fetch_add(1, Ordering::SeqCst) + 1;
                        gc.wait_durable(lsn, || {
                            flushes.fetch_add(1, Ordering::SeqCst);
                            let covered = appended.load(Ordering::SeqCst);
                            std::thread::sleep(std::time::Duration::from_micros(200));
                            Ok(covered)
                        })
                        .unwrap();
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        let n = flushes.load(Ordering::SeqCst);
        assert!(n < 1600, "every waiter flushed on its own ({n} flushes)");
    }

    #[test]
    fn failed_flush_poisons() {
        let gc = GroupCommit::default();
        let err = gc
            .wait_durable(1, || Err(Error::new(ErrorKind::Io, "EIO")))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Io);
        assert!(gc.is_poisoned());
        let err = gc.wait_durable(1, || Ok(1)).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::Poisoned);
    }
}

/// Model checks of the leader election and the wake-ups under every
/// interleaving loom can reach: `RUSTFLAGS="--cfg loom" cargo test --lib
/// --release loom_` (see scripts/reliability.sh). A lost wake-up shows as a
/// deadlock, a flush that did not cover a waiter as a failed assertion.
#[cfg(all(test, loom))]
mod loom_tests {
    use super::*;
    use loom::sync::atomic::AtomicU64;
    use loom::sync::Arc;
    use loom::thread;

    /// The log: appends advance `appended`; a flush covers what was
    /// appended when it started and may fail once if `fail_first`.
    struct Log {
        appended: AtomicU64,
        flushed: AtomicU64,
        in_flush: AtomicBool,
        failures_left: AtomicU64,
    }

    impl Log {
        fn new(failures: u64) -> Arc<Log> {
            Arc::new(Log {
                appended: AtomicU64::new(0),
                flushed: AtomicU64::new(0),
                in_flush: AtomicBool::new(false),
                failures_left: AtomicU64::new(failures),
            })
        }

        fn flush(&self) -> Result<u64> {
            assert!(
                !self.in_flush.swap(true, Ordering::SeqCst),
                "two flushes at once"
            );
            let covered = self.appended.load(Ordering::SeqCst);
            let failed = self
                .failures_left
                .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| n.checked_sub(1))
                .is_ok();
            if !failed {
                self.flushed.fetch_max(covered, Ordering::SeqCst);
            }
            self.in_flush.store(false, Ordering::SeqCst);
            if failed {
                Err(Error::new(ErrorKind::Io, "EIO"))
            } else {
                Ok(covered)
            }
        }

        /// One commit: append, then wait for durability.
        fn commit(&self, gc: &GroupCommit) -> Result<u64> {
            let lsn = self.appended.fetch_add(1, Ordering::SeqCst) + 1;
            gc.wait_durable(lsn, || self.flush())?;
            Ok(lsn)
        }
    }

    fn model(f: impl Fn() + Sync + Send + 'static) {
        let mut builder = loom::model::Builder::new();
        builder.preemption_bound = Some(3);
        builder.check(f);
    }

    #[test]
    fn loom_every_acknowledged_commit_is_flushed() {
        model(|| {
            let gc = Arc::new(GroupCommit::default());
            let log = Log::new(0);
            let threads: Vec<_> = (0..2)
                .map(|_| {
                    let (gc, log) = (gc.clone(), log.clone());
                    thread::spawn(move || {
                        let lsn = log.commit(&gc).unwrap();
                        assert!(log.flushed.load(Ordering::SeqCst) >= lsn);
                    })
                })
                .collect();
            let lsn = log.commit(&gc).unwrap();
            assert!(log.flushed.load(Ordering::SeqCst) >= lsn);
            for t in threads {
                t.join().unwrap();
            }
        });
    }

    #[test]
    fn loom_a_failed_flush_fails_every_uncovered_waiter() {
        model(|| {
            let gc = Arc::new(GroupCommit::default());
            let log = Log::new(1);
            let t = {
                let (gc, log) = (gc.clone(), log.clone());
                thread::spawn(move || {
                    log.commit(&gc)
                        .map(|lsn| (lsn, log.flushed.load(Ordering::SeqCst)))
                })
            };
            let mine = log
                .commit(&gc)
                .map(|lsn| (lsn, log.flushed.load(Ordering::SeqCst)));
            let theirs = t.join().unwrap();
            let mut failures = 0;
            for r in [mine, theirs] {
                match r {
                    // Acknowledged: really flushed, and before the failure.
                    Ok((lsn, flushed)) => assert!(flushed >= lsn),
                    Err(e) => {
                        assert!(matches!(e.kind(), ErrorKind::Io | ErrorKind::Poisoned));
                        failures += 1;
                    }
                }
            }
            assert!(failures >= 1, "the injected failure was swallowed");
            assert!(gc.is_poisoned());
        });
    }

    #[test]
    fn loom_mark_durable_and_poison_wake_waiters() {
        model(|| {
            let gc = Arc::new(GroupCommit::default());
            let log = Log::new(0);
            let waiter = {
                let (gc, log) = (gc.clone(), log.clone());
                thread::spawn(move || log.commit(&gc))
            };
            // Another path (a segment roll) makes everything durable, or a
            // failed seal poisons the handle: either way the waiter returns.
            let lsn = log.appended.load(Ordering::SeqCst);
            log.flushed.fetch_max(lsn, Ordering::SeqCst);
            gc.mark_durable(lsn);
            gc.poison();
            match waiter.join().unwrap() {
                Ok(lsn) => assert!(log.flushed.load(Ordering::SeqCst) >= lsn),
                Err(e) => assert_eq!(e.kind(), ErrorKind::Poisoned),
            }
        });
    }
}
