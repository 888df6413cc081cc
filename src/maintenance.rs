//! The background thread of a writable handle: periodic flushes for
//! `Normal` durability and index checkpoints requested by the write path
//! (so that no writer waits while a checkpoint is written).

use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, RecvTimeoutError, Sender};

use crate::engine::{Engine, Request};

/// The running thread; stopped and joined by [`Maintenance::stop`].
pub struct Maintenance {
    tx: Sender<Request>,
    thread: Option<JoinHandle<()>>,
}

impl Maintenance {
    /// The channel the thread will listen on.
    pub fn channel() -> (Sender<Request>, Receiver<Request>) {
        crossbeam_channel::unbounded()
    }

    /// Starts the thread for `engine`. The thread holds a weak reference
    /// only, so that the handle's close (or a forked child's, where this
    /// thread does not exist) releases the engine.
    pub fn start(
        engine: Arc<Engine>,
        tx: Sender<Request>,
        rx: Receiver<Request>,
    ) -> std::io::Result<Maintenance> {
        // Without background flushes (Off, Full) the thread only serves
        // checkpoint requests.
        let flush_every = engine
            .options
            .durability
            .background_flush_interval(engine.options.sync_interval);
        let interval = flush_every.unwrap_or(Duration::from_secs(3600));
        let weak = Arc::downgrade(&engine);
        drop(engine);
        let thread = std::thread::Builder::new()
            .name("toonstore-maintenance".into())
            .spawn(move || loop {
                let request = rx.recv_timeout(interval);
                let Some(engine) = weak.upgrade() else {
                    break;
                };
                match request {
                    Ok(Request::Checkpoint) => {
                        // A failure leaves the old checkpoint in place; the
                        // next request retries. Flush failures poison the
                        // handle, which every later write reports.
                        let _ = engine.checkpoint();
                    }
                    Ok(Request::Stop) | Err(RecvTimeoutError::Disconnected) => break,
                    Err(RecvTimeoutError::Timeout) => {
                        if flush_every.is_some() {
                            let _ = engine.sync();
                        }
                    }
                }
            })?;
        Ok(Maintenance {
            tx,
            thread: Some(thread),
        })
    }

    /// In a forked child: forgets the thread, which is the parent's and does
    /// not exist here (joining it would wait forever).
    pub fn abandon(mut self) {
        if let Some(thread) = self.thread.take() {
            std::mem::forget(thread);
        }
    }

    /// Stops the thread and waits for it.
    pub fn stop(&mut self) {
        let _ = self.tx.send(Request::Stop);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl Drop for Maintenance {
    fn drop(&mut self) {
        self.stop();
    }
}
