//! The synthetic returns both examples time: x ~ N(0, 0.01²) and y = 0.6·x + N(0, 0.008²)
//! (Box–Muller on `Xoshiro256` seeded 1), so their figures are of the same inputs.

use lockstep_stats::Xoshiro256;

/// `n` pairs of correlated returns (r ≈ 0.6).
pub fn returns(n: usize) -> (Vec<f64>, Vec<f64>) {
    let mut g = Xoshiro256::new(1);
    let mut normal = || {
        let u1 = 1.0 - g.uniform();
        let u2 = g.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    };
    let x: Vec<f64> = (0..n).map(|_| 0.01 * normal()).collect();
    let y: Vec<f64> = x.iter().map(|a| 0.6 * a + 0.008 * normal()).collect();
    (x, y)
}
