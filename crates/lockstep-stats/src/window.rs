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

    /// The ring position of the oldest pair once full (where the next push goes).
    pub(crate) fn head(&self) -> usize {
        self.head
    }

    /// Make the ring hold exactly the full window `xs`, `ys` (oldest first, `capacity()`
    /// pairs) with the oldest pair at ring position `head`: the state that pushing them one by
    /// one would leave when the ring's head ends at `head`. Used by the batch kernels, which
    /// read evicted pairs straight from their input and only restore the ring at the end.
    pub(crate) fn load_full(&mut self, xs: &[f64], ys: &[f64], head: usize) {
        let w = self.xs.len();
        debug_assert!(xs.len() == w && ys.len() == w && head < w);
        let split = w - head;
        self.xs[head..].copy_from_slice(&xs[..split]);
        self.ys[head..].copy_from_slice(&ys[..split]);
        self.xs[..head].copy_from_slice(&xs[split..]);
        self.ys[..head].copy_from_slice(&ys[split..]);
        self.head = head;
        self.filled = w;
        self.nans = xs
            .iter()
            .zip(ys)
            .filter(|(x, y)| x.is_nan() || y.is_nan())
            .count();
    }

    pub(crate) fn clear(&mut self) {
        self.head = 0;
        self.filled = 0;
        self.nans = 0;
    }
}
