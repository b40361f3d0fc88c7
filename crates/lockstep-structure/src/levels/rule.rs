//! The breakout rule of [`super::breakouts`]: a close that clears a level by a margin of ATRs
//! and holds for a number of closes, the level's side flipping only on such a breakout.

use super::Direction;

/// Default margin a close must clear a level by, in ATR(14) of that day
/// ([`super::LevelParams::margin_atr`]).
pub const DEFAULT_MARGIN_ATR: f64 = 0.5;
/// Default number of consecutive closes that must clear the level
/// ([`super::LevelParams::hold`]).
pub const DEFAULT_HOLD: usize = 2;

/// The closes of a series with the margin of each day.
pub(super) struct Closes<'a> {
    pub(super) close: &'a [f64],
    /// `margin_atr · ATR_s`; `None` during the ATR warm-up (no close clears a level then).
    pub(super) margin: Vec<Option<f64>>,
    pub(super) hold: usize,
}

impl Closes<'_> {
    /// Close `s` clears `level` in direction `dir`: above `level + margin_s` (up) or below
    /// `level − margin_s` (down).
    pub(super) fn clears(&self, s: usize, level: f64, dir: Direction) -> bool {
        match self.margin[s] {
            Some(m) => match dir {
                Direction::Up => self.close[s] > level + m,
                Direction::Down => self.close[s] < level - m,
            },
            None => false,
        }
    }

    /// The side of `level` after close `e`: the direction of the latest run of `hold`
    /// consecutive closes clearing it (either way) among the closes `0 ..= e`; `None` when the
    /// closes never cleared it for `hold` days.
    pub(super) fn side(&self, level: f64, e: usize) -> Option<Direction> {
        let (mut up, mut down) = (0, 0);
        for s in (0..=e).rev() {
            if self.clears(s, level, Direction::Up) {
                (up, down) = (up + 1, 0);
            } else if self.clears(s, level, Direction::Down) {
                (up, down) = (0, down + 1);
            } else {
                (up, down) = (0, 0);
            }
            if up >= self.hold {
                return Some(Direction::Up);
            }
            if down >= self.hold {
                return Some(Direction::Down);
            }
        }
        None
    }

    /// A breakout of `level` in direction `dir` is called on day `t`: the closes
    /// `t − hold + 1 ..= t` clear it, close `t − hold` does not (`t` completes the run), and
    /// the level's side before the run was not already `dir`.
    pub(super) fn called(&self, t: usize, level: f64, dir: Direction) -> bool {
        t >= self.hold
            && (t + 1 - self.hold..=t).all(|s| self.clears(s, level, dir))
            && !self.clears(t - self.hold, level, dir)
            && self.side(level, t - self.hold) != Some(dir)
    }
}
