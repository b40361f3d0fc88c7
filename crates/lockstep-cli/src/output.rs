//! How results leave the program: the one function that prints a rendered result on standard
//! output, the colour decision, files written beside it (atomically, with a confirmation
//! line), and the plain text and CSV tables of the store commands.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};

/// Print a rendered result on standard output. One rule for its end, whatever the format: a
/// non-empty result ends with a newline (added when the renderer left it out, as JSON
/// serializers do). A closed pipe (`| head`) is not an error (see `main`).
pub fn print(rendered: &str) -> Result<()> {
    let mut out = std::io::stdout().lock();
    let newline = !rendered.is_empty() && !rendered.ends_with('\n');
    out.write_all(rendered.as_bytes())
        .and_then(|()| {
            if newline {
                out.write_all(b"\n")
            } else {
                Ok(())
            }
        })
        .and_then(|()| out.flush())
        .context("cannot write to standard output")
}

/// Whether to colour: `--color always|never`, or with `auto` when standard output is a
/// terminal and `NO_COLOR` is unset or empty.
pub fn use_color(choice: crate::ColorChoice) -> bool {
    match choice {
        crate::ColorChoice::Always => true,
        crate::ColorChoice::Never => false,
        crate::ColorChoice::Auto => {
            std::io::stdout().is_terminal()
                && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        }
    }
}

/// Write `bytes` to `path` through a temporary file beside it, so an interrupted write never
/// leaves half a file under the final name.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    let name = path
        .file_name()
        .with_context(|| format!("{} is not a file name", path.display()))?;
    let tmp = dir.join(format!(".{}.tmp", name.to_string_lossy()));
    std::fs::write(&tmp, bytes).with_context(|| format!("cannot write {}", tmp.display()))?;
    std::fs::rename(&tmp, path).with_context(|| format!("cannot write {}", path.display()))
}

/// A file size for people: bytes below 10 kB, else kB or MB with one decimal (SI units, as
/// `ls -lh --si`).
pub fn size(bytes: usize) -> String {
    match bytes {
        0..10_000 => format!("{bytes} bytes"),
        10_000..10_000_000 => format!("{:.1} kB", bytes as f64 / 1e3),
        _ => format!("{:.1} MB", bytes as f64 / 1e6),
    }
}

/// Left-aligned first column, right-aligned others, two spaces apart.
pub fn text_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, cells: &mut dyn Iterator<Item = &str>| {
        let mut first = true;
        let mut s = String::new();
        for (i, c) in cells.enumerate() {
            if !first {
                s.push_str("  ");
            }
            if i == 0 {
                let _ = write!(s, "{c:<w$}", w = width[i]);
            } else {
                let _ = write!(s, "{c:>w$}", w = width[i]);
            }
            first = false;
        }
        out.push_str(s.trim_end());
        out.push('\n');
    };
    line(&mut out, &mut header.iter().copied());
    for r in rows {
        line(&mut out, &mut r.iter().map(String::as_str));
    }
    out
}

/// A CSV table: cells holding a comma, quote or newline are quoted.
pub fn csv_table(header: &[&str], rows: &[Vec<String>]) -> String {
    let quote = |c: &str| {
        if c.contains([',', '"', '\n']) {
            format!("\"{}\"", c.replace('"', "\"\""))
        } else {
            c.to_string()
        }
    };
    let mut out = header.join(",");
    out.push('\n');
    for r in rows {
        out.push_str(&r.iter().map(|c| quote(c)).collect::<Vec<_>>().join(","));
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn sizes_read_like_ls_si() {
        assert_eq!(size(0), "0 bytes");
        assert_eq!(size(9_999), "9999 bytes");
        assert_eq!(size(10_000), "10.0 kB");
        assert_eq!(size(551_010), "551.0 kB");
        assert_eq!(size(12_345_678), "12.3 MB");
    }
}
