//! The portable dump format (version 1), written by `dump` and read by `load`.
//!
//! All integers are little-endian.
//!
//! ```text
//! header   "TOONDUMP"  u32 version (= 1)  u64 next_row_id
//! row      'R'  u64 id  u64 len  len bytes          (ids strictly increasing, < next_row_id)
//! trailer  'E'  u64 row_count  u32 crc32
//! ```
//!
//! The CRC-32 (IEEE, as `crc32fast`) covers every byte before it, from the
//! magic through the row count. Nothing may follow the trailer. A reader
//! therefore detects a truncated dump (no trailer), an altered one (CRC or
//! structure) and one with extra bytes.

use std::io::{self, Read, Write};

use toonstore::{RowId, MAX_VALUE_SIZE};

pub const MAGIC: &[u8; 8] = b"TOONDUMP";
pub const VERSION: u32 = 1;
const ROW: u8 = b'R';
const END: u8 = b'E';

/// Why a dump was refused.
#[derive(Debug)]
pub enum DumpError {
    Io(io::Error),
    Invalid(String),
}

impl From<io::Error> for DumpError {
    fn from(e: io::Error) -> DumpError {
        if e.kind() == io::ErrorKind::UnexpectedEof {
            DumpError::Invalid("truncated dump (ends before its trailer)".into())
        } else {
            DumpError::Io(e)
        }
    }
}

fn invalid<T>(msg: impl Into<String>) -> Result<T, DumpError> {
    Err(DumpError::Invalid(msg.into()))
}

/// Writes a dump, hashing every byte it writes.
pub struct DumpWriter<W: Write> {
    out: W,
    crc: crc32fast::Hasher,
    rows: u64,
}

impl<W: Write> DumpWriter<W> {
    pub fn new(out: W, next_row_id: RowId) -> io::Result<DumpWriter<W>> {
        let mut w = DumpWriter {
            out,
            crc: crc32fast::Hasher::new(),
            rows: 0,
        };
        w.put(MAGIC)?;
        w.put(&VERSION.to_le_bytes())?;
        w.put(&next_row_id.to_le_bytes())?;
        Ok(w)
    }

    fn put(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.crc.update(bytes);
        self.out.write_all(bytes)
    }

    pub fn row(&mut self, id: RowId, data: &[u8]) -> io::Result<()> {
        self.put(&[ROW])?;
        self.put(&id.to_le_bytes())?;
        self.put(&(data.len() as u64).to_le_bytes())?;
        self.put(data)?;
        self.rows += 1;
        Ok(())
    }

    /// Writes the trailer and flushes; returns the number of rows.
    pub fn finish(mut self) -> io::Result<u64> {
        self.put(&[END])?;
        let rows = self.rows;
        self.put(&rows.to_le_bytes())?;
        let crc = self.crc.clone().finalize();
        self.out.write_all(&crc.to_le_bytes())?;
        self.out.flush()?;
        Ok(rows)
    }
}

/// Reads and validates a dump; `next_row` yields rows until the trailer,
/// which it checks (row count, CRC, end of input) before returning `None`.
pub struct DumpReader<R: Read> {
    input: R,
    crc: crc32fast::Hasher,
    pub next_row_id: RowId,
    rows: u64,
    last_id: Option<RowId>,
    done: bool,
}

impl<R: Read> DumpReader<R> {
    pub fn new(mut input: R) -> Result<DumpReader<R>, DumpError> {
        let mut magic = [0u8; 8];
        if let Err(e) = input.read_exact(&mut magic) {
            return if e.kind() == io::ErrorKind::UnexpectedEof {
                invalid("not a toonstore dump (shorter than its header)")
            } else {
                Err(DumpError::Io(e))
            };
        }
        if &magic != MAGIC {
            return invalid("not a toonstore dump (bad magic)");
        }
        let mut r = DumpReader {
            input,
            crc: crc32fast::Hasher::new(),
            next_row_id: 0,
            rows: 0,
            last_id: None,
            done: false,
        };
        r.crc.update(&magic);
        let version = u32::from_le_bytes(r.take()?);
        if version != VERSION {
            return invalid(format!(
                "dump format version {version} is not supported (this tool reads version {VERSION})"
            ));
        }
        r.next_row_id = u64::from_le_bytes(r.take()?);
        Ok(r)
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N], DumpError> {
        let mut b = [0u8; N];
        self.input.read_exact(&mut b)?;
        self.crc.update(&b);
        Ok(b)
    }

    pub fn next_row(&mut self) -> Result<Option<(RowId, Vec<u8>)>, DumpError> {
        if self.done {
            return Ok(None);
        }
        let [tag] = self.take::<1>()?;
        match tag {
            ROW => {
                let id = u64::from_le_bytes(self.take()?);
                let len = u64::from_le_bytes(self.take()?);
                if self.last_id.is_some_and(|last| id <= last) || id >= self.next_row_id {
                    return invalid(format!(
                        "row id {id} out of order or not below the dump's next id {}",
                        self.next_row_id
                    ));
                }
                if len > MAX_VALUE_SIZE {
                    return invalid(format!("row {id}: length {len} exceeds the format limit"));
                }
                let mut data = vec![0u8; len as usize];
                self.input.read_exact(&mut data)?;
                self.crc.update(&data);
                self.last_id = Some(id);
                self.rows += 1;
                Ok(Some((id, data)))
            }
            END => {
                let rows = u64::from_le_bytes(self.take()?);
                let mut stored = [0u8; 4];
                self.input.read_exact(&mut stored)?;
                let computed = self.crc.clone().finalize();
                if u32::from_le_bytes(stored) != computed {
                    return invalid("checksum mismatch: the dump was altered or damaged");
                }
                if rows != self.rows {
                    return invalid(format!(
                        "trailer counts {rows} rows but the dump holds {}",
                        self.rows
                    ));
                }
                let mut extra = [0u8; 1];
                if self.input.read(&mut extra)? != 0 {
                    return invalid("unexpected bytes after the dump's trailer");
                }
                self.done = true;
                Ok(None)
            }
            other => invalid(format!("bad record tag 0x{other:02x}: the dump is damaged")),
        }
    }
}
