//! Natives of `io.toonstore.ToonStore.Scan`: rows handed to Java in blocks.
//!
//! One JNI call fills the scan's block (a Java `byte[]`, pinned for the copy)
//! with as many rows as fit, each as `id: i64 LE, len: i32 LE, bytes`, so the
//! per-row cost is a memcpy rather than a JNI round trip; Java turns them into
//! `Row`s with `Arrays.copyOfRange`.

use jni::objects::{JByteArray, JClass, JObject, ReleaseMode};
use jni::sys::{jint, jlong};
use jni::JNIEnv;
use parking_lot::Mutex;
use toonstore::{ErrorKind, RowId, Scan};

use crate::error::{closed, run, Result};
use crate::handle;

/// Bytes in front of each row in the block: id (8) and length (4).
const ROW_HEADER: usize = 12;

struct ScanState {
    scan: Scan,
    /// A row that did not fit in the last block: it comes first in the next.
    pending: Option<RowId>,
    /// An error met after some rows of a block: raised by the next call, so
    /// the rows before it are delivered first.
    error: Option<toonstore::Error>,
}

/// What a `Scan` handle points to; `None` once closed.
pub struct ScanBox(Mutex<Option<ScanState>>);

impl ScanBox {
    /// A new handle owning `scan`, released by `nFree`.
    pub fn into_handle(scan: Scan) -> jlong {
        let state = ScanState {
            scan,
            pending: None,
            error: None,
        };
        handle::new(ScanBox(Mutex::new(Some(state))))
    }
}

/// Appends one row to `out` at `*at`; false when it does not fit.
fn push(out: &mut [u8], at: &mut usize, id: RowId, value: &[u8]) -> bool {
    let end = *at + ROW_HEADER + value.len();
    if end > out.len() {
        return false;
    }
    out[*at..*at + 8].copy_from_slice(&id.to_le_bytes());
    // Lengths above i32::MAX are refused before we get here (`too_large`).
    out[*at + 8..*at + 12].copy_from_slice(&(value.len() as u32).to_le_bytes());
    out[*at + ROW_HEADER..end].copy_from_slice(value);
    *at = end;
    true
}

/// The negative "grow the buffer to this" answer for a row of `len` bytes.
fn too_large(len: usize) -> Result<jint> {
    match jint::try_from(ROW_HEADER + len) {
        Ok(need) => Ok(-need),
        Err(_) => Err(toonstore::Error::new(
            ErrorKind::TooLarge,
            format!("a row of {len} bytes does not fit in a Java byte[]"),
        )
        .into()),
    }
}

/// Fills `out` with the next rows. Returns how many (0 at the end), or
/// minus the buffer size needed when even the first row does not fit.
fn fill(state: &mut ScanState, out: &mut [u8]) -> Result<jint> {
    if let Some(e) = state.error.take() {
        return Err(e.into());
    }
    let mut at = 0;
    let mut count: jint = 0;
    if let Some(id) = state.pending {
        if let Some(value) = state.scan.snapshot().get(id)? {
            if !push(out, &mut at, id, value) {
                return too_large(value.len());
            }
            count += 1;
        }
        state.pending = None;
    }
    while let Some(row) = state.scan.next_ref() {
        match row {
            Ok((id, value)) => {
                if !push(out, &mut at, id, value) {
                    let len = value.len();
                    state.pending = Some(id);
                    return if count == 0 {
                        too_large(len)
                    } else {
                        Ok(count)
                    };
                }
                count += 1;
            }
            Err(e) if count == 0 => return Err(e.into()),
            Err(e) => {
                state.error = Some(e);
                return Ok(count);
            }
        }
    }
    Ok(count)
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Scan_nNext<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    block: JByteArray<'l>,
) -> jint {
    run(&mut env, 0, |env| {
        // The lock is taken before the critical region below, inside which
        // nothing may block or call back into the JVM.
        let mut guard = handle::get::<ScanBox>(h).0.lock();
        let Some(state) = guard.as_mut() else {
            return Err(closed("scan"));
        };
        // SAFETY: between getting and releasing the elements (the guard's
        // drop) this code makes no JNI call and does not block: `fill` only
        // reads the mapped log and copies bytes. The array is a local
        // reference held for the whole call.
        let mut elements =
            unsafe { env.get_array_elements_critical(&block, ReleaseMode::CopyBack)? };
        let len = elements.len();
        // SAFETY: `i8` and `u8` have the same size and alignment, and every
        // bit pattern is valid for both; the slice covers the array's `len`
        // elements, which the guard keeps pinned until it is dropped.
        let out =
            unsafe { std::slice::from_raw_parts_mut(elements.as_mut_ptr().cast::<u8>(), len) };
        fill(state, out)
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Scan_nClose<'l>(
    _env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) {
    let state = handle::get::<ScanBox>(h).0.lock().take();
    drop(state);
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Scan_nFree(
    _env: JNIEnv<'_>,
    _class: JClass<'_>,
    h: jlong,
) {
    handle::free::<ScanBox>(h);
}
