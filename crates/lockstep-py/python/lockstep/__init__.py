"""Lockstep for Python: are two markets moving in lockstep?

The kernels of Lockstep (rolling correlation, beta, Spearman, EWMA, Fisher intervals, the
TA-Lib-compatible indicators, cross-correlation, Granger tests, partial correlation) on numpy
arrays and pandas Series, and its pipeline: ``read_csv``, ``analyze`` (the report of
``lockstep analyze`` as DataFrames), the ``Store`` and ``fedwatch``. Every statistic is
computed by the Rust crates of the command line; nothing is computed again in Python.
"""

from ._lockstep import __version__
from ._kernels import (
    PartialCorr,
    atr,
    bollinger,
    cross_correlation,
    ema,
    ewma_corr,
    fisher_interval,
    granger,
    macd,
    obv,
    partial_corr,
    rolling_beta,
    rolling_corr,
    rolling_partial_corr,
    rolling_spearman,
    rsi,
    sma,
)
from ._pipeline import Store, analyze, fedwatch, read_csv
from ._report import LeadLag, Report

__all__ = [
    "__version__",
    "rolling_corr",
    "rolling_beta",
    "rolling_spearman",
    "ewma_corr",
    "fisher_interval",
    "rsi",
    "ema",
    "sma",
    "macd",
    "bollinger",
    "atr",
    "obv",
    "cross_correlation",
    "granger",
    "partial_corr",
    "rolling_partial_corr",
    "PartialCorr",
    "read_csv",
    "analyze",
    "Report",
    "LeadLag",
    "Store",
    "fedwatch",
]
