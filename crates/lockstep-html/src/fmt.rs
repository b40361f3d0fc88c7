//! Number formatting (the terminal's precisions) and small HTML builders.

use std::fmt::Write as _;

use crate::escape;

/// What an undefined value shows.
pub(crate) const NONE: &str = "—";

/// `f(v)`, or [`NONE`].
pub(crate) fn opt<T>(v: Option<T>, f: impl Fn(T) -> String) -> String {
    v.map(f).unwrap_or_else(|| NONE.into())
}

/// A signed percentage with 1 decimal from a fraction (`0.123` → `+12.3%`).
pub(crate) fn pct(v: f64) -> String {
    format!("{:+.1}%", 100.0 * v)
}

/// The colour class of a signed value.
pub(crate) fn sign_class(v: f64) -> &'static str {
    if v >= 0.0 {
        "up"
    } else {
        "down"
    }
}

/// A text cell.
pub(crate) fn td(text: &str) -> String {
    format!("<td>{}</td>", escape(text))
}

/// A date cell.
pub(crate) fn td_date(text: impl std::fmt::Display) -> String {
    format!("<td class=\"date\">{}</td>", escape(&text.to_string()))
}

/// A numeric (right-aligned) cell.
pub(crate) fn td_num(text: &str) -> String {
    format!("<td class=\"num\">{}</td>", escape(text))
}

/// A numeric cell with an extra class (colour).
pub(crate) fn td_num_class(text: &str, class: &str) -> String {
    if class.is_empty() {
        td_num(text)
    } else {
        format!("<td class=\"num {class}\">{}</td>", escape(text))
    }
}

/// A text cell with a class.
pub(crate) fn td_class(text: &str, class: &str) -> String {
    if class.is_empty() {
        td(text)
    } else {
        format!("<td class=\"{class}\">{}</td>", escape(text))
    }
}

/// A header cell; `num` right-aligns it.
pub(crate) struct Th<'a>(pub &'a str, pub bool);

/// A table in its scrolling wrapper: `head` cells, `rows` of already-built `<td>` cells, an
/// optional caption (text).
pub(crate) fn table(class: &str, head: &[Th<'_>], rows: &[Vec<String>], caption: &str) -> String {
    let mut o = String::from("<div class=\"table-wrap\">");
    let _ = write!(o, "<table class=\"{class}\">");
    if !caption.is_empty() {
        let _ = write!(o, "<caption>{}</caption>", escape(caption));
    }
    o.push_str("<thead><tr>");
    for h in head {
        if h.1 {
            let _ = write!(o, "<th scope=\"col\" class=\"num\">{}</th>", escape(h.0));
        } else {
            let _ = write!(o, "<th scope=\"col\">{}</th>", escape(h.0));
        }
    }
    o.push_str("</tr></thead><tbody>");
    for r in rows {
        o.push_str("<tr>");
        for c in r {
            o.push_str(c);
        }
        o.push_str("</tr>");
    }
    o.push_str("</tbody></table></div>\n");
    o
}

/// A paragraph of text with an optional class.
pub(crate) fn para(class: &str, text: &str) -> String {
    if class.is_empty() {
        format!("<p>{}</p>\n", escape(text))
    } else {
        format!("<p class=\"{class}\">{}</p>\n", escape(text))
    }
}

/// A list of facts (text items).
pub(crate) fn facts(items: &[String]) -> String {
    if items.is_empty() {
        return String::new();
    }
    let mut o = String::from("<ul class=\"facts\">");
    for i in items {
        let _ = write!(o, "<li>{}</li>", escape(i));
    }
    o.push_str("</ul>\n");
    o
}

/// `<h3>`.
pub(crate) fn h3(text: &str) -> String {
    format!("<h3>{}</h3>\n", escape(text))
}

/// A `<section>` with its `<h2>`; `body` is HTML.
pub(crate) fn section(id: &str, title: &str, body: &str) -> String {
    format!(
        "<section id=\"{}\">\n<h2>{}</h2>\n{body}</section>\n",
        escape(id),
        escape(title)
    )
}
