//! [`Values`]: a per-date series whose values may be undefined, stored compactly (8 bytes a
//! value, NaN where undefined, against 16 for `Vec<Option<f64>>`) and read as `Option<f64>`.

use serde::ser::{Serialize, SerializeSeq, Serializer};

/// One value per date, `None` where undefined. Serialized exactly as the `Vec<Option<f64>>` it
/// replaces: a sequence of numbers with `null` where undefined. A NaN given as a value is
/// undefined (a defined value is never NaN).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Values(Vec<f64>);

impl Values {
    /// `n` undefined values.
    pub fn undefined(n: usize) -> Values {
        Values(vec![f64::NAN; n])
    }

    /// Number of values (defined or not).
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Whether there are no values at all.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The value at `i` (`None` where undefined). Panics when `i` is out of range, like
    /// indexing.
    pub fn at(&self, i: usize) -> Option<f64> {
        let x = self.0[i];
        (!x.is_nan()).then_some(x)
    }

    /// The value at `i`; `None` where undefined or out of range.
    pub fn get(&self, i: usize) -> Option<f64> {
        self.0.get(i).copied().filter(|x| !x.is_nan())
    }

    /// Set the value at `i` (`None`: undefined).
    pub fn set(&mut self, i: usize, v: Option<f64>) {
        self.0[i] = v.unwrap_or(f64::NAN);
    }

    /// Keep the first `n` values.
    pub fn truncate(&mut self, n: usize) {
        self.0.truncate(n);
    }

    /// The values in order.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = Option<f64>> + ExactSizeIterator + '_ {
        self.0.iter().map(|&x| (!x.is_nan()).then_some(x))
    }

    /// The values as options.
    pub fn to_options(&self) -> Vec<Option<f64>> {
        self.iter().collect()
    }

    /// The raw values, NaN where undefined.
    pub fn as_nan_slice(&self) -> &[f64] {
        &self.0
    }
}

impl From<Vec<Option<f64>>> for Values {
    fn from(v: Vec<Option<f64>>) -> Values {
        v.into_iter().collect()
    }
}

impl FromIterator<Option<f64>> for Values {
    fn from_iter<I: IntoIterator<Item = Option<f64>>>(it: I) -> Values {
        Values(it.into_iter().map(|v| v.unwrap_or(f64::NAN)).collect())
    }
}

impl Serialize for Values {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(self.0.len()))?;
        for v in self.iter() {
            seq.serialize_element(&v)?;
        }
        seq.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_and_serializes_as_options() {
        let opts = vec![None, Some(0.5), Some(-0.0), None, Some(1e-300)];
        let v = Values::from(opts.clone());
        assert_eq!(v.len(), 5);
        assert_eq!(v.to_options(), opts);
        assert_eq!(v.at(1), Some(0.5));
        assert_eq!(v.get(9), None);
        assert_eq!(
            serde_json::to_string(&v).unwrap(),
            serde_json::to_string(&opts).unwrap()
        );
        assert_eq!(
            serde_json::to_string_pretty(&v).unwrap(),
            serde_json::to_string_pretty(&opts).unwrap()
        );
        let mut w = Values::undefined(2);
        w.set(1, Some(2.0));
        assert_eq!(w.to_options(), vec![None, Some(2.0)]);
        assert_eq!(Values::from(vec![Some(f64::NAN)]).at(0), None);
    }
}
