//! Parsing of single cells: dates and numbers.

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use lockstep_core::Date;

/// How the date column of a file is read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DateKind {
    /// `YYYY-MM-DD`, `YYYY-MM-DD HH:MM:SS[ UTC]`, RFC 3339.
    Iso,
    /// [`DateKind::Iso`] plus Investing.com's `M/D/YYYY` and `MMM D, YYYY`.
    Us,
    /// CoinGecko `snapped_at`: a 00:00:00 UTC snapshot is dated the previous day.
    CoinGecko,
    /// Unix time in seconds, or milliseconds when above 1e11.
    Unix,
}

impl DateKind {
    /// The accepted formats, for error messages.
    pub(crate) fn accepted(self) -> &'static str {
        match self {
            DateKind::Iso => {
                "YYYY-MM-DD, YYYY-MM-DD HH:MM:SS[ UTC], or an RFC 3339 timestamp such as 2024-01-05T00:00:00Z"
            }
            DateKind::Us => {
                "M/D/YYYY, MM/DD/YYYY, MMM D, YYYY (e.g. Jan 25, 2024), YYYY-MM-DD, YYYY-MM-DD HH:MM:SS[ UTC], or an RFC 3339 timestamp"
            }
            DateKind::CoinGecko => "YYYY-MM-DD HH:MM:SS UTC (CoinGecko snapped_at) or YYYY-MM-DD",
            DateKind::Unix => "Unix time in seconds, or in milliseconds (values above 1e11)",
        }
    }
}

/// A parsed date; `intraday` is true for a CoinGecko snapshot taken after the first hour of
/// its UTC day, `late` for one taken after 00:00:00 but within that first hour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct ParsedDate {
    pub date: Date,
    pub intraday: bool,
    pub late: bool,
}

/// How late after 00:00:00 UTC a CoinGecko snapshot may be taken and still be read as the
/// day's opening price (the previous day's close): real exports hold rows such as
/// `2018-01-30 00:05:11 UTC` among the `00:00:00 UTC` ones.
pub const COINGECKO_LATE_BOUND: chrono::TimeDelta = chrono::TimeDelta::hours(1);

/// A naive date-time (no offset, or ` UTC` / `Z`-less forms), with `T` or space separator.
fn naive_datetime(s: &str) -> Option<NaiveDateTime> {
    let s = s.strip_suffix(" UTC").unwrap_or(s);
    [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
    ]
    .iter()
    .find_map(|f| NaiveDateTime::parse_from_str(s, f).ok())
}

/// A timestamp with an offset (`Z`, `+00:00`, `-05:00`), taken as its UTC date.
fn offset_datetime(s: &str) -> Option<Date> {
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.with_timezone(&Utc).date_naive());
    }
    ["%Y-%m-%d %H:%M:%S%.f%:z", "%Y-%m-%d %H:%M:%S%.f%#z"]
        .iter()
        .find_map(|f| DateTime::parse_from_str(s, f).ok())
        .map(|t| t.with_timezone(&Utc).date_naive())
}

/// `YYYY-MM-DD` exactly (ten ASCII characters), without the format machinery: the common case
/// of every daily file, parsed once per row.
pub(crate) fn ymd(s: &str) -> Option<Date> {
    let b: &[u8; 10] = s.as_bytes().try_into().ok()?;
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let [y0, y1, y2, y3, _, m0, m1, _, d0, d1] = b.map(|c| u32::from(c.wrapping_sub(b'0')));
    if [y0, y1, y2, y3, m0, m1, d0, d1].iter().any(|&d| d > 9) {
        return None;
    }
    let year = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
    NaiveDate::from_ymd_opt(year as i32, m0 * 10 + m1, d0 * 10 + d1)
}

fn iso(s: &str) -> Option<Date> {
    if let Some(d) = ymd(s) {
        return Some(d);
    }
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d);
    }
    if let Some(t) = naive_datetime(s) {
        return Some(t.date());
    }
    offset_datetime(s)
}

fn us(s: &str) -> Option<Date> {
    if s.contains('/') {
        return NaiveDate::parse_from_str(s, "%m/%d/%Y").ok();
    }
    if s.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return NaiveDate::parse_from_str(s, "%b %d, %Y").ok();
    }
    iso(s)
}

fn unix(s: &str) -> Option<Date> {
    let v: f64 = s.parse().ok()?;
    if !v.is_finite() || v < 0.0 {
        return None;
    }
    let secs = if v > 1e11 { v / 1000.0 } else { v };
    DateTime::<Utc>::from_timestamp(secs.floor() as i64, 0).map(|t| t.date_naive())
}

/// Parse a date cell; `None` when it is not in an accepted format.
pub(crate) fn parse_date(s: &str, kind: DateKind) -> Option<ParsedDate> {
    let plain = |date| ParsedDate {
        date,
        intraday: false,
        late: false,
    };
    match kind {
        DateKind::Iso => iso(s).map(plain),
        DateKind::Us => us(s).map(plain),
        DateKind::Unix => unix(s).map(plain),
        DateKind::CoinGecko => {
            if let Some(d) = ymd(s).or_else(|| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()) {
                return Some(plain(d));
            }
            let t = naive_datetime(s)?;
            let since_midnight = t.time() - chrono::NaiveTime::MIN;
            if since_midnight < COINGECKO_LATE_BOUND {
                // The 00:00:00 UTC snapshot (or one taken within the first hour) opens day D,
                // i.e. closes day D - 1.
                t.date().pred_opt().map(|date| ParsedDate {
                    date,
                    intraday: false,
                    late: since_midnight > chrono::TimeDelta::zero(),
                })
            } else {
                Some(ParsedDate {
                    date: t.date(),
                    intraday: true,
                    late: false,
                })
            }
        }
    }
}

/// Parse a number; with `thousands`, commas are taken as thousands separators (Investing.com).
pub(crate) fn parse_number(s: &str, thousands: bool) -> Option<f64> {
    if thousands && s.contains(',') {
        return s.replace(',', "").parse().ok();
    }
    parse_f64(s)
}

/// Parse an Investing.com volume: a number with an optional `K`, `M` or `B` suffix.
pub(crate) fn parse_volume(s: &str) -> Option<f64> {
    let exp = match s.chars().last()? {
        'K' | 'k' => 3,
        'M' | 'm' => 6,
        'B' | 'b' => 9,
        _ => return parse_number(s, true),
    };
    let mantissa = s[..s.len() - 1].replace(',', "");
    // Parse "13.28e3" rather than multiplying, so 13.28K is exactly 13280.
    format!("{mantissa}e{exp}").parse().ok()
}

/// `s.parse::<f64>().ok()`, bit for bit, faster on plain decimals.
///
/// A cell `[+-]digits[.digits]` of at most 19 digits is `x = m / 10^e`, the
/// integer `m` over a power of ten (`e` the digits after the point). The nearest `f64`:
/// * `e = 0`: `m as f64` (one rounding);
/// * `m ≤ 2^53` and `e ≤ 22`: `m / 10^e`, both operands exact (Clinger's fast path);
/// * else (`e ≤ 19`): the candidate `c = (m as f64) / 10^e`, within a few units in the last
///   place, is moved to the neighbour while `x` lies beyond the midpoint between `c` and that
///   neighbour (at a midpoint, to the even one). The midpoints `N·2^F` are compared with `x`
///   exactly, in 128-bit integers: `m·2^-F` against `N·10^e`.
///
/// Anything else (exponents, `inf`, `NaN`, longer mantissas, malformed text) is left to
/// `str::parse`.
pub(crate) fn parse_f64(s: &str) -> Option<f64> {
    fast_f64(s.as_bytes()).or_else(|| s.parse().ok())
}

/// The number of a cell when it is a plain decimal that [`parse_f64`] reads without
/// `str::parse` (the same value, bit for bit); `None` otherwise, even for a number.
pub(crate) fn plain_f64(s: &str) -> Option<f64> {
    fast_f64(s.as_bytes())
}

/// `10^e` for `e` in `0..=22`: exact in an `f64`.
static POW10: [f64; 23] = [
    1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16,
    1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
];

/// `10^e` for `e` in `0..=21`, as 128-bit integers.
static POW10_INT: [u128; 22] = {
    let mut t = [1u128; 22];
    let mut i = 1;
    while i < 22 {
        t[i] = t[i - 1] * 10;
        i += 1;
    }
    t
};

/// The value of eight ASCII digits read as a little-endian word, or `None` if a byte is not a
/// digit (SWAR: the digits are combined in pairs, then fours, then the eight).
#[inline(always)]
fn eight_digits(w: u64) -> Option<u64> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // Each byte in 0x30..=0x39: its high nibble is 3, and adding 6 keeps it 3 (no carries:
    // every byte is at most 0x3F once the first test holds).
    let high = ONES * 0xF0;
    if w & high != ONES * 0x30 || (w + ONES * 0x06) & high != ONES * 0x30 {
        return None;
    }
    let v = w - ONES * 0x30;
    let v = v.wrapping_mul(10).wrapping_add(v >> 8);
    let v = (v & 0x0000_00FF_0000_00FF)
        .wrapping_mul(100 + (1_000_000 << 32))
        .wrapping_add(((v >> 16) & 0x0000_00FF_0000_00FF).wrapping_mul(1 + (10_000 << 32)))
        >> 32;
    Some(v)
}

/// The value of the decimal digits `b` (at most 19, so it cannot overflow), and how many there
/// were (`b` ends at the first byte that is not a digit).
#[inline(always)]
fn digits(b: &[u8]) -> (u64, usize) {
    let mut m = 0u64;
    let mut n = 0;
    while let Some(word) = b.get(n..n + 8) {
        match eight_digits(u64::from_le_bytes(word.try_into().unwrap_or_default())) {
            Some(v) => {
                m = m.wrapping_mul(100_000_000).wrapping_add(v);
                n += 8;
            }
            None => break,
        }
    }
    while let Some(&c) = b.get(n) {
        let d = c.wrapping_sub(b'0');
        if d > 9 {
            break;
        }
        m = m.wrapping_mul(10).wrapping_add(u64::from(d));
        n += 1;
    }
    (m, n)
}

fn fast_f64(b: &[u8]) -> Option<f64> {
    let (neg, b) = match b.first()? {
        b'-' => (true, &b[1..]),
        b'+' => (false, &b[1..]),
        _ => (false, b),
    };
    let (int, n_int) = digits(b);
    let (m, n_all, e) = match b.get(n_int) {
        None => (int, n_int, 0),
        Some(b'.') => {
            let frac = &b[n_int + 1..];
            let (f, n_frac) = digits(frac);
            if n_frac != frac.len() || n_frac > 19 {
                return None;
            }
            let m = int.wrapping_mul(POW10_INT[n_frac] as u64).wrapping_add(f);
            (m, n_int + n_frac, n_frac as u32)
        }
        Some(_) => return None,
    };
    // More than 19 digits may overflow (leading zeros included: left to `str::parse`).
    if n_all == 0 || n_all > 19 {
        return None;
    }
    let v = if m == 0 {
        0.0
    } else if e == 0 {
        m as f64
    } else if m <= 1 << 53 {
        m as f64 / POW10[e as usize]
    } else {
        nearest(m, e)?
    };
    Some(if neg { -v } else { v })
}

/// How `m / 10^e` compares with `n·2^f` (exactly; `m < 2^64`, `e ≤ 21`, `n < 2^55` and
/// `n·2^f` within a factor 4 of `m / 10^e`, so nothing overflows).
fn cmp_midpoint(m: u64, e: u32, n: u64, f: i32) -> std::cmp::Ordering {
    let scale = POW10_INT[e as usize];
    if f < 0 {
        (u128::from(m) << -f).cmp(&(u128::from(n) * scale))
    } else {
        u128::from(m).cmp(&((u128::from(n) * scale) << f))
    }
}

/// The `f64` nearest `m / 10^e` (ties to even), for `m < 2^64` and `e ≤ 21`; `None` if the
/// candidate does not settle (never expected).
fn nearest(m: u64, e: u32) -> Option<f64> {
    use std::cmp::Ordering::{Greater, Less};
    let mut c = m as f64 / POW10[e as usize];
    for _ in 0..8 {
        let bits = c.to_bits();
        let mant = (bits & ((1 << 52) - 1)) | (1 << 52);
        let exp = ((bits >> 52) & 0x7ff) as i32 - 1075;
        let even = mant & 1 == 0;
        // Above the midpoint with the next `f64` up: move up (at the midpoint, if odd).
        match cmp_midpoint(m, e, 2 * mant + 1, exp - 1) {
            Greater => {
                c = f64::from_bits(bits + 1);
                continue;
            }
            std::cmp::Ordering::Equal if !even => {
                c = f64::from_bits(bits + 1);
                continue;
            }
            _ => {}
        }
        // Below the midpoint with the next `f64` down (a quarter unit below a power of two).
        let low = if mant == 1 << 52 {
            cmp_midpoint(m, e, 4 * mant - 1, exp - 2)
        } else {
            cmp_midpoint(m, e, 2 * mant - 1, exp - 1)
        };
        match low {
            Less => c = f64::from_bits(bits - 1),
            std::cmp::Ordering::Equal if !even => c = f64::from_bits(bits - 1),
            _ => return Some(c),
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    fn date(s: &str, kind: DateKind) -> Option<Date> {
        parse_date(s, kind).map(|p| p.date)
    }

    #[test]
    fn fast_ymd_agrees_with_chrono() {
        for s in [
            "2024-01-05",
            "2024-02-29",
            "2023-02-29",
            "2024-13-01",
            "2024-00-10",
            "2024-01-32",
            "0001-01-01",
            "9999-12-31",
            "2024-1-05",
            "2024/01/05",
            "2024-01-0x",
            "+024-01-05",
            "2024-01-05 ",
            "",
        ] {
            let chrono = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
            let fast = ymd(s);
            // The fast path accepts a subset (exactly ten characters) and agrees on it.
            if fast.is_some() {
                assert_eq!(fast, chrono, "{s:?}");
            }
            assert_eq!(
                date(s, DateKind::Iso).is_some(),
                chrono.is_some() || fast.is_some(),
                "{s:?}"
            );
        }
    }

    #[test]
    fn iso_dates_and_timestamps() {
        let k = DateKind::Iso;
        assert_eq!(date("2024-01-05", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05 13:45:00", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05 00:00:00 UTC", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05T00:00:00Z", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05T21:00:00-05:00", k), Some(d("2024-01-06")));
        assert_eq!(date("2024-01-05 00:00:00-05:00", k), Some(d("2024-01-05")));
        assert_eq!(date("2024-01-05 00:00:00+00:00", k), Some(d("2024-01-05")));
        assert_eq!(
            date("2024-01-05T09:30:00.500+01:00", k),
            Some(d("2024-01-05"))
        );
        assert_eq!(date("1/25/2024", k), None);
        assert_eq!(date("2024-13-01", k), None);
        assert_eq!(date("", k), None);
    }

    #[test]
    fn us_dates() {
        let k = DateKind::Us;
        assert_eq!(date("1/25/2024", k), Some(d("2024-01-25")));
        assert_eq!(date("01/05/2024", k), Some(d("2024-01-05")));
        assert_eq!(date("Jan 25, 2024", k), Some(d("2024-01-25")));
        assert_eq!(date("Feb 05, 2024", k), Some(d("2024-02-05")));
        assert_eq!(date("2024-01-25", k), Some(d("2024-01-25")));
        assert_eq!(date("25/1/2024", k), None);
    }

    #[test]
    fn coingecko_midnight_is_previous_day() {
        let k = DateKind::CoinGecko;
        let p = parse_date("2015-08-08 00:00:00 UTC", k).unwrap();
        assert_eq!(
            p,
            ParsedDate {
                date: d("2015-08-07"),
                intraday: false,
                late: false
            }
        );
        let p = parse_date("2024-01-25 14:33:12 UTC", k).unwrap();
        assert_eq!(
            p,
            ParsedDate {
                date: d("2024-01-25"),
                intraday: true,
                late: false
            }
        );
        assert_eq!(date("garbage", k), None);
    }

    #[test]
    fn unix_seconds_and_millis() {
        let k = DateKind::Unix;
        assert_eq!(date("1502928000000", k), Some(d("2017-08-17")));
        assert_eq!(date("1502928000", k), Some(d("2017-08-17")));
        assert_eq!(date("1502928000000.0", k), Some(d("2017-08-17")));
        assert_eq!(date("-1", k), None);
        assert_eq!(date("x", k), None);
    }

    /// `parse_f64` gives the bits `str::parse` gives.
    fn same_as_std(s: &str) -> Result<(), proptest::test_runner::TestCaseError> {
        let std = s.parse::<f64>().ok();
        let ours = parse_f64(s);
        proptest::prop_assert_eq!(
            ours.map(f64::to_bits),
            std.map(f64::to_bits),
            "{:?}: {:?} vs std {:?}",
            s,
            ours,
            std
        );
        Ok(())
    }

    #[test]
    fn floats_match_std_on_edges() {
        for s in [
            "0",
            "-0",
            "+0",
            "0.0",
            "-0.0",
            ".5",
            "5.",
            ".",
            "-",
            "+",
            "",
            "1e5",
            "inf",
            "NaN",
            "1.2.3",
            "1,5",
            " 1",
            "1 ",
            "00012.5000",
            "9007199254740992",
            "9007199254740993",
            "9007199254740993.0",
            "18446744073709551615",
            "18446744073709551616",
            "9999999999999999999",
            "0.000000000000000000001",
            "0.0000000000000000000001",
            "1.0000000000000000001",
            "168.97000122070312",
            "99.93713385234946",
            "0.30000000000000004",
            "2.2250738585072014e-308",
            "123456789012345678.9",
            "1234567890123456789.0",
            "0.1234567890123456789",
            "7.00000000000000088817841970012523",
            "4.35",
            "1e-400",
            "-.0",
            "+.",
            "1_0",
            "١",
        ] {
            same_as_std(s).unwrap();
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(20_000))]

        #[test]
        fn fast_ymd_agrees_with_chrono_everywhere(y in 0u32..10000, m in 0u32..14, d in 0u32..33) {
            let s = format!("{y:04}-{m:02}-{d:02}");
            proptest::prop_assert_eq!(ymd(&s), NaiveDate::from_ymd_opt(y as i32, m, d), "{}", s);
        }

        #[test]
        fn floats_match_std_on_decimals(s in "[+-]?[0-9]{0,20}(\\.[0-9]{0,24})?") {
            same_as_std(&s)?;
        }

        #[test]
        fn floats_match_std_on_prices(m in 0u64..u64::MAX, e in 0u32..24, neg: bool) {
            let digits = m.to_string();
            let s = if (e as usize) < digits.len() {
                format!("{}.{}", &digits[..digits.len() - e as usize], &digits[digits.len() - e as usize..])
            } else {
                format!("0.{}{digits}", "0".repeat(e as usize - digits.len()))
            };
            same_as_std(&if neg { format!("-{s}") } else { s })?;
        }

        #[test]
        fn eight_digits_at_once(v in 0u64..100_000_000, junk in 0usize..9, c: u8) {
            let mut s = format!("{v:08}").into_bytes();
            proptest::prop_assert_eq!(eight_digits(u64::from_le_bytes(s[..].try_into().unwrap())), Some(v));
            if junk < 8 && !c.is_ascii_digit() {
                s[junk] = c;
                proptest::prop_assert_eq!(eight_digits(u64::from_le_bytes(s[..].try_into().unwrap())), None);
            }
        }

        /// The exact path settles (it is not left to `str::parse`) and is right.
        #[test]
        fn nearest_settles(m in (1u64 << 53)..u64::MAX, e in 1u32..=21) {
            let want = format!("{m}e-{e}").parse::<f64>().unwrap();
            proptest::prop_assert_eq!(nearest(m, e).map(f64::to_bits), Some(want.to_bits()));
        }

        #[test]
        fn floats_match_std_on_shortest_reprs(bits: u64) {
            let v = f64::from_bits(bits);
            same_as_std(&format!("{v}"))?;
            same_as_std(&format!("{v:?}"))?;
            same_as_std(&format!("{:.6}", v))?;
        }

        #[test]
        fn floats_match_std_on_any_text(s in "[0-9.+eE-]{0,12}") {
            same_as_std(&s)?;
        }
    }

    #[test]
    fn numbers_and_volumes() {
        assert_eq!(parse_number("1,234.56", true), Some(1234.56));
        assert_eq!(parse_number("1,234.56", false), None);
        assert_eq!(parse_number("-0.5", false), Some(-0.5));
        assert_eq!(parse_volume("13.28K"), Some(13280.0));
        assert_eq!(parse_volume("1.5M"), Some(1_500_000.0));
        assert_eq!(parse_volume("2B"), Some(2e9));
        assert_eq!(parse_volume("1,234"), Some(1234.0));
        assert_eq!(parse_volume("abcK"), None);
    }
}
