//! Scans and snapshots.
//!
//! A scan reads one snapshot (rows put or deleted after it started are not
//! seen) and hands its rows to JavaScript in chunks: one native call copies
//! up to `max_rows` rows (or about `CHUNK_BYTES`) into one new `Buffer` and
//! writes their ids and end offsets into two typed arrays that JavaScript
//! reuses; lib/scan.js then gives each row a `subarray` view of the chunk.
//! One call per chunk instead of one per row is what makes a scan fast from
//! JavaScript (a native call and a Buffer cost more than reading a row).
//!
//! Scans and snapshots of a closed database handle fail with
//! `TOONSTORE_ERR_CLOSED`, like the handle's own calls.

use std::ops::Bound;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use napi::bindgen_prelude::{
    AsyncTask, Buffer, BufferSlice, Float64Array, Float64ArraySlice, JsValue, Uint32Array,
    Uint32ArraySlice, Uint8ArraySlice, Undefined, Unknown,
};
use napi::{Either, Env, Task};
use napi_derive::napi;
use parking_lot::Mutex;
use toonstore::{RowId, Scan, Snapshot};

use crate::database::{copy_into, Handle};
use crate::errors::{closed_error, make_error, panic_boundary, row_id, EngineResult};

/// About how many bytes of values one chunk holds (a chunk ends after the
/// row that reaches it, so one large row makes a chunk of its own).
const CHUNK_BYTES: usize = 128 * 1024;

/// Native scans and snapshots alive in this process: what a test checks to
/// see that breaking out of a loop, closing, or reaching the end released
/// them (`nativeResources()`).
static LIVE_SCANS: AtomicUsize = AtomicUsize::new(0);
static LIVE_SNAPSHOTS: AtomicUsize = AtomicUsize::new(0);

/// Counts of `LIVE_SCANS` and `LIVE_SNAPSHOTS`.
#[napi(object)]
pub struct NativeResources {
    pub scans: u32,
    pub snapshots: u32,
}

/// How many native scans and snapshots are alive (a diagnostic).
#[napi(catch_unwind)]
pub fn native_resources() -> NativeResources {
    NativeResources {
        scans: LIVE_SCANS.load(Ordering::Relaxed) as u32,
        snapshots: LIVE_SNAPSHOTS.load(Ordering::Relaxed) as u32,
    }
}

/// A value counted in one of the counters above while it lives.
struct Counted<T> {
    inner: T,
    counter: &'static AtomicUsize,
}

impl<T> Counted<T> {
    fn new(inner: T, counter: &'static AtomicUsize) -> Counted<T> {
        counter.fetch_add(1, Ordering::Relaxed);
        Counted { inner, counter }
    }
}

impl<T> Drop for Counted<T> {
    fn drop(&mut self) {
        self.counter.fetch_sub(1, Ordering::Relaxed);
    }
}

/// The ids `start..stop` of a scan (`stop` None: no bound); each must be a
/// row id (a non-negative safe integer). `stop < start` is refused by the
/// engine (`TOONSTORE_ERR_INVALID_ARG`).
pub fn scan_range_of(start: f64, stop: Option<f64>) -> napi::Result<(Bound<RowId>, Bound<RowId>)> {
    let start = Bound::Included(row_id(start)?);
    let stop = match stop {
        Some(stop) => Bound::Excluded(row_id(stop)?),
        None => Bound::Unbounded,
    };
    Ok((start, stop))
}

/// A scan in progress.
struct ScanState {
    scan: Counted<Scan>,
    /// Rows of the current chunk, reused between chunks.
    buf: Vec<u8>,
    /// An error met after some rows of a chunk: reported by the next call.
    pending: Option<toonstore::Error>,
}

impl ScanState {
    /// Copies the next rows into `self.buf`, their ids into `ids` and
    /// their end offsets into `offs[2..]`; `offs[0]` gets the count and
    /// `offs[1]` is 0 (the first row's start). Returns the count (0 at the
    /// end). `offs` must be longer than `ids` by 2.
    fn fill(&mut self, ids: &mut [f64], offs: &mut [u32]) -> toonstore::Result<usize> {
        if let Some(err) = self.pending.take() {
            return Err(err);
        }
        self.buf.clear();
        let mut n = 0;
        offs[1] = 0;
        while n < ids.len() && self.buf.len() < CHUNK_BYTES {
            match self.scan.inner.next_ref() {
                None => break,
                Some(Ok((id, value))) => {
                    self.buf.extend_from_slice(value);
                    ids[n] = id as f64;
                    // Fits: CHUNK_BYTES plus one value (< 2^29 bytes).
                    offs[n + 2] = self.buf.len() as u32;
                    n += 1;
                }
                Some(Err(err)) if n == 0 => return Err(err),
                Some(Err(err)) => {
                    self.pending = Some(err);
                    break;
                }
            }
        }
        offs[0] = n as u32;
        Ok(n)
    }
}

type SharedScan = Arc<Mutex<Option<ScanState>>>;

/// Checks the arrays a chunk is written into.
fn check_arrays(ids: &[f64], offs: &[u32]) -> napi::Result<()> {
    if ids.is_empty() || offs.len() < ids.len() + 2 {
        return Err(make_error(
            toonstore::ErrorKind::InvalidArgument,
            "a scan chunk needs ids.length >= 1 and offsets.length >= ids.length + 2",
        ));
    }
    Ok(())
}

/// A scan (wrapped by the iterators of lib/scan.js).
#[napi]
pub struct NativeScan {
    state: SharedScan,
    handle: Arc<Handle>,
}

impl NativeScan {
    pub fn new(scan: Scan, handle: Arc<Handle>) -> NativeScan {
        NativeScan {
            state: Arc::new(Mutex::new(Some(ScanState {
                scan: Counted::new(scan, &LIVE_SCANS),
                buf: Vec::new(),
                pending: None,
            }))),
            handle,
        }
    }

    fn check_open(&self) -> napi::Result<()> {
        if self.handle.is_closed() {
            self.close();
            return Err(closed_error("database"));
        }
        Ok(())
    }
}

#[napi]
impl NativeScan {
    /// Fills the next chunk: returns its Buffer (row `i` is bytes
    /// `offs[i + 1]..offs[i + 2]`, its id `ids[i]`, `offs[0]` rows), or
    /// undefined at the end (the scan is released then).
    #[napi(catch_unwind)]
    pub fn next_chunk<'env>(
        &self,
        env: &'env Env,
        mut ids: Float64ArraySlice,
        mut offs: Uint32ArraySlice,
    ) -> napi::Result<Either<Unknown<'env>, Undefined>> {
        // SAFETY: both arrays are alive for this synchronous call and only
        // this call touches them meanwhile (JavaScript waits for it).
        let (ids, offs) = unsafe { (ids.as_mut(), offs.as_mut()) };
        check_arrays(ids, offs)?;
        self.check_open()?;
        let mut guard = self.state.lock();
        let Some(state) = guard.as_mut() else {
            return Ok(Either::B(()));
        };
        let n = state.fill(ids, offs).js()?;
        if n == 0 {
            *guard = None;
            return Ok(Either::B(()));
        }
        // One copy into memory the JavaScript engine owns (no finalizer).
        let chunk = BufferSlice::copy_from(env, &state.buf)?;
        Ok(Either::A(chunk.to_unknown()))
    }

    /// `nextChunk` on the thread pool (for `for await` and streams): the
    /// rows are read there, so a scan of cold data never blocks the event
    /// loop. Resolves to a chunk, or undefined at the end.
    #[napi(ts_return_type = "Promise<NativeChunk | undefined>", catch_unwind)]
    pub fn next_chunk_async(&self, max_rows: u32) -> napi::Result<AsyncTask<ChunkTask>> {
        self.check_open()?;
        Ok(AsyncTask::new(ChunkTask {
            state: Arc::clone(&self.state),
            max_rows: max_rows.max(1) as usize,
        }))
    }

    /// Releases the scan's snapshot; later chunks are empty. Idempotent.
    #[napi(catch_unwind)]
    pub fn close(&self) {
        self.state.lock().take();
    }
}

/// A chunk read by `nextChunkAsync` (same layout as `nextChunk`).
#[napi(object)]
pub struct NativeChunk {
    pub data: Buffer,
    pub ids: Float64Array,
    pub offs: Uint32Array,
}

/// A chunk read on the thread pool: its bytes, ids and offsets.
type OwnedChunk = (Vec<u8>, Vec<f64>, Vec<u32>);

/// Reads one chunk on the thread pool.
pub struct ChunkTask {
    state: SharedScan,
    max_rows: usize,
}

impl Task for ChunkTask {
    type Output = Option<OwnedChunk>;
    type JsValue = Option<NativeChunk>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        panic_boundary(|| self.read())
    }

    fn resolve(&mut self, _env: Env, out: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(out.map(|(data, ids, offs)| NativeChunk {
            data: Buffer::from(data),
            ids: Float64Array::new(ids),
            offs: Uint32Array::new(offs),
        }))
    }
}

impl ChunkTask {
    /// Reads the next chunk into owned vectors.
    fn read(&mut self) -> napi::Result<Option<OwnedChunk>> {
        let mut guard = self.state.lock();
        let Some(state) = guard.as_mut() else {
            return Ok(None);
        };
        let mut ids = vec![0f64; self.max_rows];
        let mut offs = vec![0u32; self.max_rows + 2];
        let n = state.fill(&mut ids, &mut offs).js()?;
        if n == 0 {
            *guard = None;
            return Ok(None);
        }
        ids.truncate(n);
        offs.truncate(n + 2);
        Ok(Some((std::mem::take(&mut state.buf), ids, offs)))
    }
}

/// A snapshot (wrapped by `Snapshot` in lib/snapshot.js).
#[napi]
pub struct NativeSnapshot {
    snapshot: Mutex<Option<Counted<Snapshot>>>,
    handle: Arc<Handle>,
}

impl NativeSnapshot {
    pub fn new(snapshot: Snapshot, handle: Arc<Handle>) -> NativeSnapshot {
        NativeSnapshot {
            snapshot: Mutex::new(Some(Counted::new(snapshot, &LIVE_SNAPSHOTS))),
            handle,
        }
    }

    fn with<R>(&self, f: impl FnOnce(&Snapshot) -> napi::Result<R>) -> napi::Result<R> {
        if self.handle.is_closed() {
            self.release();
            return Err(closed_error("database"));
        }
        match self.snapshot.lock().as_ref() {
            Some(s) => f(&s.inner),
            None => Err(closed_error("snapshot")),
        }
    }
}

#[napi]
impl NativeSnapshot {
    /// A copy of the row as of the snapshot, or undefined.
    #[napi(catch_unwind)]
    pub fn get(&self, id: f64) -> napi::Result<Either<Buffer, Undefined>> {
        let id = row_id(id)?;
        self.with(|s| {
            Ok(match s.get(id).js()? {
                Some(v) => Either::A(Buffer::from(v.to_vec())),
                None => Either::B(()),
            })
        })
    }

    /// Copies the row as of the snapshot into `pool` at `offset`, as
    /// `dbGetInto` does (length, -1 when absent, `-(len + 2)` when it does
    /// not fit).
    #[napi(catch_unwind)]
    pub fn get_into(&self, id: f64, mut pool: Uint8ArraySlice, offset: u32) -> napi::Result<f64> {
        let id = row_id(id)?;
        // SAFETY: the typed array's memory is alive for this synchronous
        // call, and nothing else reads or writes it meanwhile.
        let pool = unsafe { pool.as_mut() };
        self.with(|s| {
            Ok(match s.get(id).js()? {
                Some(v) => copy_into(pool, offset as usize, v),
                None => -1.0,
            })
        })
    }

    /// Ids at or above this were not assigned when the snapshot was taken.
    #[napi(getter)]
    pub fn end_id(&self) -> napi::Result<f64> {
        self.with(|s| Ok(s.end_id() as f64))
    }

    /// A scan of the snapshot's rows with `start <= id < stop` (no `stop`:
    /// no bound), from the highest id down when `reverse`.
    #[napi(catch_unwind)]
    pub fn scan(
        &self,
        start: f64,
        stop: Option<f64>,
        reverse: Option<bool>,
    ) -> napi::Result<NativeScan> {
        let range = scan_range_of(start, stop)?;
        self.with(|s| {
            let scan = s.scan_range(range, reverse.unwrap_or(false)).js()?;
            Ok(NativeScan::new(scan, Arc::clone(&self.handle)))
        })
    }

    #[napi(getter)]
    pub fn closed(&self) -> bool {
        self.snapshot.lock().is_none()
    }

    /// Releases the snapshot (its segments may be freed). Idempotent.
    #[napi(catch_unwind)]
    pub fn release(&self) {
        self.snapshot.lock().take();
    }
}
