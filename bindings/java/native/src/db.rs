//! Natives of `io.toonstore.ToonStore`: open, close, reads, writes.

use std::sync::Arc;
use std::time::Duration;

use jni::objects::{JByteArray, JByteBuffer, JClass, JObject, JString};
use jni::sys::{jboolean, jbyteArray, jint, jlong, jlongArray, jstring, JNI_FALSE, JNI_TRUE};
use jni::JNIEnv;
use parking_lot::RwLock;
use toonstore::{Durability, ErrorKind, Options, ToonStore};

use crate::bytes::{with_array, with_direct};
use crate::error::{closed, invalid, row_id, row_range, run, Result};
use crate::handle;
use crate::scan::ScanBox;
use crate::snapshot::SnapshotBox;

/// What a `ToonStore` handle points to; `None` once closed.
pub struct Db {
    engine: RwLock<Option<Arc<ToonStore>>>,
}

/// Runs `f` on the engine, holding the handle's lock shared so that a
/// concurrent `close()` waits for the call to finish.
fn with_engine<R>(h: jlong, f: impl FnOnce(&ToonStore) -> Result<R>) -> Result<R> {
    handle::with_open(&handle::get::<Db>(h).engine, "database", |engine| f(engine))
}

/// The durability code of the Java `Durability` enum (its ordinal), or -1
/// for the handle's own.
fn durability(code: jint) -> Result<Option<Durability>> {
    Ok(match code {
        -1 => None,
        0 => Some(Durability::Off),
        1 => Some(Durability::Normal),
        2 => Some(Durability::Full),
        other => return Err(invalid(format!("unknown durability {other}"))),
    })
}

fn put(engine: &ToonStore, bytes: &[u8], mode: Option<Durability>) -> Result<jlong> {
    let id = match mode {
        None => engine.put(bytes)?,
        Some(d) => engine.put_with(bytes, d)?,
    };
    Ok(id as jlong)
}

#[allow(clippy::too_many_arguments)]
#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nOpen<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    path: JString<'l>,
    durability_code: jint,
    read_only: jboolean,
    create_if_missing: jboolean,
    verify_checksums: jboolean,
    sync_interval_ms: jlong,
    max_value_size: jlong,
    segment_size: jlong,
) -> jlong {
    run(&mut env, 0, |env| {
        let path: String = env.get_string(&path)?.into();
        let positive = |v: jlong, what: &str| {
            u64::try_from(v).map_err(|_| invalid(format!("{what} must be positive, got {v}")))
        };
        let options = Options {
            durability: durability(durability_code)?.unwrap_or_default(),
            read_only: read_only != JNI_FALSE,
            create_if_missing: create_if_missing != JNI_FALSE,
            verify_checksums: verify_checksums != JNI_FALSE,
            sync_interval: Duration::from_millis(positive(sync_interval_ms, "syncIntervalMillis")?),
            max_value_size: positive(max_value_size, "maxValueSize")?,
            segment_size: positive(segment_size, "segmentSize")?,
            ..Options::default()
        };
        // One engine per directory per process: a second open of the same
        // directory (another handle, another library) shares it.
        let engine = ToonStore::open_shared(&path, &options)?;
        Ok(handle::new(Db {
            engine: RwLock::new(Some(engine)),
        }))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nFree(
    _env: JNIEnv<'_>,
    _class: JClass<'_>,
    h: jlong,
) {
    // An engine still inside (never closed) is dropped, which flushes and
    // unlocks it.
    handle::free::<Db>(h);
}

/// Closes the engine: waits for calls in flight, then flushes and releases
/// the lock. Closing a closed handle does nothing.
#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nClose<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        let taken = handle::get::<Db>(h).engine.write().take();
        if let Some(engine) = taken {
            // The Arc is this handle's own (open_shared gives one per open);
            // closing it closes the engine when no other handle of the
            // directory in this process still has it open.
            if let Ok(engine) = Arc::try_unwrap(engine) {
                engine.close()?;
            }
        }
        Ok(())
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nPut<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    data: JByteArray<'l>,
    off: jint,
    len: jint,
    durability_code: jint,
) -> jlong {
    run(&mut env, -1, |env| {
        let mode = durability(durability_code)?;
        with_engine(h, |engine| {
            with_array(env, &data, off, len, |bytes| put(engine, bytes, mode))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nPutDirect<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    buffer: JByteBuffer<'l>,
    pos: jint,
    len: jint,
    durability_code: jint,
) -> jlong {
    run(&mut env, -1, |env| {
        let mode = durability(durability_code)?;
        with_engine(h, |engine| {
            with_direct(env, &buffer, pos, len, |bytes| put(engine, bytes, mode))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nGet<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    id: jlong,
) -> jbyteArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        let id = row_id(id)?;
        with_engine(h, |engine| {
            // The row is copied straight from the mapping into the new array.
            match engine.get_with(id, |bytes| env.byte_array_from_slice(bytes))? {
                Some(array) => Ok(array?.into_raw()),
                None => Ok(std::ptr::null_mut()),
            }
        })
    })
}

/// Copies row `id` to the caller's landing buffer at `address` (`capacity`
/// bytes): returns its length, `-1` when the row is absent, or `-2` when it
/// is larger than `capacity` (Java then calls `nGet`). No JNI call is made:
/// the fast path of `get` (see `ToonStore.ReadBuffer`).
#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nGetInto<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    id: jlong,
    address: jlong,
    capacity: jint,
) -> jint {
    run(&mut env, -1, |_| {
        let id = row_id(id)?;
        with_engine(h, |engine| {
            let copied = engine.get_with(id, |bytes| {
                if bytes.len() > capacity as usize {
                    return -2;
                }
                // SAFETY: `address` is the start of the calling thread's
                // direct landing buffer of `capacity` bytes (ReadBuffer),
                // which that thread keeps reachable across this call; the
                // row fits (checked above) and cannot overlap the mapping.
                unsafe {
                    std::ptr::copy_nonoverlapping(bytes.as_ptr(), address as *mut u8, bytes.len());
                }
                bytes.len() as jint
            })?;
            Ok(copied.unwrap_or(-1))
        })
    })
}

/// The address of a direct buffer (for `ToonStore.ReadBuffer`).
#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nAddress<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
    buffer: JByteBuffer<'l>,
) -> jlong {
    run(&mut env, 0, |env| {
        Ok(env.get_direct_buffer_address(&buffer)? as jlong)
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nContains<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    id: jlong,
) -> jboolean {
    run(&mut env, JNI_FALSE, |_| {
        let id = row_id(id)?;
        with_engine(h, |engine| Ok(jboolean::from(engine.contains(id)?)))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nDelete<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    id: jlong,
) -> jboolean {
    run(&mut env, JNI_FALSE, |_| {
        let id = row_id(id)?;
        with_engine(h, |engine| match engine.delete(id) {
            Ok(()) => Ok(JNI_TRUE),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(JNI_FALSE),
            Err(e) => Err(e.into()),
        })
    })
}

/// Commits a batch; returns the ids of its puts. `_batch` is the Java
/// `Batch`, passed so that it stays reachable during the call.
#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nWrite<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    _batch: JObject<'l>,
    batch_handle: jlong,
) -> jlongArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        let ids = with_engine(h, |engine| {
            let mut guard = crate::batch::lock(batch_handle);
            let Some(batch) = guard.as_mut() else {
                return Err(closed("batch"));
            };
            let ids = engine.write(batch)?;
            // As the C API does: a committed batch is emptied for reuse.
            batch.clear();
            Ok(ids)
        })?;
        long_array(env, ids.iter().map(|&id| id as jlong))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nSnapshot<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) -> jlong {
    run(&mut env, 0, |_| {
        with_engine(h, |engine| Ok(SnapshotBox::into_handle(engine.snapshot()?)))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nScan<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    from: jlong,
) -> jlong {
    run(&mut env, 0, |_| {
        let from = row_id(from)?;
        with_engine(h, |engine| {
            Ok(ScanBox::into_handle(engine.scan_from(from)?))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nScanRange<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    start: jlong,
    stop: jlong,
    reverse: jboolean,
) -> jlong {
    run(&mut env, 0, |_| {
        let range = row_range(start, stop)?;
        with_engine(h, |engine| {
            Ok(ScanBox::into_handle(
                engine.scan_range(range, reverse != 0)?,
            ))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nSync<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        with_engine(h, |engine| Ok(engine.sync()?))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nCompact<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        with_engine(h, |engine| Ok(engine.compact()?))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nBackup<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    dest: JString<'l>,
) {
    run(&mut env, (), |env| {
        let dest: String = env.get_string(&dest)?.into();
        with_engine(h, |engine| Ok(engine.backup(&dest)?))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nRefresh<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        with_engine(h, |engine| Ok(engine.refresh()?))
    })
}

/// Stats as `long[7]`: live, deleted, next id, live bytes, disk bytes,
/// segments, and the garbage fraction's `double` bits.
#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nStats<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) -> jlongArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        let s = with_engine(h, |engine| Ok(engine.stats()?))?;
        let fields = [
            s.live_rows,
            s.deleted_rows,
            s.next_row_id,
            s.live_bytes,
            s.disk_bytes,
            s.segment_count,
            s.garbage_fraction.to_bits(),
        ];
        long_array(env, fields.iter().map(|&v| v as jlong))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_nVersion<'l>(
    mut env: JNIEnv<'l>,
    _class: JClass<'l>,
) -> jstring {
    run(&mut env, std::ptr::null_mut(), |env| {
        Ok(env.new_string(toonstore::VERSION)?.into_raw())
    })
}

/// A new Java `long[]` holding `values`.
fn long_array(env: &mut JNIEnv<'_>, values: impl Iterator<Item = jlong>) -> Result<jlongArray> {
    let values: Vec<jlong> = values.collect();
    let len = jint::try_from(values.len()).map_err(|_| invalid("too many row ids"))?;
    let array = env.new_long_array(len)?;
    env.set_long_array_region(&array, 0, &values)?;
    Ok(array.into_raw())
}
