//! The 64-byte header at the start of every segment file.
//!
//! ```text
//! offset  size  field
//! 0       8     magic "TOONSEG\0"
//! 8       4     format version (FORMAT_VERSION)
//! 12      4     segment kind: 1 = log, 2 = compacted
//! 16      8     segment number (also the file name, %016x.seg)
//! 24      8     first id: the row id of the first implicit Put in this log segment
//! 32      4     crc32 of bytes 0..32
//! 36      4     reserved, 0
//! 40      8     synced length: bytes of this file known to be on stable storage
//! 48      8     bitwise NOT of the synced length (a torn update reads as 0)
//! 56      8     reserved, 0
//! 64      ...   records
//! ```
//!
//! Bytes 0..40 are written once, when the segment is created. The synced
//! length is rewritten in place after each successful flush; recovery treats
//! a bad record *before* it as corruption and one *after* it as a torn tail.

use super::{u32_at, u64_at, FORMAT_VERSION};

/// Size of the header; the first record starts here.
pub const HEADER_LEN: usize = 64;
const MAGIC: &[u8; 8] = b"TOONSEG\0";
const SYNCED_AT: usize = 40;

/// What a segment holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SegmentKind {
    /// Part of the write-ahead log: replayed in number order.
    Log = 1,
    /// Output of compaction: only reachable through the index checkpoint.
    Compacted = 2,
}

/// The fixed part of a segment header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentHeader {
    pub kind: SegmentKind,
    pub number: u64,
    pub first_id: u64,
}

/// Why a header was refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum HeaderError {
    /// Not a ToonStore segment (magic or checksum wrong, or too short).
    Invalid(&'static str),
    /// Written by a newer format version.
    NewerVersion(u32),
}

impl SegmentHeader {
    /// The 64 header bytes, with a synced length of `HEADER_LEN`.
    pub fn encode(&self) -> [u8; HEADER_LEN] {
        let mut out = [0u8; HEADER_LEN];
        out[0..8].copy_from_slice(MAGIC);
        out[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        out[12..16].copy_from_slice(&(self.kind as u32).to_le_bytes());
        out[16..24].copy_from_slice(&self.number.to_le_bytes());
        out[24..32].copy_from_slice(&self.first_id.to_le_bytes());
        let crc = crc32fast::hash(&out[0..32]);
        out[32..36].copy_from_slice(&crc.to_le_bytes());
        write_synced_len(&mut out, HEADER_LEN as u64);
        out
    }

    /// Decodes and checks a header.
    pub fn decode(bytes: &[u8]) -> Result<SegmentHeader, HeaderError> {
        if bytes.len() < HEADER_LEN {
            return Err(HeaderError::Invalid("file shorter than a segment header"));
        }
        if &bytes[0..8] != MAGIC {
            return Err(HeaderError::Invalid("bad magic number"));
        }
        if crc32fast::hash(&bytes[0..32]) != u32_at(bytes, 32) {
            return Err(HeaderError::Invalid("header checksum mismatch"));
        }
        let version = u32_at(bytes, 8);
        if version > FORMAT_VERSION {
            return Err(HeaderError::NewerVersion(version));
        }
        let kind = match u32_at(bytes, 12) {
            1 => SegmentKind::Log,
            2 => SegmentKind::Compacted,
            _ => return Err(HeaderError::Invalid("unknown segment kind")),
        };
        Ok(SegmentHeader {
            kind,
            number: u64_at(bytes, 16),
            first_id: u64_at(bytes, 24),
        })
    }
}

/// The synced-length watermark, or `HEADER_LEN` when it is torn or absent.
pub fn read_synced_len(bytes: &[u8]) -> u64 {
    let value = u64_at(bytes, SYNCED_AT);
    if value == !u64_at(bytes, SYNCED_AT + 8) {
        value
    } else {
        HEADER_LEN as u64
    }
}

/// Writes the synced-length watermark into header bytes.
pub fn write_synced_len(header: &mut [u8], len: u64) {
    write_synced_len_field(&mut header[SYNCED_RANGE], len);
}

/// Encodes the 16-byte watermark field (value and complement).
pub fn write_synced_len_field(field: &mut [u8], len: u64) {
    field[0..8].copy_from_slice(&len.to_le_bytes());
    field[8..16].copy_from_slice(&(!len).to_le_bytes());
}

/// Offset and length of the watermark inside the header (for in-place updates).
pub const SYNCED_RANGE: std::ops::Range<usize> = SYNCED_AT..SYNCED_AT + 16;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_refusals() {
        let h = SegmentHeader {
            kind: SegmentKind::Log,
            number: 42,
            first_id: 1000,
        };
        let mut bytes = h.encode();
        assert_eq!(SegmentHeader::decode(&bytes), Ok(h));
        assert_eq!(read_synced_len(&bytes), HEADER_LEN as u64);
        write_synced_len(&mut bytes, 4096);
        assert_eq!(read_synced_len(&bytes), 4096);
        bytes[SYNCED_AT] ^= 1;
        assert_eq!(read_synced_len(&bytes), HEADER_LEN as u64, "torn watermark");

        let mut newer = h.encode();
        newer[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
        let crc = crc32fast::hash(&newer[0..32]);
        newer[32..36].copy_from_slice(&crc.to_le_bytes());
        assert_eq!(
            SegmentHeader::decode(&newer),
            Err(HeaderError::NewerVersion(FORMAT_VERSION + 1))
        );
        let mut flipped = h.encode();
        flipped[20] ^= 4;
        assert!(matches!(
            SegmentHeader::decode(&flipped),
            Err(HeaderError::Invalid(_))
        ));
    }
}
