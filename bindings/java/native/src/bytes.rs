//! The bytes of Java arrays and direct buffers, for writes.

use std::cell::RefCell;

use jni::objects::{JByteArray, JByteBuffer};
use jni::JNIEnv;

use crate::error::{invalid, Result};

/// Scratch space above this size is released after use, so that one huge put
/// does not pin its size in every thread that ever made one.
const KEEP_SCRATCH: usize = 1 << 20;

thread_local! {
    /// Per-thread copy of a `byte[]` being written.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Calls `f` with `data[off .. off + len]` of a Java `byte[]`.
///
/// The bytes are copied (`GetByteArrayRegion`) into a per-thread buffer
/// rather than pinned with `GetPrimitiveArrayCritical`: a put can wait for a
/// lock or an fsync, and a critical region would stall the garbage collector
/// for that long. Bounds are checked by the JVM (an
/// `ArrayIndexOutOfBoundsException` is then pending).
pub fn with_array<R>(
    env: &JNIEnv<'_>,
    data: &JByteArray<'_>,
    off: i32,
    len: i32,
    f: impl FnOnce(&[u8]) -> Result<R>,
) -> Result<R> {
    let len = usize::try_from(len).map_err(|_| invalid("negative length"))?;
    // Taken out of the cell for the call, so a re-entrant use (none exists)
    // would get a fresh buffer instead of a borrow panic.
    let mut buf = SCRATCH.with(|s| std::mem::take(&mut *s.borrow_mut()));
    buf.resize(len, 0);
    let copied = {
        // SAFETY: `u8` and `i8` (`jbyte`) have the same size and alignment,
        // and every bit pattern is valid for both.
        let signed = unsafe { std::slice::from_raw_parts_mut(buf.as_mut_ptr().cast::<i8>(), len) };
        env.get_byte_array_region(data, off, signed)
    };
    let result = match copied {
        Ok(()) => f(&buf),
        Err(e) => Err(e.into()),
    };
    if buf.capacity() <= KEEP_SCRATCH {
        SCRATCH.with(|s| *s.borrow_mut() = buf);
    }
    result
}

/// Calls `f` with bytes `pos .. pos + len` of a direct `ByteBuffer`, read in
/// place (no copy).
pub fn with_direct<R>(
    env: &JNIEnv<'_>,
    buffer: &JByteBuffer<'_>,
    pos: i32,
    len: i32,
    f: impl FnOnce(&[u8]) -> Result<R>,
) -> Result<R> {
    let base = env.get_direct_buffer_address(buffer)?;
    let capacity = env.get_direct_buffer_capacity(buffer)?;
    let (Ok(pos), Ok(len)) = (usize::try_from(pos), usize::try_from(len)) else {
        return Err(invalid("negative buffer position or length"));
    };
    if pos.checked_add(len).is_none_or(|end| end > capacity) {
        return Err(invalid(format!(
            "bytes {pos}..{pos}+{len} lie outside a buffer of {capacity}"
        )));
    }
    // SAFETY: `buffer` is a local reference held for this whole native call,
    // so its memory stays allocated; `pos + len <= capacity` was checked.
    let bytes = unsafe { std::slice::from_raw_parts(base.add(pos), len) };
    f(bytes)
}
