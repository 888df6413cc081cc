//! The on-disk format: byte layouts of records, segment headers and the index
//! checkpoint. Everything is little-endian. The full description, with the
//! commit protocol and what each crash leaves behind, is `docs/FORMAT.md`.
//!
//! This module only encodes and decodes bytes; it does no I/O.

pub mod checkpoint;
pub mod record;
pub mod segment_header;

/// The on-disk format version this library writes and the newest it reads.
/// (Separate from the crate version and from the C ABI version.)
pub const FORMAT_VERSION: u32 = 1;

pub(crate) fn u32_at(bytes: &[u8], at: usize) -> u32 {
    u32::from_le_bytes(bytes[at..at + 4].try_into().expect("4 bytes"))
}

pub(crate) fn u64_at(bytes: &[u8], at: usize) -> u64 {
    u64::from_le_bytes(bytes[at..at + 8].try_into().expect("8 bytes"))
}
