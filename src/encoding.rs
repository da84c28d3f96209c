//! Text encodings of ledgers. UTF-8 (with or without a byte-order mark) is the default; GBK and GB18030, which
//! Chinese spreadsheet exports often use, are decoded when declared (`--encoding gbk`), and so is UTF-16 (Excel's
//! "Unicode text" export: `--encoding utf-16`, which follows the byte-order mark and is little-endian without one,
//! or `utf-16le` / `utf-16be`). An undeclared GBK or UTF-16 file is detected ([`looks_like_utf16`]) and rejected
//! with a message naming the option.

use std::fmt;
use std::io::Read;
use std::str::FromStr;

/// The encoding a ledger is declared to be in.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Encoding {
    /// UTF-8, with or without a byte-order mark (the default).
    #[default]
    Utf8,
    /// GBK (code page 936). Decoded as GB18030, of which GBK is a subset.
    Gbk,
    /// GB18030.
    Gb18030,
    /// UTF-16 by its byte-order mark; little-endian when it has none.
    Utf16,
    /// UTF-16, little-endian (a byte-order mark is skipped).
    Utf16Le,
    /// UTF-16, big-endian (a byte-order mark is skipped).
    Utf16Be,
}

impl Encoding {
    /// The name used on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Encoding::Utf8 => "utf-8",
            Encoding::Gbk => "gbk",
            Encoding::Gb18030 => "gb18030",
            Encoding::Utf16 => "utf-16",
            Encoding::Utf16Le => "utf-16le",
            Encoding::Utf16Be => "utf-16be",
        }
    }

    fn decoder(self) -> encoding_rs::Decoder {
        match self {
            Encoding::Utf16 => encoding_rs::UTF_16LE.new_decoder(),
            Encoding::Utf16Le => encoding_rs::UTF_16LE.new_decoder_with_bom_removal(),
            Encoding::Utf16Be => encoding_rs::UTF_16BE.new_decoder_with_bom_removal(),
            Encoding::Utf8 => encoding_rs::UTF_8.new_decoder_with_bom_removal(),
            Encoding::Gbk | Encoding::Gb18030 => encoding_rs::GB18030.new_decoder_without_bom_handling(),
        }
    }
}

/// Whether the first bytes of a file are UTF-16 text: a UTF-16 byte-order mark, or the NUL bytes every other byte
/// that ASCII text in UTF-16 has. `Some(Utf16Le)` or `Some(Utf16Be)` names the byte order.
pub fn looks_like_utf16(head: &[u8]) -> Option<Encoding> {
    if head.starts_with(&[0xFF, 0xFE]) {
        return Some(Encoding::Utf16Le);
    }
    if head.starts_with(&[0xFE, 0xFF]) {
        return Some(Encoding::Utf16Be);
    }
    let pairs: Vec<&[u8]> = head.chunks_exact(2).take(64).collect();
    if pairs.len() < 2 {
        return None;
    }
    let le = pairs.iter().filter(|p| p[0] != 0 && p[1] == 0).count();
    let be = pairs.iter().filter(|p| p[0] == 0 && p[1] != 0).count();
    // Mostly ASCII characters, each with its NUL half.
    if le * 4 >= pairs.len() * 3 {
        Some(Encoding::Utf16Le)
    } else if be * 4 >= pairs.len() * 3 {
        Some(Encoding::Utf16Be)
    } else {
        None
    }
}

impl fmt::Display for Encoding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Encoding {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        match s.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "utf-8" | "utf8" => Ok(Encoding::Utf8),
            "gbk" | "cp936" => Ok(Encoding::Gbk),
            "gb18030" => Ok(Encoding::Gb18030),
            "utf-16" | "utf16" | "unicode" => Ok(Encoding::Utf16),
            "utf-16le" | "utf16le" => Ok(Encoding::Utf16Le),
            "utf-16be" | "utf16be" => Ok(Encoding::Utf16Be),
            _ => Err(format!("unknown encoding '{s}' (use utf-8, gbk, gb18030, utf-16, utf-16le or utf-16be)")),
        }
    }
}

/// Bytes that are not valid text in the declared encoding: where (in the decoded text's lines and characters, and
/// as a byte offset of the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DecodeError {
    /// The declared encoding.
    pub encoding: &'static str,
    /// 1-based line.
    pub line: u64,
    /// 1-based column, in characters.
    pub column: u64,
    /// 0-based byte offset in the file.
    pub byte: u64,
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "byte {} (line {}, column {}) is not valid {} text", self.byte, self.line, self.column, self.encoding)
    }
}

impl std::error::Error for DecodeError {}

/// A reader that decodes GBK/GB18030 or UTF-16 bytes into UTF-8 as they are read. Malformed bytes are an error
/// ([`std::io::ErrorKind::InvalidData`], naming the byte offset), never replaced silently.
pub struct DecodingReader<R> {
    inner: R,
    decoder: encoding_rs::Decoder,
    raw: Vec<u8>,
    raw_start: usize,
    raw_end: usize,
    out: Vec<u8>,
    out_start: usize,
    out_end: usize,
    eof: bool,
    consumed: u64,
    name: &'static str,
    line: u64,
    column: u64,
}

const RAW: usize = 1 << 16;

impl<R: Read> DecodingReader<R> {
    /// Decode `inner` from `encoding` (GBK is decoded as GB18030, of which it is a subset).
    pub fn new(inner: R, encoding: Encoding) -> Self {
        DecodingReader {
            inner,
            decoder: encoding.decoder(),
            raw: vec![0; RAW],
            raw_start: 0,
            raw_end: 0,
            // Decoded UTF-8 takes at most 3 bytes per input byte (4 per 4-byte GB18030 sequence).
            out: vec![0; 3 * RAW + 16],
            out_start: 0,
            out_end: 0,
            eof: false,
            consumed: 0,
            name: encoding.name(),
            line: 1,
            column: 0,
        }
    }

    /// The underlying reader.
    pub fn into_inner(self) -> R {
        self.inner
    }

    /// Decode more input into `out`; false at the end.
    fn fill(&mut self) -> std::io::Result<bool> {
        loop {
            if self.raw_start == self.raw_end && !self.eof {
                let n = self.inner.read(&mut self.raw)?;
                self.raw_start = 0;
                self.raw_end = n;
                self.eof = n == 0;
            }
            let src = &self.raw[self.raw_start..self.raw_end];
            let (result, read, written) = self.decoder.decode_to_utf8_without_replacement(src, &mut self.out, self.eof);
            self.raw_start += read;
            self.consumed += read as u64;
            self.out_start = 0;
            self.out_end = written;
            for b in &self.out[..written] {
                if *b == b'\n' {
                    self.line += 1;
                    self.column = 0;
                } else if b & 0xC0 != 0x80 {
                    self.column += 1;
                }
            }
            if let encoding_rs::DecoderResult::Malformed(bad, after) = result {
                let at = self.consumed.saturating_sub(bad as u64 + after as u64);
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    DecodeError { encoding: self.name, line: self.line, column: self.column + 1, byte: at },
                ));
            }
            if written > 0 {
                return Ok(true);
            }
            if self.eof && self.raw_start == self.raw_end {
                return Ok(false);
            }
        }
    }
}

impl<R: Read> Read for DecodingReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.out_start == self.out_end && !self.fill()? {
            return Ok(0);
        }
        let n = buf.len().min(self.out_end - self.out_start);
        buf[..n].copy_from_slice(&self.out[self.out_start..self.out_start + n]);
        self.out_start += n;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_is_decoded() {
        // "浙江,用电" in GBK: 浙 D5E3, 江 BDAD, 用 D3C3, 电 B5E7.
        let gbk: &[u8] = &[0xD5, 0xE3, 0xBD, 0xAD, b',', 0xD3, 0xC3, 0xB5, 0xE7, b'\n'];
        let mut s = String::new();
        DecodingReader::new(gbk, Encoding::Gbk).read_to_string(&mut s).expect("decodes");
        assert_eq!(s, "浙江,用电\n");
    }

    #[test]
    fn malformed_bytes_are_an_error() {
        let bad: &[u8] = &[b'a', 0xD5, b'\n'];
        let mut s = String::new();
        let e = DecodingReader::new(bad, Encoding::Gb18030).read_to_string(&mut s).expect_err("malformed");
        assert_eq!(e.to_string(), "byte 1 (line 1, column 2) is not valid gb18030 text");
    }

    #[test]
    fn utf16_is_named_and_decoded() {
        let text = "entity,region\n浙江,CN\n";
        let le: Vec<u8> = [0xFF, 0xFE].into_iter().chain(text.encode_utf16().flat_map(|u| u.to_le_bytes())).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(|u| u.to_be_bytes()).collect();
        assert_eq!(looks_like_utf16(&le), Some(Encoding::Utf16Le));
        // No byte-order mark: the NUL halves of the ASCII characters give the byte order.
        assert_eq!(looks_like_utf16(&be), Some(Encoding::Utf16Be));
        assert_eq!(looks_like_utf16(&le[2..]), Some(Encoding::Utf16Le));
        assert_eq!(looks_like_utf16(text.as_bytes()), None);
        for (bytes, enc) in [(&le, Encoding::Utf16), (&le, Encoding::Utf16Le), (&be, Encoding::Utf16Be)] {
            let mut s = String::new();
            DecodingReader::new(&bytes[..], enc).read_to_string(&mut s).expect("decodes");
            assert_eq!(s, text, "{enc}");
        }
        // An odd byte at the end is not UTF-16.
        let mut odd = le.clone();
        odd.push(b'x');
        let mut s = String::new();
        assert!(DecodingReader::new(&odd[..], Encoding::Utf16).read_to_string(&mut s).is_err());
    }

    #[test]
    fn names() {
        assert_eq!("UTF-16LE".parse::<Encoding>(), Ok(Encoding::Utf16Le));
        assert_eq!("GBK".parse::<Encoding>(), Ok(Encoding::Gbk));
        assert_eq!("utf8".parse::<Encoding>(), Ok(Encoding::Utf8));
        assert!("latin1".parse::<Encoding>().is_err());
    }
}
