//! Splitting CSV text into records of fields, straight from the bytes: one pass, no allocation
//! per row, with the quoting rules of the `csv` crate (RFC 4180 quotes, `""` escapes, LF, CR
//! and CRLF line ends, blank lines skipped) and each record's physical line number.
//!
//! A line without a double quote (every line of a usual price file) is split at its commas in
//! one pass over its bytes; a line with one is read again by the byte-wise state machine of
//! the `csv` crate's reader, so a quoted cell may hold commas, `""` and line ends. A plain
//! line (no quote, no whitespace) can also be looked at in place, without a copy
//! ([`Records::peek_plain`]), for the daily reader's shortcut.

use crate::DataError;

/// The fields of one record: its text, and where each field lies in it. Reused from record to
/// record (cleared, never shrunk), so reading a file allocates only while the longest record
/// grows the buffers.
#[derive(Clone, Debug, Default)]
pub(crate) struct Fields {
    /// The record's text: the line as written, or the cells unquoted.
    buf: String,
    /// `(start, end)` of each field in `buf`.
    spans: Vec<(usize, usize)>,
}

impl Fields {
    /// The number of fields.
    pub(crate) fn len(&self) -> usize {
        self.spans.len()
    }

    /// Field `i`, if the record has it.
    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        self.spans.get(i).map(|&(a, b)| &self.buf[a..b])
    }

    /// The fields in order.
    pub(crate) fn iter(&self) -> impl Iterator<Item = &str> + '_ {
        self.spans.iter().map(|&(a, b)| &self.buf[a..b])
    }

    /// When a field starts or ends with ASCII whitespace, every field is trimmed of leading
    /// and trailing whitespace (Unicode's, as `str::trim`), as the `csv` crate's
    /// `StringRecord::trim` does.
    fn trim_if_padded(&mut self) {
        let b = self.buf.as_bytes();
        let padded = self.spans.iter().any(|&(start, end)| {
            start < end && (b[start].is_ascii_whitespace() || b[end - 1].is_ascii_whitespace())
        });
        if !padded {
            return;
        }
        for span in &mut self.spans {
            let f = &self.buf[span.0..span.1];
            let start = span.0 + (f.len() - f.trim_start().len());
            *span = (start, start + f.trim().len());
        }
    }

    fn all_empty(&self) -> bool {
        self.spans.iter().all(|&(a, b)| a == b)
    }
}

/// Where the byte-wise reader of a quoted line is: the states of the `csv` crate's reader
/// (`csv_core`) that a record passes through.
#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// At the first byte of a field.
    StartField,
    /// In an unquoted field (or after a quoted part, `"ab"cd`).
    InField,
    /// Inside quotes.
    InQuoted,
    /// Just after a quote inside quotes: the end of the quotes, or the first of `""`.
    QuoteInQuoted,
}

/// What a byte is to [`Records::plain`]: [`PLAIN`], [`COMMA`], [`EOL`] (`\n`, `\r`) or
/// [`QUOTE`].
const CLASS: [u8; 256] = {
    let mut t = [PLAIN; 256];
    t[b',' as usize] = COMMA;
    t[b'\n' as usize] = EOL;
    t[b'\r' as usize] = EOL;
    t[b'"' as usize] = QUOTE;
    t
};
const PLAIN: u8 = 0;
const COMMA: u8 = 1;
const EOL: u8 = 2;
const QUOTE: u8 = 3;

/// A plain line found by [`Records::peek_plain`]: its cells, without a copy.
pub(crate) struct Plain<'a, const N: usize> {
    /// The 1-based physical line.
    pub(crate) line: u64,
    /// The line without its line end.
    text: &'a str,
    /// Where each field ends in `text` (its comma, or the end).
    ends: [usize; N],
    /// The number of fields.
    pub(crate) fields: usize,
    /// Where the line ends in the whole text.
    eol: usize,
}

impl<'a, const N: usize> Plain<'a, N> {
    /// Field `k` (`k < fields`).
    pub(crate) fn field(&self, k: usize) -> &'a str {
        let start = if k == 0 { 0 } else { self.ends[k - 1] + 1 };
        &self.text[start..self.ends[k]]
    }
}

/// Where the first byte below `-` (0x2D) at or after `i` is, `b.len()` if there is none; the
/// comma, the line ends, the quote and every ASCII whitespace are below it, digits, letters,
/// `.` and `-` are not. Eight bytes at a time while eight remain: a word without such a byte
/// is skipped whole.
#[inline(always)]
fn below_dash(b: &[u8], mut i: usize) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    while let Some(word) = b.get(i..i + 8) {
        let w = u64::from_le_bytes(word.try_into().unwrap_or_default());
        // The lowest flagged byte is the first below 0x2D (borrows only run upward).
        let below = w.wrapping_sub(ONES * 0x2D) & !w & HIGH;
        if below != 0 {
            return i + (below.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    while i < b.len() && b[i] >= b'-' {
        i += 1;
    }
    i
}

/// A record terminator: LF or CR (CRLF is a CR, then an LF skipped as a blank line).
fn is_term(c: u8) -> bool {
    c == b'\n' || c == b'\r'
}

/// The line breaks in `b[from..to]`: each `\n`, and each `\r` not followed by `\n`.
fn breaks(b: &[u8], from: usize, to: usize) -> u64 {
    let mut n = 0;
    for i in from..to {
        n += u64::from(b[i] == b'\n' || (b[i] == b'\r' && b.get(i + 1) != Some(&b'\n')));
    }
    n
}

/// The non-blank records of a text one at a time, each with its 1-based physical line number
/// (one record buffer, reused).
pub(crate) struct Records<'a> {
    text: &'a str,
    file: &'a str,
    /// Where the next record is looked for.
    pos: usize,
    /// Lines counted up to here: `line_no` is the line of the byte at `line_pos`.
    line_pos: usize,
    line_no: u64,
    /// The current record.
    pub(crate) rec: Fields,
    /// Its line.
    pub(crate) line: u64,
}

impl<'a> Records<'a> {
    pub(crate) fn new(text: &'a str, file: &'a str) -> Records<'a> {
        Records {
            text,
            file,
            pos: 0,
            line_pos: 0,
            line_no: 1,
            rec: Fields::default(),
            line: 0,
        }
    }

    /// Move to the next record whose fields are not all empty; `false` at the end. The lines
    /// of records whose fields are all empty (such as `,,,`) are pushed to `empty`. Fields are
    /// trimmed of surrounding whitespace when one of them has some.
    pub(crate) fn advance(&mut self, empty: &mut Vec<u64>) -> Result<bool, DataError> {
        let b = self.text.as_bytes();
        loop {
            // Blank lines and the end of the previous line.
            let read_start = self.pos;
            let mut at = self.pos;
            while at < b.len() && is_term(b[at]) {
                at += 1;
            }
            self.line_no += breaks(b, self.line_pos, at);
            self.line_pos = at;
            if at == b.len() {
                self.pos = at;
                return Ok(false);
            }
            let line = self.line_no;
            let end = match self.plain(at) {
                Some(eol) => eol,
                None => {
                    let end = self.quoted(at);
                    self.line_no += breaks(b, at, end);
                    end
                }
            };
            self.line_pos = end;
            // The record's line end is consumed (a CRLF's LF is skipped with the blank lines).
            self.pos = (end + 1).min(b.len());
            if self.pos == b.len() {
                self.check_quotes(read_start)?;
            }
            self.rec.trim_if_padded();
            if self.rec.all_empty() {
                empty.push(line);
                continue;
            }
            self.line = line;
            return Ok(true);
        }
    }

    /// The next record when it is a plain line: at most `N` fields and no byte below `-`
    /// (0x2D) but its commas and its line end, so no quote, no whitespace, no control byte.
    /// Such a line is a record of its comma-separated cells exactly as [`Records::advance`]
    /// would read it (no quote to undo, nothing to trim, not all empty once a cell is a date).
    /// The reader does not move; [`Records::take`] moves it past the line. `None` at the end
    /// of the text or for any other line (it is then read by [`Records::advance`]).
    pub(crate) fn peek_plain<const N: usize>(&self) -> Option<Plain<'a, N>> {
        let b = self.text.as_bytes();
        let mut at = self.pos;
        while at < b.len() && is_term(b[at]) {
            at += 1;
        }
        if at == b.len() {
            return None;
        }
        let line = self.line_no + breaks(b, self.line_pos, at);
        let mut ends = [0usize; N];
        let mut fields = 0;
        let mut i = at;
        let eol = loop {
            i = below_dash(b, i);
            let Some(&c) = b.get(i) else { break i };
            match c {
                b',' if fields + 1 < N => {
                    ends[fields] = i - at;
                    fields += 1;
                }
                b'\n' | b'\r' => break i,
                _ => return None,
            }
            i += 1;
        };
        ends[fields] = eol - at;
        Some(Plain {
            line,
            text: &self.text[at..eol],
            ends,
            fields: fields + 1,
            eol,
        })
    }

    /// Move past the line of `p` (from [`Records::peek_plain`] on this reader, unmoved since),
    /// as [`Records::advance`] would have: its line becomes the reader's `line`; `rec` is left
    /// as it was.
    pub(crate) fn take<const N: usize>(&mut self, p: &Plain<'a, N>) {
        self.line_no = p.line;
        self.line_pos = p.eol;
        self.pos = (p.eol + 1).min(self.text.len());
        self.line = p.line;
    }

    /// Read the record starting at `at` (not a line end) when its line holds no double quote:
    /// split at every comma up to the line end, which is returned; `None` at a double quote.
    /// One pass over the bytes, eight at a time: a word without a byte below `-` (0x2D; the
    /// comma, line ends and quote are below it, digits, letters, `.` and `-` are not) is
    /// skipped whole ([`below_dash`]); a byte below it is looked up in [`CLASS`].
    fn plain(&mut self, at: usize) -> Option<usize> {
        let b = self.text.as_bytes();
        let rec = &mut self.rec;
        rec.spans.clear();
        let mut start = 0;
        let mut i = at;
        let eol = loop {
            i = below_dash(b, i);
            let Some(&c) = b.get(i) else { break i };
            match CLASS[usize::from(c)] {
                PLAIN => {}
                COMMA => {
                    rec.spans.push((start, i - at));
                    start = i - at + 1;
                }
                EOL => break i,
                _ => return None,
            }
            i += 1;
        };
        rec.spans.push((start, eol - at));
        rec.buf.clear();
        rec.buf.push_str(&self.text[at..eol]);
        Some(eol)
    }

    /// Read the record starting at `at` (not a line end) byte by byte, with quotes; returns
    /// where it ends (its line end, or the end of the text).
    fn quoted(&mut self, at: usize) -> usize {
        let (text, b) = (self.text, self.text.as_bytes());
        let rec = &mut self.rec;
        rec.buf.clear();
        rec.spans.clear();
        // Bytes `run..i` are copied to the field when a byte is dropped or the field ends.
        let (mut run, mut field, mut state) = (at, 0, State::StartField);
        let mut i = at;
        while i < b.len() {
            let c = b[i];
            let (drop, ends) = match state {
                State::StartField | State::InField | State::QuoteInQuoted
                    if c == b',' || is_term(c) =>
                {
                    (true, true)
                }
                State::StartField if c == b'"' => {
                    state = State::InQuoted;
                    (true, false)
                }
                State::InQuoted if c == b'"' => {
                    state = State::QuoteInQuoted;
                    (true, false)
                }
                State::QuoteInQuoted if c == b'"' => {
                    // `""`: the second quote is the cell's.
                    state = State::InQuoted;
                    (false, false)
                }
                State::StartField | State::QuoteInQuoted => {
                    state = State::InField;
                    (false, false)
                }
                State::InField | State::InQuoted => (false, false),
            };
            if drop {
                rec.buf.push_str(&text[run..i]);
                run = i + 1;
            }
            if ends {
                rec.spans.push((field, rec.buf.len()));
                field = rec.buf.len();
                state = State::StartField;
                if is_term(c) {
                    return i;
                }
            }
            i += 1;
        }
        rec.buf.push_str(&text[run..]);
        rec.spans.push((field, rec.buf.len()));
        b.len()
    }

    /// A quote left open swallows the rest of the file into the last record's cell (the cell
    /// ends at the end of the input): refuse it, naming the line and column where the quote
    /// opened. Quoted cells that close, even over several lines, are fine. Checked on a
    /// record that reaches the end of the text, from `start`, where its read began.
    fn check_quotes(&self, start: usize) -> Result<(), DataError> {
        let b = self.text.as_bytes();
        if memchr::memchr(b'"', &b[start..]).is_none() {
            return Ok(());
        }
        let (mut open, mut at, mut column, mut commas) = (false, 0, 0, 0);
        for (i, &c) in b.iter().enumerate().skip(start) {
            match c {
                b'"' => {
                    open = !open;
                    if open {
                        (at, column) = (i, commas + 1);
                    }
                }
                b',' if !open => commas += 1,
                b'\n' | b'\r' if !open => commas = 0,
                _ => {}
            }
        }
        if !open {
            return Ok(());
        }
        Err(DataError::UnterminatedQuote {
            file: self.file.to_string(),
            line: breaks(b, 0, at) + 1,
            column,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Every record of `text` with its line (blank records as `None` fields), or the error.
    fn ours(text: &str) -> Result<Vec<(u64, Vec<String>)>, String> {
        read_all(text, false)
    }

    /// [`ours`], with every plain line that has a non-empty cell read by `peek_plain` and
    /// `take` instead of `advance`.
    fn peeked(text: &str) -> Result<Vec<(u64, Vec<String>)>, String> {
        read_all(text, true)
    }

    /// The records of `text` by `advance`, or with `peek` by `peek_plain` and `take` where
    /// they apply.
    fn read_all(text: &str, peek: bool) -> Result<Vec<(u64, Vec<String>)>, String> {
        let mut it = Records::new(text, "t.csv");
        let mut out = Vec::new();
        let mut empty = Vec::new();
        loop {
            if let Some(p) = peek.then(|| it.peek_plain::<4>()).flatten() {
                let cells: Vec<String> = (0..p.fields).map(|k| p.field(k).to_string()).collect();
                if cells.iter().any(|c| !c.is_empty()) {
                    out.push((p.line, cells));
                    it.take(&p);
                    assert_eq!(it.line, out[out.len() - 1].0);
                    continue;
                }
            }
            let before = empty.len();
            match it.advance(&mut empty) {
                Err(e) => return Err(e.to_string()),
                Ok(more) => {
                    out.extend(empty[before..].iter().map(|&l| (l, vec![])));
                    if !more {
                        return Ok(out);
                    }
                    out.push((it.line, it.rec.iter().map(str::to_string).collect()));
                }
            }
        }
    }

    /// The same by the `csv` crate, as this crate read files before (the reference).
    fn reference(text: &str) -> Result<Vec<(u64, Vec<String>)>, String> {
        let bytes = text.as_bytes();
        let breaks: Vec<usize> = memchr::memchr2_iter(b'\n', b'\r', bytes)
            .filter(|&i| bytes[i] == b'\n' || bytes.get(i + 1) != Some(&b'\n'))
            .collect();
        let line_of = |pos: Option<&csv::Position>| {
            let mut at = pos.map_or(0, |p| p.byte() as usize);
            while matches!(bytes.get(at), Some(b'\r' | b'\n')) {
                at += 1;
            }
            breaks.partition_point(|&i| i < at) as u64 + 1
        };
        let mut rdr = csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .from_reader(bytes);
        let mut rec = csv::StringRecord::new();
        let mut out = Vec::new();
        loop {
            match rdr.read_record(&mut rec) {
                Ok(true) => {
                    let padded = |f: &str| {
                        f.as_bytes().first().is_some_and(u8::is_ascii_whitespace)
                            || f.as_bytes().last().is_some_and(u8::is_ascii_whitespace)
                    };
                    if rec.iter().any(padded) {
                        rec.trim();
                    }
                    let line = line_of(rec.position());
                    // The unterminated-quote check of the old reader.
                    let start = rec.position().map_or(0, |p| p.byte() as usize);
                    if rdr.position().byte() as usize == bytes.len() {
                        let (mut open, mut at, mut column, mut commas) = (false, 0, 0, 0);
                        for (i, &c) in bytes.iter().enumerate().skip(start) {
                            match c {
                                b'"' => {
                                    open = !open;
                                    if open {
                                        (at, column) = (i, commas + 1);
                                    }
                                }
                                b',' if !open => commas += 1,
                                b'\n' | b'\r' if !open => commas = 0,
                                _ => {}
                            }
                        }
                        if open {
                            return Err(DataError::UnterminatedQuote {
                                file: "t.csv".into(),
                                line: breaks.partition_point(|&i| i < at) as u64 + 1,
                                column,
                            }
                            .to_string());
                        }
                    }
                    if rec.iter().all(str::is_empty) {
                        out.push((line, vec![]));
                    } else {
                        out.push((line, rec.iter().map(str::to_string).collect()));
                    }
                }
                Ok(false) => return Ok(out),
                Err(e) => return Err(e.to_string()),
            }
        }
    }

    #[test]
    fn plain_quoted_and_blank() {
        let t = "a,b\r\n\r\n1,\"x,\"\"y\"\"\nz\"\n ,\t\n\"q\"r,2";
        assert_eq!(
            ours(t).unwrap(),
            vec![
                (1, vec!["a".into(), "b".into()]),
                (3, vec!["1".into(), "x,\"y\"\nz".into()]),
                (5, vec![]),
                (6, vec!["qr".into(), "2".into()]),
            ]
        );
        assert_eq!(ours(t), reference(t));
        assert_eq!(ours("").unwrap(), vec![]);
        assert_eq!(ours("\n\r\n\r").unwrap(), vec![]);
        assert_eq!(
            ours("a,\n").unwrap(),
            vec![(1, vec!["a".into(), "".into()])]
        );
    }

    #[test]
    fn unterminated_quotes() {
        for t in [
            "Date,Close\n\"2020-01-07,13\n2020-01-08,14\n",
            "Date,Close\n2020-01-03,\"11\n2020-01-04,12\n",
            "Date,Close\n2020-01-03,11\"\n",
            "Date,Close\n2020-01-03,11\"\r\n",
            "Date,Close\n2020-01-03,11\"",
        ] {
            assert_eq!(ours(t), reference(t), "{t:?}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(4000))]

        /// Reading plain lines in place (`peek_plain`, `take`; at most 4 cells) gives the
        /// records, lines and errors of `advance`, whatever comes around them.
        #[test]
        fn plain_lines_in_place_agree(t in "[a1,\" \t\r\n-]{0,40}") {
            prop_assert_eq!(peeked(&t), ours(&t));
        }

        /// The records, lines and errors agree with the `csv` crate's reading on any text of
        /// the characters that matter (quotes, separators, line ends, spaces).
        #[test]
        fn agrees_with_the_csv_crate(t in "[a1,\" \t\r\n\u{a0}é]{0,40}") {
            prop_assert_eq!(ours(&t), reference(&t));
        }

        #[test]
        fn agrees_on_rows(t in "(([0-9 ]{0,3}|\"[0-9,\"\n]{0,4}\"),){0,4}[0-9]{0,2}(\r\n|\n|\r|\n\n)?") {
            let t = format!("h,h\n{t}{t}");
            prop_assert_eq!(ours(&t), reference(&t));
        }
    }
}
