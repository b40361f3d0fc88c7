"""Golden values of the momentum indicators from TA-Lib (the Python `ta-lib` wheel).

Reads ../shared/data/ETH-USD.daily.csv (Date,Close,High,Low,Open,Volume), computes every
indicator on the full history with TA-Lib's defaults, and writes the rows dated 2024-01-01 or
later, plus the first 60 rows (the warm-ups),
to test_data/golden/talib_eth.csv (empty cell = TA-Lib's NaN warm-up; floats as repr).

    pip install -r scripts/requirements-golden.txt && python3 scripts/golden_talib.py
"""

import math
from pathlib import Path

import numpy as np
import pandas as pd
import talib

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data"
OUT = ROOT / "test_data" / "golden" / "talib_eth.csv"
CUTOFF = "2024-01-01"


def cell(v):
    v = float(v)
    return "" if math.isnan(v) else repr(v)


def main():
    df = pd.read_csv(DATA / "ETH-USD.daily.csv", index_col="Date", parse_dates=True)
    c = df["Close"].to_numpy(dtype=float)
    h = df["High"].to_numpy(dtype=float)
    lo = df["Low"].to_numpy(dtype=float)
    v = df["Volume"].to_numpy(dtype=float)
    macd, signal, hist = talib.MACD(c, fastperiod=12, slowperiod=26, signalperiod=9)
    upper, middle, lower = talib.BBANDS(c, timeperiod=20, nbdevup=2.0, nbdevdn=2.0, matype=0)
    cols = {
        "close": c,
        "sma_20": talib.SMA(c, timeperiod=20),
        "ema_20": talib.EMA(c, timeperiod=20),
        "rsi_14": talib.RSI(c, timeperiod=14),
        "macd": macd,
        "macd_signal": signal,
        "macd_hist": hist,
        "bb_upper": upper,
        "bb_middle": middle,
        "bb_lower": lower,
        "atr_14": talib.ATR(h, lo, c, timeperiod=14),
        "obv": talib.OBV(c, v),
        "roc_10": talib.ROC(c, timeperiod=10),
    }
    # The first 60 rows (every warm-up and the first defined values) and everything since 2024.
    keep = (df.index >= CUTOFF) | (np.arange(len(df)) < 60)
    lines = ["date," + ",".join(cols)]
    for i in np.flatnonzero(keep):
        lines.append(df.index[i].strftime("%Y-%m-%d") + "," + ",".join(cell(a[i]) for a in cols.values()))
    OUT.write_text("\n".join(lines) + "\n")
    # The first defined values (warm-up lengths) on the full history, for the record.
    first = {k: int(np.flatnonzero(~np.isnan(a))[0]) for k, a in cols.items()}
    print(f"ta-lib {talib.__version__}, numpy {np.__version__}, pandas {pd.__version__}")
    print(f"wrote {OUT.relative_to(ROOT)}: {keep.sum()} rows; first defined index: {first}")


if __name__ == "__main__":
    main()
