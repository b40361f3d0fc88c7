//! 30-day fed funds futures: contract months, contract codes and a strip of settlement prices.
//!
//! A contract settles on the average of the daily effective fed funds rate (EFFR) over its
//! calendar month (weekends and holidays carry the previous business day's rate), so its
//! **implied average rate** is `100 − price` (percent).
//!
//! # Contract codes
//!
//! `ZQ` (CME Globex) or `FF` (the older CBOT / CME FedWatch spelling) followed by the CME month
//! letter and the year, case-insensitive:
//!
//! | F | G | H | J | K | M | N | Q | U | V | X | Z |
//! |---|---|---|---|---|---|---|---|---|---|---|---|
//! | Jan | Feb | Mar | Apr | May | Jun | Jul | Aug | Sep | Oct | Nov | Dec |
//!
//! * Four-digit year: `ZQV2025`.
//! * Two-digit year: `ZQV25`; `00`–`68` are 2000–2068 and `69`–`99` are 1969–1999 (the POSIX
//!   `%y` pivot; fed funds futures started in 1988).
//! * One-digit year (`FFQ5`, as in CME's examples) is ambiguous and **rejected** by
//!   [`ContractMonth::parse_code`]. [`ContractMonth::parse_code_with_reference`] accepts it and
//!   resolves it to the year ending in that digit **nearest to a reference year** (for a tie,
//!   five years either way, the later one).
//!
//! # Strip file
//!
//! [`FuturesStrip::parse`] reads CSV text with two columns per line: a contract code or a
//! month `YYYY-MM`, and the settlement price (`ZQV25,96.0` or `2025-10,96.0`). An optional
//! header line (first non-comment line whose price field is not a number, e.g.
//! `contract,price`), blank lines and `#` comments are skipped; a UTF-8 BOM and CRLF line
//! endings are accepted; fields may be double-quoted. Errors name the one-based line.

use std::fmt;

use chrono::Datelike;
use serde::{Serialize, Serializer};

use crate::{Date, MacroError, Result};

/// CME month letters, January first.
pub const MONTH_LETTERS: [char; 12] = ['F', 'G', 'H', 'J', 'K', 'M', 'N', 'Q', 'U', 'V', 'X', 'Z'];

/// The CME month letter of month `1..=12`.
pub fn month_letter(month: u32) -> Option<char> {
    MONTH_LETTERS.get(month.checked_sub(1)? as usize).copied()
}

/// The month `1..=12` of a CME month letter (case-insensitive).
pub fn letter_month(letter: char) -> Option<u32> {
    let up = letter.to_ascii_uppercase();
    MONTH_LETTERS
        .iter()
        .position(|&c| c == up)
        .map(|i| i as u32 + 1)
}

/// Implied average fed funds rate of a settlement price, percent: `100 − price`.
pub fn implied_rate(price: f64) -> f64 {
    100.0 - price
}

/// A contract (delivery) month. Serializes as `"YYYY-MM"`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ContractMonth {
    year: i32,
    month: u32,
}

impl ContractMonth {
    /// A month; `month` in `1..=12`, `year` in 1900..=2199.
    pub fn new(year: i32, month: u32) -> Result<ContractMonth> {
        if !(1..=12).contains(&month) || !(1900..=2199).contains(&year) {
            return Err(MacroError::InvalidContract {
                code: format!("{year}-{month:02}"),
                reason: "month must be 1..=12 and year 1900..=2199".into(),
            });
        }
        Ok(ContractMonth { year, month })
    }

    /// The month containing `date`.
    pub fn of(date: Date) -> ContractMonth {
        ContractMonth {
            year: date.year(),
            month: date.month(),
        }
    }

    /// Calendar year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// Month, `1..=12`.
    pub fn month(self) -> u32 {
        self.month
    }

    /// First day of the month.
    pub fn first_day(self) -> Date {
        Date::from_ymd_opt(self.year, self.month, 1).expect("validated month")
    }

    /// Last day of the month.
    pub fn last_day(self) -> Date {
        self.next().first_day() - chrono::Days::new(1)
    }

    /// Number of days `N` of the month (28–31).
    pub fn days(self) -> u32 {
        self.last_day().day()
    }

    /// The following month.
    pub fn next(self) -> ContractMonth {
        if self.month == 12 {
            ContractMonth {
                year: self.year + 1,
                month: 1,
            }
        } else {
            ContractMonth {
                year: self.year,
                month: self.month + 1,
            }
        }
    }

    /// The CME code with a two-digit year, e.g. `ZQV25`.
    pub fn code(self) -> String {
        format!(
            "ZQ{}{:02}",
            month_letter(self.month).unwrap_or('?'),
            self.year.rem_euclid(100)
        )
    }

    /// Parse `YYYY-MM`.
    pub fn parse_month(text: &str) -> Result<ContractMonth> {
        let bad = |reason: &str| MacroError::InvalidContract {
            code: text.to_string(),
            reason: reason.to_string(),
        };
        let t = text.trim();
        let (y, m) = t.split_once('-').ok_or_else(|| bad("expected YYYY-MM"))?;
        if y.len() != 4 || m.len() != 2 {
            return Err(bad("expected YYYY-MM"));
        }
        let year: i32 = y.parse().map_err(|_| bad("expected YYYY-MM"))?;
        let month: u32 = m.parse().map_err(|_| bad("expected YYYY-MM"))?;
        ContractMonth::new(year, month).map_err(|_| bad("month must be 01..12"))
    }

    /// Parse a contract code with a two- or four-digit year (`ZQV25`, `ZQV2025`, `FFV25`);
    /// one-digit years are rejected (see the module documentation).
    pub fn parse_code(code: &str) -> Result<ContractMonth> {
        Self::parse_code_inner(code, None)
    }

    /// As [`ContractMonth::parse_code`], also accepting a one-digit year (`FFQ5`), resolved to
    /// the year ending in that digit nearest to `reference_year` (ties: the later year).
    pub fn parse_code_with_reference(code: &str, reference_year: i32) -> Result<ContractMonth> {
        Self::parse_code_inner(code, Some(reference_year))
    }

    fn parse_code_inner(code: &str, reference_year: Option<i32>) -> Result<ContractMonth> {
        let bad = |reason: String| MacroError::InvalidContract {
            code: code.to_string(),
            reason,
        };
        let t = code.trim();
        if !t.is_ascii() || t.len() < 4 {
            return Err(bad(
                "expected ZQ or FF, a month letter and a year, e.g. ZQV25".into(),
            ));
        }
        let prefix = t[..2].to_ascii_uppercase();
        if prefix != "ZQ" && prefix != "FF" {
            return Err(bad(format!(
                "unknown prefix {:?} (expected ZQ or FF)",
                &t[..2]
            )));
        }
        let letter = t[2..3].chars().next().unwrap_or(' ');
        let month = letter_month(letter).ok_or_else(|| {
            bad(format!(
                "{letter:?} is not a CME month letter (F G H J K M N Q U V X Z)"
            ))
        })?;
        let digits = &t[3..];
        if !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad(format!("year {digits:?} is not a number")));
        }
        let n: i32 = digits
            .parse()
            .map_err(|_| bad(format!("year {digits:?} is not a number")))?;
        let year = match digits.len() {
            4 => n,
            2 => {
                if n <= 68 {
                    2000 + n
                } else {
                    1900 + n
                }
            }
            1 => match reference_year {
                Some(r) => {
                    // Candidates ending in n around r; the nearest, ties to the later one.
                    let base = r - r.rem_euclid(10) + n;
                    [base - 10, base, base + 10]
                        .into_iter()
                        .min_by_key(|&y| ((y - r).abs(), -y))
                        .unwrap_or(base)
                }
                None => {
                    return Err(bad(
                        "a one-digit year is ambiguous; use a two- or four-digit year (ZQQ15, ZQQ2015) or give a reference year".into(),
                    ))
                }
            },
            _ => {
                return Err(bad(format!(
                    "year {digits:?} must have two or four digits"
                )))
            }
        };
        ContractMonth::new(year, month).map_err(|e| bad(e.to_string()))
    }
}

impl fmt::Display for ContractMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for ContractMonth {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One settlement price of a contract month.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct FuturesQuote {
    /// The contract month.
    pub month: ContractMonth,
    /// Settlement price.
    pub price: f64,
}

impl FuturesQuote {
    /// Implied average rate of the month, `100 − price` (percent).
    pub fn implied_rate(&self) -> f64 {
        implied_rate(self.price)
    }
}

/// Settlement prices of several contract months (one date's strip), sorted by month, one
/// price per month. Months may be missing in between.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct FuturesStrip {
    quotes: Vec<FuturesQuote>,
}

impl FuturesStrip {
    /// A strip from quotes in any order. Errors on a repeated month or a price that is not
    /// finite and strictly between 0 and 200.
    pub fn new(mut quotes: Vec<FuturesQuote>) -> Result<FuturesStrip> {
        for q in &quotes {
            check_price(q.price).map_err(|rule| MacroError::InvalidParameter {
                name: "price",
                value: format!("{} for {}", q.price, q.month),
                rule,
            })?;
        }
        quotes.sort_by_key(|q| q.month);
        if let Some(w) = quotes.windows(2).find(|w| w[0].month == w[1].month) {
            return Err(MacroError::DuplicateMonth {
                month: w[0].month.to_string(),
            });
        }
        Ok(FuturesStrip { quotes })
    }

    /// Parse a strip CSV (see the module documentation); one-digit years are rejected.
    pub fn parse(text: &str) -> Result<FuturesStrip> {
        Self::parse_inner(text, None)
    }

    /// As [`FuturesStrip::parse`], resolving one-digit contract years against
    /// `reference_year` (see [`ContractMonth::parse_code_with_reference`]).
    pub fn parse_with_reference(text: &str, reference_year: i32) -> Result<FuturesStrip> {
        Self::parse_inner(text, Some(reference_year))
    }

    fn parse_inner(text: &str, reference_year: Option<i32>) -> Result<FuturesStrip> {
        const WHAT: &str = "futures strip";
        let mut quotes: Vec<(usize, FuturesQuote)> = Vec::new();
        let mut seen_data = false;
        for (line_no, content) in data_lines(text) {
            let err = |message: String| MacroError::Parse {
                what: WHAT,
                line: line_no,
                message,
            };
            let fields: Vec<&str> = content
                .split(',')
                .map(|f| f.trim().trim_matches('"').trim())
                .collect();
            if fields.len() != 2 {
                return Err(err(format!(
                    "expected 2 fields `contract,price` or `YYYY-MM,price`, got {}",
                    fields.len()
                )));
            }
            let price: f64 = match fields[1].parse() {
                Ok(p) => p,
                Err(_) if !seen_data => {
                    // The header line.
                    seen_data = true;
                    continue;
                }
                Err(_) => return Err(err(format!("price {:?} is not a number", fields[1]))),
            };
            seen_data = true;
            check_price(price).map_err(|rule| err(format!("price {price}: {rule}")))?;
            let key = fields[0];
            let month = if key.as_bytes().first().is_some_and(u8::is_ascii_digit) {
                ContractMonth::parse_month(key)
            } else {
                match reference_year {
                    Some(r) => ContractMonth::parse_code_with_reference(key, r),
                    None => ContractMonth::parse_code(key),
                }
            }
            .map_err(|e| err(e.to_string()))?;
            if let Some((first, _)) = quotes.iter().find(|(_, q)| q.month == month) {
                return Err(err(format!(
                    "contract month {month} already given on line {first}"
                )));
            }
            quotes.push((line_no, FuturesQuote { month, price }));
        }
        FuturesStrip::new(quotes.into_iter().map(|(_, q)| q).collect())
    }

    /// The quotes, ascending by month.
    pub fn quotes(&self) -> &[FuturesQuote] {
        &self.quotes
    }

    /// Number of quotes.
    pub fn len(&self) -> usize {
        self.quotes.len()
    }

    /// True when the strip has no quote.
    pub fn is_empty(&self) -> bool {
        self.quotes.is_empty()
    }

    /// The settlement price of `month`, if quoted.
    pub fn price(&self, month: ContractMonth) -> Option<f64> {
        self.quotes
            .binary_search_by_key(&month, |q| q.month)
            .ok()
            .map(|i| self.quotes[i].price)
    }

    /// The implied average rate of `month` (`100 − price`), if quoted.
    pub fn implied_rate(&self, month: ContractMonth) -> Option<f64> {
        self.price(month).map(implied_rate)
    }
}

fn check_price(p: f64) -> std::result::Result<(), &'static str> {
    if p.is_finite() && p > 0.0 && p < 200.0 {
        Ok(())
    } else {
        Err("a settlement price must be finite and between 0 and 200")
    }
}

/// The non-empty lines of a text file with their one-based numbers: a leading BOM, `#`
/// comments and surrounding blanks removed.
pub(crate) fn data_lines(text: &str) -> impl Iterator<Item = (usize, &str)> {
    text.lines().enumerate().filter_map(|(i, raw)| {
        let raw = if i == 0 {
            raw.trim_start_matches('\u{feff}')
        } else {
            raw
        };
        let content = raw.split('#').next().unwrap_or("").trim();
        (!content.is_empty()).then_some((i + 1, content))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cm(y: i32, m: u32) -> ContractMonth {
        ContractMonth::new(y, m).unwrap()
    }

    #[test]
    fn month_letters_round_trip() {
        for m in 1..=12 {
            assert_eq!(letter_month(month_letter(m).unwrap()), Some(m));
        }
        assert_eq!(letter_month('v'), Some(10));
        assert_eq!(letter_month('A'), None);
        assert_eq!(month_letter(0), None);
        assert_eq!(month_letter(13), None);
    }

    #[test]
    fn parses_codes() {
        assert_eq!(ContractMonth::parse_code("ZQV25").unwrap(), cm(2025, 10));
        assert_eq!(ContractMonth::parse_code("zqv2025").unwrap(), cm(2025, 10));
        assert_eq!(ContractMonth::parse_code("FFQ15").unwrap(), cm(2015, 8));
        assert_eq!(ContractMonth::parse_code("ZQF88").unwrap(), cm(1988, 1));
        assert_eq!(ContractMonth::parse_code("ZQZ68").unwrap(), cm(2068, 12));
        assert_eq!(ContractMonth::parse_code("ZQZ69").unwrap(), cm(1969, 12));
        assert_eq!(ContractMonth::parse_code(" ZQF00 ").unwrap(), cm(2000, 1));
        assert_eq!(cm(2025, 10).code(), "ZQV25");
        assert_eq!(cm(2030, 1).code(), "ZQF30");
    }

    #[test]
    fn rejects_bad_codes_clearly() {
        for (code, needle) in [
            ("FFQ5", "one-digit"),
            ("ZQA25", "month letter"),
            ("ESZ25", "prefix"),
            ("ZQV250", "two or four digits"),
            ("ZQV2x", "not a number"),
            ("ZQ", "expected"),
            ("ZQV", "expected"),
        ] {
            let e = ContractMonth::parse_code(code).unwrap_err();
            assert!(
                matches!(e, MacroError::InvalidContract { .. }),
                "{code}: {e}"
            );
            assert!(e.to_string().contains(needle), "{code}: {e}");
        }
    }

    #[test]
    fn one_digit_years_with_a_reference() {
        let p = |c: &str, r: i32| ContractMonth::parse_code_with_reference(c, r).unwrap();
        assert_eq!(p("FFQ5", 2015), cm(2015, 8));
        assert_eq!(p("FFU5", 2013), cm(2015, 9));
        assert_eq!(p("FFF1", 2019), cm(2021, 1));
        assert_eq!(p("FFZ9", 2021), cm(2019, 12));
        // Tie (five years either way): the later year.
        assert_eq!(p("FFF0", 2025), cm(2030, 1));
        // Two- and four-digit years ignore the reference.
        assert_eq!(p("ZQV25", 1990), cm(2025, 10));
    }

    #[test]
    fn months_and_day_counts() {
        assert_eq!(ContractMonth::parse_month("2024-02").unwrap().days(), 29);
        assert_eq!(cm(2023, 2).days(), 28);
        assert_eq!(cm(2025, 9).days(), 30);
        assert_eq!(cm(2025, 12).next(), cm(2026, 1));
        assert_eq!(cm(2025, 12).last_day().to_string(), "2025-12-31");
        assert_eq!(cm(2025, 1).to_string(), "2025-01");
        assert!(ContractMonth::parse_month("2025-13").is_err());
        assert!(ContractMonth::parse_month("2025-1").is_err());
        assert!(ContractMonth::new(2025, 0).is_err());
        assert_eq!(serde_json::to_string(&cm(2025, 3)).unwrap(), "\"2025-03\"");
    }

    #[test]
    fn parses_strips() {
        let text = "\u{feff}contract,price\r\n# a comment\r\nZQV25,96.0\r\n\"2025-11\",\"96.1\"\r\n\r\nZQZ2025, 96.25 # trailing\r\n";
        let s = FuturesStrip::parse(text).unwrap();
        assert_eq!(s.len(), 3);
        assert_eq!(s.price(cm(2025, 11)), Some(96.1));
        assert!((s.implied_rate(cm(2025, 12)).unwrap() - 3.75).abs() < 1e-12);
        assert_eq!(s.price(cm(2026, 1)), None);
        // Unsorted input comes out sorted.
        let s = FuturesStrip::parse("2025-12,96\n2025-10,95").unwrap();
        assert_eq!(s.quotes()[0].month, cm(2025, 10));
    }

    #[test]
    fn strip_errors_name_the_line() {
        let cases = [
            ("ZQV25,96.0\nZQX25,abc\n", 2, "not a number"),
            ("ZQV25,96.0\nZQV2025,96.1\n", 2, "line 1"),
            ("ZQV25,96.0,1\n", 1, "2 fields"),
            ("month,price\n2025-13,96\n", 2, "01..12"),
            ("ZQV25,96\nFFQ5,99\n", 2, "one-digit"),
            ("ZQV25,-1\n", 1, "between 0 and 200"),
            ("ZQV25,NaN\n", 1, "between 0 and 200"),
        ];
        for (text, line, needle) in cases {
            let e = FuturesStrip::parse(text).unwrap_err();
            match &e {
                MacroError::Parse { line: l, .. } => assert_eq!(*l, line, "{text:?}: {e}"),
                other => panic!("{text:?}: {other}"),
            }
            assert!(e.to_string().contains(needle), "{text:?}: {e}");
        }
        // `new` rejects a duplicate month.
        let q = FuturesQuote {
            month: cm(2025, 1),
            price: 96.0,
        };
        assert!(matches!(
            FuturesStrip::new(vec![q, q]),
            Err(MacroError::DuplicateMonth { .. })
        ));
    }
}
