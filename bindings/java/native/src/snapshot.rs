//! Natives of `io.toonstore.ToonStore.Snapshot`: reads of one moment.

use jni::objects::{JClass, JObject};
use jni::sys::{jboolean, jbyteArray, jlong, JNI_FALSE};
use jni::JNIEnv;
use parking_lot::RwLock;
use toonstore::Snapshot;

use crate::error::{closed, row_id, run, Result};
use crate::scan::ScanBox;

/// What a `Snapshot` handle points to; `None` once closed.
pub struct SnapshotBox(RwLock<Option<Snapshot>>);

impl SnapshotBox {
    /// A new handle owning `snapshot`, released by `nFree`.
    pub fn into_handle(snapshot: Snapshot) -> jlong {
        Box::into_raw(Box::new(SnapshotBox(RwLock::new(Some(snapshot))))) as jlong
    }
}

fn with_snapshot<R>(h: jlong, f: impl FnOnce(&Snapshot) -> Result<R>) -> Result<R> {
    // SAFETY: `h` comes from `into_handle` and every caller is an instance
    // method of the Java `Snapshot`, so the Cleaner has not freed it (lib.rs).
    let b = unsafe { &*(h as *const SnapshotBox) };
    match b.0.read().as_ref() {
        Some(snapshot) => f(snapshot),
        None => Err(closed("snapshot")),
    }
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Snapshot_nGet<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    id: jlong,
) -> jbyteArray {
    run(&mut env, std::ptr::null_mut(), |env| {
        let id = row_id(id)?;
        with_snapshot(h, |snapshot| match snapshot.get(id)? {
            Some(bytes) => Ok(env.byte_array_from_slice(bytes)?.into_raw()),
            None => Ok(std::ptr::null_mut()),
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Snapshot_nContains<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    id: jlong,
) -> jboolean {
    run(&mut env, JNI_FALSE, |_| {
        let id = row_id(id)?;
        with_snapshot(h, |snapshot| {
            Ok(jboolean::from(snapshot.get(id)?.is_some()))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Snapshot_nEndId<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) -> jlong {
    run(&mut env, 0, |_| {
        with_snapshot(h, |snapshot| Ok(snapshot.end_id() as jlong))
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Snapshot_nScan<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    from: jlong,
) -> jlong {
    run(&mut env, 0, |_| {
        let from = row_id(from)?;
        with_snapshot(h, |snapshot| {
            Ok(ScanBox::into_handle(snapshot.scan_from(from)))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Snapshot_nScanRange<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    start: jlong,
    stop: jlong,
    reverse: jboolean,
) -> jlong {
    run(&mut env, 0, |_| {
        let range = row_id(start)?..row_id(stop)?;
        with_snapshot(h, |snapshot| {
            Ok(ScanBox::into_handle(
                snapshot.scan_range(range, reverse != 0)?,
            ))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Snapshot_nClose<'l>(
    _env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) {
    // SAFETY: as in `with_snapshot`.
    let b = unsafe { &*(h as *const SnapshotBox) };
    let snapshot = b.0.write().take();
    drop(snapshot);
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Snapshot_nFree(
    _env: JNIEnv<'_>,
    _class: JClass<'_>,
    h: jlong,
) {
    if h != 0 {
        // SAFETY: the Cleaner calls this once, after the wrapper became
        // unreachable, so no call can use the box any more.
        drop(unsafe { Box::from_raw(h as *mut SnapshotBox) });
    }
}
