//! `NativeDatabase`: one handle on an engine, and its synchronous calls.
//!
//! A handle holds its engine in `RwLock<Option<Arc<ToonStore>>>`; `None`
//! means closed. The `Arc` is shared with the other handles of the same
//! directory in this process (see `registry`) and with the async tasks of
//! this handle: a task takes its own `Arc` when it is created, so a call
//! made before `close()` completes on the engine even when it runs after
//! the close, and the engine is closed when the last of them lets go. Every
//! call made after `close()` fails with `TOONSTORE_ERR_CLOSED` (async ones
//! with a rejected promise). The lock is only ever taken on the JavaScript
//! thread that owns the handle, for the length of one call, so it never
//! waits.

use std::path::PathBuf;
use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer, Uint8ArraySlice, Undefined};
use napi::Either;
use napi_derive::napi;
use parking_lot::RwLock;
use toonstore::{Batch, Durability, ErrorKind, ToonStore};

use crate::errors::{closed_error, make_error, row_id, EngineResult};
use crate::handles;
use crate::options::{durability_name, engine_options, OpenOptions};
use crate::registry;
use crate::scan::{scan_range_of, NativeScan, NativeSnapshot};
use crate::tasks::{DbTask, Op, OpenTask};

/// A handle's engine, or `None` once closed.
pub struct Handle {
    state: RwLock<Option<Arc<ToonStore>>>,
    /// The handle's own mode: a read-only handle may share a writable engine.
    read_only: bool,
}

impl Handle {
    pub fn new(db: Arc<ToonStore>, read_only: bool) -> Handle {
        Handle {
            state: RwLock::new(Some(db)),
            read_only,
        }
    }

    /// Runs `f` on the open engine.
    #[inline]
    pub fn with<R>(&self, f: impl FnOnce(&ToonStore) -> toonstore::Result<R>) -> napi::Result<R> {
        let guard = self.state.read();
        match guard.as_ref() {
            Some(db) => f(db).js(),
            None => Err(closed_error("database")),
        }
    }

    /// Checks that the handle may write.
    #[inline]
    pub fn check_writable(&self) -> napi::Result<()> {
        if self.read_only {
            self.with(|_| Ok(()))?;
            return Err(make_error(
                ErrorKind::ReadOnly,
                "the database is open read-only",
            ));
        }
        Ok(())
    }

    /// As `with`, for a call that writes.
    #[inline]
    pub fn with_writable<R>(
        &self,
        f: impl FnOnce(&ToonStore) -> toonstore::Result<R>,
    ) -> napi::Result<R> {
        self.check_writable()?;
        self.with(f)
    }

    /// The engine, for a task that will use it on another thread.
    pub fn engine(&self) -> napi::Result<Arc<ToonStore>> {
        self.state
            .read()
            .as_ref()
            .map(Arc::clone)
            .ok_or_else(|| closed_error("database"))
    }

    pub fn is_closed(&self) -> bool {
        self.state.read().is_none()
    }

    /// Takes the engine out: later calls fail. `None` when already closed.
    pub fn take(&self) -> Option<Arc<ToonStore>> {
        self.state.write().take()
    }
}

impl Drop for Handle {
    fn drop(&mut self) {
        // A handle garbage-collected without close(): errors cannot be
        // reported from here.
        if let Some(db) = self.state.get_mut().take() {
            let _ = registry::release(db);
        }
    }
}

/// Space and row counts (`db.stats()`).
#[napi(object)]
pub struct NativeStats {
    pub live_rows: f64,
    pub deleted_rows: f64,
    pub next_row_id: f64,
    pub live_bytes: f64,
    pub disk_bytes: f64,
    pub segment_count: f64,
    pub garbage_fraction: f64,
}

impl From<toonstore::Stats> for NativeStats {
    fn from(s: toonstore::Stats) -> NativeStats {
        NativeStats {
            live_rows: s.live_rows as f64,
            deleted_rows: s.deleted_rows as f64,
            next_row_id: s.next_row_id as f64,
            live_bytes: s.live_bytes as f64,
            disk_bytes: s.disk_bytes as f64,
            segment_count: s.segment_count as f64,
            garbage_fraction: s.garbage_fraction,
        }
    }
}

/// Builds a batch from the concatenated values of its puts (`data`, with
/// `ends[i]` the end offset of put `i`) and the ids to delete.
pub fn build_batch(data: &[u8], ends: &[u32], deletes: &[f64]) -> napi::Result<Batch> {
    let mut batch = Batch::new();
    let mut start = 0usize;
    for &end in ends {
        let end = end as usize;
        if end < start || end > data.len() {
            return Err(make_error(
                ErrorKind::InvalidArgument,
                "batch value offsets are out of order",
            ));
        }
        batch.put(&data[start..end]);
        start = end;
    }
    for &id in deletes {
        batch.delete(row_id(id)?);
    }
    Ok(batch)
}

/// The id of a batch's first put as a number (-1 when it had no puts).
pub fn first_id(ids: &[u64]) -> f64 {
    ids.first().map_or(-1.0, |&id| id as f64)
}

/// Copies `value` into `pool` at `offset`: its length, or `-(len + 2)` when
/// it does not fit (the caller retries with a larger pool).
#[inline]
pub fn copy_into(pool: &mut [u8], offset: usize, value: &[u8]) -> f64 {
    match pool.get_mut(offset..offset.saturating_add(value.len())) {
        Some(dst) => {
            dst.copy_from_slice(value);
            value.len() as f64
        }
        None => -(value.len() as f64) - 2.0,
    }
}

/// An open database (wrapped by `ToonStore` in lib/database.js).
#[napi]
pub struct NativeDatabase {
    pub(crate) handle: Arc<Handle>,
    /// The handle's number in this thread's table (see handles.rs).
    id: f64,
    path: String,
    durability: Durability,
}

impl Drop for NativeDatabase {
    fn drop(&mut self) {
        handles::unregister(self.id);
    }
}

impl NativeDatabase {
    /// A handle on `db`, registered in this thread's table. Called on the
    /// JavaScript thread that will own it.
    pub fn from_engine(
        db: Arc<ToonStore>,
        path: String,
        read_only: bool,
    ) -> napi::Result<NativeDatabase> {
        // The handle's durability is the engine's (a second open of a shared
        // engine cannot change it).
        let durability = db.options().durability;
        let handle = Arc::new(Handle::new(db, read_only));
        let id = handles::register(Arc::clone(&handle))?;
        Ok(NativeDatabase {
            handle,
            id,
            path,
            durability,
        })
    }

    /// A task on this handle's engine (fails at once when closed).
    fn task(&self, op: Op) -> napi::Result<AsyncTask<DbTask>> {
        if op.writes() {
            self.handle.check_writable()?;
        }
        Ok(AsyncTask::new(DbTask::new(self.handle.engine()?, op)))
    }
}

#[napi]
impl NativeDatabase {
    /// Opens (by default creating) the database in directory `path`.
    #[napi(factory, catch_unwind)]
    pub fn open(path: String, options: Option<OpenOptions>) -> napi::Result<NativeDatabase> {
        let options = engine_options(options)?;
        let db = registry::open_shared(&PathBuf::from(&path), &options).js()?;
        NativeDatabase::from_engine(db, path, options.read_only)
    }

    /// The number the fast calls (`dbPut`, ...) name this handle by.
    #[napi(getter)]
    pub fn id(&self) -> f64 {
        self.id
    }

    /// `open` on the thread pool.
    #[napi(catch_unwind)]
    pub fn open_async(
        path: String,
        options: Option<OpenOptions>,
    ) -> napi::Result<AsyncTask<OpenTask>> {
        let options = engine_options(options)?;
        Ok(AsyncTask::new(OpenTask::new(path, options)))
    }

    #[napi(getter)]
    pub fn path(&self) -> String {
        self.path.clone()
    }

    #[napi(getter)]
    pub fn read_only(&self) -> bool {
        self.handle.read_only
    }

    #[napi(getter)]
    pub fn durability(&self) -> &'static str {
        durability_name(self.durability)
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.handle.is_closed()
    }

    /// A copy of the row, or undefined when absent.
    #[napi(catch_unwind)]
    pub fn get(&self, id: f64) -> napi::Result<Either<Buffer, Undefined>> {
        let id = row_id(id)?;
        let value = self.handle.with(|db| db.get(id))?;
        Ok(match value {
            Some(v) => Either::A(Buffer::from(v)),
            None => Either::B(()),
        })
    }

    /// Flushes every acknowledged write to stable storage.
    #[napi(catch_unwind)]
    pub fn sync(&self) -> napi::Result<()> {
        self.handle.with_writable(|db| db.sync())
    }

    /// Rewrites segments that hold deleted rows.
    #[napi(catch_unwind)]
    pub fn compact(&self) -> napi::Result<()> {
        self.handle.with_writable(|db| db.compact())
    }

    /// Writes a consistent copy of the database as of one moment to the
    /// directory `dest` (which must not exist, or be empty) while writes go
    /// on; allowed on a read-only handle (it copies that handle's state).
    #[napi(catch_unwind)]
    pub fn backup(&self, dest: String) -> napi::Result<()> {
        self.handle.with(|db| db.backup(&dest))
    }

    /// Moves a read-only handle to the writer's latest acknowledged state
    /// (nothing to do on a handle of a writable engine, which is always
    /// current).
    #[napi(catch_unwind)]
    pub fn refresh(&self) -> napi::Result<()> {
        self.handle.with(|db| db.refresh())
    }

    #[napi(catch_unwind)]
    pub fn stats(&self) -> napi::Result<NativeStats> {
        self.handle.with(|db| db.stats()).map(NativeStats::from)
    }

    /// A snapshot of this moment.
    #[napi(catch_unwind)]
    pub fn snapshot(&self) -> napi::Result<NativeSnapshot> {
        let snapshot = self.handle.with(|db| db.snapshot())?;
        Ok(NativeSnapshot::new(snapshot, Arc::clone(&self.handle)))
    }

    /// A scan of a new snapshot's rows with `start <= id < stop` (no
    /// `stop`: no bound), from the highest id down when `reverse`.
    #[napi(catch_unwind)]
    pub fn scan(
        &self,
        start: f64,
        stop: Option<f64>,
        reverse: Option<bool>,
    ) -> napi::Result<NativeScan> {
        let range = scan_range_of(start, stop)?;
        let snapshot = self.handle.with(|db| db.snapshot())?;
        let scan = snapshot.scan_range(range, reverse.unwrap_or(false)).js()?;
        Ok(NativeScan::new(scan, Arc::clone(&self.handle)))
    }

    /// Closes the handle (the engine when it was the last handle on it).
    /// A second close does nothing.
    #[napi(catch_unwind)]
    pub fn close(&self) -> napi::Result<()> {
        match self.handle.take() {
            Some(db) => registry::release(db).js(),
            None => Ok(()),
        }
    }

    // ----------------------------------------------------------- async
    // Each returns a promise (napi AsyncTask: the work runs on the libuv
    // thread pool). A call on a closed handle throws here; lib/database.js
    // turns that into a rejected promise.

    #[napi(ts_return_type = "Promise<number>", catch_unwind)]
    pub fn put_async(&self, data: &[u8]) -> napi::Result<AsyncTask<DbTask>> {
        self.task(Op::Put(data.to_vec()))
    }

    #[napi(ts_return_type = "Promise<Buffer | null>", catch_unwind)]
    pub fn get_async(&self, id: f64) -> napi::Result<AsyncTask<DbTask>> {
        self.task(Op::Get(row_id(id)?))
    }

    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn delete_async(&self, id: f64) -> napi::Result<AsyncTask<DbTask>> {
        self.task(Op::Delete(row_id(id)?))
    }

    #[napi(ts_return_type = "Promise<number>", catch_unwind)]
    pub fn write_batch_async(
        &self,
        data: &[u8],
        ends: &[u32],
        deletes: &[f64],
    ) -> napi::Result<AsyncTask<DbTask>> {
        self.task(Op::Write(build_batch(data, ends, deletes)?))
    }

    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn sync_async(&self) -> napi::Result<AsyncTask<DbTask>> {
        self.task(Op::Sync)
    }

    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn compact_async(&self) -> napi::Result<AsyncTask<DbTask>> {
        self.task(Op::Compact)
    }

    /// `backup` on the thread pool: the copy waits on the disk.
    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn backup_async(&self, dest: String) -> napi::Result<AsyncTask<DbTask>> {
        self.task(Op::Backup(PathBuf::from(dest)))
    }

    #[napi(ts_return_type = "Promise<NativeStats>", catch_unwind)]
    pub fn stats_async(&self) -> napi::Result<AsyncTask<DbTask>> {
        self.task(Op::Stats)
    }

    /// Closes the handle now (later calls fail) and gives up the engine on
    /// the thread pool, where its final flush runs. A second close resolves
    /// at once.
    #[napi(ts_return_type = "Promise<void>", catch_unwind)]
    pub fn close_async(&self) -> AsyncTask<DbTask> {
        AsyncTask::new(DbTask::close(self.handle.take()))
    }
}

// ------------------------------------------------------------- fast calls
// The calls made once per row, as free functions naming their handle by
// its id (see handles.rs for why). lib/database.js checks the argument
// types before calling.

/// Appends a row (the bytes of a Uint8Array) and returns its id.
#[napi(catch_unwind)]
pub fn db_put(db: f64, data: &[u8]) -> napi::Result<f64> {
    handles::lookup(db)?
        .with_writable(|db| db.put(data))
        .map(|id| id as f64)
}

/// Appends a row holding the UTF-8 bytes of `data`.
#[napi(catch_unwind)]
pub fn db_put_string(db: f64, data: String) -> napi::Result<f64> {
    handles::lookup(db)?
        .with_writable(|db| db.put(data.as_bytes()))
        .map(|id| id as f64)
}

/// Copies row `id` into `pool` at `offset`. Returns its length, -1 when
/// the row is absent, or `-(len + 2)` when it does not fit (nothing is
/// written then). The fast path of `db.get` (lib/database.js): JavaScript
/// hands out a view of `pool` from `offset` and never writes that region
/// again, as Node's own `Buffer.allocUnsafe` pool does.
#[napi(catch_unwind)]
pub fn db_get_into(db: f64, id: f64, mut pool: Uint8ArraySlice, offset: u32) -> napi::Result<f64> {
    let handle = handles::lookup(db)?;
    let id = row_id(id)?;
    let offset = offset as usize;
    // SAFETY: the typed array's memory is alive for this synchronous call,
    // and nothing else reads or writes it meanwhile (JavaScript is waiting
    // for this call on the only thread that runs it).
    let pool = unsafe { pool.as_mut() };
    let copied = handle.with(|db| db.get_with(id, |v| copy_into(pool, offset, v)))?;
    Ok(copied.unwrap_or(-1.0))
}

/// Whether row `id` is live.
#[napi(catch_unwind)]
pub fn db_has(db: f64, id: f64) -> napi::Result<bool> {
    let handle = handles::lookup(db)?;
    let id = row_id(id)?;
    handle.with(|db| db.contains(id))
}

/// Deletes a live row (`TOONSTORE_ERR_NOT_FOUND` when it is not).
#[napi(catch_unwind)]
pub fn db_delete(db: f64, id: f64) -> napi::Result<()> {
    let handle = handles::lookup(db)?;
    let id = row_id(id)?;
    handle.with_writable(|db| db.delete(id))
}

/// Commits puts and deletes atomically; returns the first put's id (the
/// others follow it), or -1 when there were no puts.
#[napi(catch_unwind)]
pub fn db_write_batch(db: f64, data: &[u8], ends: &[u32], deletes: &[f64]) -> napi::Result<f64> {
    let handle = handles::lookup(db)?;
    let batch = build_batch(data, ends, deletes)?;
    let ids = handle.with_writable(|db| db.write(&batch))?;
    Ok(first_id(&ids))
}

/// The number of live rows (no file system access).
#[napi(catch_unwind)]
pub fn db_count(db: f64) -> napi::Result<f64> {
    handles::lookup(db)?
        .with(|db| db.live_rows())
        .map(|n| n as f64)
}
