//! Opaque handles: what a `ToonStore*`, `ToonStoreIter*`, `ToonStoreBatch*`
//! or `ToonStoreSnapshot*` points to.
//!
//! Each handle starts with a magic number naming its type. Every entry point
//! checks it, so a pointer of the wrong type, or one already closed or freed,
//! gives `TOONSTORE_ERR_CLOSED` instead of undefined behaviour *where that is
//! cheap to detect*. Releasing a handle drops its contents at once but keeps
//! the small shell, marked dead, in a quarantine of the last 4096 released
//! handles, so a use after close reliably reads the dead mark rather than
//! reused memory. (Older shells are freed; using a pointer that long after
//! freeing it remains the caller's bug, as the header says.)

use std::collections::VecDeque;
use std::mem::ManuallyDrop;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use crate::error::{Error, ErrorKind, Result};
use crate::ffi::boundary::invalid;

const DEAD: u64 = 0xdead_dead_dead_dead;
const QUARANTINE: usize = 4096;

/// A shell released handles wait in before their memory is freed.
struct Quarantined {
    ptr: usize,
    free: unsafe fn(usize),
}

static QUARANTINED: Mutex<VecDeque<Quarantined>> = Mutex::new(VecDeque::new());

/// The common layout of every handle: magic, then the value.
#[repr(C)]
pub struct Handle<T> {
    magic: AtomicU64,
    value: ManuallyDrop<T>,
}

/// A handle type: its magic number and its name in error messages.
pub trait HandleKind: Sized {
    type Value: Send;
    const MAGIC: u64;
    const WHAT: &'static str;
    fn wrap(handle: Handle<Self::Value>) -> Self;
    fn handle(&self) -> &Handle<Self::Value>;
    fn handle_mut(&mut self) -> &mut Handle<Self::Value>;
}

/// Moves `value` into a new handle and returns the pointer the caller owns.
pub fn into_raw<H: HandleKind>(value: H::Value) -> *mut H {
    Box::into_raw(Box::new(H::wrap(Handle {
        magic: AtomicU64::new(H::MAGIC),
        value: ManuallyDrop::new(value),
    })))
}

#[inline]
fn check<H: HandleKind>(handle: &H) -> Result<()> {
    if handle.handle().magic.load(Ordering::Acquire) == H::MAGIC {
        Ok(())
    } else {
        Err(not_live::<H>())
    }
}

#[cold]
fn null_handle<H: HandleKind>() -> Error {
    invalid(&format!("the {} handle is NULL", H::WHAT))
}

#[cold]
fn not_live<H: HandleKind>() -> Error {
    Error::new(
        ErrorKind::Closed,
        format!(
            "the {} handle is closed or is not a {} handle",
            H::WHAT,
            H::WHAT
        ),
    )
}

/// Borrows the value behind a handle pointer after checking it.
///
/// # Safety
/// `ptr` is null or points to memory that was a handle of this library
/// (live, or released within the quarantine window).
#[inline]
pub unsafe fn get<'a, H: HandleKind + 'a>(ptr: *const H) -> Result<&'a H::Value> {
    if ptr.is_null() {
        return Err(null_handle::<H>());
    }
    // SAFETY: non-null, and by the caller's contract it points to a handle
    // shell that is still allocated (live or quarantined).
    let handle = unsafe { &*ptr };
    check(handle)?;
    Ok(&handle.handle().value)
}

/// Mutably borrows the value behind a handle pointer after checking it.
///
/// # Safety
/// As [`get`], and the caller has the handle to itself (a handle that
/// belongs to one thread at a time, such as an iterator or a batch).
#[inline]
pub unsafe fn get_mut<'a, H: HandleKind + 'a>(ptr: *mut H) -> Result<&'a mut H::Value> {
    if ptr.is_null() {
        return Err(null_handle::<H>());
    }
    // SAFETY: as in `get`; exclusivity is the caller's contract.
    let handle = unsafe { &mut *ptr };
    check(handle)?;
    Ok(&mut handle.handle_mut().value)
}

unsafe fn free_shell<H: HandleKind>(ptr: usize) {
    // SAFETY: `ptr` came from `Box::into_raw` in `into_raw::<H>` and its
    // value was already taken out (ManuallyDrop), so only the shell is freed.
    drop(unsafe { Box::from_raw(ptr as *mut H) });
}

/// Takes the value out of a handle, marks the shell dead and quarantines it.
/// Returns `None` for null, or for a handle already released.
///
/// # Safety
/// As [`get_mut`]; no other thread may use the handle during or after.
pub unsafe fn release<H: HandleKind>(ptr: *mut H) -> Option<H::Value> {
    if ptr.is_null() {
        return None;
    }
    // SAFETY: as in `get_mut`.
    let handle = unsafe { &mut *ptr };
    if handle
        .handle()
        .magic
        .compare_exchange(H::MAGIC, DEAD, Ordering::AcqRel, Ordering::Acquire)
        .is_err()
    {
        return None;
    }
    // SAFETY: the magic was live and is now dead, so the value is taken
    // exactly once and never touched again.
    let value = unsafe { ManuallyDrop::take(&mut handle.handle_mut().value) };
    let evicted = QUARANTINED.lock().ok().and_then(|mut q| {
        q.push_back(Quarantined {
            ptr: ptr as usize,
            free: free_shell::<H>,
        });
        (q.len() > QUARANTINE).then(|| q.pop_front()).flatten()
    });
    if let Some(old) = evicted {
        // SAFETY: the quarantine holds each released shell exactly once.
        unsafe { (old.free)(old.ptr) };
    }
    Some(value)
}

/// An open database (`ToonStore*` in C): one handle on the database
/// open in this process for its directory (several handles may share it).
pub struct FfiDatabase(Handle<std::sync::Arc<crate::ToonStore>>);
/// A scan in progress (`ToonStoreIter*` in C).
pub struct FfiIter(Handle<crate::Scan>);
/// A batch being built (`ToonStoreBatch*` in C).
pub struct FfiBatch(Handle<crate::Batch>);
/// A snapshot (`ToonStoreSnapshot*` in C).
pub struct FfiSnapshot(Handle<crate::Snapshot>);

macro_rules! handle_kind {
    ($name:ident, $value:ty, $magic:expr, $what:expr) => {
        impl HandleKind for $name {
            type Value = $value;
            const MAGIC: u64 = $magic;
            const WHAT: &'static str = $what;
            fn wrap(handle: Handle<$value>) -> Self {
                $name(handle)
            }
            fn handle(&self) -> &Handle<$value> {
                &self.0
            }
            fn handle_mut(&mut self) -> &mut Handle<$value> {
                &mut self.0
            }
        }
    };
}

// Magic numbers: "TOON_DB1", "TOON_IT1", "TOON_BA1", "TOON_SN1".
handle_kind!(
    FfiDatabase,
    std::sync::Arc<crate::ToonStore>,
    0x544f_4f4e_5f44_4231,
    "database"
);
handle_kind!(FfiIter, crate::Scan, 0x544f_4f4e_5f49_5431, "iterator");
handle_kind!(FfiBatch, crate::Batch, 0x544f_4f4e_5f42_4131, "batch");
handle_kind!(
    FfiSnapshot,
    crate::Snapshot,
    0x544f_4f4e_5f53_4e31,
    "snapshot"
);
