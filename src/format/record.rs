//! Records: the CRC-framed unit of every segment.
//!
//! ```text
//! offset  size  field
//! 0       4     crc32 (IEEE, as crc32fast computes it) of bytes 4 .. 8+len
//! 4       4     word: bits 0..29 = body length `len`, bits 29..32 = kind
//! 8       len   body
//! ```
//!
//! Kinds and bodies:
//!
//! | kind | name | body | where |
//! |---|---|---|---|
//! | 1 | `Put` | the value; its row id is implicit: the next id of the log | log segments |
//! | 2 | `Delete` | u64 row id | log segments |
//! | 3 | `Batch` | u32 count, then `count` nested `Put`/`Delete` records | log segments |
//! | 4 | `PutAt` | u64 row id, then the value | compacted segments |
//!
//! A word of 0 is never a valid record (kind 0 does not exist), so the zeros
//! of preallocated space read as "no record here".

use super::{u32_at, u64_at};

/// Bytes of the record header (crc + word).
pub const HEADER_LEN: usize = 8;
/// Largest body the length field can hold (512 MiB - 1).
pub const MAX_BODY_LEN: usize = (1 << 29) - 1;
const LEN_MASK: u32 = (1 << 29) - 1;

/// The kind of a record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// A value whose id is the log's next id.
    Put = 1,
    /// Removal of a row.
    Delete = 2,
    /// Nested records applied all together or not at all.
    Batch = 3,
    /// A value with its id written out (compaction output).
    PutAt = 4,
}

impl Kind {
    fn from_bits(bits: u32) -> Option<Kind> {
        match bits {
            1 => Some(Kind::Put),
            2 => Some(Kind::Delete),
            3 => Some(Kind::Batch),
            4 => Some(Kind::PutAt),
            _ => None,
        }
    }
}

/// Total bytes a record with a body of `body_len` bytes occupies.
pub const fn record_len(body_len: usize) -> usize {
    HEADER_LEN + body_len
}

/// A decoded, checksum-verified view of one record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record<'a> {
    pub kind: Kind,
    pub body: &'a [u8],
}

impl<'a> Record<'a> {
    /// Bytes the record occupies, header included (never 0).
    #[allow(clippy::len_without_is_empty)]
    pub fn len(&self) -> usize {
        record_len(self.body.len())
    }

    /// The value of a `Put` or `PutAt` record, `None` for other kinds.
    pub fn value(&self) -> Option<&'a [u8]> {
        match self.kind {
            Kind::Put => Some(self.body),
            Kind::PutAt if self.body.len() >= 8 => Some(&self.body[8..]),
            _ => None,
        }
    }

    /// The row id a `Delete` or `PutAt` record names.
    pub fn explicit_id(&self) -> Option<u64> {
        match self.kind {
            Kind::Delete | Kind::PutAt if self.body.len() >= 8 => Some(u64_at(self.body, 0)),
            _ => None,
        }
    }
}

/// Why bytes are not a valid record.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DecodeError {
    /// All-zero header: unwritten (preallocated) space.
    Empty,
    /// Fewer bytes than the header or the declared body.
    Truncated,
    /// Unknown kind bits.
    BadKind,
    /// The checksum does not match.
    Checksum,
    /// The body does not have the shape its kind requires.
    Malformed,
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            DecodeError::Empty => "no record (zero header)",
            DecodeError::Truncated => "record extends past the end of the data",
            DecodeError::BadKind => "unknown record kind",
            DecodeError::Checksum => "record checksum mismatch",
            DecodeError::Malformed => "record body has the wrong shape for its kind",
        })
    }
}

/// Reads the header at the start of `bytes` without checking the CRC:
/// `(kind, body length)`. Used on the read path when checksums are off.
pub fn peek(bytes: &[u8]) -> Result<(Kind, usize), DecodeError> {
    if bytes.len() < HEADER_LEN {
        return Err(DecodeError::Truncated);
    }
    let word = u32_at(bytes, 4);
    if word == 0 && u32_at(bytes, 0) == 0 {
        return Err(DecodeError::Empty);
    }
    let kind = Kind::from_bits(word >> 29).ok_or(DecodeError::BadKind)?;
    let len = (word & LEN_MASK) as usize;
    if bytes.len() - HEADER_LEN < len {
        return Err(DecodeError::Truncated);
    }
    Ok((kind, len))
}

/// Decodes and, when `verify` is set, checksums the record at the start of
/// `bytes`. The record may be followed by other bytes.
pub fn decode(bytes: &[u8], verify: bool) -> Result<Record<'_>, DecodeError> {
    let (kind, len) = peek(bytes)?;
    let end = HEADER_LEN + len;
    if verify && crc32fast::hash(&bytes[4..end]) != u32_at(bytes, 0) {
        return Err(DecodeError::Checksum);
    }
    let body = &bytes[HEADER_LEN..end];
    let shape_ok = match kind {
        Kind::Put => true,
        Kind::Delete => body.len() == 8,
        Kind::PutAt => body.len() >= 8,
        Kind::Batch => body.len() >= 4,
    };
    if !shape_ok {
        return Err(DecodeError::Malformed);
    }
    Ok(Record { kind, body })
}

/// Writes a record of `kind` whose body is the concatenation of `parts` into
/// `out`, which must be exactly `record_len(sum of parts)` bytes long.
pub fn encode_into(out: &mut [u8], kind: Kind, parts: &[&[u8]]) {
    let body_len: usize = parts.iter().map(|p| p.len()).sum();
    debug_assert!(body_len <= MAX_BODY_LEN);
    debug_assert_eq!(out.len(), record_len(body_len));
    let word = (body_len as u32) | ((kind as u32) << 29);
    out[4..8].copy_from_slice(&word.to_le_bytes());
    let mut at = HEADER_LEN;
    for part in parts {
        out[at..at + part.len()].copy_from_slice(part);
        at += part.len();
    }
    let crc = crc32fast::hash(&out[4..]);
    out[0..4].copy_from_slice(&crc.to_le_bytes());
}

/// Appends a record to `out` (convenience over [`encode_into`]).
pub fn encode(out: &mut Vec<u8>, kind: Kind, parts: &[&[u8]]) {
    let body_len: usize = parts.iter().map(|p| p.len()).sum();
    let start = out.len();
    out.resize(start + record_len(body_len), 0);
    encode_into(&mut out[start..], kind, parts);
}

/// Iterates over the nested records of a `Batch` body, checking each.
pub fn batch_members(body: &[u8], verify: bool) -> Result<Vec<(usize, Record<'_>)>, DecodeError> {
    if body.len() < 4 {
        return Err(DecodeError::Malformed);
    }
    let count = u32_at(body, 0) as usize;
    let mut members = Vec::with_capacity(count.min(body.len() / HEADER_LEN));
    let mut at = 4;
    for _ in 0..count {
        let rec = decode(&body[at..], verify).map_err(|e| match e {
            DecodeError::Empty | DecodeError::Truncated => DecodeError::Malformed,
            other => other,
        })?;
        if !matches!(rec.kind, Kind::Put | Kind::Delete) {
            return Err(DecodeError::Malformed);
        }
        members.push((at, rec));
        at += rec.len();
    }
    if at != body.len() {
        return Err(DecodeError::Malformed);
    }
    Ok(members)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_each_kind() {
        let mut buf = Vec::new();
        encode(&mut buf, Kind::Put, &[b"users[1]{id,name}: 1,Alice"]);
        encode(&mut buf, Kind::Delete, &[&7u64.to_le_bytes()]);
        encode(&mut buf, Kind::PutAt, &[&9u64.to_le_bytes(), b"v"]);
        let a = decode(&buf, true).unwrap();
        assert_eq!(a.kind, Kind::Put);
        assert_eq!(a.value(), Some(&b"users[1]{id,name}: 1,Alice"[..]));
        let b = decode(&buf[a.len()..], true).unwrap();
        assert_eq!(b.explicit_id(), Some(7));
        let c = decode(&buf[a.len() + b.len()..], true).unwrap();
        assert_eq!((c.explicit_id(), c.value()), (Some(9), Some(&b"v"[..])));
    }

    #[test]
    fn zero_header_is_empty_and_flips_are_caught() {
        assert_eq!(decode(&[0u8; 16], true), Err(DecodeError::Empty));
        let mut buf = Vec::new();
        encode(&mut buf, Kind::Put, &[b"hello"]);
        for i in 0..buf.len() {
            for bit in 0..8 {
                let mut bad = buf.clone();
                bad[i] ^= 1 << bit;
                assert!(
                    decode(&bad, true).is_err(),
                    "flip at byte {i} bit {bit} accepted"
                );
            }
        }
        assert_eq!(
            decode(&buf[..buf.len() - 1], true),
            Err(DecodeError::Truncated)
        );
    }

    #[test]
    fn batch_members_round_trip_and_reject_bad_shapes() {
        let mut body = 2u32.to_le_bytes().to_vec();
        encode(&mut body, Kind::Put, &[b"a"]);
        encode(&mut body, Kind::Delete, &[&3u64.to_le_bytes()]);
        let members = batch_members(&body, true).unwrap();
        assert_eq!(members.len(), 2);
        assert_eq!(members[0].1.value(), Some(&b"a"[..]));
        let mut extra = body.clone();
        extra.push(0);
        assert_eq!(batch_members(&extra, true), Err(DecodeError::Malformed));
        let mut nested = 1u32.to_le_bytes().to_vec();
        encode(&mut nested, Kind::Batch, &[&0u32.to_le_bytes()]);
        assert_eq!(batch_members(&nested, true), Err(DecodeError::Malformed));
    }
}
