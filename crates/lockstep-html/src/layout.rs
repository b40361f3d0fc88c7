//! The HTML layout of the document model (`lockstep_report::doc`): a [`Section`] becomes a
//! `<section id=…>` with its `<h2>`; paragraphs `<p class=role>`, facts `<ul class="facts">`,
//! definitions `<dl>`, sub-headings `<h3>`, tables in their scrolling wrapper (numbers in
//! `td.num`, dates in `td.date`, row labels in `th[scope=row]`, tones as classes), and the
//! section's figures where the section puts them.

use std::fmt::Write as _;

use lockstep_report::doc::{Block, Cell, Kind, Section, Span, Table, Tone};

use crate::escape;
use crate::fmt::{facts, h3, para, section as section_html, Th};

/// One section; `figures` is the HTML of its charts, placed at its `Figures` block.
pub(crate) fn section(s: &Section, figures: &str) -> String {
    section_html(s.id, &s.title, &body(s, figures))
}

/// The body of a section (without its `<section>` and `<h2>`).
pub(crate) fn body(s: &Section, figures: &str) -> String {
    let mut b = String::new();
    for block in &s.blocks {
        match block {
            Block::Para { role, spans } => para_into(&mut b, role, spans),
            Block::Facts(items) => b.push_str(&facts(items)),
            Block::Definitions { role, items } => {
                let _ = write!(b, "<dl class=\"{role}\">");
                for (k, v) in items {
                    let _ = write!(b, "<dt>{}</dt><dd>{}</dd>", escape(k), escape(v));
                }
                b.push_str("</dl>\n");
            }
            Block::Heading(h) => b.push_str(&h3(h)),
            Block::Table(t) => b.push_str(&table(t)),
            Block::Figures => b.push_str(figures),
        }
    }
    b
}

fn para_into(b: &mut String, role: &str, spans: &[Span]) {
    if let [one] = spans {
        if one.tone == Tone::Plain && !one.strong {
            b.push_str(&para(role, &one.text));
            return;
        }
    }
    if role.is_empty() {
        b.push_str("<p>");
    } else {
        let _ = write!(b, "<p class=\"{role}\">");
    }
    for s in spans {
        let text = escape(&s.text);
        match (s.strong, &s.tone) {
            (false, Tone::Plain) => b.push_str(&text),
            (true, Tone::Plain) => {
                let _ = write!(b, "<strong>{text}</strong>");
            }
            (true, tone) => {
                let _ = write!(b, "<strong class=\"{}\">{text}</strong>", tone.class());
            }
            (false, tone) => {
                let _ = write!(b, "<span class=\"{}\">{text}</span>", tone.class());
            }
        }
    }
    b.push_str("</p>\n");
}

fn cell(c: &Cell, kind: Kind) -> String {
    let text = escape(&c.text);
    if c.span > 1 {
        return format!("<td colspan=\"{}\">{text}</td>", c.span);
    }
    let class = c.tone.class();
    match kind {
        Kind::RowLabel => format!("<th scope=\"row\">{text}</th>"),
        Kind::Date => format!("<td class=\"date\">{text}</td>"),
        Kind::Num if class.is_empty() => format!("<td class=\"num\">{text}</td>"),
        Kind::Num => format!("<td class=\"num {class}\">{text}</td>"),
        Kind::Text if class.is_empty() => format!("<td>{text}</td>"),
        Kind::Text => format!("<td class=\"{class}\">{text}</td>"),
    }
}

fn table(t: &Table) -> String {
    let head: Vec<Th<'_>> = t
        .columns
        .iter()
        .map(|c| Th(&c.header, c.kind == Kind::Num))
        .collect();
    let rows: Vec<Vec<String>> = t
        .rows
        .iter()
        .map(|r| {
            let mut j = 0;
            r.iter()
                .map(|c| {
                    let kind = t.columns.get(j).map_or(Kind::Text, |col| col.kind);
                    j += c.span;
                    cell(c, kind)
                })
                .collect()
        })
        .collect();
    crate::fmt::table(t.role, &head, &rows, &t.caption)
}
