//! Splitting a ledger's bytes into records, fast. A line without a quote character or a stray carriage return is
//! split at its commas directly (this is what the CSV grammar gives for such a line); any other line goes to the
//! csv-core parser, which owns every subtle case (quoted fields, doubled quotes, newlines inside quotes, a lone
//! `\r` ending a record). So the records are exactly those of the CSV grammar, and each keeps its true
//! line number (counting blank lines and newlines inside quoted fields) and byte offset.

use std::io::Read;

use memchr::memchr_iter;

/// The longest record read, 1 MiB: a ledger row is a few hundred bytes, and one hostile quoted field must not take
/// gigabytes of memory.
pub const MAX_RECORD: usize = 1 << 20;

fn too_long() -> std::io::Error {
    std::io::Error::new(
        std::io::ErrorKind::InvalidData,
        "a single record (row) is longer than 1 MiB: this is not a ledger row (an unclosed quote?)",
    )
}

/// Byte classes for splitting: 1 comma, 2 newline, 3 quote or carriage return, 0 anything else.
const CLASS: [u8; 256] = {
    let mut t = [0u8; 256];
    t[b',' as usize] = 1;
    t[b'\n' as usize] = 2;
    t[b'"' as usize] = 3;
    t[b'\r' as usize] = 3;
    t
};

/// A bit per byte of `b` that is a comma, newline, quote or carriage return (SSE2 on x86-64, else 8 bytes at a
/// time in plain integers).
#[inline]
fn specials16(b: &[u8; 16]) -> u32 {
    #[cfg(target_arch = "x86_64")]
    {
        use std::arch::x86_64::{_mm_cmpeq_epi8, _mm_movemask_epi8, _mm_or_si128, _mm_set_epi64x, _mm_set1_epi8};
        let lo = i64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
        let hi = i64::from_le_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]]);
        // SAFETY: these intrinsics only need SSE2, which every x86-64 processor has (it is in the target's
        // baseline); they touch no memory (the bytes are passed by value).
        unsafe {
            let v = _mm_set_epi64x(hi, lo);
            let m = _mm_or_si128(
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b',' as i8)),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8)),
                ),
                _mm_or_si128(
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'"' as i8)),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8)),
                ),
            );
            _mm_movemask_epi8(m) as u32 & 0xFFFF
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    {
        specials16_swar(b)
    }
}

/// [`specials16`] in plain integers: a byte equal to `c` is a zero byte of `w ^ c..c`, found exactly.
#[cfg_attr(target_arch = "x86_64", allow(dead_code))]
fn specials16_swar(b: &[u8; 16]) -> u32 {
    const LOW7: u64 = 0x7f7f_7f7f_7f7f_7f7f;
    let zero = |x: u64| !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
    let word = |w: u64| {
        let m = zero(w ^ (b',' as u64 * 0x0101_0101_0101_0101))
            | zero(w ^ (b'\n' as u64 * 0x0101_0101_0101_0101))
            | zero(w ^ (b'"' as u64 * 0x0101_0101_0101_0101))
            | zero(w ^ (b'\r' as u64 * 0x0101_0101_0101_0101));
        // The high bit of byte k -> bit k.
        let mut out = 0u32;
        for k in 0..8 {
            out |= (((m >> (8 * k + 7)) & 1) as u32) << k;
        }
        out
    };
    let lo = u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]);
    let hi = u64::from_le_bytes([b[8], b[9], b[10], b[11], b[12], b[13], b[14], b[15]]);
    word(lo) | word(hi) << 8
}

/// Up to 15 bytes packed with their length into one integer (a cache key compared without a memcmp), or None.
#[inline]
pub(crate) fn pack16(b: &[u8]) -> Option<u128> {
    if b.len() > 15 {
        return None;
    }
    let mut w = [0u8; 16];
    w[..b.len()].copy_from_slice(b);
    w[15] = b.len() as u8;
    Some(u128::from_le_bytes(w))
}

/// Reads records from a ledger's bytes (after the header, or from a line start inside the file).
pub(crate) struct RowReader<R> {
    input: R,
    buf: Vec<u8>,
    /// Bytes before `start` are consumed.
    start: usize,
    end: usize,
    eof: bool,
    /// Offset of `buf[0]` from where this reader began.
    base: u64,
    /// 1-based line of the byte at `start`, counted from where this reader began.
    cur_line: u64,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    fields: Vec<(usize, usize)>,
    from_core: bool,
    rec_line: u64,
    rec_start: u64,
    /// Set when reading failed; the error is returned once.
    failed: bool,
    quotes: QuoteCheck,
}

/// A quoting mistake the CSV grammar would silently absorb: text after a closing quote (`"12"3` reads as `123`),
/// or a quote that is never closed (the rest of the file becomes one field).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuoteProblem {
    /// Text follows the closing quote of a field.
    TextAfterClosingQuote,
    /// The quote opening a field is never closed.
    NeverClosed,
}

/// Where a quoting mistake is: its line (counted like the reader's lines), column (in characters) and field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct QuoteIssue {
    pub(crate) problem: QuoteProblem,
    pub(crate) line: u64,
    pub(crate) column: u64,
    /// 0-based field index.
    pub(crate) field: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QState {
    FieldStart,
    Unquoted,
    Quoted,
    QuoteInQuoted,
}

/// Follows the bytes of one record the way the CSV grammar reads them, to find quoting mistakes.
#[derive(Debug, Clone, Copy)]
struct QuoteCheck {
    state: QState,
    field: usize,
    line: u64,
    column: u64,
    /// Where the current field's opening quote is.
    opened: (u64, u64),
    issue: Option<QuoteIssue>,
}

impl QuoteCheck {
    fn start(line: u64) -> QuoteCheck {
        QuoteCheck { state: QState::FieldStart, field: 0, line, column: 0, opened: (line, 1), issue: None }
    }

    fn feed(&mut self, bytes: &[u8]) {
        let chars = |b: &[u8]| b.iter().filter(|x| **x & 0xC0 != 0x80).count() as u64;
        let mut i = 0;
        while i < bytes.len() {
            // Ordinary bytes change nothing but the column: skip them in bulk. (A quote inside an unquoted field
            // is an ordinary byte: CSV reads it literally.)
            let next = match self.state {
                QState::Quoted => memchr::memchr2(b'"', b'\n', &bytes[i..]),
                QState::Unquoted => memchr::memchr3(b',', b'\n', b'\r', &bytes[i..]),
                _ => Some(0),
            };
            let j = next.map_or(bytes.len(), |k| i + k);
            self.column += chars(&bytes[i..j]);
            if j == bytes.len() {
                break;
            }
            let b = bytes[j];
            i = j + 1;
            if b & 0xC0 != 0x80 {
                self.column += 1;
            }
            match (self.state, b) {
                (_, b'\n') if self.state != QState::Quoted => {
                    self.state = QState::FieldStart;
                }
                (QState::Quoted, b'"') => self.state = QState::QuoteInQuoted,
                (QState::Quoted, _) => {}
                (QState::QuoteInQuoted, b'"') => self.state = QState::Quoted,
                (_, b',') => {
                    self.state = QState::FieldStart;
                    self.field += 1;
                }
                (_, b'\r') => self.state = QState::FieldStart,
                (QState::FieldStart, b'"') => {
                    self.state = QState::Quoted;
                    self.opened = (self.line, self.column);
                }
                (QState::QuoteInQuoted, _) => {
                    if self.issue.is_none() {
                        self.issue = Some(QuoteIssue {
                            problem: QuoteProblem::TextAfterClosingQuote,
                            line: self.line,
                            column: self.column,
                            field: self.field,
                        });
                    }
                    self.state = QState::Unquoted;
                }
                (_, _) => self.state = QState::Unquoted,
            }
            if b == b'\n' {
                self.line += 1;
                self.column = 0;
            }
        }
    }

    /// At the end of the file: a quote still open was never closed.
    fn finish(&mut self) {
        if self.state == QState::Quoted && self.issue.is_none() {
            self.issue = Some(QuoteIssue {
                problem: QuoteProblem::NeverClosed,
                line: self.opened.0,
                column: self.opened.1,
                field: self.field,
            });
        }
    }
}

impl<R: Read> RowReader<R> {
    /// Read records from `input`, which starts at a line start (line 1 as far as this reader counts).
    pub(crate) fn new(input: R) -> RowReader<R> {
        // csv-core drops a byte-order mark at the start of the first input it sees. Records handed to it start
        // anywhere in a file, and only the file's own start may lose one (see `skip_bom`): so it first sees a
        // blank line, which it skips.
        let mut core = csv_core::Reader::new();
        let _ = core.read_record(b"\n", &mut [0u8; 4], &mut [0usize; 4]);
        RowReader {
            input,
            buf: vec![0; 1 << 20],
            start: 0,
            end: 0,
            eof: false,
            base: 0,
            cur_line: 1,
            core,
            out: vec![0; 1 << 12],
            ends: vec![0; 64],
            fields: Vec::with_capacity(16),
            from_core: false,
            rec_line: 0,
            rec_start: 0,
            failed: false,
            quotes: QuoteCheck::start(1),
        }
    }

    /// Skip a UTF-8 byte-order mark at the very start; returns whether there was one.
    pub(crate) fn skip_bom(&mut self) -> std::io::Result<bool> {
        while self.end < 3 && !self.eof {
            self.refill()?;
        }
        if self.buf[..self.end].starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.start = 3;
            return Ok(true);
        }
        Ok(false)
    }

    /// Move the unread bytes to the front and read more (growing the buffer for a very long line).
    fn refill(&mut self) -> std::io::Result<()> {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.base += self.start as u64;
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len() * 2;
            if n > MAX_RECORD {
                return Err(too_long());
            }
            self.buf.resize(n, 0);
        }
        let n = loop {
            match self.input.read(&mut self.buf[self.end..]) {
                Ok(n) => break n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            }
        };
        self.end += n;
        self.eof = n == 0;
        Ok(())
    }

    /// The next record: `Ok(true)` with the record available through [`RowReader::len`] and
    /// [`RowReader::field`], `Ok(false)` at the end. Empty lines are skipped (lines of spaces are records).
    pub(crate) fn next(&mut self) -> std::io::Result<bool> {
        if self.failed {
            return Ok(false);
        }
        let before = self.rec_line;
        let r = self.next_inner();
        match r {
            // The line of the record that failed (set as each record starts), so the error is located there.
            Err(_) => self.failed = true,
            Ok(false) => self.rec_line = before,
            Ok(true) => {}
        }
        r
    }

    fn next_inner(&mut self) -> std::io::Result<bool> {
        loop {
            self.rec_line = self.cur_line;
            // One pass over the line: commas split it; a quote or carriage return marks it for a closer look.
            let (mut i, end) = (self.start, self.end);
            let mut f = i;
            let mut dirty = 0u32;
            let mut dirty_at = 0usize;
            self.fields.clear();
            'line: {
                // Sixteen bytes at a time while they last, then byte by byte.
                while i + 16 <= end {
                    let block: &[u8; 16] = match self.buf[i..i + 16].try_into() {
                        Ok(b) => b,
                        Err(_) => break,
                    };
                    let mut mask = specials16(block);
                    while mask != 0 {
                        let j = i + mask.trailing_zeros() as usize;
                        mask &= mask - 1;
                        match self.buf[j] {
                            b',' => {
                                self.fields.push((f, j));
                                f = j + 1;
                            }
                            b'\n' => {
                                i = j;
                                break 'line;
                            }
                            _ => {
                                dirty += 1;
                                dirty_at = j;
                            }
                        }
                    }
                    i += 16;
                }
                while i < end {
                    match CLASS[self.buf[i] as usize] {
                        0 => {}
                        1 => {
                            self.fields.push((f, i));
                            f = i + 1;
                        }
                        2 => break,
                        _ => {
                            dirty += 1;
                            dirty_at = i;
                        }
                    }
                    i += 1;
                }
            }
            if i == end && !self.eof {
                self.refill()?;
                continue;
            }
            if i == end && self.start == end {
                return Ok(false);
            }
            let nl = i; // the newline, or the end of the file for a last line without one
            let mut content_end = nl;
            if dirty > 0 {
                // "\r\n" at the end is a plain line end; a line of carriage returns only is blank (the parser skips
                // those too); anything else goes to the parser.
                let crlf = dirty == 1 && nl < end && dirty_at + 1 == nl && self.buf[dirty_at] == b'\r';
                if !crlf {
                    if self.buf[self.start..nl].iter().all(|b| *b == b'\r') {
                        self.skip_line(nl);
                        continue;
                    }
                    return self.core_record();
                }
                content_end = nl - 1;
            }
            if content_end == self.start {
                self.skip_line(nl);
                continue;
            }
            self.fields.push((f, content_end));
            self.from_core = false;
            self.quotes.issue = None;
            self.rec_line = self.cur_line;
            self.rec_start = self.base + self.start as u64;
            self.start = if nl < end { nl + 1 } else { nl };
            if nl < end {
                self.cur_line += 1;
            }
            return Ok(true);
        }
    }

    fn skip_line(&mut self, nl: usize) {
        if nl < self.end {
            self.cur_line += 1;
            self.start = nl + 1;
        } else {
            self.start = nl;
        }
    }

    /// Parse one record with csv-core from `start` (a record starts there: not a blank line).
    fn core_record(&mut self) -> std::io::Result<bool> {
        let rec_line = self.cur_line;
        let rec_start = self.base + self.start as u64;
        let (mut nout, mut nends) = (0usize, 0usize);
        self.quotes = QuoteCheck::start(rec_line);
        loop {
            let input = &self.buf[self.start..self.end];
            let (res, nin, o, e) = self.core.read_record(input, &mut self.out[nout..], &mut self.ends[nends..]);
            self.cur_line += memchr_iter(b'\n', &input[..nin]).count() as u64;
            self.quotes.feed(&input[..nin]);
            self.start += nin;
            nout += o;
            nends += e;
            match res {
                csv_core::ReadRecordResult::InputEmpty => {
                    if !self.eof {
                        self.refill()?;
                    } else if nin == 0 && self.start == self.end {
                        // Empty input means "end of file" to csv-core, which then ends the record; it did not.
                        return Ok(false);
                    }
                    // At the end of the file, the next call passes empty input, which finishes the record.
                }
                csv_core::ReadRecordResult::OutputFull => {
                    let n = self.out.len() * 2;
                    if n > MAX_RECORD {
                        return Err(too_long());
                    }
                    self.out.resize(n, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    if self.eof && self.start == self.end {
                        self.quotes.finish();
                    }
                    self.fields.clear();
                    let mut f = 0;
                    for &end in &self.ends[..nends] {
                        self.fields.push((f, end));
                        f = end;
                    }
                    self.from_core = true;
                    self.rec_line = rec_line;
                    self.rec_start = rec_start;
                    return Ok(true);
                }
                csv_core::ReadRecordResult::End => {
                    return Ok(false);
                }
            }
        }
    }

    /// A quoting mistake in the record, if any.
    pub(crate) fn quote_issue(&self) -> Option<QuoteIssue> {
        self.quotes.issue
    }

    /// How many fields the record has.
    #[inline]
    pub(crate) fn len(&self) -> usize {
        self.fields.len()
    }

    /// Field `i` of the record.
    #[inline]
    pub(crate) fn field(&self, i: usize) -> &[u8] {
        let (a, b) = self.fields[i];
        if self.from_core { &self.out[a..b] } else { &self.buf[a..b] }
    }

    /// Field `i` packed with its length into one integer as [`pack16`] does (None when longer than 15 bytes),
    /// reading sixteen bytes at once where the buffer has them.
    #[inline]
    pub(crate) fn field16(&self, i: usize) -> Option<u128> {
        let (a, b) = self.fields[i];
        let n = b - a;
        if n > 15 {
            return None;
        }
        let src = if self.from_core { &self.out } else { &self.buf };
        match src.get(a..a + 16).and_then(|s| <[u8; 16]>::try_from(s).ok()) {
            Some(w) => {
                let mask = (1u128 << (8 * n)) - 1;
                Some((u128::from_le_bytes(w) & mask) | ((n as u128) << 120))
            }
            None => pack16(&src[a..b]),
        }
    }

    /// Whether the record is blank: one field of spaces only (skipped by ledgers, not counted).
    pub(crate) fn is_blank(&self) -> bool {
        self.len() == 1 && self.field(0).iter().all(|b| b.is_ascii_whitespace())
    }

    /// The record's line, counted from where this reader began (1 there).
    pub(crate) fn line(&self) -> u64 {
        self.rec_line
    }

    /// The record's first byte, as an offset from where this reader began.
    pub(crate) fn start(&self) -> u64 {
        self.rec_start
    }

    /// The record as a csv `ByteRecord` (for the full checks).
    pub(crate) fn to_record(&self, rec: &mut csv::ByteRecord) {
        rec.clear();
        for i in 0..self.len() {
            rec.push_field(self.field(i));
        }
    }

    /// The underlying reader.
    pub(crate) fn into_inner(self) -> R {
        self.input
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records (as strings), lines and starts, read by RowReader with a tiny buffer to exercise refills.
    fn rows(text: &[u8], cap: usize) -> Vec<(Vec<String>, u64, u64)> {
        let mut r = RowReader::new(text);
        r.buf = vec![0; cap];
        let mut out = Vec::new();
        while r.next().expect("reads") {
            let f = (0..r.len()).map(|i| String::from_utf8_lossy(r.field(i)).into_owned()).collect();
            out.push((f, r.line(), r.start()));
        }
        out
    }

    /// The same records through the csv crate.
    fn csv_rows(text: &[u8]) -> Vec<Vec<String>> {
        let mut r = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(text);
        let mut rec = csv::ByteRecord::new();
        let mut out = Vec::new();
        while r.read_byte_record(&mut rec).expect("reads") {
            out.push(rec.iter().map(|x| String::from_utf8_lossy(x).into_owned()).collect());
        }
        out
    }

    #[test]
    fn plain_quoted_crlf_and_blank_lines() {
        let text = b"a,b,c\n\n1,\"x,\ny\",3\r\n\r\n4,5,6\r\n  \n7,\"q\"\"\",9\r\r\n\n8,\"\",0";
        for cap in [4usize, 7, 64, 1 << 12] {
            let got = rows(text, cap);
            let fields: Vec<Vec<String>> = got.iter().map(|r| r.0.clone()).collect();
            let want = csv_rows(text);
            assert_eq!(fields, want, "cap {cap}");
            let lines: Vec<u64> = got.iter().map(|r| r.1).collect();
            // by hand: a,b,c on 1; the quoted record starts on 3 (and spans 4); 4,5,6 on 6; "  " on 7; 7,"q""",9
            // on 8; its "\r\r\n" ends with an empty record skipped by csv; 8,"",0 on 10.
            assert_eq!(lines, vec![1, 3, 6, 7, 8, 10], "cap {cap}");
            let starts: Vec<u64> = got.iter().map(|r| r.2).collect();
            assert_eq!(starts[1], 7);
        }
    }

    #[test]
    fn both_ways_of_finding_special_bytes_agree() {
        let mut seed = 11u64;
        for _ in 0..5000 {
            let mut b = [0u8; 16];
            for x in b.iter_mut() {
                seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                *x = match seed >> 60 {
                    0 => b',',
                    1 => b'\n',
                    2 => b'"',
                    3 => b'\r',
                    _ => (seed >> 32) as u8,
                };
            }
            let want: u32 = (0..16).filter(|k| matches!(b[*k], b',' | b'\n' | b'"' | b'\r')).map(|k| 1 << k).sum();
            assert_eq!(specials16(&b), want, "{b:?}");
            assert_eq!(specials16_swar(&b), want, "{b:?}");
        }
    }

    #[test]
    fn packed_fields_match_their_bytes() {
        let text = b"abc,,0123456789abcde,0123456789abcdef,x\n\"q,\",zz\n";
        let mut r = RowReader::new(&text[..]);
        while r.next().expect("reads") {
            for i in 0..r.len() {
                assert_eq!(r.field16(i), pack16(r.field(i)), "field {i}");
            }
        }
    }

    #[test]
    fn quoting_mistakes_are_found() {
        let mut r = RowReader::new(&b"a,\"12\"3,b\nc,\"x\"\"y\",d\n\"ok\",\"open,\nz\n"[..]);
        assert!(r.next().expect("reads"));
        let i = r.quote_issue().expect("text after the closing quote");
        assert_eq!((i.problem, i.line, i.column, i.field), (QuoteProblem::TextAfterClosingQuote, 1, 7, 1));
        assert!(r.next().expect("reads"));
        assert_eq!(r.quote_issue(), None, "a doubled quote inside quotes is fine");
        assert!(r.next().expect("reads"));
        let i = r.quote_issue().expect("never closed");
        assert_eq!((i.problem, i.line, i.column, i.field), (QuoteProblem::NeverClosed, 3, 6, 1));
        assert!(!r.next().expect("reads"));
    }

    #[test]
    fn a_byte_order_mark_inside_the_file_is_text() {
        // A line beginning with U+FEFF and holding a quote goes to csv-core, which must keep the mark as text, as the
        // csv crate reading the whole file does (only the file's first bytes may be a mark).
        let text = "\u{feff}e,\"q\"\n".as_bytes();
        let mut r = RowReader::new(text);
        assert!(r.next().expect("reads"));
        assert_eq!(r.field(0), "\u{feff}e".as_bytes());
        assert_eq!(r.field(1), b"q");
    }

    #[test]
    fn a_lone_carriage_return_ends_a_record() {
        let text = b"a,b\rc,d\ne\r";
        let got: Vec<Vec<String>> = rows(text, 5).into_iter().map(|r| r.0).collect();
        let want = csv_rows(text);
        assert_eq!(got, want);
    }
}
