#!/usr/bin/env python3
"""Golden values of the clock: daily returns on the exchange clock and intraday returns
within sessions, from the real intraday files in ../shared/data/intraday, computed with
pandas, statsmodels and pandas_market_calendars (NYSE sessions, independently of Lockstep's
calendar).

Conventions (the same as Lockstep's, written out in crates/lockstep-core/src/clock.rs):
* bars are labelled by their open time; a bar's close is the price at open + interval;
* NYSE regular sessions from pandas_market_calendars (09:30-16:00 New York, 13:00 on early
  closes); an equity bar is in a session when open <= start < close; it ends at
  min(start + interval, close);
* exchange clock (daily): the equity leg's close of a date is the close of its last
  regular-session bar when that bar reaches the session close; the crypto leg's price is the
  close of its bar ending exactly at the session close; dates where both exist, log returns
  between consecutive ones, pandas rolling(w).corr;
* UTC clock (daily): the crypto leg's close of a UTC day is the close of its bar ending at
  the next 00:00 UTC, on the equity leg's dates;
* intraday: the grid is the equity leg's regular-session bars (their ends); the crypto leg
  sampled at each end; log returns between consecutive bars of one session only (a session's
  first bar has none); rolling windows over the returns (spanning sessions); cross-correlation
  at lag k pairs (a[t], b[t-k]) in the same session; Granger F tests on the rows whose lags
  are all in the row's session (statsmodels OLS, scipy F survival function).

Writes test_data/golden/clock_*.csv. Run: pip install -r scripts/requirements-golden.txt
pandas_market_calendars==5.5.0 && python3 scripts/golden_clock.py
"""

import os
import sys

import numpy as np
import pandas as pd
import pandas_market_calendars as mcal
import statsmodels.api as sm
from scipy import stats

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "..", "shared", "data", "intraday")
OUT = os.path.join(ROOT, "test_data", "golden")


def read_bars(name, tz=None):
    """Open time (UTC) -> close, from one of the intraday files."""
    path = os.path.join(DATA, name)
    df = pd.read_csv(path)
    col = "timestamp" if "timestamp" in df.columns else ("Datetime" if "Datetime" in df.columns else "Open time")
    close = "close" if "close" in df.columns else "Close"
    t = pd.to_datetime(df[col], utc=tz is None)
    if tz is not None:
        t = t.dt.tz_localize(tz).dt.tz_convert("UTC")
    s = pd.Series(df[close].astype(float).values, index=t).sort_index()
    return s[~s.index.duplicated(keep="last")]


def sessions(first, last):
    cal = mcal.get_calendar("NYSE")
    sch = cal.schedule(start_date=first, end_date=last)
    return pd.DataFrame(
        {"open": sch["market_open"].dt.tz_convert("UTC"), "close": sch["market_close"].dt.tz_convert("UTC")},
        index=pd.Index([d.strftime("%Y-%m-%d") for d in sch.index], name="date", dtype=object),
    )


def equity_grid(eq, interval):
    """Regular-session bars of the equity leg: (start, end, session date, close)."""
    ny = eq.index.tz_convert("America/New_York")
    sch = sessions(ny.min().strftime("%Y-%m-%d"), ny.max().strftime("%Y-%m-%d"))
    rows = []
    for t, c in eq.items():
        d = t.tz_convert("America/New_York").strftime("%Y-%m-%d")
        if d not in sch.index:
            continue
        o, cl = sch.loc[d, "open"], sch.loc[d, "close"]
        if o <= t < cl:
            rows.append((t, min(t + interval, cl), d, c, cl))
    return pd.DataFrame(rows, columns=["start", "end", "date", "close", "session_close"])


def exchange_daily(grid, interval):
    last = grid.groupby("date").tail(1)
    ok = last["start"] + interval >= last["session_close"]
    return pd.Series(last["close"].values[ok.values], index=last["date"].values[ok.values])


def at(bars, interval, times):
    """Close of the bar ending exactly at each time (NaN when none)."""
    ends = dict(zip(((bars.index + interval).as_unit("s").asi8), bars.values))
    idx = pd.DatetimeIndex(times)
    if idx.tz is None:
        idx = idx.tz_localize("UTC")
    return np.array([ends.get(k, np.nan) for k in idx.as_unit("s").asi8])


def daily_clock(eq_file, cr_file, cr_interval, tag, windows=(30, 60)):
    eq = read_bars(eq_file)
    cr = read_bars(cr_file)
    h = pd.Timedelta(hours=1)
    grid = equity_grid(eq, h)
    iwm = exchange_daily(grid, h)
    sch = sessions(min(iwm.index), max(iwm.index))
    closes = sch.loc[list(iwm.index), "close"]
    sync = pd.Series(at(cr, cr_interval, closes.values), index=iwm.index)
    # UTC clock: the crypto close of each UTC day on the equity dates.
    midnight = [pd.Timestamp(d).tz_localize("UTC") + pd.Timedelta(days=1) for d in iwm.index]
    utc = pd.Series(at(cr, cr_interval, midnight), index=iwm.index)
    out = []
    for clock, a in (("exchange", sync), ("utc", utc)):
        df = pd.DataFrame({"a": a, "b": iwm}).dropna()
        r = np.log(df / df.shift(1)).iloc[1:]
        res = pd.DataFrame({"date": r.index, "clock": clock, "ret_a": r["a"].values, "ret_b": r["b"].values})
        for w in windows:
            res[f"corr_{w}"] = r["a"].rolling(w).corr(r["b"]).values
        out.append(res)
    res = pd.concat(out)
    res.to_csv(os.path.join(OUT, f"clock_daily_{tag}.csv"), index=False, float_format="%.17g")
    for clock in ("exchange", "utc"):
        x = res[res.clock == clock]
        print(f"{tag} {clock}: {len(x)} returns, latest corr_30 {x['corr_30'].iloc[-1]:.4f} on {x['date'].iloc[-1]}")


def intraday(eq_file, cr_file, interval, cr_interval, tag, windows, max_lag):
    eq = read_bars(eq_file)
    cr = read_bars(cr_file)
    grid = equity_grid(eq, interval)
    grid["a"] = at(cr, cr_interval, grid["end"].values)
    grid = grid.dropna(subset=["a"]).reset_index(drop=True)
    grid["b"] = grid["close"]
    same = (grid["date"] == grid["date"].shift(1)) & ((grid["end"] - grid["end"].shift(1)) <= interval)
    ra = np.log(grid["a"] / grid["a"].shift(1)).where(same)
    rb = np.log(grid["b"] / grid["b"].shift(1)).where(same)
    res = pd.DataFrame({"time": grid["end"].dt.strftime("%Y-%m-%dT%H:%M:%SZ"), "ret_a": ra, "ret_b": rb})
    comp = res.dropna()
    for w in windows:
        res[f"corr_{w}"] = np.nan
        res.loc[comp.index, f"corr_{w}"] = comp["ret_a"].rolling(w).corr(comp["ret_b"]).values
    res.to_csv(os.path.join(OUT, f"clock_intraday_{tag}.csv"), index=False, float_format="%.17g")
    # Segments: runs of finite returns (sessions here, there is no gap inside one).
    ok = ra.notna() & rb.notna()
    seg = (ok & ~ok.shift(1, fill_value=False)).cumsum().where(ok)
    rows = []
    for k in range(-max_lag, max_lag + 1):
        bs = rb.groupby(seg).shift(k)
        pair = pd.DataFrame({"a": ra, "b": bs}).dropna()
        rows.append((k, pair["a"].corr(pair["b"]), len(pair)))
    pd.DataFrame(rows, columns=["lag", "corr", "n"]).to_csv(
        os.path.join(OUT, f"clock_intraday_{tag}_ccf.csv"), index=False, float_format="%.17g"
    )
    g = []
    for direction, y, x in (("b_causes_a", ra, rb), ("a_causes_b", rb, ra)):
        for p in range(1, max_lag + 1):
            lags = {"y": y}
            for i in range(1, p + 1):
                lags[f"y{i}"] = y.groupby(seg).shift(i)
                lags[f"x{i}"] = x.groupby(seg).shift(i)
            d = pd.DataFrame(lags).dropna()
            d = d[seg.loc[d.index].notna()]
            yv = d["y"].values
            xr = sm.add_constant(d[[f"y{i}" for i in range(1, p + 1)]].values, has_constant="add")
            xu = sm.add_constant(
                d[[f"y{i}" for i in range(1, p + 1)] + [f"x{i}" for i in range(1, p + 1)]].values,
                has_constant="add",
            )
            fr = sm.OLS(yv, xr).fit()
            fu = sm.OLS(yv, xu).fit()
            f = (fr.ssr - fu.ssr) / fu.ssr / p * fu.df_resid
            g.append((direction, p, f, stats.f.sf(f, p, fu.df_resid), int(fu.df_resid), int(fu.nobs)))
    pd.DataFrame(g, columns=["direction", "lag", "f", "p", "df_den", "nobs"]).to_csv(
        os.path.join(OUT, f"clock_intraday_{tag}_granger.csv"), index=False, float_format="%.17g"
    )
    best = max(rows, key=lambda r: r[1])
    print(f"{tag}: {len(comp)} returns in {grid['date'].nunique()} sessions, best lag {best[0]} ({best[1]:.4f})")


def main():
    if not os.path.isdir(DATA):
        sys.exit(f"{DATA} is absent")
    os.makedirs(OUT, exist_ok=True)
    h, m30, m5 = pd.Timedelta(hours=1), pd.Timedelta(minutes=30), pd.Timedelta(minutes=5)
    daily_clock("IWM.yfinance.1h.csv", "ETHUSDT.binance.1h.csv", h, "eth_iwm_1h")
    intraday("IWM.yfinance.1h.csv", "ETHUSDT.binance.30m.csv", h, m30, "eth30m_iwm1h", (30, 120), 3)
    intraday("IWM.yfinance.5m.2025Q3.csv", "ETHUSDT.binance.5m.2025-08-19_09-18.csv", m5, m5, "eth5m_iwm5m", (78, 390), 12)


if __name__ == "__main__":
    main()
