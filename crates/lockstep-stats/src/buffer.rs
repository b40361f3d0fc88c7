//! [`OutBuf`]: the new output buffer of the batch kernels' `over_new` forms, a plain `Vec<f64>`
//! for small outputs and an anonymous mapping with transparent huge pages for large ones.
//!
//! Why: a fresh large `Vec<f64>` is an `mmap` of 4 KiB pages (glibc maps every allocation above
//! its 32 MiB ceiling afresh), and the kernel's first write to each page faults: at 10^7 values
//! the faults cost more than the kernel itself (EMA into a reused buffer 2.5 ns/element, into
//! a new `Vec` 6.1). numpy asks for huge pages on its large arrays (`madvise(MADV_HUGEPAGE)`),
//! one fault per 2 MiB, so Python libraries returning a new array pay far less. [`OutBuf`]
//! does the same: at and above [`MAP_THRESHOLD`] bytes it maps anonymous memory, rounded up to
//! whole 2 MiB pages (so Linux aligns the mapping on a huge-page boundary) and advises
//! `MADV_HUGEPAGE`; below it, or when the mapping or the advice is refused, or off Linux, it is
//! a `Vec<f64>`, which glibc serves from its heap (reused between calls, no faults). Both start
//! zeroed, and both are seen as `&mut [f64]` (the mapping through `bytemuck`, safe: it is
//! page-aligned and a whole number of f64s), so the kernels write into either with the same
//! code. No `unsafe` here.

use std::fmt;
use std::ops::{Deref, DerefMut};

/// Outputs of at least this many bytes (4 Mi values) are mapped with huge pages; smaller ones
/// are a `Vec<f64>`. Measured (BENCHMARKS.md, "new output per call"): at 10^6 values (8 MB)
/// glibc reuses its heap between calls, which costs nothing, while a mapping pays its
/// (huge-page) faults every call; at 10^7 (80 MB) every `Vec` is a fresh 4 KiB mapping.
pub const MAP_THRESHOLD: usize = 32 << 20;

/// Size of a transparent huge page on x86-64 and aarch64 Linux.
#[cfg(target_os = "linux")]
const HUGE_PAGE: usize = 2 << 20;

/// A zero-initialized `f64` output buffer, used as `&[f64]` / `&mut [f64]` (it derefs to a
/// slice): a `Vec<f64>` below [`MAP_THRESHOLD`] bytes, an anonymous huge-page mapping from it
/// on (Linux). Returned by `over_new` of the batch kernels (for example
/// [`RollingCorrelation::over_new`](crate::RollingCorrelation)); [`OutBuf::into_vec`] gives a
/// `Vec<f64>` (a copy when mapped).
pub struct OutBuf(Store);

enum Store {
    Heap(Vec<f64>),
    #[cfg(target_os = "linux")]
    Mapped {
        map: memmap2::MmapMut,
        len: usize,
    },
}

impl OutBuf {
    /// `len` zeros: mapped with huge pages from [`MAP_THRESHOLD`] bytes on (when the system
    /// allows it), else on the heap.
    pub fn new(len: usize) -> Self {
        if len.saturating_mul(8) >= MAP_THRESHOLD {
            if let Some(b) = Self::mapped(len) {
                return b;
            }
        }
        Self::heap(len)
    }

    /// `len` zeros in a `Vec<f64>`, whatever the size.
    pub fn heap(len: usize) -> Self {
        OutBuf(Store::Heap(vec![0.0; len]))
    }

    /// `len` zeros in an anonymous mapping advised `MADV_HUGEPAGE`, whatever the size; `None`
    /// off Linux, for `len == 0`, or when the system refuses the mapping or the advice.
    pub fn mapped(len: usize) -> Option<Self> {
        #[cfg(target_os = "linux")]
        {
            use memmap2::{Advice, MmapOptions};
            let bytes = len.checked_mul(8)?.checked_next_multiple_of(HUGE_PAGE)?;
            if bytes == 0 {
                return None;
            }
            let map = MmapOptions::new().len(bytes).map_anon().ok()?;
            map.advise(Advice::HugePage).ok()?;
            Some(OutBuf(Store::Mapped { map, len }))
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = len;
            None
        }
    }

    /// True when the buffer is a huge-page mapping (not a `Vec`).
    pub fn is_mapped(&self) -> bool {
        !matches!(self.0, Store::Heap(_))
    }

    /// The values.
    pub fn as_slice(&self) -> &[f64] {
        match &self.0 {
            Store::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Store::Mapped { map, len } => &bytemuck::cast_slice(&map[..])[..*len],
        }
    }

    /// The values, writable.
    pub fn as_mut_slice(&mut self) -> &mut [f64] {
        match &mut self.0 {
            Store::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Store::Mapped { map, len } => &mut bytemuck::cast_slice_mut(&mut map[..])[..*len],
        }
    }

    /// The values as a `Vec<f64>`: the vector itself, or a copy of the mapping.
    pub fn into_vec(self) -> Vec<f64> {
        match self.0 {
            Store::Heap(v) => v,
            #[cfg(target_os = "linux")]
            Store::Mapped { .. } => self.as_slice().to_vec(),
        }
    }
}

impl Deref for OutBuf {
    type Target = [f64];
    fn deref(&self) -> &[f64] {
        self.as_slice()
    }
}

impl DerefMut for OutBuf {
    fn deref_mut(&mut self) -> &mut [f64] {
        self.as_mut_slice()
    }
}

impl AsRef<[f64]> for OutBuf {
    fn as_ref(&self) -> &[f64] {
        self
    }
}

impl AsMut<[f64]> for OutBuf {
    fn as_mut(&mut self) -> &mut [f64] {
        self
    }
}

impl From<Vec<f64>> for OutBuf {
    fn from(v: Vec<f64>) -> Self {
        OutBuf(Store::Heap(v))
    }
}

impl From<OutBuf> for Vec<f64> {
    fn from(b: OutBuf) -> Self {
        b.into_vec()
    }
}

/// A copy of the same kind (mapped or not).
impl Clone for OutBuf {
    fn clone(&self) -> Self {
        let mut c = if self.is_mapped() {
            Self::mapped(self.len()).unwrap_or_else(|| Self::heap(self.len()))
        } else {
            Self::heap(self.len())
        };
        c.copy_from_slice(self);
        c
    }
}

/// Equal values (`NaN != NaN`, as for slices), whatever the storage.
impl PartialEq for OutBuf {
    fn eq(&self, other: &Self) -> bool {
        self.as_slice() == other.as_slice()
    }
}

/// The values, as a slice's `Debug` (the storage is not shown).
impl fmt::Debug for OutBuf {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.as_slice().fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_buffers_are_vectors_and_large_ones_mapped_on_linux() {
        let small = OutBuf::new(1000);
        assert!(!small.is_mapped());
        assert_eq!(small.len(), 1000);
        assert!(small.iter().all(|&v| v == 0.0));
        let n = MAP_THRESHOLD / 8 + 3;
        let mut big = OutBuf::new(n);
        assert_eq!(big.is_mapped(), cfg!(target_os = "linux"));
        assert_eq!(big.len(), n);
        assert!(big.iter().all(|&v| v == 0.0));
        big[n - 1] = 2.5;
        big[0] = -1.0;
        assert_eq!((big[0], big[n - 1]), (-1.0, 2.5));
        let v = big.clone().into_vec();
        assert_eq!(v.len(), n);
        assert_eq!((v[0], v[n - 1]), (-1.0, 2.5));
        assert_eq!(big.clone(), big);
    }

    #[test]
    fn forced_mappings_of_any_length() {
        if !cfg!(target_os = "linux") {
            assert!(OutBuf::mapped(10).is_none());
            return;
        }
        assert!(OutBuf::mapped(0).is_none());
        for n in [1, 7, 262_144, 262_145] {
            let mut b = OutBuf::mapped(n).expect("an anonymous mapping");
            assert!(b.is_mapped());
            assert_eq!(b.len(), n);
            b.iter_mut().enumerate().for_each(|(i, v)| *v = i as f64);
            assert_eq!(b.as_slice().last(), Some(&((n - 1) as f64)));
            assert_eq!(format!("{:?}", OutBuf::mapped(2).unwrap()), "[0.0, 0.0]");
        }
    }

    /// `over_new` of each hot kernel is `over_into` bit for bit, into a heap buffer (short
    /// input, also checked against `next`) and into a huge-page mapping (past the threshold).
    #[test]
    fn over_new_is_over_into_bit_for_bit() {
        use crate::{Ema, Indicator, Macd, RollingBeta, RollingCorrelation, Rsi};
        let bits = |v: &[f64]| v.iter().map(|v| v.to_bits()).collect::<Vec<u64>>();
        let opt = |v: Vec<Option<f64>>| -> Vec<u64> {
            v.into_iter()
                .map(|v| v.map_or(f64::NAN.to_bits(), f64::to_bits))
                .collect()
        };
        for n in [5000, MAP_THRESHOLD / 8 + 1001] {
            let x = crate::test_noise::noise(n, 7);
            let mut y = crate::test_noise::noise(n, 8);
            y.iter_mut().zip(&x).for_each(|(y, x)| *y += 0.6 * x);
            y[n / 2] = f64::NAN;
            let mut level = 0.0;
            let p: Vec<f64> = x
                .iter()
                .map(|r| {
                    level += r * 0.04;
                    100.0 * f64::exp(level)
                })
                .collect();
            let mut into = vec![0.0; n];
            let corr = RollingCorrelation::new(90)
                .unwrap()
                .over_new(&x, &y)
                .unwrap();
            assert_eq!(
                corr.is_mapped(),
                n * 8 >= MAP_THRESHOLD && cfg!(target_os = "linux")
            );
            RollingCorrelation::new(90)
                .unwrap()
                .over_into(&x, &y, &mut into)
                .unwrap();
            assert_eq!(bits(&corr), bits(&into), "corr, n = {n}");
            let beta = RollingBeta::new(90).unwrap().over_new(&x, &y).unwrap();
            RollingBeta::new(90)
                .unwrap()
                .over_into(&x, &y, &mut into)
                .unwrap();
            assert_eq!(bits(&beta), bits(&into), "beta, n = {n}");
            let rsi = Rsi::new(14).unwrap().over_new(&p);
            Rsi::new(14).unwrap().over_into(&p, &mut into).unwrap();
            assert_eq!(bits(&rsi), bits(&into), "RSI, n = {n}");
            let ema = Ema::new(20).unwrap().over_new(&p);
            Ema::new(20).unwrap().over_into(&p, &mut into).unwrap();
            assert_eq!(bits(&ema), bits(&into), "EMA, n = {n}");
            let m = Macd::new(12, 26, 9).unwrap().over_new(&p);
            let (mut s, mut h) = (vec![0.0; n], vec![0.0; n]);
            Macd::new(12, 26, 9)
                .unwrap()
                .over_into(&p, &mut into, &mut s, &mut h)
                .unwrap();
            assert_eq!(bits(&m.macd), bits(&into), "MACD line, n = {n}");
            assert_eq!(bits(&m.signal), bits(&s), "MACD signal, n = {n}");
            assert_eq!(bits(&m.hist), bits(&h), "MACD histogram, n = {n}");
            if n == 5000 {
                let mut c = RollingCorrelation::new(90).unwrap();
                let next: Vec<Option<f64>> =
                    x.iter().zip(&y).map(|(&a, &b)| c.next(a, b)).collect();
                assert_eq!(bits(&corr), opt(next), "corr against next");
                let mut e = Ema::new(20).unwrap();
                assert_eq!(bits(&ema), opt(p.iter().map(|&v| e.next(v)).collect()));
                let mut r = Rsi::new(14).unwrap();
                assert_eq!(bits(&rsi), opt(p.iter().map(|&v| r.next(v)).collect()));
            }
        }
        assert!(RollingCorrelation::new(90)
            .unwrap()
            .over_new(&[1.0; 3], &[1.0; 4])
            .is_err());
    }

    #[test]
    fn conversions() {
        let b = OutBuf::from(vec![1.0, 2.0]);
        assert!(!b.is_mapped());
        assert_eq!(b.as_ref(), &[1.0, 2.0]);
        assert_eq!(Vec::from(b), vec![1.0, 2.0]);
        assert!(OutBuf::new(0).is_empty());
    }
}
