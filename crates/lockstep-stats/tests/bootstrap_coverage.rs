//! Coverage simulation of the correlation intervals on autocorrelated data: pairs of AR(1)
//! series with a known correlation, the stationary-bootstrap percentile interval (automatic
//! Politis–White block length) against Fisher's interval, which assumes independent
//! observations. Seeded, so the counts are fixed; small enough for CI in debug.

use lockstep_stats::{bootstrap_correlation, fisher_interval, BootstrapConfig, Xoshiro256};

/// A standard normal by Box–Muller (one of the pair).
fn normal(g: &mut Xoshiro256) -> f64 {
    let u1 = 1.0 - g.uniform(); // (0, 1]
    let u2 = g.uniform();
    (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
}

/// x_t = φx_{t−1} + e_t, y_t = φy_{t−1} + u_t with corr(e, u) = ρ, started in the stationary
/// distribution: corr(x_t, y_t) = ρ exactly (both have variance 1/(1−φ²) and covariance
/// ρ/(1−φ²)), while each is autocorrelated with coefficient φ.
fn ar1_pair(n: usize, phi: f64, rho: f64, g: &mut Xoshiro256) -> (Vec<f64>, Vec<f64>) {
    let s = (1.0 - rho * rho).sqrt();
    let sd0 = 1.0 / (1.0 - phi * phi).sqrt();
    let (mut x, mut y) = (Vec::with_capacity(n), Vec::with_capacity(n));
    let (mut a, mut b) = (0.0, 0.0);
    for t in 0..n {
        let e = normal(g);
        let u = rho * e + s * normal(g);
        if t == 0 {
            (a, b) = (sd0 * e, sd0 * u);
        } else {
            a = phi * a + e;
            b = phi * b + u;
        }
        x.push(a);
        y.push(b);
    }
    (x, y)
}

/// (bootstrap covers, Fisher covers, replications) over `reps` simulated pairs.
fn coverage(reps: usize, n: usize, phi: f64, rho: f64, b: usize, seed: u64) -> (usize, usize) {
    let mut g = Xoshiro256::new(seed);
    let (mut boot, mut fisher) = (0, 0);
    for i in 0..reps {
        let (x, y) = ar1_pair(n, phi, rho, &mut g);
        let cfg = BootstrapConfig {
            replications: b,
            seed: seed ^ (i as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15),
            ..BootstrapConfig::default()
        };
        let ci = bootstrap_correlation(&x, &y, &cfg).unwrap().unwrap();
        boot += usize::from(ci.lo <= rho && rho <= ci.hi);
        let (lo, hi) = fisher_interval(ci.r, n as f64, 0.95).unwrap().unwrap();
        fisher += usize::from(lo <= rho && rho <= hi);
    }
    (boot, fisher)
}

/// 200 replications of n = 500 pairs, φ = 0.7, ρ = 0.5, B = 299: the bootstrap interval
/// covers ρ in 90–98% of them (186 with this seed), Fisher's (too narrow by about
/// √((1+φ²)/(1−φ²)) ≈ 1.7 on such data) far less often (160).
///
/// Measured over 2000 replications (`coverage_at_scale`, n = 500, B = 299): bootstrap 0.934 /
/// 0.932 / 0.920 / 0.884 and Fisher 0.943 / 0.865 / 0.750 / 0.473 for φ = 0 / 0.5 / 0.7 /
/// 0.9. With independent pairs (φ = 0) both are right; the more persistent the series, the
/// worse Fisher's interval, while the bootstrap stays near its level (slightly under, as block
/// bootstraps are at this length).
#[test]
fn bootstrap_covers_and_fisher_under_covers_on_ar1_pairs() {
    let (boot, fisher) = coverage(200, 500, 0.7, 0.5, 299, 2024);
    println!("coverage of 200: stationary bootstrap {boot}, Fisher {fisher}");
    assert!(
        (180..=196).contains(&boot),
        "bootstrap covered {boot} of 200"
    );
    assert!(fisher < boot, "Fisher {fisher} vs bootstrap {boot}");
    assert!(fisher < 180, "Fisher covered {fisher} of 200");
}

/// The same simulation at a larger scale, for measuring (ignored: minutes in debug;
/// `cargo test --release -- --ignored --nocapture`).
#[test]
#[ignore]
fn coverage_at_scale() {
    for (phi, n) in [(0.0, 500), (0.5, 500), (0.7, 500), (0.9, 500)] {
        let (boot, fisher) = coverage(2000, n, phi, 0.5, 299, 7);
        println!(
            "phi {phi} n {n}: bootstrap {:.3}, Fisher {:.3}",
            boot as f64 / 2000.0,
            fisher as f64 / 2000.0
        );
    }
}
