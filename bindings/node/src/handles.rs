//! The per-thread table of open handles behind the fast calls.
//!
//! A method call on a napi-rs class instance costs about 250 ns more than a
//! call of a free function (napi-rs 3 checks the receiver's class and
//! records the borrow of `&self` in scoped tables on every call), which is
//! more than the engine needs for a put or a get. So the calls made once
//! per row (`dbPut`, `dbGetInto`, ...) are free functions that name their
//! handle by a number: the `NativeDatabase` instance registers its handle
//! here when it is made, keeps it alive, and unregisters it when it is
//! dropped (garbage-collected); lib/database.js passes the number.
//!
//! The table is per JavaScript thread (thread-local): a handle is only ever
//! used on the thread that created it (worker threads open their own), so
//! no lock is taken. An id is a slot index plus the slot's generation, so a
//! stale id (a collected handle's slot reused) names no handle; a number
//! that names no handle is `TOONSTORE_ERR_CLOSED`, never a crash.

use std::cell::RefCell;
use std::sync::Arc;

use crate::database::Handle;
use crate::errors::closed_error;

/// Slots of this thread: `(generation, handle)`.
#[derive(Default)]
struct Table {
    slots: Vec<(u32, Option<Arc<Handle>>)>,
    free: Vec<u32>,
}

thread_local! {
    static TABLE: RefCell<Table> = RefCell::new(Table::default());
}

/// Slot indexes are below 2^20; the generation is the factor above, so an
/// id stays an exact integer in a JavaScript number (< 2^52).
const INDEX_SPAN: f64 = (1u64 << 20) as f64;
const MAX_SLOTS: usize = 1 << 20;

/// Registers `handle` on this thread; returns its id.
pub fn register(handle: Arc<Handle>) -> napi::Result<f64> {
    TABLE.with(|t| {
        let mut t = t.borrow_mut();
        let index = match t.free.pop() {
            Some(i) => i,
            None if t.slots.len() < MAX_SLOTS => {
                t.slots.push((0, None));
                (t.slots.len() - 1) as u32
            }
            None => {
                return Err(crate::errors::make_error(
                    toonstore::ErrorKind::NoMemory,
                    "too many database handles open on this thread",
                ))
            }
        };
        let slot = &mut t.slots[index as usize];
        slot.0 = slot.0.wrapping_add(1);
        slot.1 = Some(handle);
        Ok(index as f64 + f64::from(slot.0) * INDEX_SPAN)
    })
}

/// Forgets the handle of `id` (when its `NativeDatabase` is dropped).
pub fn unregister(id: f64) {
    // At thread exit the table may already be gone: nothing to forget then.
    let _ = TABLE.try_with(|t| {
        let mut t = t.borrow_mut();
        if let Some(index) = slot_of(&t, id) {
            t.slots[index].1 = None;
            t.free.push(index as u32);
        }
    });
}

fn slot_of(t: &Table, id: f64) -> Option<usize> {
    if !(0.0..INDEX_SPAN * 4_294_967_296.0).contains(&id) || id.fract() != 0.0 {
        return None;
    }
    let index = (id % INDEX_SPAN) as usize;
    let generation = (id / INDEX_SPAN) as u32;
    match t.slots.get(index) {
        Some((g, Some(_))) if *g == generation => Some(index),
        _ => None,
    }
}

/// The handle named by `id` on this thread.
#[inline]
pub fn lookup(id: f64) -> napi::Result<Arc<Handle>> {
    TABLE.with(|t| {
        let t = t.borrow();
        slot_of(&t, id)
            .and_then(|i| t.slots[i].1.clone())
            .ok_or_else(|| closed_error("database"))
    })
}
