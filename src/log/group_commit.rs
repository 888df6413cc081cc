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

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Condvar, Mutex};

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

#[cfg(test)]
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
