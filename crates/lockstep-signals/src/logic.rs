//! Three-valued (Kleene) logic.

use serde::Serialize;

/// The state of a condition or rule at one date: Kleene's strong three-valued logic.
///
/// `Unknown` means an input was missing (warm-up, no data); it is never treated as true.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Truth {
    /// The condition holds.
    True,
    /// The condition does not hold.
    False,
    /// An input is missing.
    Unknown,
}

impl Truth {
    /// `True` / `False` from a boolean.
    pub fn from_bool(b: bool) -> Self {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }

    /// Kleene conjunction: `False` if either is `False`, else `Unknown` if either is
    /// `Unknown`, else `True`.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            _ => Truth::True,
        }
    }

    /// Kleene disjunction: `True` if either is `True`, else `Unknown` if either is
    /// `Unknown`, else `False`.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::Unknown, _) | (_, Truth::Unknown) => Truth::Unknown,
            _ => Truth::False,
        }
    }

    /// Conjunction of many (`True` for none).
    pub fn all(items: impl IntoIterator<Item = Truth>) -> Truth {
        items.into_iter().fold(Truth::True, Truth::and)
    }

    /// Disjunction of many (`False` for none).
    pub fn any(items: impl IntoIterator<Item = Truth>) -> Truth {
        items.into_iter().fold(Truth::False, Truth::or)
    }

    /// Whether this is `True` (the only state that triggers a rule).
    pub fn is_true(self) -> bool {
        self == Truth::True
    }

    /// `true`, `false` or `unknown`.
    pub fn as_str(self) -> &'static str {
        match self {
            Truth::True => "true",
            Truth::False => "false",
            Truth::Unknown => "unknown",
        }
    }
}

impl std::ops::Not for Truth {
    type Output = Truth;

    /// Negation: flips `True` and `False`, keeps `Unknown`.
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

impl std::fmt::Display for Truth {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::Truth::{self, False as F, True as T, Unknown as U};

    #[test]
    fn kleene_truth_tables() {
        let vals = [T, F, U];
        // Rows: self, columns: other.
        let and = [[T, F, U], [F, F, F], [U, F, U]];
        let or = [[T, T, T], [T, F, U], [T, U, U]];
        for (i, a) in vals.iter().enumerate() {
            for (j, b) in vals.iter().enumerate() {
                assert_eq!(a.and(*b), and[i][j], "{a} and {b}");
                assert_eq!(a.or(*b), or[i][j], "{a} or {b}");
            }
        }
        assert_eq!([!T, !F, !U], [F, T, U]);
    }

    #[test]
    fn folds() {
        assert_eq!(Truth::all([]), T);
        assert_eq!(Truth::any([]), F);
        assert_eq!(Truth::all([T, U, T]), U);
        assert_eq!(Truth::all([T, U, F]), F);
        assert_eq!(Truth::any([F, U, F]), U);
        assert_eq!(Truth::any([F, U, T]), T);
        assert!(!U.is_true() && !F.is_true() && T.is_true());
        assert_eq!(serde_json::to_string(&U).unwrap(), "\"unknown\"");
    }
}
