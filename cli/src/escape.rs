//! The text form of `scan`: printable ASCII as is, everything else escaped,
//! so that one row is always exactly one line.

/// Appends `data` to `out` with `\\`, `\t`, `\n`, `\r` and `\xHH` escapes.
pub fn escape_into(out: &mut Vec<u8>, data: &[u8]) {
    for &b in data {
        match b {
            b'\\' => out.extend_from_slice(b"\\\\"),
            b'\t' => out.extend_from_slice(b"\\t"),
            b'\n' => out.extend_from_slice(b"\\n"),
            b'\r' => out.extend_from_slice(b"\\r"),
            0x20..=0x7e => out.push(b),
            _ => out.extend_from_slice(format!("\\x{b:02x}").as_bytes()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::escape_into;

    #[test]
    fn escapes_control_and_high_bytes() {
        let mut out = Vec::new();
        escape_into(&mut out, b"a\\b\t\n\r\0\xff~");
        assert_eq!(out, b"a\\\\b\\t\\n\\r\\x00\\xff~");
    }
}
