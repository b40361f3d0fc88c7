//! [`OutBuf`]: the new output buffer of the batch kernels' `over_new` forms, a `Vec<f64>` for
//! small outputs and an anonymous mapping with transparent huge pages for large ones, and
//! [`fill_pieces`], which writes a new output front to back while another thread faults in its
//! pages.
//!
//! Why: a fresh large `Vec<f64>` is an `mmap` of 4 KiB pages (glibc maps every allocation above
//! its 32 MiB ceiling afresh), and the kernel's first write to each page faults: at 10^7 values
//! the faults cost more than the kernel itself (EMA into a reused buffer 2.5 ns/element, into
//! a new `Vec` 6.1). numpy asks for huge pages on its large arrays (`madvise(MADV_HUGEPAGE)`),
//! one fault per 2 MiB, and below 32 MiB glibc hands it back the memory of the arrays it freed,
//! without faults and without zeroing (`np.empty`), so Python libraries returning a new array
//! pay far less. [`OutBuf`] does the same, deterministically:
//!
//! * from [`MAP_THRESHOLD`] bytes on it maps anonymous memory, rounded up to whole 2 MiB pages
//!   (so Linux aligns the mapping on a huge-page boundary), advised `MADV_HUGEPAGE`; an
//!   `over_new` fills it in 2 MiB pieces while a helper thread first-touches the next pieces
//!   (the kernel's zeroing of each huge page runs on the other core: [`fill_pieces`]);
//! * below it, it is a `Vec<f64>`; the `Vec`s of dropped `OutBuf`s from 64 KiB on are kept
//!   for reuse by the next `over_new` on the same thread (at most 4, at most
//!   [`MAP_THRESHOLD`] bytes in all), as glibc's heap keeps freed memory;
//! * off Linux, or when the mapping or the advice is refused, it is a `Vec<f64>`.
//!
//! Both are seen as `&mut [f64]` (the mapping through `bytemuck`, safe: it is page-aligned
//! and a whole number of f64s), so the kernels write into either with the same code. No
//! `unsafe` here.

use std::cell::RefCell;
use std::fmt;
use std::ops::{Deref, DerefMut, Range};

/// Outputs of at least this many bytes (4 Mi values) are mapped with huge pages; smaller ones
/// are a `Vec<f64>`, reused between calls. Measured (BENCHMARKS.md, "new output per call"):
/// at 10^6 values (8 MB) reusing a freed buffer costs nothing, while a mapping pays its
/// (huge-page) faults every call; at 10^7 (80 MB) glibc maps every `Vec` afresh.
pub const MAP_THRESHOLD: usize = 32 << 20;

/// Size of a transparent huge page on x86-64 and aarch64 Linux, and of the pieces of
/// [`fill_pieces`].
const HUGE_PAGE: usize = 2 << 20;

/// Heap buffers of at least this many bytes are kept for reuse when dropped.
const POOL_MIN: usize = 64 << 10;

/// At most this many heap buffers are kept per thread.
const POOL_LEN: usize = 4;

thread_local! {
    /// Heap buffers of dropped [`OutBuf`]s, oldest first: at most [`POOL_LEN`], at most
    /// [`MAP_THRESHOLD`] bytes of capacity in all.
    static POOL: RefCell<Vec<Vec<f64>>> = const { RefCell::new(Vec::new()) };
}

/// A kept buffer of at least `len` values (and at most twice as many), cut to `len`: its
/// values are those it held.
fn pool_take(len: usize) -> Option<Vec<f64>> {
    POOL.try_with(|p| {
        let mut p = p.borrow_mut();
        let i = (0..p.len())
            .filter(|&i| p[i].len() >= len && p[i].capacity() <= 2 * len)
            .min_by_key(|&i| p[i].capacity())?;
        let mut v = p.remove(i);
        v.truncate(len);
        Some(v)
    })
    .ok()
    .flatten()
}

/// Keep `v` for reuse when it is worth it, dropping the oldest kept buffers over the limits.
fn pool_give(v: Vec<f64>) {
    let bytes = v.capacity().saturating_mul(8);
    if !(POOL_MIN..MAP_THRESHOLD).contains(&bytes) {
        return;
    }
    let _ = POOL.try_with(|p| {
        let mut p = p.borrow_mut();
        p.push(v);
        while p.len() > POOL_LEN
            || p.iter().map(|v| v.capacity() * 8).sum::<usize>() > MAP_THRESHOLD
        {
            p.remove(0);
        }
    });
}

/// A zero-initialized `f64` output buffer, used as `&[f64]` / `&mut [f64]` (it derefs to a
/// slice): a `Vec<f64>` below [`MAP_THRESHOLD`] bytes, an anonymous huge-page mapping from it
/// on (Linux). Returned by `over_new` of the batch kernels (for example
/// [`RollingCorrelation::over_new`](crate::Rolling::over_new)); [`OutBuf::into_vec`] gives a
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

    /// `len` values to be overwritten, every one of them, before anyone reads them (the
    /// `over_new` forms): as [`OutBuf::new`], but below [`MAP_THRESHOLD`] bytes a buffer kept
    /// from an earlier `OutBuf` of this thread, with its old values, when one fits.
    pub(crate) fn for_overwrite(len: usize) -> Self {
        if len.saturating_mul(8) < MAP_THRESHOLD {
            if let Some(v) = pool_take(len) {
                return OutBuf(Store::Heap(v));
            }
        }
        Self::new(len)
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
    pub fn into_vec(mut self) -> Vec<f64> {
        match &mut self.0 {
            Store::Heap(v) => std::mem::take(v),
            #[cfg(target_os = "linux")]
            Store::Mapped { .. } => self.as_slice().to_vec(),
        }
    }
}

/// A heap buffer is kept for reuse by a later `over_new` of this thread (see the module).
impl Drop for OutBuf {
    fn drop(&mut self) {
        if let Store::Heap(v) = &mut self.0 {
            pool_give(std::mem::take(v));
        }
    }
}

/// Writes `bufs` (of one length) front to back: `write(range, pieces)` is called on consecutive
/// ranges covering `0..len`, with the pieces of the buffers at that range, and must write every
/// value of them. When `mapped` (the buffers are fresh huge-page mappings) and the machine has
/// more than one core, the pieces are 2 MiB and a helper thread first-touches the pages of each
/// (one write per 4 KiB: the page faults, and the kernel's zeroing of the huge pages) up to two
/// pieces ahead of `write`, so that the faults run on another core while `write` computes;
/// else `write` gets the whole buffers at once. Measured (BENCHMARKS.md, issue 20) on a
/// 2-core machine loaded by other builds: decisive in one run (a new 80 MB output of EMA(20)
/// 9.0 → 3.5 ns/element, correlation 14.2 → 7.1), no measurable gain in the interleaved runs
/// (EMA 3.7 → 3.5, RSI 5.9 → 6.5); to be settled on a quiet machine.
pub(crate) fn fill_pieces<const K: usize>(
    mut bufs: [&mut [f64]; K],
    mapped: bool,
    mut write: impl FnMut(Range<usize>, [&mut [f64]; K]),
) {
    let len = bufs.first().map_or(0, |b| b.len());
    let piece = HUGE_PAGE / 8;
    let helper = mapped
        && len > 2 * piece
        && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    if !helper {
        write(0..len, bufs);
        return;
    }
    let mut spawned = false;
    let mut at = 0;
    std::thread::scope(|sc| {
        let (tx, rx) = std::sync::mpsc::sync_channel::<[&mut [f64]; K]>(2);
        let mut chunks = bufs.each_mut().map(|b| b.chunks_mut(piece));
        let touch = move || loop {
            let next = chunks.each_mut().map(|c| c.next());
            if next.iter().any(Option::is_none) {
                return;
            }
            let mut pieces = next.map(Option::unwrap_or_default);
            for p in pieces.iter_mut() {
                for v in p.iter_mut().step_by(512) {
                    *v = 0.0;
                }
            }
            if tx.send(pieces).is_err() {
                return;
            }
        };
        if std::thread::Builder::new().spawn_scoped(sc, touch).is_ok() {
            spawned = true;
            for pieces in rx {
                let n = pieces.first().map_or(0, |p| p.len());
                write(at..at + n, pieces);
                at += n;
            }
        }
    });
    if !spawned {
        write(0..len, bufs);
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
        for n in [10_000, 10_000, MAP_THRESHOLD / 8 + 1001] {
            // The second 10^4 reuses the buffers the first left (holding other values).
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
            if n == 10_000 {
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

    /// The pieces cover the buffers in order, with or without the helper thread.
    #[test]
    fn pieces_cover_the_buffers_in_order() {
        for (len, mapped) in [
            (0, false),
            (10, true),
            (1_000_000, true),
            (1_000_000, false),
        ] {
            let (mut a, mut b) = (vec![f64::NAN; len], vec![f64::NAN; len]);
            let mut next = 0;
            let mut calls = 0;
            fill_pieces([&mut a[..], &mut b[..]], mapped, |r, [pa, pb]| {
                assert_eq!(r.start, next);
                assert_eq!((pa.len(), pb.len()), (r.len(), r.len()));
                for (i, (x, y)) in r.clone().zip(pa.iter_mut().zip(pb.iter_mut())) {
                    (*x, *y) = (i as f64, -(i as f64));
                }
                next = r.end;
                calls += 1;
            });
            assert_eq!(next, len);
            let want_calls = if mapped
                && len > 2 * HUGE_PAGE / 8
                && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1)
            {
                len.div_ceil(HUGE_PAGE / 8)
            } else {
                1
            };
            assert_eq!(calls, want_calls, "len {len}, mapped {mapped}");
            assert!(a.iter().enumerate().all(|(i, &v)| v == i as f64));
            assert!(b.iter().enumerate().all(|(i, &v)| v == -(i as f64)));
        }
    }

    /// Dropped heap buffers are reused (with their old values) by `for_overwrite` only, within
    /// the limits; `new` always gives zeros.
    #[test]
    fn dropped_heap_buffers_are_reused_for_overwrite() {
        let n = 100_000;
        let mut a = OutBuf::new(n);
        a.fill(7.0);
        drop(a);
        assert!(OutBuf::new(n).iter().all(|&v| v == 0.0));
        let b = OutBuf::for_overwrite(n - 10);
        assert_eq!(b.len(), n - 10);
        assert!(b.iter().all(|&v| v == 7.0), "the kept buffer");
        drop(b);
        assert!(
            OutBuf::for_overwrite(n / 3).iter().all(|&v| v == 0.0),
            "too large to reuse"
        );
        for _ in 0..10 {
            drop(OutBuf::new(n));
        }
        POOL.with(|p| {
            let p = p.borrow();
            assert!(p.len() <= POOL_LEN);
            assert!(p.iter().map(|v| v.capacity() * 8).sum::<usize>() <= MAP_THRESHOLD);
        });
        drop(OutBuf::new(10));
        assert!(POOL.with(|p| p.borrow().iter().all(|v| v.capacity() >= POOL_MIN / 8)));
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
