"""Reference timings: rolling Pearson correlation (w = 90) in pandas, polars and TA-Lib, and
TA-Lib RSI, EMA and MACD.

Run beside `cargo bench -p lockstep-stats --bench rolling` on the same machine; BENCHMARKS.md
records both. Installs nothing itself: `pip install pandas polars ta-lib numpy`.

The inputs have the same size and distribution as the criterion bench (uniform returns-like
noise, y = 0.6 x + noise); timings of these kernels do not depend on the values.
"""

import time

import numpy as np
import pandas as pd
import polars as pl
import talib

W = 90


def best_of(f, repeat):
    best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def main():
    rng = np.random.default_rng(1)
    print(f"{'n':>10} {'library':<18} {'ns/element':>10}")
    for n in (1_000_000, 10_000_000):
        x = (rng.random(n) - 0.5) * 0.04
        y = 0.6 * x + (rng.random(n) - 0.5) * 0.04
        sx, sy = pd.Series(x), pd.Series(y)
        df = pl.DataFrame({"x": x, "y": y})
        rep = 5 if n <= 1_000_000 else 3
        runs = {
            "pandas": lambda: sx.rolling(W).corr(sy),
            "polars": lambda: df.select(pl.rolling_corr("x", "y", window_size=W)),
            "TA-Lib CORREL": lambda: talib.CORREL(x, y, timeperiod=W),
        }
        for name, f in runs.items():
            print(f"{n:>10} {name:<18} {best_of(f, rep) / n * 1e9:>10.2f}")
    # Indicators on a positive random walk of 10^7 prices.
    n = 10_000_000
    p = 100.0 * np.cumprod(1.0 + (rng.random(n) - 0.5) * 0.04)
    for name, f in {
        "TA-Lib RSI(14)": lambda: talib.RSI(p, timeperiod=14),
        "TA-Lib EMA(20)": lambda: talib.EMA(p, timeperiod=20),
        "TA-Lib MACD": lambda: talib.MACD(p, 12, 26, 9),
    }.items():
        print(f"{n:>10} {name:<18} {best_of(f, 3) / n * 1e9:>10.2f}")


if __name__ == "__main__":
    main()
