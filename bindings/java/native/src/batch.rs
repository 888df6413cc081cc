//! Natives of `io.toonstore.ToonStore.Batch`: an atomic batch being built.

use jni::objects::{JByteArray, JByteBuffer, JClass, JObject};
use jni::sys::{jint, jlong};
use jni::JNIEnv;
use parking_lot::{Mutex, MutexGuard};
use toonstore::Batch;

use crate::bytes::{with_array, with_direct};
use crate::error::{closed, run, Result};
use crate::handle;

/// What a `Batch` handle points to; `None` once closed.
pub struct BatchBox(Mutex<Option<Batch>>);

/// The batch behind handle `h`, locked.
pub fn lock<'a>(h: jlong) -> MutexGuard<'a, Option<Batch>> {
    handle::get::<BatchBox>(h).0.lock()
}

fn with_batch<R>(h: jlong, f: impl FnOnce(&mut Batch) -> Result<R>) -> Result<R> {
    match lock(h).as_mut() {
        Some(batch) => f(batch),
        None => Err(closed("batch")),
    }
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Batch_nNew(
    _env: JNIEnv<'_>,
    _class: JClass<'_>,
) -> jlong {
    handle::new(BatchBox(Mutex::new(Some(Batch::new()))))
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Batch_nFree(
    _env: JNIEnv<'_>,
    _class: JClass<'_>,
    h: jlong,
) {
    handle::free::<BatchBox>(h);
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Batch_nPut<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    data: JByteArray<'l>,
    off: jint,
    len: jint,
) {
    run(&mut env, (), |env| {
        with_batch(h, |batch| {
            with_array(env, &data, off, len, |bytes| {
                batch.put(bytes);
                Ok(())
            })
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Batch_nPutDirect<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    buffer: JByteBuffer<'l>,
    pos: jint,
    len: jint,
) {
    run(&mut env, (), |env| {
        with_batch(h, |batch| {
            with_direct(env, &buffer, pos, len, |bytes| {
                batch.put(bytes);
                Ok(())
            })
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Batch_nDelete<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
    row_id: jlong,
) {
    run(&mut env, (), |_| {
        with_batch(h, |batch| {
            batch.delete(row_id as u64);
            Ok(())
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Batch_nSize<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) -> jint {
    run(&mut env, 0, |_| {
        with_batch(h, |batch| {
            Ok(jint::try_from(batch.len()).unwrap_or(jint::MAX))
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Batch_nClear<'l>(
    mut env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) {
    run(&mut env, (), |_| {
        with_batch(h, |batch| {
            batch.clear();
            Ok(())
        })
    })
}

#[no_mangle]
pub extern "system" fn Java_io_toonstore_ToonStore_00024Batch_nClose<'l>(
    _env: JNIEnv<'l>,
    _this: JObject<'l>,
    h: jlong,
) {
    lock(h).take();
}
