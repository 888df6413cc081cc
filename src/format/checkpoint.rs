//! The index checkpoint file `INDEX`: a full copy of the index as of one
//! position in the log, so that opening does not replay the whole log.
//!
//! ```text
//! offset  size    field
//! 0       8       magic "TOONIDX\0"
//! 8       4       format version
//! 12      4       reserved, 0
//! 16      8       next id: ids below it have been assigned
//! 24      8       replay segment: number of the log segment where replay starts
//! 32      8       replay offset: byte offset in that segment where replay starts
//! 40      8       next segment number
//! 48      8       segment count S
//! 56      8       reserved, 0
//! 64      32*S    segments: number u64, kind u32, reserved u32, used length u64, live bytes u64
//! ..      8*N     one entry per id below next id: 0 = absent, else segment << 40 | offset
//! end     4       crc32 of every byte before it
//! ```
//!
//! It is written to `INDEX.tmp`, flushed, and renamed over `INDEX` (then the
//! directory is flushed), so a crash leaves either the old or the new file.

use super::segment_header::SegmentKind;
use super::{u32_at, u64_at, FORMAT_VERSION};

const MAGIC: &[u8; 8] = b"TOONIDX\0";
const FIXED_LEN: usize = 64;
const SEGMENT_LEN: usize = 32;

/// What the checkpoint knows about one segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentMeta {
    pub number: u64,
    pub kind: SegmentKind,
    /// Bytes of the file holding records (header included).
    pub used_len: u64,
    /// Bytes of records of live rows.
    pub live_bytes: u64,
}

/// The fixed part of a checkpoint.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckpointMeta {
    pub next_id: u64,
    pub replay_segment: u64,
    pub replay_offset: u64,
    pub next_segment_number: u64,
    pub segments: Vec<SegmentMeta>,
}

/// Why a checkpoint was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CheckpointError {
    Invalid(&'static str),
    NewerVersion(u32),
}

/// Encodes the fixed part and the segment table (the entries follow, then the CRC).
pub fn encode_prefix(meta: &CheckpointMeta) -> Vec<u8> {
    let mut out = Vec::with_capacity(FIXED_LEN + SEGMENT_LEN * meta.segments.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes());
    for v in [
        meta.next_id,
        meta.replay_segment,
        meta.replay_offset,
        meta.next_segment_number,
        meta.segments.len() as u64,
        0,
    ] {
        out.extend_from_slice(&v.to_le_bytes());
    }
    for s in &meta.segments {
        out.extend_from_slice(&s.number.to_le_bytes());
        out.extend_from_slice(&(s.kind as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&s.used_len.to_le_bytes());
        out.extend_from_slice(&s.live_bytes.to_le_bytes());
    }
    out
}

/// Decodes a whole checkpoint file: its metadata and the entry bytes
/// (`8 * next_id` bytes, little-endian u64s).
pub fn decode(bytes: &[u8]) -> Result<(CheckpointMeta, &[u8]), CheckpointError> {
    if bytes.len() < FIXED_LEN + 4 || &bytes[0..8] != MAGIC {
        return Err(CheckpointError::Invalid(
            "not an index checkpoint (bad magic or size)",
        ));
    }
    let version = u32_at(bytes, 8);
    if version > FORMAT_VERSION {
        return Err(CheckpointError::NewerVersion(version));
    }
    let body_len = bytes.len() - 4;
    if crc32fast::hash(&bytes[..body_len]) != u32_at(bytes, body_len) {
        return Err(CheckpointError::Invalid("checkpoint checksum mismatch"));
    }
    let next_id = u64_at(bytes, 16);
    let segment_count = u64_at(bytes, 48);
    let expected =
        (segment_count as u128) * SEGMENT_LEN as u128 + (next_id as u128) * 8 + FIXED_LEN as u128;
    if expected != body_len as u128 {
        return Err(CheckpointError::Invalid(
            "checkpoint length does not match its counts",
        ));
    }
    let mut segments = Vec::with_capacity(segment_count as usize);
    for i in 0..segment_count as usize {
        let at = FIXED_LEN + i * SEGMENT_LEN;
        let kind = match u32_at(bytes, at + 8) {
            1 => SegmentKind::Log,
            2 => SegmentKind::Compacted,
            _ => {
                return Err(CheckpointError::Invalid(
                    "unknown segment kind in checkpoint",
                ))
            }
        };
        segments.push(SegmentMeta {
            number: u64_at(bytes, at),
            kind,
            used_len: u64_at(bytes, at + 16),
            live_bytes: u64_at(bytes, at + 24),
        });
    }
    let entries_at = FIXED_LEN + segments.len() * SEGMENT_LEN;
    Ok((
        CheckpointMeta {
            next_id,
            replay_segment: u64_at(bytes, 24),
            replay_offset: u64_at(bytes, 32),
            next_segment_number: u64_at(bytes, 40),
            segments,
        },
        &bytes[entries_at..body_len],
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<u8> {
        let meta = CheckpointMeta {
            next_id: 3,
            replay_segment: 2,
            replay_offset: 64,
            next_segment_number: 3,
            segments: vec![SegmentMeta {
                number: 1,
                kind: SegmentKind::Log,
                used_len: 300,
                live_bytes: 200,
            }],
        };
        let mut bytes = encode_prefix(&meta);
        for e in [1u64 << 40 | 64, 0, 1u64 << 40 | 100] {
            bytes.extend_from_slice(&e.to_le_bytes());
        }
        let crc = crc32fast::hash(&bytes);
        bytes.extend_from_slice(&crc.to_le_bytes());
        bytes
    }

    #[test]
    fn round_trip() {
        let bytes = sample();
        let (meta, entries) = decode(&bytes).unwrap();
        assert_eq!(meta.next_id, 3);
        assert_eq!(meta.segments[0].live_bytes, 200);
        assert_eq!(entries.len(), 24);
        assert_eq!(u64_at(entries, 16), 1 << 40 | 100);
    }

    #[test]
    fn every_single_byte_flip_is_refused() {
        let bytes = sample();
        for i in 0..bytes.len() {
            let mut bad = bytes.clone();
            bad[i] ^= 0x10;
            assert!(decode(&bad).is_err(), "flip at {i} accepted");
        }
        assert!(decode(&bytes[..bytes.len() - 1]).is_err());
    }
}
