//! Pure numerics of Lockstep: rolling correlation (Pearson, Spearman, EWMA), beta, volatility,
//! Fisher-z confidence intervals and summaries of a statistic's history, and the inference
//! around a correlation: partial correlation given controls ([`partial_corr`],
//! [`RollingPartialCorrelation`]), tests for two correlations ([`fisher_z_test`] for
//! independent samples, [`dependent_corr_test`] for two sharing a variable,
//! [`bootstrap_corr_difference`] for overlapping samples), the stationary bootstrap with the
//! Politis–White block length ([`bootstrap_correlation`], [`optimal_block_length`]) and the
//! Forbes–Rigobon adjustment ([`forbes_rigobon`]). No I/O.
//!
//! Every rolling statistic follows one shape, like ta-rs / yata indicators: a struct built with
//! `new(params) -> Result<Self>`, a streaming `next(..) -> Option<_>` that is `None` during the
//! warm-up (and wherever the statistic is undefined), and a batch `over(..)` that gives what
//! `next` gives on each input, so streaming and batch are the same code. The hot kernels
//! ([`RollingCorrelation`], [`RollingBeta`], [`Rsi`], [`Ema`], [`Macd`]) also have
//! `over_into(.., out: &mut [f64])`, which writes into a caller-provided slice with NaN for
//! `None`: the fast path for long series, a tight loop over the very step function `next`
//! uses (bit-identical values, tested).
//!
//! Conventions shared by all of them:
//! * Windows are full windows only (pandas `min_periods = window`): the first value is produced
//!   by the `window`-th input.
//! * A window holding a NaN produces `None`; the statistic recovers as soon as the NaN has left
//!   the window (no NaN ever poisons later values).
//! * A statistic that is undefined on its window (correlation of a constant series, beta on a
//!   constant regressor) is `None`, never NaN, infinite or outside its range.
//!
//! `unsafe` is denied in this crate except for three measured kernels, where calling a variant
//! compiled for a wider instruction set after the CPU check is `unsafe`: the rolling-moments
//! batch kernel, compiled for AVX2 and AVX-512F as well as the baseline (see `moments.rs`, the
//! `Isa` type, for the measured gain and the bit-identity test), MACD's lane loop in AVX2
//! (`indicators/macd.rs`, `lanes_avx2`: its measured gain, and the tests of both paths against
//! `next` and of the AVX2 lanes against the scalar ones, bit for bit), and the bootstrap's batch
//! of resamples compiled for AVX2 (`bootstrap.rs`, `Engine::resample_batch_on`: its measured
//! gain, and the test of both against the one-resample oracle). Every other crate of the
//! workspace forbids `unsafe` outright.
#![deny(unsafe_code)]

mod block_length;
mod bootstrap;
mod buffer;
mod corr_test;
mod error;
mod ewma;
mod fisher;
mod forbes_rigobon;
pub mod indicators;
mod leadlag;
mod moments;
mod ols;
mod pair;
mod partial;
mod regime;
mod rng;
mod segmented;
mod spearman;
mod steiger;
mod summary;

pub use block_length::{optimal_block_length, BlockLength};
pub use bootstrap::{
    bootstrap_corr_difference, bootstrap_correlation, bootstrap_suite, latest_window_mask, masked,
    pair_block_length, replicate_rng, BootstrapConfig, BootstrapSuite, CorrDifference,
    CorrInterval, Run, StationaryBootstrap, DEFAULT_SEED,
};
pub use buffer::{OutBuf, MAP_THRESHOLD};
pub use corr_test::{fisher_z_test, ZTest};
pub use error::StatsError;
pub use ewma::EwmaPair;
pub use fisher::{beta_interval, fisher_interval, normal_quantile, FisherInterval};
pub use forbes_rigobon::{forbes_rigobon, variance_increase};
pub use indicators::{
    Atr, Bands, Bar, Bollinger, Ema, EmaSeed, Indicator, Macd, MacdPoint, MacdSeries, Obv,
    RelativeVolume, Roc, Rsi, Sma,
};
pub use leadlag::{
    ccf_band, cross_correlation, f_sf, granger, granger_scan, reaction_summary, rolling_best_lag,
    BestLag, GrangerScan, GrangerTest, LagCorr, LagCriteria, ReactionSummary,
};
pub use moments::{
    default_threads, pearson, threads_for, Beta, Correlation, Moments, Rolling, RollingBeta,
    RollingCorrelation, RollingMoments, Stat, PAR_MIN,
};
pub use ols::{ols, OlsFit, COLLINEAR_RTOL};
pub use pair::{rolling_pair, Method, PairPoint, RollingPair};
pub use partial::{
    partial_corr, partial_interval, partial_p_value, PartialCorr, RollingPartialCorrelation,
    PARTIAL_COLLINEAR_SHARE,
};
pub use regime::{
    classify, diffs, divergence_scores, divergences, regime_stats, Divergence, Regime, RegimeRule,
    RegimeStats,
};
pub use rng::{splitmix64, Xoshiro256};
pub use segmented::{
    segmented_cross_correlation, segmented_granger, segmented_granger_scan,
    segmented_rolling_best_lag, segments,
};
pub use spearman::RollingSpearman;
pub use steiger::{dependent_corr_test, DependentCorrTest};
pub use summary::{max_with_index, min_with_index, percentile_rank, share_above, strength_label};

/// Result type of this crate.
pub type Result<T, E = StatsError> = std::result::Result<T, E>;

#[cfg(test)]
mod test_noise {
    /// One step of a 64-bit LCG (Knuth's MMIX constants), mapped to [-0.5, 0.5).
    pub(crate) fn lcg(seed: &mut u64) -> f64 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 11) as f64) / ((1u64 << 53) as f64) - 0.5
    }

    /// `n` deterministic pseudo-random values in [-0.5, 0.5).
    pub(crate) fn noise(n: usize, seed: u64) -> Vec<f64> {
        let mut s = seed;
        (0..n).map(|_| lcg(&mut s)).collect()
    }
}
