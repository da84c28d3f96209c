//! Splitting a ledger's bytes into records, fast. A line without a quote character or a stray carriage return is
//! split at its commas directly (this is what the CSV grammar gives for such a line); any other line goes to the
//! csv-core parser, which owns every subtle case (quoted fields, doubled quotes, newlines inside quotes, a lone
//! `\r` ending a record). So the records are exactly those of [`crate::LedgerReader`], and each keeps its true
//! line number (counting blank lines and newlines inside quoted fields) and byte offset.

use std::io::Read;

use memchr::{memchr, memchr_iter, memchr2};

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
    /// First quote or carriage return at or after `start` (`usize::MAX`: none up to `end`).
    dirty: usize,
    core: csv_core::Reader,
    out: Vec<u8>,
    ends: Vec<usize>,
    fields: Vec<(u32, u32)>,
    from_core: bool,
    rec_line: u64,
    rec_start: u64,
    /// Set when reading failed; the error is returned once.
    failed: bool,
}

impl<R: Read> RowReader<R> {
    /// Read records from `input`, which starts at a line start (line 1 as far as this reader counts).
    pub(crate) fn new(input: R) -> RowReader<R> {
        RowReader {
            input,
            buf: vec![0; 1 << 20],
            start: 0,
            end: 0,
            eof: false,
            base: 0,
            cur_line: 1,
            dirty: 0,
            core: csv_core::Reader::new(),
            out: vec![0; 1 << 12],
            ends: vec![0; 64],
            fields: Vec::with_capacity(16),
            from_core: false,
            rec_line: 0,
            rec_start: 0,
            failed: false,
        }
    }

    /// Skip a UTF-8 byte-order mark at the very start; returns whether there was one.
    pub(crate) fn skip_bom(&mut self) -> std::io::Result<bool> {
        while self.end < 3 && !self.eof {
            self.refill()?;
        }
        if self.buf[..self.end].starts_with(&[0xEF, 0xBB, 0xBF]) {
            self.start = 3;
            self.dirty = 0;
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
            if self.dirty != usize::MAX {
                self.dirty = self.dirty.saturating_sub(self.start);
            }
            self.start = 0;
        }
        if self.end == self.buf.len() {
            let n = self.buf.len() * 2;
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
        // New bytes may hold a quote or carriage return: search again from where the last search stopped.
        if self.dirty == usize::MAX {
            self.dirty = self.end - n;
        }
        Ok(())
    }

    /// Where the next quote or carriage return is, at or after `from` (`usize::MAX`: none before `end`).
    #[inline]
    fn dirty_from(&mut self, from: usize) -> usize {
        if self.dirty != usize::MAX && self.dirty < from {
            self.dirty = from;
        }
        if self.dirty != usize::MAX && self.dirty < self.end && !matches!(self.buf[self.dirty], b'"' | b'\r') {
            self.dirty = match memchr2(b'"', b'\r', &self.buf[self.dirty..self.end]) {
                Some(i) => self.dirty + i,
                None => usize::MAX,
            };
        }
        if self.dirty != usize::MAX && self.dirty >= self.end {
            self.dirty = usize::MAX;
        }
        self.dirty
    }

    /// The next record: `Ok(true)` with the record available through [`RowReader::len`] and
    /// [`RowReader::field`], `Ok(false)` at the end. Empty lines are skipped (lines of spaces are records).
    pub(crate) fn next(&mut self) -> std::io::Result<bool> {
        if self.failed {
            return Ok(false);
        }
        let r = self.next_inner();
        if r.is_err() {
            self.failed = true;
        }
        r
    }

    fn next_inner(&mut self) -> std::io::Result<bool> {
        loop {
            let nl = match memchr(b'\n', &self.buf[self.start..self.end]) {
                Some(i) => self.start + i,
                None if !self.eof => {
                    self.refill()?;
                    continue;
                }
                None if self.start == self.end => return Ok(false),
                None => self.end, // the last line, without a newline
            };
            let dirty = self.dirty_from(self.start);
            let mut content_end = nl;
            if dirty < nl {
                // A quote or carriage return on this line. "\r\n" at its end is a plain line end; a line of
                // carriage returns only is blank (the parser skips those too); anything else goes to the parser.
                let body_end = if nl < self.end && nl > self.start && self.buf[nl - 1] == b'\r' { nl - 1 } else { nl };
                let line_bytes = &self.buf[self.start..nl];
                if line_bytes.iter().all(|b| *b == b'\r') {
                    self.skip_line(nl);
                    continue;
                }
                if memchr2(b'"', b'\r', &self.buf[self.start..body_end]).is_some() {
                    return self.core_record();
                }
                content_end = body_end;
            }
            if content_end == self.start {
                self.skip_line(nl);
                continue;
            }
            self.fields.clear();
            let mut f = self.start;
            for c in memchr_iter(b',', &self.buf[self.start..content_end]) {
                let c = self.start + c;
                self.fields.push((f as u32, c as u32));
                f = c + 1;
            }
            self.fields.push((f as u32, content_end as u32));
            self.from_core = false;
            self.rec_line = self.cur_line;
            self.rec_start = self.base + self.start as u64;
            self.start = if nl < self.end { nl + 1 } else { nl };
            if nl < self.end {
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
        loop {
            let input = &self.buf[self.start..self.end];
            let (res, nin, o, e) = self.core.read_record(input, &mut self.out[nout..], &mut self.ends[nends..]);
            self.cur_line += memchr_iter(b'\n', &input[..nin]).count() as u64;
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
                    self.out.resize(n, 0);
                }
                csv_core::ReadRecordResult::OutputEndsFull => {
                    let n = self.ends.len() * 2;
                    self.ends.resize(n, 0);
                }
                csv_core::ReadRecordResult::Record => {
                    self.fields.clear();
                    let mut f = 0;
                    for &end in &self.ends[..nends] {
                        self.fields.push((f as u32, end as u32));
                        f = end;
                    }
                    self.from_core = true;
                    self.rec_line = rec_line;
                    self.rec_start = rec_start;
                    self.dirty = self.start;
                    return Ok(true);
                }
                csv_core::ReadRecordResult::End => {
                    self.dirty = self.start;
                    return Ok(false);
                }
            }
        }
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
        if self.from_core { &self.out[a as usize..b as usize] } else { &self.buf[a as usize..b as usize] }
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
    fn a_lone_carriage_return_ends_a_record() {
        let text = b"a,b\rc,d\ne\r";
        let got: Vec<Vec<String>> = rows(text, 5).into_iter().map(|r| r.0).collect();
        let want = csv_rows(text);
        assert_eq!(got, want);
    }
}
