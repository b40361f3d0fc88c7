//! The terminal layout of a [`Document`], and the text primitives every terminal renderer of
//! this crate shares (colour, wrapping, shortening, CSV cells).
//!
//! Layout rules: the title in bold; each section after a blank line, its heading in bold;
//! paragraphs and facts wrapped at 78 columns and indented by two spaces; definitions as
//! `name value` pairs separated by `;`; sub-headings dimmed; tables with a dimmed header row,
//! numbers right-aligned, two spaces between columns, their caption dimmed below them;
//! columns marked as details are left out. A table still wider than 78 columns is cut into
//! parts that fit, each repeating the first column.
//! Colour only when asked (a terminal, not `NO_COLOR`): correlations green (strong), yellow
//! (moderate) or red (negative), signed changes green or red, significant values bold.

use std::fmt::Write as _;

use super::{Block, Cell, Document, Kind, Section, Span, Table, Tone};

/// Width of a line of the terminal report.
pub const WIDTH: usize = 78;

/// ANSI styling, or none.
#[derive(Clone, Copy, Debug)]
pub struct Style {
    /// Whether to emit ANSI escape codes.
    pub color: bool,
}

impl Style {
    fn paint(&self, code: &str, s: &str) -> String {
        if self.color && code != "0" {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else if self.color {
            format!("\x1b[0m{s}\x1b[0m")
        } else {
            s.to_string()
        }
    }

    /// Bold.
    pub fn bold(&self, s: &str) -> String {
        self.paint("1", s)
    }

    /// Dimmed.
    pub fn dim(&self, s: &str) -> String {
        self.paint("2", s)
    }

    /// Green for strong positive, yellow for moderate, red for negative.
    pub fn corr(&self, r: f64, s: &str) -> String {
        let code = if r > 0.5 {
            "32"
        } else if r > 0.3 {
            "33"
        } else if r < -0.1 {
            "31"
        } else {
            "0"
        };
        self.paint(code, s)
    }

    /// Green for ≥ 0, red below.
    pub fn signed(&self, v: f64, s: &str) -> String {
        self.paint(if v >= 0.0 { "32" } else { "31" }, s)
    }

    /// `s` marked by `tone`.
    pub fn tone(&self, tone: &Tone, s: &str) -> String {
        match tone {
            Tone::Plain | Tone::Class(_) => s.to_string(),
            Tone::Corr(r) => self.corr(*r, s),
            Tone::Sign(v) => self.signed(*v, s),
            Tone::Significant => self.bold(s),
        }
    }
}

/// Words wrapped at 78 columns, each line indented by two spaces.
pub fn wrap(o: &mut String, text: &str) {
    let mut line = String::from(" ");
    for word in text.split_whitespace() {
        if line.chars().count() + 1 + word.chars().count() > WIDTH && !line.trim().is_empty() {
            let _ = writeln!(o, "{line}");
            line = String::from("   ");
        }
        line.push(' ');
        line.push_str(word);
    }
    let _ = writeln!(o, "{line}");
}

/// `name` cut to `width` characters with an ellipsis.
pub fn short(name: &str, width: usize) -> String {
    if name.chars().count() <= width {
        name.to_string()
    } else {
        let mut s: String = name.chars().take(width - 1).collect();
        s.push('…');
        s
    }
}

/// A CSV cell: empty when undefined, else the shortest decimal that round-trips to the same f64.
pub fn cell(v: Option<f64>) -> String {
    v.map(super::decimal::f64_text).unwrap_or_default()
}

/// Append [`cell`]`(v)` to `line` (nothing when undefined), without allocating.
pub fn push_cell(line: &mut String, v: Option<f64>) {
    if let Some(x) = v {
        let _ = super::decimal::push_f64(line, x);
    }
}

/// Append `d` to `line` as its `Display` writes it (`YYYY-MM-DD`; a year outside 0..=9999 as
/// `{:+05}`), without the formatting machinery for the years in 0..=9999.
pub fn push_date(line: &mut String, d: lockstep_core::Date) {
    use chrono::Datelike;
    let year = d.year();
    if !(0..=9999).contains(&year) {
        let _ = write!(line, "{d}");
        return;
    }
    let digit = |v: u32| char::from(b'0' + v as u8);
    let y = year as u32;
    let (m, day) = (d.month(), d.day());
    for c in [
        digit(y / 1000),
        digit(y / 100 % 10),
        digit(y / 10 % 10),
        digit(y % 10),
        '-',
        digit(m / 10),
        digit(m % 10),
        '-',
        digit(day / 10),
        digit(day % 10),
    ] {
        line.push(c);
    }
}

/// Write a header then `n` rows to `out`, each row formatted by `row(line, i)` into one
/// reused line buffer: a per-date CSV leaves the program row by row, without the whole
/// output in memory.
pub(crate) fn write_rows(
    out: &mut dyn std::io::Write,
    header: &str,
    n: usize,
    mut row: impl FnMut(&mut String, usize),
) -> std::io::Result<()> {
    out.write_all(header.as_bytes())?;
    let mut line = String::with_capacity(256);
    for i in 0..n {
        line.clear();
        row(&mut line, i);
        out.write_all(line.as_bytes())?;
    }
    Ok(())
}

/// What a writer of rows ([`write_rows`]) writes, as a string.
pub(crate) fn written(f: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> String {
    let mut v = Vec::new();
    f(&mut v).expect("writing to memory cannot fail");
    String::from_utf8(v).expect("the rows are UTF-8")
}

/// [`cell`] without allocating: displays as the cell's text (for rows written one by one).
#[derive(Clone, Copy, Debug)]
pub struct CellText(pub Option<f64>);

impl std::fmt::Display for CellText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(x) => super::decimal::push_f64(f, x),
            None => Ok(()),
        }
    }
}

/// The whole document for a terminal.
pub fn layout(doc: &Document, color: bool) -> String {
    let st = Style { color };
    let mut o = String::new();
    let _ = writeln!(o, "{}", st.bold(&doc.title));
    for s in &doc.sections {
        o.push('\n');
        section_into(&mut o, s, &st);
    }
    o
}

/// One section for a terminal: its heading, then its blocks.
pub fn section(s: &Section, color: bool) -> String {
    let mut o = String::new();
    section_into(&mut o, s, &Style { color });
    o
}

/// `text` wrapped at [`WIDTH`] (continuation lines indented by `indent + 2`), each line
/// painted by `paint`.
fn wrapped_line(o: &mut String, text: &str, indent: usize, paint: impl Fn(&str) -> String) {
    let mut line = " ".repeat(indent);
    let mut width = indent;
    let mut first = true;
    for word in text.split_whitespace() {
        let n = word.chars().count();
        if !first && width + 1 + n > WIDTH {
            let _ = writeln!(o, "{}{}", " ".repeat(indent), paint(line.trim_start()));
            line = " ".repeat(indent + 2);
            width = indent + 2;
            first = true;
        }
        if !first {
            line.push(' ');
            width += 1;
        }
        line.push_str(word);
        width += n;
        first = false;
    }
    let lead = line.len() - line.trim_start().len();
    let _ = writeln!(o, "{}{}", " ".repeat(lead), paint(line.trim_start()));
}

fn section_into(o: &mut String, s: &Section, st: &Style) {
    wrapped_line(o, &s.title, 0, |l| st.bold(l));
    for b in &s.blocks {
        match b {
            Block::Para { spans, .. } => spans_wrapped(o, spans, st),
            Block::Facts(items) => {
                for i in items {
                    wrap(o, i);
                }
            }
            Block::Definitions { items, .. } => {
                let text: Vec<String> = items.iter().map(|(k, v)| format!("{k} {v}")).collect();
                wrap(o, &text.join("; "));
            }
            Block::Heading(h) => wrapped_line(o, h, 2, |l| st.dim(l)),
            Block::Table(t) => table_into(o, t, st),
            Block::Figures => {}
        }
    }
}

/// Styled runs wrapped at [`WIDTH`], indented by two spaces (the width counts the text only).
/// A word is what lies between white space, whichever runs it is made of.
fn spans_wrapped(o: &mut String, spans: &[Span], st: &Style) {
    // Each word: its width and its styled text.
    let mut words: Vec<(usize, String)> = Vec::new();
    let mut cur: Option<(usize, String)> = None;
    for s in spans {
        let paint = |piece: &str| {
            let w = st.tone(&s.tone, piece);
            if s.strong && s.tone == Tone::Plain {
                st.bold(&w)
            } else {
                w
            }
        };
        let mut piece = String::new();
        for ch in s.text.chars() {
            if ch.is_whitespace() {
                if !piece.is_empty() {
                    let w = cur.get_or_insert((0, String::new()));
                    w.0 += piece.chars().count();
                    w.1.push_str(&paint(&piece));
                    piece.clear();
                }
                if let Some(w) = cur.take() {
                    words.push(w);
                }
            } else {
                piece.push(ch);
            }
        }
        if !piece.is_empty() {
            let w = cur.get_or_insert((0, String::new()));
            w.0 += piece.chars().count();
            w.1.push_str(&paint(&piece));
        }
    }
    if let Some(w) = cur.take() {
        words.push(w);
    }
    let mut line = String::from(" ");
    let mut width = 1;
    for (n, word) in words {
        if width + 1 + n > WIDTH && width > 3 {
            let _ = writeln!(o, "{line}");
            line = String::from("   ");
            width = 3;
        }
        line.push(' ');
        line.push_str(&word);
        width += 1 + n;
    }
    let _ = writeln!(o, "{line}");
}

/// Widest first column of a table on a terminal (longer labels are cut with `…`).
const FIRST_MAX: usize = 24;

/// The display width of each column (header and cells; a spanning cell does not count),
/// capped so that the first column and any other one fit in [`WIDTH`] together: longer
/// texts are cut with `…`.
fn widths(t: &Table) -> Vec<usize> {
    let mut w: Vec<usize> = t.columns.iter().map(|c| c.header.chars().count()).collect();
    for r in &t.rows {
        let mut j = 0;
        for c in r {
            if c.span == 1 && j < w.len() {
                w[j] = w[j].max(c.text.chars().count());
            }
            j += c.span;
        }
    }
    if let Some(first) = w.first_mut() {
        *first = (*first).min(FIRST_MAX);
    }
    let rest = WIDTH - 2 - w[0] - 2;
    for x in w.iter_mut().skip(1) {
        *x = (*x).min(rest);
    }
    w
}

fn pad(text: &str, width: usize, right: bool) -> String {
    let n = text.chars().count();
    let fill = " ".repeat(width.saturating_sub(n));
    if right {
        format!("{fill}{text}")
    } else {
        format!("{text}{fill}")
    }
}

/// Groups of the columns `shown` that fit in [`WIDTH`], each starting with the first one.
fn parts(w: &[usize], shown: &[usize]) -> Vec<Vec<usize>> {
    let first = shown[0];
    let mut parts = Vec::new();
    let mut cur = vec![first];
    let mut used = 2 + w[first];
    for &j in &shown[1..] {
        if used + 2 + w[j] > WIDTH && cur.len() > 1 {
            parts.push(std::mem::replace(&mut cur, vec![first]));
            used = 2 + w[first];
        }
        cur.push(j);
        used += 2 + w[j];
    }
    parts.push(cur);
    parts
}

fn table_into(o: &mut String, t: &Table, st: &Style) {
    if t.columns.is_empty() {
        return;
    }
    let w = widths(t);
    let shown: Vec<usize> = (0..t.columns.len())
        .filter(|&j| !t.columns[j].detail)
        .collect();
    if shown.is_empty() {
        return;
    }
    for part in parts(&w, &shown) {
        let head: Vec<String> = part
            .iter()
            .map(|&j| {
                pad(
                    &short(&t.columns[j].header, w[j]),
                    w[j],
                    t.columns[j].kind == Kind::Num,
                )
            })
            .collect();
        let _ = writeln!(o, "  {}", st.dim(head.join("  ").trim_end()));
        for r in &t.rows {
            let mut line = String::from(" ");
            let mut j = 0;
            for c in r {
                if c.span > 1 {
                    // A message spanning several columns: once, in the part holding its
                    // first shown column.
                    let home = shown.iter().find(|&&k| k >= j && k < j + c.span);
                    if home.is_some_and(|k| part.contains(k)) {
                        let left = WIDTH.saturating_sub(line.chars().count() + 1);
                        line.push_str("  ");
                        line.push_str(&short(&c.text, left.max(8)));
                    }
                } else if part.contains(&j) {
                    line.push_str("  ");
                    cell_into(&mut line, c, t, j, &w, st);
                }
                j += c.span;
            }
            let _ = writeln!(o, "{}", line[1..].trim_end());
        }
    }
    if !t.caption.is_empty() {
        let mut c = String::new();
        wrap(&mut c, &t.caption);
        o.push_str(&st.dim(c.trim_end()));
        o.push('\n');
    }
}

fn cell_into(line: &mut String, c: &Cell, t: &Table, j: usize, w: &[usize], st: &Style) {
    let right = t.columns[j].kind == Kind::Num;
    let text = short(&c.text, w[j]);
    let padded = pad(&text, w[j], right);
    if c.tone == Tone::Plain {
        line.push_str(&padded);
    } else {
        // Colour the text, not the padding.
        let n = text.chars().count();
        let fill = " ".repeat(w[j].saturating_sub(n));
        let styled = st.tone(&c.tone, &text);
        if right {
            line.push_str(&fill);
            line.push_str(&styled);
        } else {
            line.push_str(&styled);
            line.push_str(&fill);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::Column;
    use super::*;

    #[test]
    fn dates_are_written_as_display_writes_them() {
        use chrono::Datelike;
        let mut day = lockstep_core::Date::from_ymd_opt(-3, 12, 20).unwrap();
        let mut line = String::new();
        // Every day from year −3 to 10,005 (the four-digit years and both sides of them).
        while day.year() <= 10_005 {
            line.clear();
            push_date(&mut line, day);
            assert_eq!(line, day.to_string());
            day = day.succ_opt().unwrap();
        }
        line.clear();
        push_date(&mut line, lockstep_core::Date::MIN);
        assert_eq!(line, lockstep_core::Date::MIN.to_string());
    }

    #[test]
    fn a_wide_table_is_cut_into_parts_repeating_the_first_column() {
        let mut t = Table::new(
            "x",
            (0..6)
                .map(|k| Column::new(format!("column number {k}"), Kind::Num))
                .collect(),
        );
        t.rows
            .push((0..6).map(|k| Cell::new(k.to_string())).collect());
        let out = section(
            &Section {
                id: "x",
                title: "T".into(),
                blocks: vec![Block::Table(t)],
            },
            false,
        );
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH), "{out}");
        assert_eq!(out.matches("column number 0").count(), 2, "{out}");
        assert!(out.contains("column number 5"));
    }

    #[test]
    fn paragraphs_wrap_and_keep_their_words() {
        let text = "word ".repeat(40);
        let out = section(
            &Section {
                id: "x",
                title: "T".into(),
                blocks: vec![Block::para("", text.clone())],
            },
            false,
        );
        assert!(out.lines().all(|l| l.chars().count() <= WIDTH));
        assert_eq!(out.matches("word").count(), 40);
    }
}
