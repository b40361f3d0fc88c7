//! How results leave the program: the one function that prints a command's result (a
//! `lockstep_report::view::View`) on standard output, the colour decision, and files written
//! beside it (atomically, with a confirmation line).

use std::io::{IsTerminal, Write};
use std::path::Path;

use anyhow::{Context, Result};
use lockstep_report::view::{Format, Look, View};

/// Print a command's result in `format` (one [`View`] shape for every command).
pub fn show(view: &dyn View, format: Format, look: Look) -> Result<()> {
    if format == Format::Csv {
        // Row by row through a buffer: a per-date CSV is never whole in memory.
        let mut out = std::io::BufWriter::with_capacity(1 << 16, std::io::stdout().lock());
        return view
            .write_csv(&mut out)
            .and_then(|()| out.flush())
            .context("cannot write to standard output");
    }
    print(&view.render(format, look)?)
}

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
