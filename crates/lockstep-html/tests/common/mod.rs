//! Helpers of the page tests: synthetic series and report, hand-made charts, a tiny HTML
//! tokenizer, a well-formedness check and the structural skeleton of a page.
// Each test binary uses a different subset.
#![allow(dead_code)]

use std::collections::HashSet;
use std::path::PathBuf;

use chrono::Datelike;
use lockstep_charts::{Chart, ChartKind};
use lockstep_core::{Date, PriceSeries};
use lockstep_report::{analyze, AnalyzeOptions, Report};
use lockstep_testkit::fixtures::Lcg;
pub use lockstep_testkit::shared_data::skip;

// ---------------------------------------------------------------------------------------------
// Synthetic data
// ---------------------------------------------------------------------------------------------

/// Two correlated legs over `days` calendar days from 2022-01-03: A trades every day, B on
/// weekdays, and B's moves reach A one day later too (a lead-lag to find). Both have volume.
pub fn legs(name_a: &str, name_b: &str, days: usize) -> (PriceSeries, PriceSeries) {
    let mut g = Lcg::new(42);
    let start: Date = "2022-01-03".parse().unwrap();
    let (mut da, mut pa, mut va) = (Vec::new(), Vec::new(), Vec::new());
    let (mut db, mut pb, mut vb) = (Vec::new(), Vec::new(), Vec::new());
    let (mut la, mut lb, mut prev_common) = (100.0f64.ln(), 50.0f64.ln(), 0.0);
    let mut d = start;
    for i in 0..days {
        let common = g.normal() * 0.01;
        // Slow waves so that trends, levels and cups appear.
        let wave = 0.004 * ((i as f64) / 40.0).sin();
        la += wave + 0.8 * common + 0.4 * prev_common + g.normal() * 0.015;
        lb += 0.5 * wave + common + g.normal() * 0.006;
        prev_common = common;
        da.push(d);
        pa.push(la.exp());
        va.push(1000.0 + 300.0 * g.normal().abs());
        if d.weekday().number_from_monday() <= 5 {
            db.push(d);
            pb.push(lb.exp());
            vb.push(5000.0 + 800.0 * g.normal().abs());
        }
        d = d.succ_opt().unwrap();
    }
    let mut a = PriceSeries::new(name_a, da, pa).unwrap();
    a.volume = Some(va);
    a.source = format!("synthetic:{name_a}");
    a.format = "synthetic".into();
    let mut b = PriceSeries::new(name_b, db, pb).unwrap();
    b.volume = Some(vb);
    b.source = format!("synthetic:{name_b}");
    b.format = "synthetic".into();
    (a, b)
}

/// The report of the synthetic legs with the default options.
pub fn report_of(name_a: &str, name_b: &str) -> (Report, PriceSeries, PriceSeries) {
    let (a, b) = legs(name_a, name_b, 900);
    let r = analyze(&a, &b, &AnalyzeOptions::default()).expect("analyze the synthetic legs");
    (r, a, b)
}

/// One small hand-made chart of every kind (one with an XML prolog, one without a viewBox).
pub fn sample_charts() -> Vec<Chart> {
    let kinds = [
        (ChartKind::Overlay, "Overlay rebased to 100"),
        (ChartKind::Correlation, "Rolling correlation"),
        (ChartKind::Momentum, "RSI and MACD"),
        (ChartKind::Ccf, "Cross-correlation by lag"),
        (ChartKind::Levels, "Support and resistance"),
        (ChartKind::Equity, "Equity curve"),
    ];
    kinds
        .iter()
        .enumerate()
        .map(|(i, (kind, title))| {
            let svg = format!(
                "{}<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"400\" height=\"200\"{}>\
                 <rect x=\"0\" y=\"0\" width=\"400\" height=\"200\" fill=\"#fff\"/>\
                 <polyline points=\"0,200 100,{} 400,0\" stroke=\"#06c\" fill=\"none\"/>\
                 <text x=\"10\" y=\"20\">{title} &amp; more</text></svg>\n",
                if i == 0 {
                    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
                } else {
                    ""
                },
                if i == 1 {
                    ""
                } else {
                    " viewBox=\"0 0 400 200\""
                },
                50 + 10 * i
            );
            Chart {
                kind: *kind,
                title: title.to_string(),
                svg,
            }
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------------

/// Compare `actual` with `tests/snapshots/{name}`; `UPDATE_SNAPSHOTS=1` rewrites the file.
pub fn assert_snapshot(name: &str, actual: &str) {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/snapshots")
        .join(name);
    if std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|v| v == "1") {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, actual).unwrap();
        return;
    }
    let expected = std::fs::read_to_string(&path).unwrap_or_else(|_| {
        panic!(
            "no snapshot {}: run with UPDATE_SNAPSHOTS=1 and commit it",
            path.display()
        )
    });
    if expected != actual {
        let diff: Vec<String> = expected
            .lines()
            .zip(actual.lines())
            .enumerate()
            .filter(|(_, (e, a))| e != a)
            .take(10)
            .map(|(i, (e, a))| format!("line {}:\n  expected: {e}\n  actual:   {a}", i + 1))
            .collect();
        panic!(
            "snapshot {name} differs ({} vs {} lines; UPDATE_SNAPSHOTS=1 rewrites it):\n{}",
            expected.lines().count(),
            actual.lines().count(),
            diff.join("\n")
        );
    }
}

// ---------------------------------------------------------------------------------------------
// A tiny HTML tokenizer
// ---------------------------------------------------------------------------------------------

/// A token of an HTML document.
#[derive(Clone, Debug, PartialEq)]
pub enum Tok {
    /// A start tag (`self_closing` for `<x/>`).
    Open {
        name: String,
        attrs: Vec<(String, String)>,
        self_closing: bool,
    },
    /// An end tag.
    Close(String),
    /// Text between tags (raw, entities not decoded).
    Text(String),
}

/// Elements without an end tag.
pub const VOID: [&str; 13] = [
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];

/// Tokens of `html`: comments, the doctype and processing instructions are dropped; the
/// contents of `<style>` and `<script>` are one text token. Errors on a stray `<` or an
/// unterminated tag.
pub fn tokenize(html: &str) -> Result<Vec<Tok>, String> {
    let s = html.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    let mut text = String::new();
    let flush = |text: &mut String, out: &mut Vec<Tok>| {
        if !text.is_empty() {
            out.push(Tok::Text(std::mem::take(text)));
        }
    };
    while i < s.len() {
        if s[i] != b'<' {
            let j = html[i..].find('<').map(|k| i + k).unwrap_or(s.len());
            text.push_str(&html[i..j]);
            i = j;
            continue;
        }
        let rest = &html[i..];
        if rest.starts_with("<!--") {
            let end = rest.find("-->").ok_or("unterminated comment")?;
            i += end + 3;
            continue;
        }
        if rest.starts_with("<!") || rest.starts_with("<?") {
            flush(&mut text, &mut out);
            let end = rest.find('>').ok_or("unterminated declaration")?;
            if rest.starts_with("<?") {
                return Err(format!(
                    "processing instruction in the page: {}",
                    &rest[..end]
                ));
            }
            i += end + 1;
            continue;
        }
        let closing = rest.starts_with("</");
        let name_start = if closing { 2 } else { 1 };
        let first = rest[name_start..].chars().next().unwrap_or(' ');
        if !first.is_ascii_alphabetic() {
            return Err(format!(
                "stray '<' at byte {i}: {:?}",
                &rest[..rest.len().min(40)]
            ));
        }
        flush(&mut text, &mut out);
        // Scan to the closing '>' outside quotes.
        let b = rest.as_bytes();
        let mut j = name_start;
        let mut quote: Option<u8> = None;
        while j < b.len() {
            match quote {
                Some(q) if b[j] == q => quote = None,
                Some(_) => {}
                None if b[j] == b'"' || b[j] == b'\'' => quote = Some(b[j]),
                None if b[j] == b'>' => break,
                None => {}
            }
            j += 1;
        }
        if j >= b.len() {
            return Err(format!("unterminated tag at byte {i}"));
        }
        let inner = &rest[name_start..j];
        i += j + 1;
        let name_end = inner
            .find(|c: char| c.is_whitespace() || c == '/' || c == '>')
            .unwrap_or(inner.len());
        let name = inner[..name_end].to_ascii_lowercase();
        if closing {
            out.push(Tok::Close(name));
            continue;
        }
        let self_closing = inner.trim_end().ends_with('/');
        let attrs = parse_attrs(inner[name_end..].trim_end_matches('/'))?;
        let raw = name == "style" || name == "script";
        out.push(Tok::Open {
            name: name.clone(),
            attrs,
            self_closing,
        });
        if raw && !self_closing {
            let end_tag = format!("</{name}");
            let end = html[i..]
                .find(&end_tag)
                .ok_or(format!("unterminated <{name}>"))?;
            out.push(Tok::Text(html[i..i + end].to_string()));
            i += end;
        }
    }
    flush(&mut text, &mut out);
    Ok(out)
}

fn parse_attrs(s: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() {
            break;
        }
        let start = i;
        while i < b.len() && !b[i].is_ascii_whitespace() && b[i] != b'=' {
            i += 1;
        }
        let name = s[start..i].to_ascii_lowercase();
        if name.is_empty() {
            return Err(format!("bad attribute list {s:?}"));
        }
        if i < b.len() && b[i] == b'=' {
            i += 1;
            if i < b.len() && (b[i] == b'"' || b[i] == b'\'') {
                let q = b[i];
                let vs = i + 1;
                let ve = s[vs..]
                    .bytes()
                    .position(|c| c == q)
                    .ok_or(format!("unterminated attribute value in {s:?}"))?
                    + vs;
                out.push((name, s[vs..ve].to_string()));
                i = ve + 1;
            } else {
                let vs = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                out.push((name, s[vs..i].to_string()));
            }
        } else {
            out.push((name, String::new()));
        }
    }
    Ok(out)
}

/// The value of attribute `name`.
pub fn attr<'a>(attrs: &'a [(String, String)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Every `&` of `s` starts a character reference (`&name;`, `&#123;`, `&#x1F;`).
fn entities_ok(s: &str) -> Result<(), String> {
    for (k, _) in s.match_indices('&') {
        let rest = &s[k + 1..];
        let end = rest.find(';').ok_or(format!("bare '&' in {s:?}"))?;
        let body = &rest[..end];
        let ok = if let Some(hex) = body.strip_prefix("#x") {
            !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit())
        } else if let Some(dec) = body.strip_prefix('#') {
            !dec.is_empty() && dec.chars().all(|c| c.is_ascii_digit())
        } else {
            !body.is_empty() && body.len() <= 10 && body.chars().all(|c| c.is_ascii_alphanumeric())
        };
        if !ok {
            return Err(format!("bad character reference '&{body};' in {s:?}"));
        }
    }
    Ok(())
}

/// Well-formedness: every element closed in order (void elements and `<x/>` excepted), one
/// root `<html>`, character references valid, no `<` loose in text, ids unique.
pub fn check_well_formed(html: &str) -> Result<(), String> {
    if !html.starts_with("<!DOCTYPE html>") {
        return Err("no <!DOCTYPE html> first".into());
    }
    let toks = tokenize(html)?;
    let mut stack: Vec<String> = Vec::new();
    let mut roots = 0;
    let mut ids = HashSet::new();
    let mut in_raw = false;
    for t in &toks {
        match t {
            Tok::Open {
                name,
                attrs,
                self_closing,
            } => {
                if stack.is_empty() {
                    roots += 1;
                    if name != "html" {
                        return Err(format!("root element <{name}>"));
                    }
                }
                for (_, v) in attrs {
                    entities_ok(v)?;
                    if v.contains('<') {
                        return Err(format!("'<' in attribute value {v:?} of <{name}>"));
                    }
                }
                if let Some(id) = attr(attrs, "id") {
                    if !ids.insert(id.to_string()) {
                        return Err(format!("duplicate id {id:?}"));
                    }
                }
                if !self_closing && !VOID.contains(&name.as_str()) {
                    stack.push(name.clone());
                    in_raw = name == "style" || name == "script";
                }
            }
            Tok::Close(name) => {
                in_raw = false;
                match stack.pop() {
                    Some(open) if open == *name => {}
                    Some(open) => {
                        return Err(format!(
                            "</{name}> closes <{open}> (open: {})",
                            stack.join(" > ")
                        ))
                    }
                    None => return Err(format!("</{name}> with nothing open")),
                }
            }
            Tok::Text(text) => {
                if stack.is_empty() && !text.trim().is_empty() {
                    return Err(format!("text outside <html>: {text:?}"));
                }
                if !in_raw {
                    entities_ok(text)?;
                }
            }
        }
    }
    if !stack.is_empty() {
        return Err(format!("unclosed: {}", stack.join(" > ")));
    }
    if roots != 1 {
        return Err(format!("{roots} root elements"));
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Structure
// ---------------------------------------------------------------------------------------------

/// An element of the parsed page.
#[derive(Clone, Debug, Default)]
pub struct Node {
    pub name: String,
    pub attrs: Vec<(String, String)>,
    pub children: Vec<Node>,
    /// The concatenated text of the element and its descendants.
    pub text: String,
}

impl Node {
    pub fn attr(&self, name: &str) -> Option<&str> {
        attr(&self.attrs, name)
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }

    /// Every descendant (depth first, self included) matching `f`.
    pub fn find_all<'a>(&'a self, f: &dyn Fn(&Node) -> bool) -> Vec<&'a Node> {
        let mut out = Vec::new();
        if f(self) {
            out.push(self);
        }
        for c in &self.children {
            out.extend(c.find_all(f));
        }
        out
    }

    /// The element with id `id`.
    pub fn by_id(&self, id: &str) -> Option<&Node> {
        self.find_all(&|n| n.attr("id") == Some(id))
            .into_iter()
            .next()
    }

    /// Direct children named `name`.
    pub fn children_named(&self, name: &str) -> Vec<&Node> {
        self.children.iter().filter(|c| c.name == name).collect()
    }
}

/// The element tree of a well-formed page (a synthetic root holding `<html>`).
pub fn parse(html: &str) -> Node {
    check_well_formed(html).expect("well-formed page");
    let mut stack = vec![Node {
        name: "#document".into(),
        ..Node::default()
    }];
    for t in tokenize(html).unwrap() {
        match t {
            Tok::Open {
                name,
                attrs,
                self_closing,
            } => {
                let n = Node {
                    name: name.clone(),
                    attrs,
                    ..Node::default()
                };
                if self_closing || VOID.contains(&name.as_str()) {
                    stack.last_mut().unwrap().children.push(n);
                } else {
                    stack.push(n);
                }
            }
            Tok::Close(_) => {
                let n = stack.pop().unwrap();
                let parent = stack.last_mut().unwrap();
                parent.text.push_str(&n.text);
                parent.children.push(n);
            }
            Tok::Text(s) => {
                let n = stack.last_mut().unwrap();
                if n.name != "style" {
                    n.text.push_str(&s);
                }
            }
        }
    }
    stack.pop().unwrap()
}

/// Elements the skeleton leaves out (inline formatting and head details); their children
/// still count.
const INLINE: [&str; 9] = [
    "span", "strong", "a", "em", "code", "b", "br", "meta", "abbr",
];

/// Elements whose text the skeleton shows (digits replaced by `#`).
const TEXTUAL: [&str; 7] = ["title", "h1", "h2", "h3", "th", "figcaption", "dt"];

fn hash_digits(s: &str) -> String {
    let mut out = String::new();
    let mut in_num = false;
    for c in s.chars() {
        if c.is_ascii_digit() {
            if !in_num {
                out.push('#');
            }
            in_num = true;
        } else {
            in_num = false;
            out.push(c);
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn label(n: &Node) -> String {
    let mut l = n.name.clone();
    if let Some(id) = n.attr("id") {
        l.push('#');
        l.push_str(id);
    }
    if let Some(c) = n.attr("class") {
        for c in c.split_whitespace() {
            // Colour classes depend on the numbers.
            if !["pos", "neg", "mid", "up", "down", "sig"].contains(&c) && !c.starts_with("truth-")
            {
                l.push('.');
                l.push_str(c);
            }
        }
    }
    if let Some(k) = n.attr("data-kind") {
        l.push_str(&format!("[data-kind={k}]"));
    }
    if TEXTUAL.contains(&n.name.as_str()) {
        l.push_str(&format!(" {:?}", hash_digits(&n.text)));
    }
    l
}

/// The skeleton lines of `n`'s children (inline elements flattened, SVG internals dropped),
/// consecutive identical siblings collapsed into one with ` ×N`, or ` ×…` for table rows and
/// list items (how many depends on the data).
fn skeleton_children(n: &Node, depth: usize) -> Vec<String> {
    let mut flat: Vec<&Node> = Vec::new();
    fn flatten<'a>(n: &'a Node, out: &mut Vec<&'a Node>) {
        for c in &n.children {
            if INLINE.contains(&c.name.as_str()) {
                flatten(c, out);
            } else {
                out.push(c);
            }
        }
    }
    flatten(n, &mut flat);
    let rendered: Vec<Vec<String>> = flat.iter().map(|c| skeleton_node(c, depth)).collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < rendered.len() {
        let mut j = i + 1;
        while j < rendered.len() && rendered[j] == rendered[i] {
            j += 1;
        }
        let mut block = rendered[i].clone();
        if matches!(n.name.as_str(), "tbody" | "ul" | "ol") {
            block[0].push_str(" ×…");
        } else if j - i > 1 {
            block[0].push_str(&format!(" ×{}", j - i));
        }
        out.extend(block);
        i = j;
    }
    out
}

fn skeleton_node(n: &Node, depth: usize) -> Vec<String> {
    let mut out = vec![format!("{}{}", "  ".repeat(depth), label(n))];
    if n.name != "svg" && n.name != "style" {
        out.extend(skeleton_children(n, depth + 1));
    }
    out
}

/// The structure of a page: one line per element with its id, classes, `data-kind` and (for
/// headings, header cells, captions) its text with digits as `#`; no numbers, no SVG inside.
pub fn skeleton(html: &str) -> String {
    let doc = parse(html);
    let mut s = skeleton_children(&doc, 0).join("\n");
    s.push('\n');
    s
}
