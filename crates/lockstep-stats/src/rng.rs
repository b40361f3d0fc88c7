//! The seeded pseudo-random generator of the bootstrap ([`Xoshiro256`]): xoshiro256** seeded
//! through SplitMix64, written here so that a seed gives the same draws on every platform and
//! in every version of the crate (no dependency whose stream may change).

/// One step of SplitMix64 (Steele, Lea and Flood 2014; the constants of Vigna's reference
/// `splitmix64.c`): `state += 0x9E3779B97F4A7C15`, then the mix
/// `z = (z ^ z>>30)·0xBF58476D1CE4E5B9`, `z = (z ^ z>>27)·0x94D049BB133111EB`, `z ^ z>>31`.
pub fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// xoshiro256** 1.0 (Blackman and Vigna 2018, the reference `xoshiro256starstar.c`): a 256-bit
/// state, period 2²⁵⁶ − 1, output `rotl(s₁·5, 7)·9`.
///
/// **Seeding.** [`Xoshiro256::new`]`(seed)` fills the four state words with four successive
/// outputs of [`splitmix64`] started at `seed` (the seeding the authors recommend; it never
/// gives the all-zero state).
///
/// **Derived draws.**
/// * [`Xoshiro256::uniform`]: the top 53 bits as a multiple of 2⁻⁵³, uniform on [0, 1).
/// * [`Xoshiro256::below`]`(n)`: uniform on `0..n` without bias, by Lemire's multiply-and-reject
///   (2019): `m = x·n` in 128 bits, the high word is the draw, rejected (and redrawn) when the
///   low word is below `2⁶⁴ mod n`.
///
/// Reference outputs are pinned in the tests (the first outputs for seed 0 and the published
/// SplitMix64 outputs), so a change of stream cannot pass unnoticed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Xoshiro256 {
    s: [u64; 4],
}

impl Xoshiro256 {
    /// The generator seeded from `seed` through SplitMix64.
    pub fn new(seed: u64) -> Xoshiro256 {
        let mut sm = seed;
        Xoshiro256 {
            s: [
                splitmix64(&mut sm),
                splitmix64(&mut sm),
                splitmix64(&mut sm),
                splitmix64(&mut sm),
            ],
        }
    }

    /// The next 64 random bits.
    #[inline(always)]
    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1): `(next_u64 >> 11) · 2⁻⁵³`.
    #[inline]
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform on `0..n` (`n >= 1`), unbiased (Lemire's method). Panics when `n == 0`.
    #[inline(always)]
    pub fn below(&mut self, n: u64) -> u64 {
        assert!(n > 0, "below(0)");
        let mut m = u128::from(self.next_u64()) * u128::from(n);
        if (m as u64) < n {
            let threshold = n.wrapping_neg() % n;
            while (m as u64) < threshold {
                m = u128::from(self.next_u64()) * u128::from(n);
            }
        }
        (m >> 64) as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64 from state 1234567: the outputs of Vigna's reference implementation.
    #[test]
    fn splitmix_reference() {
        let mut s = 1234567u64;
        let got: Vec<u64> = (0..5).map(|_| splitmix64(&mut s)).collect();
        assert_eq!(
            got,
            [
                6457827717110365317,
                3203168211198807973,
                9817491932198370423,
                4593380528125082431,
                16408922859458223821
            ]
        );
    }

    /// xoshiro256** from the state [1, 2, 3, 4]: the first outputs of the reference C code.
    #[test]
    fn xoshiro_reference() {
        let mut g = Xoshiro256 { s: [1, 2, 3, 4] };
        let got: Vec<u64> = (0..6).map(|_| g.next_u64()).collect();
        assert_eq!(
            got,
            [
                11520,
                0,
                1509978240,
                1215971899390074240,
                1216172134540287360,
                607988272756665600
            ]
        );
    }

    #[test]
    fn draws_are_in_range_and_uniform_enough() {
        let mut g = Xoshiro256::new(42);
        let mut counts = [0usize; 7];
        for _ in 0..70_000 {
            counts[g.below(7) as usize] += 1;
            let u = g.uniform();
            assert!((0.0..1.0).contains(&u));
        }
        for c in counts {
            assert!((9_500..10_500).contains(&c), "{counts:?}");
        }
        assert_eq!(g.below(1), 0);
        // Same seed, same stream; another seed, another stream.
        let (mut a, mut b, mut c) = (Xoshiro256::new(7), Xoshiro256::new(7), Xoshiro256::new(8));
        let (x, y, z) = (a.next_u64(), b.next_u64(), c.next_u64());
        assert_eq!(x, y);
        assert_ne!(x, z);
    }
}
