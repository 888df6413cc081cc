//! Natives of `io.toonstore.ToonStore.Snapshot`: reads of one moment.

use jni::objects::{JClass, JObject};
use jni::sys::{jboolean, jbyteArray, jlong, JNI_FALSE};
use jni::JNIEnv;
use parking_lot::RwLock;
use toonstore::Snapshot;

use crate::error::{row_id, row_range, run, Result};
use crate::handle;
use crate::scan::ScanBox;

/// What a `Snapshot` handle points to; `None` once closed.
pub struct SnapshotBox(RwLock<Option<Snapshot>>);

impl SnapshotBox {
    /// A new handle owning `snapshot`, released by `nFree`.
    pub fn into_handle(snapshot: Snapshot) -> jlong {
        handle::new(SnapshotBox(RwLock::new(Some(snapshot))))
    }
}

fn with_snapshot<R>(h: jlong, f: impl FnOnce(&Snapshot) -> Result<R>) -> Result<R> {
    handle::with_open(&handle::get::<SnapshotBox>(h).0, "snapshot", f)
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
        let range = row_range(start, stop)?;
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
    let snapshot = handle::get::<SnapshotBox>(h).0.write().take();
    drop(snapshot);
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Snapshot_nFree(
    _env: JNIEnv<'_>,
    _class: JClass<'_>,
    h: jlong,
) {
    handle::free::<SnapshotBox>(h);
}
