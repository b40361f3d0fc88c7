/// A fixed-size ring of the last `w` pairs, counting the NaN pairs it holds.
#[derive(Clone, Debug)]
pub(crate) struct PairWindow {
    xs: Vec<f64>,
    ys: Vec<f64>,
    head: usize,
    filled: usize,
    nans: usize,
}

impl PairWindow {
    pub(crate) fn new(w: usize) -> Self {
        PairWindow {
            xs: vec![0.0; w],
            ys: vec![0.0; w],
            head: 0,
            filled: 0,
            nans: 0,
        }
    }

    pub(crate) fn capacity(&self) -> usize {
        self.xs.len()
    }

    pub(crate) fn is_full(&self) -> bool {
        self.filled == self.xs.len()
    }

    /// True when the window holds at least one pair with a NaN.
    pub(crate) fn has_nan(&self) -> bool {
        self.nans > 0
    }

    /// Push a pair; returns the evicted pair once the window was already full.
    #[inline]
    pub(crate) fn push(&mut self, x: f64, y: f64) -> Option<(f64, f64)> {
        let w = self.xs.len();
        let evicted = if self.filled == w {
            let old = (self.xs[self.head], self.ys[self.head]);
            if old.0.is_nan() || old.1.is_nan() {
                self.nans -= 1;
            }
            Some(old)
        } else {
            self.filled += 1;
            None
        };
        if x.is_nan() || y.is_nan() {
            self.nans += 1;
        }
        self.xs[self.head] = x;
        self.ys[self.head] = y;
        self.head += 1;
        if self.head == w {
            self.head = 0;
        }
        evicted
    }

    /// The pairs in the window, oldest first (two contiguous runs of the ring, no modulo).
    pub(crate) fn iter(&self) -> impl Iterator<Item = (f64, f64)> + '_ {
        let start = if self.filled == self.xs.len() {
            self.head
        } else {
            0
        };
        let end = start + self.filled;
        let first = start..end.min(self.xs.len());
        let wrap = 0..end.saturating_sub(self.xs.len());
        let pair = |r: std::ops::Range<usize>| {
            self.xs[r.clone()]
                .iter()
                .copied()
                .zip(self.ys[r].iter().copied())
        };
        pair(first).chain(pair(wrap))
    }

    /// The window as (at most) two contiguous runs of the ring, oldest first.
    pub(crate) fn segments(&self) -> [(&[f64], &[f64]); 2] {
        let w = self.xs.len();
        if self.filled == w {
            let h = self.head;
            [
                (&self.xs[h..], &self.ys[h..]),
                (&self.xs[..h], &self.ys[..h]),
            ]
        } else {
            let f = self.filled;
            [(&self.xs[..f], &self.ys[..f]), (&[], &[])]
        }
    }

    /// The newest pair.
    pub(crate) fn newest(&self) -> Option<(f64, f64)> {
        if self.filled == 0 {
            return None;
        }
        let k = if self.head == 0 {
            self.xs.len() - 1
        } else {
            self.head - 1
        };
        Some((self.xs[k], self.ys[k]))
    }

    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.filled = 0;
        self.nans = 0;
    }
}
