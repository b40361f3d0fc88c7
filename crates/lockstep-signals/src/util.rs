//! Small helpers: edit distance for suggestions, byte offsets to lines, number formatting.

/// Levenshtein distance between two strings (by `char`).
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let sub = prev[j] + usize::from(ca != *cb);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// How far `known` is from the misspelt `name`: the edit distance (case-insensitive), `1` at
/// most when one is a prefix of the other (`fees` → `fees_bps`), plus 1 when they do not
/// share the part before the first `_` (so `corr_45` is closer to `corr_30` than to `rsi_a`).
pub(crate) fn score(name: &str, known: &str) -> usize {
    let (a, b) = (name.to_ascii_lowercase(), known.to_ascii_lowercase());
    let stem = |s: &str| s.split('_').next().unwrap_or("").to_string();
    let mut d = edit_distance(&a, &b);
    if !a.is_empty() && (a.starts_with(&b) || b.starts_with(&a)) {
        d = d.min(1);
    }
    d + usize::from(stem(&a) != stem(&b))
}

/// Up to three names of `known` closest to `name` by [`score`] (ties by name).
pub(crate) fn closest<'a>(name: &str, known: impl IntoIterator<Item = &'a str>) -> Vec<String> {
    closest_within(name, known, usize::MAX)
}

/// Like [`closest`], keeping only names with a score of at most `max`.
pub(crate) fn closest_within<'a>(
    name: &str,
    known: impl IntoIterator<Item = &'a str>,
    max: usize,
) -> Vec<String> {
    let mut scored: Vec<(usize, &str)> = known
        .into_iter()
        .map(|k| (score(name, k), k))
        .filter(|s| s.0 <= max)
        .collect();
    scored.sort();
    scored.dedup();
    scored
        .into_iter()
        .take(3)
        .map(|s| s.1.to_string())
        .collect()
}

/// 1-based line and column (in characters) of byte offset `pos` in `text`.
pub(crate) fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let pos = pos.min(bytes.len());
    let line = bytes[..pos].iter().filter(|&&b| b == b'\n').count() + 1;
    let line_start = bytes[..pos]
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let column = String::from_utf8_lossy(&bytes[line_start..pos])
        .chars()
        .count()
        + 1;
    (line, column)
}

/// Shortest round-trip decimal form of `x`; empty for `None`.
pub(crate) fn fmt_opt(x: Option<f64>) -> String {
    x.map(|v| format!("{v}")).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances() {
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("corr_30", "corr_30"), 0);
    }

    #[test]
    fn closest_prefers_same_stem() {
        let known = ["corr_30", "corr_60", "rsi_a", "beta_30"];
        assert_eq!(closest("corr_45", known)[..2], ["corr_30", "corr_60"]);
        assert_eq!(closest("rsi_c", known)[0], "rsi_a");
        assert_eq!(
            closest_within("fees", ["flat", "fees_bps", "hold"], 3),
            ["fees_bps"]
        );
        assert!(closest_within("zzzzzz", ["flat"], 3).is_empty());
    }

    #[test]
    fn lines_and_columns() {
        let t = "a = 1\nbb = 2\n";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 6), (2, 1));
        assert_eq!(line_col(t, 9), (2, 4));
        assert_eq!(line_col(t, 100), (3, 1));
    }
}
