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

/// A new `crc32fast::Hasher` without its CPU feature detection: the first
/// one is made (and the CPU's features detected) once, then copied. The
/// detection was about 7% of the instructions of a verified random get.
#[inline]
pub fn hasher() -> crc32fast::Hasher {
    static PROTOTYPE: std::sync::OnceLock<crc32fast::Hasher> = std::sync::OnceLock::new();
    PROTOTYPE.get_or_init(crc32fast::Hasher::new).clone()
}

/// `crc32fast::hash` (see [`hasher`]).
#[inline]
pub fn crc32(bytes: &[u8]) -> u32 {
    let mut hasher = hasher();
    hasher.update(bytes);
    hasher.finalize()
}

/// Decodes and, when `verify` is set, checksums the record at the start of
/// `bytes`. The record may be followed by other bytes.
pub fn decode(bytes: &[u8], verify: bool) -> Result<Record<'_>, DecodeError> {
    let (kind, len) = peek(bytes)?;
    let end = HEADER_LEN + len;
    if verify && crc32(&bytes[4..end]) != u32_at(bytes, 0) {
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

/// Where the value of the `Put` or `PutAt` record at the start of `bytes`
/// lies, as (offset from the record's start, length), without checking its
/// checksum; `None` for anything else (which [`decode`] reports).
pub fn value_span(bytes: &[u8]) -> Option<(usize, usize)> {
    match peek(bytes).ok()? {
        (Kind::Put, len) => Some((HEADER_LEN, len)),
        (Kind::PutAt, len) if len >= 8 => Some((HEADER_LEN + 8, len - 8)),
        _ => None,
    }
}

/// Checks the checksums of the four records at the starts of `recs` at once
/// (the same check as [`decode`] with `verify`, four CRCs computed
/// interleaved so that their latencies overlap: a scan verifies every record
/// it returns, and one CRC at a time left the CPU waiting on each). False when
/// any of them does not match or is not a record: [`decode`] then says which.
pub fn checksums_match_x4(recs: [&[u8]; 4]) -> bool {
    let mut spans: [&[u8]; 4] = [&[]; 4];
    let mut stored = [0u32; 4];
    for i in 0..4 {
        let Ok((_, len)) = peek(recs[i]) else {
            return false;
        };
        spans[i] = &recs[i][4..HEADER_LEN + len];
        stored[i] = u32_at(recs[i], 0);
    }
    crc32_x4(spans) == stored
}

/// `crc32fast::hash` of four buffers, computed interleaved where the CPU
/// allows it.
pub fn crc32_x4(bufs: [&[u8]; 4]) -> [u32; 4] {
    #[cfg(target_arch = "x86_64")]
    {
        if bufs.iter().all(|b| b.len() >= 16)
            && std::arch::is_x86_feature_detected!("pclmulqdq")
            && std::arch::is_x86_feature_detected!("sse4.1")
            && std::arch::is_x86_feature_detected!("ssse3")
        {
            // SAFETY: the CPU has every feature the function enables (checked above).
            return unsafe { interleaved::crc32_x4(bufs) };
        }
    }
    bufs.map(crc32fast::hash)
}

/// Four CRC-32s folded in lockstep with PCLMULQDQ. The folding, the final
/// partial block and the reduction follow crc32fast 1.5
/// (`specialized/pclmulqdq.rs`, MIT OR Apache-2.0, after Gopal et al., "Fast
/// CRC computation for generic polynomials using PCLMULQDQ instruction",
/// Intel 2009); the interleaving and the branch-free tail are new. Tested
/// against crc32fast below.
#[cfg(target_arch = "x86_64")]
mod interleaved {
    use std::arch::x86_64 as arch;

    const K3: i64 = 0x1751997d0;
    const K4: i64 = 0x0ccaa009e;
    const K5: i64 = 0x163cd6124;
    const P_X: i64 = 0x1DB710641;
    const U_PRIME: i64 = 0x1F7011641;

    /// # Safety
    /// The CPU must support pclmulqdq, sse2, sse4.1 and ssse3; every buffer
    /// must hold at least 16 bytes.
    #[target_feature(
        enable = "pclmulqdq",
        enable = "sse2",
        enable = "sse4.1",
        enable = "ssse3"
    )]
    pub unsafe fn crc32_x4(bufs: [&[u8]; 4]) -> [u32; 4] {
        const ZEROS: [u8; 16] = [0; 16];
        let k3k4 = arch::_mm_set_epi64x(K4, K3);
        let init = arch::_mm_cvtsi32_si128(-1);
        let mut rest = bufs;
        let mut x = [arch::_mm_setzero_si128(); 4];
        for i in 0..4 {
            x[i] = arch::_mm_xor_si128(get(&mut rest[i]), init);
        }
        // Whole blocks, every lane in step: a lane that has none left keeps
        // its state (selected, not branched on: lengths differ from record
        // to record, and a mispredicted branch per lane cost more than the
        // fold it skipped).
        let most = rest.iter().map(|b| b.len() / 16).max().unwrap_or(0);
        for _ in 0..most {
            for i in 0..4 {
                let has = rest[i].len() >= 16;
                let block: &[u8] = rest[i].get(..16).unwrap_or(&ZEROS);
                let folded = reduce128(x[i], load(block), k3k4);
                let keep = arch::_mm_set1_epi8(-(has as i8));
                x[i] = arch::_mm_blendv_epi8(x[i], folded, keep);
                rest[i] = &rest[i][(has as usize) * 16..];
            }
        }
        // The final partial block of `n` (0..=15) bytes: as in crc32fast,
        // the accumulator's top `n` bytes are folded back and the new bytes
        // enter at the top; they are taken from the buffer's last 16 bytes
        // (the buffer holds at least 16), so no branch on `n` either. For
        // `n == 0` every step below leaves `x` unchanged.
        let seq = arch::_mm_setr_epi8(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
        for i in 0..4 {
            let n = rest[i].len();
            let shl = arch::_mm_add_epi8(seq, arch::_mm_set1_epi8(n as i8 - 16));
            let shr = arch::_mm_xor_si128(shl, arch::_mm_set1_epi8(-128));
            let overflow = arch::_mm_shuffle_epi8(x[i], shl);
            let shifted = arch::_mm_shuffle_epi8(x[i], shr);
            let last = load(&bufs[i][bufs[i].len() - 16..]);
            // Bytes below the top `n` (where `shl` is negative) are zeroed.
            let part = arch::_mm_blendv_epi8(last, arch::_mm_setzero_si128(), shl);
            x[i] = reduce128(overflow, arch::_mm_xor_si128(shifted, part), k3k4);
        }
        [finish(x[0]), finish(x[1]), finish(x[2]), finish(x[3])]
    }

    /// Reduces the folded 128 bits to the CRC (crc32fast's step 3 and its
    /// Barrett reduction).
    #[target_feature(
        enable = "pclmulqdq",
        enable = "sse2",
        enable = "sse4.1",
        enable = "ssse3"
    )]
    #[inline]
    fn finish(x: arch::__m128i) -> u32 {
        let k3k4 = arch::_mm_set_epi64x(K4, K3);
        let x = arch::_mm_xor_si128(
            arch::_mm_clmulepi64_si128(x, k3k4, 0x10),
            arch::_mm_srli_si128(x, 8),
        );
        let x = arch::_mm_xor_si128(
            arch::_mm_clmulepi64_si128(
                arch::_mm_and_si128(x, arch::_mm_set_epi32(0, 0, 0, !0)),
                arch::_mm_set_epi64x(0, K5),
                0x00,
            ),
            arch::_mm_srli_si128(x, 4),
        );
        let pu = arch::_mm_set_epi64x(U_PRIME, P_X);
        let t1 = arch::_mm_clmulepi64_si128(
            arch::_mm_and_si128(x, arch::_mm_set_epi32(0, 0, 0, !0)),
            pu,
            0x10,
        );
        let t2 = arch::_mm_clmulepi64_si128(
            arch::_mm_and_si128(t1, arch::_mm_set_epi32(0, 0, 0, !0)),
            pu,
            0x00,
        );
        !(arch::_mm_extract_epi32(arch::_mm_xor_si128(x, t2), 1) as u32)
    }

    #[target_feature(enable = "pclmulqdq", enable = "sse2")]
    #[inline]
    fn reduce128(a: arch::__m128i, b: arch::__m128i, keys: arch::__m128i) -> arch::__m128i {
        let t1 = arch::_mm_clmulepi64_si128(a, keys, 0x00);
        let t2 = arch::_mm_clmulepi64_si128(a, keys, 0x11);
        arch::_mm_xor_si128(arch::_mm_xor_si128(b, t1), t2)
    }

    #[target_feature(enable = "sse2")]
    #[inline]
    fn get(a: &mut &[u8]) -> arch::__m128i {
        let r = load(&a[..16]);
        *a = &a[16..];
        r
    }

    /// The first 16 bytes of `bytes` (which must hold 16).
    #[target_feature(enable = "sse2")]
    #[inline]
    fn load(bytes: &[u8]) -> arch::__m128i {
        let block: &[u8; 16] = bytes[..16].try_into().expect("16 bytes");
        // SAFETY: `block` is 16 readable bytes; the load is unaligned.
        unsafe { arch::_mm_loadu_si128(block.as_ptr() as *const arch::__m128i) }
    }
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
    let crc = crc32(&out[4..]);
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
    fn interleaved_crcs_equal_crc32fast() {
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let data: Vec<u8> = (0..4096).map(|_| next() as u8).collect();
        for round in 0..20_000 {
            let bufs: [&[u8]; 4] = std::array::from_fn(|_| {
                let len = if round < 300 {
                    round as usize
                } else {
                    (next() % 300) as usize
                };
                let at = (next() % (4096 - 300)) as usize;
                &data[at..at + len]
            });
            assert_eq!(crc32_x4(bufs), bufs.map(crc32fast::hash), "{round}");
        }
        let mut recs = Vec::new();
        let mut starts = Vec::new();
        for len in [60usize, 90, 120, 3] {
            starts.push(recs.len());
            encode(&mut recs, Kind::Put, &[&data[..len]]);
        }
        let at = |i: usize| &recs[starts[i]..];
        assert!(checksums_match_x4([at(0), at(1), at(2), at(3)]));
        for i in 0..4 {
            let mut bad = recs.clone();
            bad[starts[i] + 9] ^= 1;
            let at = |i: usize| &bad[starts[i]..];
            assert!(!checksums_match_x4([at(0), at(1), at(2), at(3)]));
        }
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
