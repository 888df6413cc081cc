//! `fork.rs` for platforms without `fork()` (Windows): one generation, no
//! handlers, nothing to close in a child. The same functions, so the
//! callers stay platform-independent.

use std::fs::File;

/// Always 0: there is no child generation.
#[inline]
pub fn generation() -> u64 {
    0
}

/// Always `Ok`: every handle is of generation 0.
///
/// # Errors
/// None here.
#[inline]
pub fn check(_opened_in: u64) -> crate::error::Result<()> {
    Ok(())
}

/// Nothing to register.
pub fn register_lock_file(_file: &File) {}

/// Closes the lock file (releasing its lock).
pub fn close_lock_file(file: File) {
    drop(file);
}

/// Never reached (no generation but 0); closes the file.
pub fn forget_inherited(file: File) {
    drop(file);
}
