//! Small HTML builders: tables in their scrolling wrapper, paragraphs, fact lists, headings, sections.

use std::fmt::Write as _;

use crate::escape;

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
