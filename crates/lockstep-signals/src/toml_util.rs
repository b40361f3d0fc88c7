//! Walking a span-preserving TOML document (`toml::de::DeTable`) with errors that name the
//! line, the table and the key.

use std::ops::Range;

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::util::{closest_within, line_col};
use crate::{Result, SignalsError};

/// Parse `text` as a TOML document, mapping syntax errors to [`SignalsError::Toml`].
pub(crate) fn parse_document(text: &str) -> Result<Spanned<DeTable<'_>>> {
    DeTable::parse(text).map_err(|e| {
        let (line, column) = e.span().map_or((1, 1), |s| line_col(text, s.start));
        SignalsError::Toml {
            line,
            column,
            message: e.message().trim().to_string(),
        }
    })
}

/// One key of a table: name, span of the key, value.
pub(crate) struct Entry<'a, 'i> {
    pub name: &'a str,
    pub span: Range<usize>,
    pub value: &'a Spanned<DeValue<'i>>,
}

/// The entries of `table` in source order (by the position of the key).
pub(crate) fn entries<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut v: Vec<Entry<'a, 'i>> = table
        .iter()
        .map(|(k, v)| Entry {
            name: k.get_ref().as_ref(),
            span: k.span(),
            value: v,
        })
        .collect();
    v.sort_by_key(|e| e.span.start);
    v
}

/// Error context: the document text and the table being read.
pub(crate) struct Ctx<'t> {
    pub text: &'t str,
    pub section: String,
}

impl Ctx<'_> {
    /// 1-based line of a span.
    pub fn line(&self, span: &Range<usize>) -> usize {
        line_col(self.text, span.start).0
    }

    /// [`SignalsError::Invalid`] at `span`.
    pub fn invalid(&self, span: &Range<usize>, message: impl Into<String>) -> SignalsError {
        SignalsError::Invalid {
            line: self.line(span),
            section: self.section.clone(),
            message: message.into(),
        }
    }

    /// [`SignalsError::UnknownField`] for `entry`.
    pub fn unknown_field(&self, entry: &Entry<'_, '_>, expected: &[&'static str]) -> SignalsError {
        SignalsError::UnknownField {
            line: self.line(&entry.span),
            section: self.section.clone(),
            field: entry.name.to_string(),
            suggestions: closest_within(entry.name, expected.iter().copied(), 3),
            expected: expected.to_vec(),
        }
    }

    /// The value of `entry` as a table.
    pub fn table<'a, 'i>(&self, entry: &Entry<'a, 'i>) -> Result<&'a DeTable<'i>> {
        match entry.value.get_ref() {
            DeValue::Table(t) => Ok(t),
            other => Err(self.invalid(
                &entry.span,
                format!("`{}` must be a table, found {}", entry.name, kind(other)),
            )),
        }
    }

    /// The value of `entry` as a string.
    pub fn string(&self, entry: &Entry<'_, '_>) -> Result<String> {
        match entry.value.get_ref() {
            DeValue::String(s) => Ok(s.to_string()),
            other => Err(self.invalid(
                &entry.span,
                format!("`{}` must be a string, found {}", entry.name, kind(other)),
            )),
        }
    }

    /// The value of `entry` as a finite number (integer or float).
    pub fn number(&self, entry: &Entry<'_, '_>) -> Result<f64> {
        let x = match entry.value.get_ref() {
            DeValue::Float(f) => f.as_str().replace('_', "").parse::<f64>().ok(),
            DeValue::Integer(i) => i64::from_str_radix(&i.as_str().replace('_', ""), i.radix())
                .ok()
                .map(|v| v as f64),
            other => {
                return Err(self.invalid(
                    &entry.span,
                    format!("`{}` must be a number, found {}", entry.name, kind(other)),
                ))
            }
        };
        match x {
            Some(v) if v.is_finite() => Ok(v),
            _ => Err(self.invalid(
                &entry.span,
                format!("`{}` must be a finite number", entry.name),
            )),
        }
    }

    /// The value of `entry` as an integer in `min..=max`.
    pub fn integer(&self, entry: &Entry<'_, '_>, min: i64, max: i64) -> Result<i64> {
        let v = match entry.value.get_ref() {
            DeValue::Integer(i) => {
                i64::from_str_radix(&i.as_str().replace('_', ""), i.radix()).ok()
            }
            other => {
                return Err(self.invalid(
                    &entry.span,
                    format!("`{}` must be an integer, found {}", entry.name, kind(other)),
                ))
            }
        };
        match v {
            Some(v) if (min..=max).contains(&v) => Ok(v),
            _ => Err(self.invalid(
                &entry.span,
                format!("`{}` must be an integer from {min} to {max}", entry.name),
            )),
        }
    }

    /// The value of `entry` as a boolean.
    pub fn boolean(&self, entry: &Entry<'_, '_>) -> Result<bool> {
        match entry.value.get_ref() {
            DeValue::Boolean(b) => Ok(*b),
            other => Err(self.invalid(
                &entry.span,
                format!(
                    "`{}` must be true or false, found {}",
                    entry.name,
                    kind(other)
                ),
            )),
        }
    }

    /// The value of `entry` as a non-empty array of strings, each with its line.
    pub fn string_array(&self, entry: &Entry<'_, '_>) -> Result<Vec<(String, usize)>> {
        let DeValue::Array(items) = entry.value.get_ref() else {
            return Err(self.invalid(
                &entry.span,
                format!(
                    "`{}` must be an array of names, found {}",
                    entry.name,
                    kind(entry.value.get_ref())
                ),
            ));
        };
        if items.is_empty() {
            return Err(self.invalid(&entry.span, format!("`{}` is empty", entry.name)));
        }
        items
            .iter()
            .map(|item| match item.get_ref() {
                DeValue::String(s) => Ok((s.to_string(), self.line(&item.span()))),
                other => Err(self.invalid(
                    &item.span(),
                    format!(
                        "`{}` must hold names (strings), found {}",
                        entry.name,
                        kind(other)
                    ),
                )),
            })
            .collect()
    }
}

fn kind(v: &DeValue<'_>) -> &'static str {
    match v {
        DeValue::String(_) => "a string",
        DeValue::Integer(_) => "an integer",
        DeValue::Float(_) => "a float",
        DeValue::Boolean(_) => "a boolean",
        DeValue::Datetime(_) => "a datetime",
        DeValue::Array(_) => "an array",
        DeValue::Table(_) => "a table",
    }
}

/// Whether `name` is usable as a condition or rule name (and as a CSV header):
/// ASCII letters, digits, `_` and `-`.
pub(crate) fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}
