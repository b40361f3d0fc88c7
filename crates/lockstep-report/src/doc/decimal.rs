//! An f64 written exactly as `{}` writes it (the shortest decimal that reads back as the same
//! f64, never an exponent), several times faster: the digits come from `zmij` and are laid
//! out as `core::fmt` lays out its own shortest digits.
//!
//! `{}` of a finite `x`: the shortest digit string `d₁…d_k` (no leading or trailing zero)
//! with `0.d₁…d_k × 10^p` rounding to `x` (the closest such string to `x` when several are as
//! short), written `0.000d₁…d_k` when `p ≤ 0`, `d₁…d_p.d_{p+1}…d_k` when `0 < p < k`, and
//! `d₁…d_k000` (`p − k` zeros) when `p ≥ k`; `-` before a negative value (`-0` for negative
//! zero); `0` for zero. NaN and infinities are written by `{}` itself.

/// The longest digit string kept on the stack (`zmij` writes at most 17 significant digits
/// and, in its fixed notation, a few leading zeros).
use std::fmt::{self, Write};

const MAX_DIGITS: usize = 40;

/// Append `x` to `out` (a `String`, a `Formatter`) as `format!("{x}")` would.
pub fn push_f64<W: Write + ?Sized>(out: &mut W, x: f64) -> fmt::Result {
    if !x.is_finite() {
        return write!(out, "{x}");
    }
    let mut buf = zmij::Buffer::new();
    let s = buf.format_finite(x);
    // The common case without reading the text back (reading bytes `zmij` has just stored
    // stalls): for 1e-5 ≤ |x| < 1e15 `zmij` writes fixed notation (its decimal exponent is
    // within −5..=14), and an `x` with a set bit below 2^−24 is neither an integer (no `.0`
    // to drop: no integer lies within half an ulp of it) nor a tie of `{}` (see below), so
    // the text is `{}`'s as it is.
    if (1e-5..1e15).contains(&x.abs()) && lowest_bit(x) < -24 {
        return out.write_str(s);
    }
    let b = s.as_bytes();
    // `zmij`'s exponent form ends in `e`, an optional sign and at most three digits.
    if b[b.len().saturating_sub(5)..].contains(&b'e') {
        return exponent_form(out, x, b);
    }
    // Fixed notation (`12.34`, `0.001234`, `1200.0`): `{}`'s text, less `.0` after an
    // integer. A tie (see below) puts its `5` at 10^q with q ≥ −24 (at most 22 decimals
    // in this notation); x = odd · 2^v is such a tie only when v = q.
    let v = lowest_bit(x);
    let integer = b.len() >= 2 && b[b.len() - 2..] == *b".0";
    let body = if integer { &s[..s.len() - 2] } else { s };
    if v < -24 {
        return out.write_str(body);
    }
    let q = if integer {
        (body.len() - body.trim_end_matches('0').len()) as i32 - 1
    } else {
        let point = b.iter().position(|&c| c == b'.').unwrap_or(b.len());
        point as i32 - b.len() as i32
    };
    if v != q {
        return out.write_str(body);
    }
    write!(out, "{x}")
}

/// [`push_f64`] of `zmij`'s exponent form `s` of `x` (`1.234e33`, `1e-7`).
fn exponent_form<W: Write + ?Sized>(out: &mut W, x: f64, s: &[u8]) -> fmt::Result {
    let (negative, s) = match s.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, s),
    };
    let (mantissa, exp) = match s.iter().position(|&c| c == b'e' || c == b'E') {
        Some(k) => match std::str::from_utf8(&s[k + 1..])
            .ok()
            .and_then(|e| e.parse::<i32>().ok())
        {
            Some(e) => (&s[..k], e),
            None => return write!(out, "{x}"),
        },
        None => (s, 0),
    };
    // The digits without the point; `point` digits stand before it.
    let mut digits = [0u8; MAX_DIGITS];
    let (mut len, mut point) = (0usize, None);
    for &c in mantissa {
        match c {
            b'0'..=b'9' => {
                if len == MAX_DIGITS {
                    return write!(out, "{x}");
                }
                digits[len] = c;
                len += 1;
            }
            b'.' if point.is_none() => point = Some(len),
            _ => return write!(out, "{x}"),
        }
    }
    // value = 0.digits × 10^pos.
    let mut pos = point.unwrap_or(len) as i32 + exp;
    let lead = digits[..len].iter().take_while(|&&c| c == b'0').count();
    pos -= lead as i32;
    let trail = digits[lead..len]
        .iter()
        .rev()
        .take_while(|&&c| c == b'0')
        .count();
    let d = &digits[lead..len - trail];
    // On an exact tie (x halfway between the two closest strings of d's length) `{}` takes
    // the string farther from zero and `zmij` the even one: x is such a midpoint only when
    // its exact binary expansion ends where the midpoint's decimal one does (a `5` right
    // after d's last digit, at 10^(pos − k − 1)); those rare values go to `{}` itself.
    if !d.is_empty() && lowest_bit(x) == pos - d.len() as i32 - 1 {
        return write!(out, "{x}");
    }
    if negative {
        out.write_char('-')?;
    }
    if d.is_empty() {
        return out.write_char('0');
    }
    let k = d.len() as i32;
    if pos <= 0 {
        out.write_str("0.")?;
        push_zeros(out, (-pos) as usize)?;
        out.write_str(text(d))
    } else if pos < k {
        let (int, frac) = d.split_at(pos as usize);
        out.write_str(text(int))?;
        out.write_char('.')?;
        out.write_str(text(frac))
    } else {
        out.write_str(text(d))?;
        push_zeros(out, (pos - k) as usize)
    }
}

/// The exponent of the lowest set bit of a finite non-zero `x` (`x = odd · 2^v`); `i32::MIN`
/// for zero.
fn lowest_bit(x: f64) -> i32 {
    let bits = x.to_bits();
    let field = ((bits >> 52) & 0x7ff) as i32;
    let frac = bits & ((1u64 << 52) - 1);
    let (m, e) = if field == 0 {
        (frac, -1074)
    } else {
        (frac | (1u64 << 52), field - 1075)
    };
    if m == 0 {
        return i32::MIN;
    }
    e + m.trailing_zeros() as i32
}

/// ASCII digits as text.
fn text(b: &[u8]) -> &str {
    std::str::from_utf8(b).unwrap_or_default()
}

fn push_zeros<W: Write + ?Sized>(out: &mut W, n: usize) -> fmt::Result {
    const ZEROS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
    let mut left = n;
    while left > 0 {
        let k = left.min(ZEROS.len());
        out.write_str(&ZEROS[..k])?;
        left -= k;
    }
    Ok(())
}

/// `x` as `format!("{x}")` would write it.
pub fn f64_text(x: f64) -> String {
    let mut s = String::with_capacity(24);
    let _ = push_f64(&mut s, x);
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn same(x: f64) {
        assert_eq!(f64_text(x), format!("{x}"), "bits {:#018x}", x.to_bits());
    }

    #[test]
    fn special_values_are_written_as_by_display() {
        for x in [
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            2.5,
            1e15,
            1e16,
            1e17,
            1e21,
            1e22,
            1e23,
            123456789012345680.0,
            1e-5,
            1e-6,
            1e-7,
            1.5e-300,
            f64::MAX,
            f64::MIN,
            f64::MIN_POSITIVE,
            -f64::MIN_POSITIVE,
            f64::EPSILON,
            5e-324,
            -5e-324,
            f64::from_bits(0x000f_ffff_ffff_ffff),
            9007199254740992.0,
            9007199254740993.0,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
            0.0011416774005384895,
        ] {
            same(x);
        }
    }

    /// Half a million pseudo-random bit patterns (every exponent, subnormals included) and as many
    /// values of the sizes the CSVs print.
    #[test]
    fn random_bits_are_written_as_by_display() {
        let mut s: u64 = 0x9e37_79b9_7f4a_7c15;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for _ in 0..500_000 {
            same(f64::from_bits(next()));
            let u = (next() >> 11) as f64 / (1u64 << 53) as f64;
            same(2.0 * u - 1.0);
            same((u - 0.5) * 0.05);
        }
    }

    /// Exact ties (`{}` rounds them away from zero, `zmij` to even): quarters and eighths of
    /// the large values whose shortest string stops one digit before their exact expansion,
    /// and short binary fractions at every scale.
    #[test]
    fn ties_are_written_as_by_display() {
        let mut s: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            s
        };
        for _ in 0..100_000 {
            let n = (1u64 << 48) + next() % (1u64 << 52);
            for f in [0.125, 0.25, 0.375, 0.5, 0.625, 0.75, 0.875] {
                same(n as f64 + f);
                same(-(n as f64 + f));
            }
            let m = (next() >> 40) | 1;
            let e = (next() % 160) as i32 - 80;
            same(m as f64 * 2f64.powi(e));
        }
    }

    #[test]
    fn integers_and_powers_of_ten_are_written_as_by_display() {
        for i in -100_000i64..100_000 {
            same(i as f64);
        }
        for e in -324..=308 {
            let x: f64 = format!("1e{e}").parse().unwrap();
            same(x);
            same(-x);
            same(f64::from_bits(x.to_bits() + 1));
            same(f64::from_bits(x.to_bits().saturating_sub(1)));
        }
        for p in 0..64 {
            same((1u64 << p) as f64);
            same(((1u64 << p) - 1) as f64);
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(20_000))]

        #[test]
        fn any_f64_is_written_as_by_display(x in any::<f64>()) {
            prop_assert_eq!(f64_text(x), format!("{x}"));
        }

        #[test]
        fn subnormals_are_written_as_by_display(m in 1u64..(1u64 << 52), neg in any::<bool>()) {
            let x = f64::from_bits(m | (u64::from(neg) << 63));
            prop_assert_eq!(f64_text(x), format!("{x}"));
        }

        #[test]
        fn huge_and_tiny_are_written_as_by_display(m in 1.0f64..10.0, e in -320i32..308) {
            let x = m * 10f64.powi(e);
            prop_assert_eq!(f64_text(x), format!("{x}"));
            prop_assert_eq!(f64_text(-x), format!("{}", -x));
        }
    }
}
