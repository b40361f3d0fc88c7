//! What an argument names: a CSV file, a stored symbol, or a ratio of two of those.

use std::path::{Path, PathBuf};

/// What an argument names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// A CSV file.
    File(PathBuf),
    /// A symbol of the store / a provider.
    Symbol(String),
    /// The ratio of two inputs on their common dates.
    Ratio(Box<Input>, Box<Input>),
}

impl Input {
    /// Classify an argument: an existing file, or anything ending in `.csv`/`.txt`, is a file;
    /// `A/B` with two non-empty parts that are not files is a ratio; anything else a symbol.
    /// A ratio may start with an existing file, split at the first `/` after it
    /// (`data/eth.csv/data/btc.csv`, `eth.csv/BTC-USD`).
    pub fn parse(arg: &str) -> Input {
        let path = Path::new(arg);
        if !path.is_file() {
            for (i, _) in arg.match_indices('/') {
                let (a, b) = (&arg[..i], &arg[i + 1..]);
                if !b.is_empty() && Path::new(a).is_file() {
                    return Input::Ratio(
                        Box::new(Input::File(PathBuf::from(a))),
                        Box::new(Input::parse(b)),
                    );
                }
            }
        }
        let lower = arg.to_ascii_lowercase();
        if path.is_file() || lower.ends_with(".csv") || lower.ends_with(".txt") {
            return Input::File(path.to_path_buf());
        }
        if let Some((a, b)) = arg.split_once('/') {
            if !a.is_empty() && !b.is_empty() && !b.contains('/') {
                return Input::Ratio(Box::new(Input::parse(a)), Box::new(Input::parse(b)));
            }
        }
        Input::Symbol(arg.to_string())
    }

    /// Whether it names symbols only (no file): a symbol, or a ratio of symbols.
    pub fn is_symbol(&self) -> bool {
        match self {
            Input::File(_) => false,
            Input::Symbol(_) => true,
            Input::Ratio(a, b) => a.is_symbol() && b.is_symbol(),
        }
    }
}

/// Whether an argument names a symbol or a ratio of symbols (not a file).
pub fn is_symbol(arg: &str) -> bool {
    Input::parse(arg).is_symbol()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_arguments() {
        assert_eq!(Input::parse("ETH-USD"), Input::Symbol("ETH-USD".into()));
        assert_eq!(Input::parse("fred:DGS2"), Input::Symbol("fred:DGS2".into()));
        assert_eq!(
            Input::parse("data/x.csv"),
            Input::File(PathBuf::from("data/x.csv"))
        );
        assert_eq!(
            Input::parse("ETH-USD/BTC-USD"),
            Input::Ratio(
                Box::new(Input::Symbol("ETH-USD".into())),
                Box::new(Input::Symbol("BTC-USD".into()))
            )
        );
        assert!(is_symbol("ETH-USD/^RUT"));
        assert!(!is_symbol("eth.csv/^RUT"));
    }
}
