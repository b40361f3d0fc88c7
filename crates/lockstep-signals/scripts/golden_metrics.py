#!/usr/bin/env python3
"""Golden values for lockstep-signals' return metrics (`return_stats`).

Writes test_data/metrics_golden.json: a fixed seeded daily return series and, for 252 and
365 periods per year, the metrics computed three ways:

* "reference": the documented formulas implemented directly in numpy (always available);
* "empyrical": empyrical-reloaded (`pip install empyrical-reloaded`), if importable;
* "quantstats": quantstats, if importable (0.0.86 follows the same conventions for these
  metrics; older releases differ for CAGR and max drawdown, see the Rust docs of
  `return_stats`).

The Rust test `tests/golden.rs` checks `return_stats` against every value present, to
1e-12 (relative to max(1, |value|)).

Generated with numpy 2.4.6, empyrical-reloaded 0.7.1, quantstats 0.0.86.

Run from the crate directory:  python3 scripts/golden_metrics.py
"""
import json
import os

import numpy as np

SEED = 20240601
N = 500


def reference(r, ppy):
    n = len(r)
    growth = np.prod(1.0 + r)
    total = growth - 1.0
    cagr = growth ** (ppy / n) - 1.0
    sd = np.std(r, ddof=1)
    mean = np.mean(r)
    down = np.sqrt(np.mean(np.minimum(r, 0.0) ** 2))
    equity = np.concatenate([[1.0], np.cumprod(1.0 + r)])
    peak = np.maximum.accumulate(equity)
    max_dd = np.min(equity / peak - 1.0)
    return {
        "total_return": float(total),
        "cagr": float(cagr),
        "volatility": float(sd * np.sqrt(ppy)),
        "sharpe": float(mean / sd * np.sqrt(ppy)),
        "sortino": float(mean * np.sqrt(ppy) / down),
        "max_drawdown": float(max_dd),
        "calmar": float(cagr / abs(max_dd)),
    }


def with_empyrical(r, ppy):
    try:
        import empyrical as ep
    except ImportError:
        return None
    return {
        "total_return": float(ep.cum_returns_final(r)),
        "cagr": float(ep.annual_return(r, annualization=ppy)),
        "volatility": float(ep.annual_volatility(r, annualization=ppy)),
        "sharpe": float(ep.sharpe_ratio(r, annualization=ppy)),
        "sortino": float(ep.sortino_ratio(r, annualization=ppy)),
        "max_drawdown": float(ep.max_drawdown(r)),
        "calmar": float(ep.calmar_ratio(r, annualization=ppy)),
    }


def with_quantstats(r, ppy):
    try:
        import pandas as pd
        import quantstats as qs
    except ImportError:
        return None
    freq = "D" if ppy == 365 else "B"
    s = pd.Series(r, index=pd.date_range("2021-01-04", periods=len(r), freq=freq))
    return {
        "volatility": float(qs.stats.volatility(s, periods=ppy)),
        "sharpe": float(qs.stats.sharpe(s, periods=ppy)),
        "sortino": float(qs.stats.sortino(s, periods=ppy)),
        "max_drawdown": float(qs.stats.max_drawdown(s)),
        "cagr": float(qs.stats.cagr(s, periods=ppy)),
        "total_return": float(qs.stats.comp(s)),
    }


def main():
    rng = np.random.default_rng(SEED)
    r = rng.normal(0.0004, 0.02, N)
    out = {
        "seed": SEED,
        "returns": [float(x) for x in r],
        "cases": [],
    }
    for ppy in (252, 365):
        out["cases"].append(
            {
                "periods_per_year": ppy,
                "reference": reference(r, ppy),
                "empyrical": with_empyrical(r, ppy),
                "quantstats": with_quantstats(r, ppy),
            }
        )
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "test_data", "metrics_golden.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
