//! [`LevelBook`]: the greedy level clustering of [`super::levels`], kept up to date as pivots
//! arrive one at a time (what [`super::breakouts`] and [`super::prior_levels`] walk through).
//!
//! # How an insertion stays local
//!
//! The clustering is a left-to-right scan of the pivots sorted by price whose only state is the
//! open cluster (sum of prices, sum of ATRs, count, first and last date). A cluster's start
//! resets that state, so everything from a cluster start onwards depends only on the pivots
//! from there on. Inserting pivot `q` therefore changes nothing before `q`, and once the scan
//! after `q` *starts* a cluster at a pivot `r` that already started one, everything from `r` on
//! is unchanged too. An insertion re-runs the scan from `q` only (the state just before `q` is
//! kept with each pivot, so the members before `q` are not summed again, and the sums are the
//! very floating-point sums a full rescan would make, in the same order), up to that pivot
//! `r`, and replaces the clusters in between.
//!
//! Cost of an insertion: `O(log P)` for the ordered maps, plus the pivots scanned from `q` to
//! `r`, plus `O(log P)` per cluster re-formed. The scan replays the members of `q`'s cluster
//! that lie above `q` (a cluster's sums are added in price order, so to give the same bits
//! the additions after `q` must be made again: no shortcut keeps floating-point sums
//! bit-identical), then usually stops at the next cluster: `q` moves the mean of one cluster,
//! which seldom moves a boundary, and a boundary that moves falls back in line within a
//! cluster or two. So a series with `P` pivots costs `O(P · (log P + m))`, `m` the typical
//! size of a cluster: `O(P log P)` while clusters keep a bounded number of touches; on a long
//! random walk, which keeps revisiting its levels, `m` grows like `√P` (measured in
//! BENCHMARKS.md; the ordered maps still dominate at 10^5 pivots). Neither bound is
//! worst-case: pivots laid out so that every boundary shifts on each insertion (equally
//! spaced prices one tolerance apart, arriving from the top down) make each insertion
//! re-form every cluster above it, as the full re-clustering did on every insertion.

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ops::Bound;

use lockstep_core::Date;

use super::{LevelParams, Pivot, PivotKind, PriorLevels};
use crate::Result;

/// A price ordered like `f64`'s `<` on finite values: `total_cmp` with `−0` taken as `+0`
/// (prices are finite; the sums of huge ones may reach ±∞, which order at the ends).
#[derive(Debug, Clone, Copy)]
pub(super) struct Price(f64);

impl Price {
    fn new(x: f64) -> Price {
        // −0 + 0 = +0 (round to nearest): the sign of a zero never orders two prices.
        Price(x + 0.0)
    }
}

impl PartialEq for Price {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}
impl Eq for Price {}
impl PartialOrd for Price {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Price {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The order of the clustering scan: by price, then bar index, a high before a low on the
/// same bar (the order in which [`super::pivots`] lists them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(super) struct Key {
    price: Price,
    index: usize,
    low: bool,
}

impl Key {
    fn of(p: &Pivot) -> Key {
        Key {
            price: Price::new(p.price),
            index: p.index,
            low: p.kind == PivotKind::Low,
        }
    }
    /// Below every pivot's key (pivot prices are finite).
    const MIN: Key = Key {
        price: Price(f64::NEG_INFINITY),
        index: 0,
        low: false,
    };
    /// Above every pivot's key.
    const MAX: Key = Key {
        price: Price(f64::INFINITY),
        index: usize::MAX,
        low: true,
    };
}

/// The state of an open cluster of the greedy scan: the single definition of its arithmetic,
/// shared by the batch [`super::levels`] and the [`LevelBook`].
#[derive(Debug, Clone, Copy)]
pub(super) struct Acc {
    pub(super) sum: f64,
    pub(super) atr_sum: f64,
    pub(super) n: usize,
    pub(super) first: Date,
    pub(super) last: Date,
}

impl Acc {
    /// A cluster of one pivot (`atr`: its ATR, 0 when missing).
    pub(super) fn new(price: f64, atr: f64, date: Date) -> Acc {
        Acc {
            sum: price,
            atr_sum: atr,
            n: 1,
            first: date,
            last: date,
        }
    }

    /// Whether the next pivot of the price-sorted scan joins this cluster:
    /// `price − mean(prices) <= atr_mult · max(atr, mean(ATRs))`.
    pub(super) fn joins(&self, price: f64, atr: f64, atr_mult: f64) -> bool {
        let mean = self.sum / self.n as f64;
        let tol = atr_mult * atr.max(self.atr_sum / self.n as f64);
        price - mean <= tol
    }

    /// Add a pivot.
    pub(super) fn add(&mut self, price: f64, atr: f64, date: Date) {
        self.sum += price;
        self.atr_sum += atr;
        self.n += 1;
        self.first = self.first.min(date);
        self.last = self.last.max(date);
    }

    /// The level's price: the mean of the prices.
    pub(super) fn price(&self) -> f64 {
        self.sum / self.n as f64
    }
}

/// A pivot in the book, with the state of its cluster once the scan has added it.
#[derive(Debug, Clone, Copy)]
struct Entry {
    price: f64,
    atr: f64,
    date: Date,
    upto: Acc,
}

/// A level of a [`LevelBook`]: a cluster of at least `min_touches` pivots.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BookLevel {
    /// Mean of the prices of the cluster's pivots.
    pub price: f64,
    /// Number of pivots in the cluster.
    pub touches: usize,
    /// Date of the earliest pivot of the cluster.
    pub first_touch: Date,
    /// Date of the latest pivot of the cluster.
    pub last_touch: Date,
}

/// The support/resistance levels of a growing set of pivots, as [`super::levels`] clusters
/// them (step 2 and 3 of its description: the same clusters, prices, touches and dates, to
/// the last bit), updated on each insertion instead of re-clustered (see the module source
/// for why an insertion re-forms only the clusters around it).
///
/// Pivots are ordered by price, then bar index, a high before a low on the same bar, whatever
/// the order of insertion; inserting a pivot with the price, index and kind of one already in
/// replaces it.
#[derive(Debug, Clone)]
pub struct LevelBook {
    atr_mult: f64,
    min_touches: usize,
    /// Every pivot, in scan order.
    pivots: BTreeMap<Key, Entry>,
    /// Every cluster (levels and single touches alike) by its first pivot in scan order,
    /// with its final state.
    clusters: BTreeMap<Key, Acc>,
    /// The clusters of at least `min_touches` pivots, by price (then start): the levels.
    levels: BTreeMap<(Price, Key), Acc>,
    /// Scratch space of an insertion (kept to avoid allocating on every pivot).
    formed: Vec<(Key, Acc)>,
    stale: Vec<Key>,
}

impl LevelBook {
    /// An empty book clustering with `params.atr_mult` and keeping clusters of at least
    /// `params.min_touches` pivots (the other fields are those of the pivots themselves).
    pub fn new(params: &LevelParams) -> Result<LevelBook> {
        params.validate()?;
        Ok(LevelBook::with(params.atr_mult, params.min_touches))
    }

    pub(super) fn with(atr_mult: f64, min_touches: usize) -> LevelBook {
        LevelBook {
            atr_mult,
            min_touches,
            pivots: BTreeMap::new(),
            clusters: BTreeMap::new(),
            levels: BTreeMap::new(),
            formed: Vec::new(),
            stale: Vec::new(),
        }
    }

    /// Number of pivots in the book.
    pub fn len(&self) -> usize {
        self.pivots.len()
    }

    /// True when the book holds no pivot.
    pub fn is_empty(&self) -> bool {
        self.pivots.is_empty()
    }

    /// Add a pivot (a missing ATR counts as 0) and re-form the clusters it changes.
    pub fn insert(&mut self, pivot: &Pivot) {
        let kq = Key::of(pivot);
        let atr = pivot.atr.unwrap_or(0.0);
        let placeholder = Acc::new(pivot.price, atr, pivot.date);
        self.pivots.insert(
            kq,
            Entry {
                price: pivot.price,
                atr,
                date: pivot.date,
                upto: placeholder,
            },
        );
        // The open cluster just before q: the one holding its predecessor in scan order.
        let before = self.pivots.range(..kq).next_back().map(|(_, e)| e.upto);
        let from = match before {
            Some(_) => match self.clusters.range(..kq).next_back() {
                Some((&start, _)) => start,
                None => unreachable!("a pivot before q lies in a cluster that starts before q"),
            },
            None => kq,
        };
        let mut open: Option<(Key, Acc)> = before.map(|acc| (from, acc));
        let mut stop: Option<Key> = None;
        self.formed.clear();
        for (&k, e) in self.pivots.range_mut(kq..) {
            if let Some((_, acc)) = open.as_mut() {
                if acc.joins(e.price, e.atr, self.atr_mult) {
                    acc.add(e.price, e.atr, e.date);
                    e.upto = *acc;
                    continue;
                }
            }
            // `k` starts a cluster. If it started one before q arrived, the scan from here on
            // is the one already done.
            if k != kq && self.clusters.contains_key(&k) {
                stop = Some(k);
                break;
            }
            self.formed.extend(open.take());
            let acc = Acc::new(e.price, e.atr, e.date);
            e.upto = acc;
            open = Some((k, acc));
        }
        self.formed.extend(open);
        // Replace the clusters that started in [from, stop).
        self.stale.clear();
        let upper = stop.map_or(Bound::Unbounded, Bound::Excluded);
        self.stale.extend(
            self.clusters
                .range((Bound::Included(from), upper))
                .map(|(&k, _)| k),
        );
        for k in &self.stale {
            if let Some(acc) = self.clusters.remove(k) {
                if acc.n >= self.min_touches {
                    self.levels.remove(&(Price::new(acc.price()), *k));
                }
            }
        }
        for &(k, acc) in &self.formed {
            self.clusters.insert(k, acc);
            if acc.n >= self.min_touches {
                self.levels.insert((Price::new(acc.price()), k), acc);
            }
        }
    }

    /// The levels, in scan order (which is the order of their prices, up to rounding of the
    /// means).
    pub fn levels(&self) -> Vec<BookLevel> {
        self.clusters
            .values()
            .filter(|acc| acc.n >= self.min_touches)
            .map(|acc| BookLevel {
                price: acc.price(),
                touches: acc.n,
                first_touch: acc.first,
                last_touch: acc.last,
            })
            .collect()
    }

    /// The highest level strictly below `close` and the lowest at or above it (`close`
    /// finite).
    pub fn nearest(&self, close: f64) -> PriorLevels {
        let at = (Price::new(close), Key::MIN);
        PriorLevels {
            support: self.levels.range(..at).next_back().map(|(_, a)| a.price()),
            resistance: self.levels.range(at..).next().map(|(_, a)| a.price()),
        }
    }

    /// The levels `L` crossed from `c0` to `c1` (finite): `c0 <= L < c1` going up,
    /// `c0 >= L > c1` going down; written to `out` as `(price, touches)` in scan order.
    pub(super) fn crossed(&self, c0: f64, c1: f64, out: &mut Vec<(Key, f64, usize)>) {
        out.clear();
        let (p0, p1) = (Price::new(c0), Price::new(c1));
        let range = match p0.cmp(&p1) {
            Ordering::Less => (
                Bound::Included((p0, Key::MIN)),
                Bound::Excluded((p1, Key::MIN)),
            ),
            Ordering::Greater => (
                Bound::Excluded((p1, Key::MAX)),
                Bound::Included((p0, Key::MAX)),
            ),
            Ordering::Equal => return,
        };
        out.extend(
            self.levels
                .range(range)
                .map(|(&(_, start), acc)| (start, acc.price(), acc.n)),
        );
        // Means out of price order by a rounding are still listed in scan order.
        out.sort_by_key(|&(start, _, _)| start);
    }
}
