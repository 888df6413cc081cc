//! Atomic batches of puts and deletes.
//!
//! A batch is encoded as it is built, outside any lock: each operation is a
//! complete nested record (with its own CRC, so a row of a batch reads like
//! any other row). Committing wraps them in one `Batch` record whose CRC
//! covers them all, so recovery applies all of them or none.

use crate::error::{Error, ErrorKind, Result};
use crate::format::record::{self, Kind, HEADER_LEN, MAX_BODY_LEN};
use crate::RowId;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Op {
    /// A put whose nested record starts at `at` in the buffer.
    Put {
        at: usize,
        len: usize,
    },
    Delete {
        id: RowId,
    },
}

/// Puts and deletes committed together or not at all, by
/// [`crate::ToonStore::write`]. Puts receive consecutive row ids in the
/// order they were added.
#[derive(Clone, Debug, Default)]
pub struct Batch {
    pub(crate) buf: Vec<u8>,
    pub(crate) ops: Vec<Op>,
    pub(crate) puts: usize,
}

/// Bytes in front of the nested records: outer record header + count.
pub(crate) const FRAME_LEN: usize = HEADER_LEN + 4;

impl Batch {
    /// An empty batch.
    pub fn new() -> Batch {
        Batch::default()
    }

    /// Adds a put of `data`.
    pub fn put(&mut self, data: &[u8]) -> &mut Batch {
        let at = self.buf.len();
        record::encode(&mut self.buf, Kind::Put, &[data]);
        self.ops.push(Op::Put {
            at,
            len: data.len(),
        });
        self.puts += 1;
        self
    }

    /// Adds a delete of row `id`. The whole batch fails with `NotFound` if
    /// the row is absent when the batch is committed.
    pub fn delete(&mut self, id: RowId) -> &mut Batch {
        record::encode(&mut self.buf, Kind::Delete, &[&id.to_le_bytes()]);
        self.ops.push(Op::Delete { id });
        self
    }

    /// Number of operations.
    pub fn len(&self) -> usize {
        self.ops.len()
    }

    /// Whether the batch has no operations.
    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// Number of puts (row ids the batch will consume).
    pub fn put_count(&self) -> usize {
        self.puts
    }

    /// Removes every operation.
    pub fn clear(&mut self) {
        self.buf.clear();
        self.ops.clear();
        self.puts = 0;
    }

    /// Checks the batch against the limits of a database and computes the
    /// 12 bytes that frame it (outer header and count).
    pub(crate) fn frame(&self, max_value_size: u64) -> Result<[u8; FRAME_LEN]> {
        for op in &self.ops {
            if let Op::Put { len, .. } = op {
                if *len as u64 > max_value_size {
                    return Err(Error::new(
                        ErrorKind::TooLarge,
                        format!(
                            "batch value of {len} bytes exceeds max_value_size {max_value_size}"
                        ),
                    ));
                }
            }
        }
        let body_len = 4 + self.buf.len();
        if body_len > MAX_BODY_LEN || self.ops.len() > u32::MAX as usize {
            return Err(Error::new(
                ErrorKind::TooLarge,
                format!(
                    "batch of {} bytes exceeds the format's limit of {MAX_BODY_LEN} bytes per batch; split it",
                    self.buf.len()
                ),
            ));
        }
        let word = (body_len as u32) | ((Kind::Batch as u32) << 29);
        let count = (self.ops.len() as u32).to_le_bytes();
        let mut hasher = crate::format::record::hasher();
        hasher.update(&word.to_le_bytes());
        hasher.update(&count);
        hasher.update(&self.buf);
        let mut frame = [0u8; FRAME_LEN];
        frame[0..4].copy_from_slice(&hasher.finalize().to_le_bytes());
        frame[4..8].copy_from_slice(&word.to_le_bytes());
        frame[8..12].copy_from_slice(&count);
        Ok(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn framed_batch_decodes_as_one_record() {
        let mut b = Batch::new();
        b.put(b"one").delete(7).put(b"");
        assert_eq!((b.len(), b.put_count()), (3, 2));
        let mut bytes = b.frame(1024).unwrap().to_vec();
        bytes.extend_from_slice(&b.buf);
        let rec = record::decode(&bytes, true).unwrap();
        assert_eq!(rec.kind, Kind::Batch);
        let members = record::batch_members(rec.body, true).unwrap();
        assert_eq!(members.len(), 3);
        assert_eq!(members[1].1.explicit_id(), Some(7));
        assert_eq!(members[2].1.value(), Some(&b""[..]));
    }

    #[test]
    fn oversize_value_is_refused() {
        let mut b = Batch::new();
        b.put(&[0u8; 10]);
        assert_eq!(b.frame(9).unwrap_err().kind(), ErrorKind::TooLarge);
        b.clear();
        assert!(b.is_empty());
    }
}
