"""The pipeline from Python: read_csv, analyze (Report.to_dict equal to the command's JSON, its
parts as DataFrames, its HTML), the Store (against a local replay of Yahoo) and fedwatch."""

from __future__ import annotations

import http.server
import json
import math
import os
import re
import subprocess
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import lockstep as ls
from conftest import REPO, lockstep_bin, number, read_columns, run_cli, shared


def test_read_csv_gives_bars_and_the_detected_format():
    df = ls.read_csv(shared("RUT.daily.csv"))
    assert list(df.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert isinstance(df.index, pd.DatetimeIndex) and df.index.name == "date"
    assert df.index.is_monotonic_increasing
    raw = pd.read_csv(shared("RUT.daily.csv"), index_col=0, parse_dates=True)
    assert len(df) == len(raw)
    assert df.attrs["format"] in {"yahoo", "generic"} and df.attrs["name"] == "RUT"
    assert df.attrs["price"] in {"close", "adj_close"}
    # The price column of the analysis is exactly the file's numbers.
    close_col = [c for c in raw.columns if c.lower() == "close"][0]
    assert np.array_equal(df["close"].to_numpy(), raw[close_col].to_numpy(dtype=float))


def test_read_csv_formats_and_errors(tmp_path: Path):
    y = tmp_path / "AAA.csv"
    y.write_text("Date,Open,High,Low,Close,Adj Close,Volume\n"
                 "2024-01-02,10,11,9,10.5,10.4,100\n"
                 "2024-01-03,null,null,null,null,null,null\n"
                 "2024-01-04,10.5,12,10,11.5,11.3,200\n")
    with pytest.warns(UserWarning, match="skipped"):
        df = ls.read_csv(y)
    assert df.attrs["format"] == "yahoo" and df.attrs["price"] == "adj_close"
    assert df.attrs["skipped_null_rows"] == 1
    assert list(df["adj_close"]) == [10.4, 11.3] and list(df["close"]) == [10.5, 11.5]
    inv = tmp_path / "inv.csv"
    inv.write_text('"Date","Price","Open","High","Low","Vol.","Change %"\n'
                   '"01/04/2024","1,234.50","1,200.00","1,250.00","1,190.00","13.28K","1.00%"\n'
                   '"01/03/2024","1,222.00","1,210.00","1,230.00","1,205.00","12.00K","0.50%"\n')
    df = ls.read_csv(inv)
    assert df.attrs["format"] == "investing" and df.attrs["newest_first"]
    assert list(df["close"]) == [1222.0, 1234.5] and df["volume"].iloc[1] == 13280.0
    assert np.isnan(df["adj_close"]).all()
    with pytest.raises(FileNotFoundError):
        ls.read_csv(tmp_path / "missing.csv")
    bad = tmp_path / "bad.csv"
    bad.write_text("date,close\n2024-01-02,10\n2024-01-03,abc\n")
    with pytest.raises(ValueError, match=r"bad\.csv:3"):
        ls.read_csv(bad)


@pytest.fixture
def legs():
    return str(shared("ETH-USD.daily.csv")), str(shared("RUT.daily.csv"))


def differences(got, want, path="") -> list:
    """Where two JSON values differ (paths and both values), for a readable failure."""
    if isinstance(got, dict) and isinstance(want, dict):
        out = [f"{path}.{k}: only in one" for k in set(got) ^ set(want)]
        for k in set(got) & set(want):
            out += differences(got[k], want[k], f"{path}.{k}")
        return out
    if isinstance(got, list) and isinstance(want, list) and len(got) == len(want):
        return [d for i, (g, w) in enumerate(zip(got, want)) for d in differences(g, w, f"{path}[{i}]")]
    return [] if got == want else [f"{path}: {got!r:.300} != {want!r:.300}"]


def test_report_to_dict_is_the_cli_json(legs, home):
    want = json.loads(run_cli("analyze", *legs, "--format", "json", home=home))
    r = ls.analyze(*legs, home=home)
    assert not differences(r.to_dict(), want), differences(r.to_dict(), want)[:10]
    assert json.loads(r.to_json()) == want
    # The same analysis of DataFrames read by read_csv (built into price series in memory,
    # keeping the file's name, source and format).
    eth, rut = ls.read_csv(legs[0]), ls.read_csv(legs[1])
    assert ls.analyze(eth, rut, home=home).to_dict() == want
    # A Series in memory: the same numbers, named after the Series.
    s = eth["close"].rename("ETH-USD")
    d = ls.analyze(s, legs[1], home=home).to_dict()
    assert d["a"]["format"] == "pandas" and d["a"]["price_field"] == "price"
    assert d["series"] == want["series"] and d["windows"] == want["windows"]


def test_options_are_the_flags(legs, home):
    flags = ["--window", "20,45", "--method", "ewma", "--lambda", "0.9", "--confidence", "0.9",
             "--lag-window", "60", "--max-lag", "5", "--returns", "simple", "--no-rate",
             "--no-liquidity"]
    want = json.loads(run_cli("analyze", *legs, *flags, "--format", "json", home=home))
    got = ls.analyze(*legs, windows=[20, 45], method="ewma", lam=0.9, confidence=0.9,
                     lag_window=60, max_lag=5, returns="simple", rate=None, liquidity=False,
                     home=home)
    assert got.to_dict() == want
    weekly = json.loads(run_cli("analyze", *legs, "--align", "weekly", "--format", "json",
                                home=home))
    assert ls.analyze(*legs, align="weekly", home=home).to_dict() == weekly
    with pytest.raises(ValueError, match="invalid value 'daily' for align"):
        ls.analyze(*legs, align="daily", home=home)
    with pytest.raises(ValueError, match="window 30 is given twice"):
        ls.analyze(*legs, windows=[30, 30], home=home)
    with pytest.raises(RuntimeError, match="nope.csv"):
        ls.analyze(legs[0], "nope.csv", home=home, offline=True)


def test_a_bad_option_is_told_in_the_words_of_its_flag(legs, home):
    """Each limit is one rule for both front ends: the words after the option's name are the
    command's, whatever the front end."""
    env = dict(os.environ, LOCKSTEP_HOME=str(home), NO_COLOR="1")
    cases = [("windows", [30, 1], ["--window", "30,1"], "1"),
             ("confidence", 1.5, ["--confidence", "1.5"], "1.5"),
             ("lam", 1.0, ["--method", "ewma", "--lambda", "1"], "1"),
             ("lag_window", 2, ["--lag-window", "2"], "2"),
             ("max_lag", 61, ["--max-lag", "61"], "61"),
             ("bootstrap", 1, ["--bootstrap", "1"], "1")]
    for option, value, flags, shown in cases:
        cli = subprocess.run([str(lockstep_bin()), "analyze", *legs, *flags], capture_output=True,
                             text=True, env=env, check=False)
        assert cli.returncode == 2, (flags, cli.stderr)
        said = re.search(rf"invalid value '{re.escape(shown)}' for '--[a-z-]+ <[A-Z_]+>': (.*)",
                         cli.stderr)
        assert said, (flags, cli.stderr)
        extra = {"method": "ewma"} if option == "lam" else {}
        with pytest.raises(ValueError) as e:
            ls.analyze(*legs, home=home, **{option: value}, **extra)
        assert str(e.value) == f"invalid value '{shown}' for {option}: {said.group(1).strip()}", \
            (str(e.value), cli.stderr)


def test_control_and_bootstrap_are_the_flags(legs, home):
    spy = str(shared("SPY.daily.csv"))
    flags = ["--control", spy, "--bootstrap", "200", "--seed", "7", "--no-rate",
             "--no-liquidity"]
    want = json.loads(run_cli("analyze", *legs, *flags, "--format", "json", home=home))
    r = ls.analyze(*legs, control=spy, bootstrap=200, seed=7, rate=None, liquidity=False,
                   home=home)
    assert not differences(r.to_dict(), want), differences(r.to_dict(), want)[:10]
    c = r.control
    assert c.attrs["controls"] == ["SPY"] and list(c.index) == ["full", 30, 60, 90]
    assert c.loc["full", "partial"] == want["control"]["partial"]
    assert c.loc[90, "raw"] == want["control"]["windows"][2]["raw"]
    s = r.series
    assert "pcorr_90" in s and s["pcorr_90"].iloc[-1] == c.loc[90, "partial"]
    inf = r.inference
    assert inf.loc["full", "boot_lo"] == want["inference"]["full"]["boot_lo"]
    assert set(inf.index) >= {"full", 30, 60, 90}
    assert inf.attrs["seed"] == 7 and inf.attrs["replications"] == 200
    # The partial correlation of the report is the kernel's on the same aligned returns.
    assert "partial" in r.regimes
    off = ls.analyze(*legs, bootstrap=0, default_control=False, rate=None, liquidity=False,
                     home=home)
    assert off.inference.empty and off.control.empty
    with pytest.raises(ValueError, match="1 resample gives no interval"):
        ls.analyze(*legs, bootstrap=1, home=home)
    with pytest.raises(ValueError, match="exclude each other"):
        ls.analyze(*legs, control=spy, default_control=False, home=home)


def test_report_parts_are_dataframes(legs, home):
    r = ls.analyze(*legs, home=home)
    d = r.to_dict()
    c = r.correlation
    assert list(c.index) == [30, 60, 90]
    assert c.loc[30, "corr"] == d["windows"][0]["latest"]["corr"]
    assert c.loc[90, "strength"] == d["windows"][2]["strength"]
    s = r.series
    assert len(s) == d["period"]["dates"] and s.index[0] == pd.Timestamp(d["period"]["first"])
    assert math.isnan(s["ret_a"].iloc[0]) and s["corr_90"].iloc[-1] == c.loc[90, "corr"]
    # The series columns are the kernels' values on the returns.
    np.testing.assert_array_equal(
        ls.rolling_corr(s["ret_a"].iloc[1:], s["ret_b"].iloc[1:], 30).to_numpy(),
        s["corr_30"].iloc[1:].to_numpy())
    ll = r.lead_lag
    assert list(ll.ccf.index) == list(range(-10, 11)) and ll.ccf.attrs["band"] == ll.band
    g = ll.granger
    assert g.index.names == ["test", "lag"] and len(g) == 20
    assert g.loc[("RUT -> ETH-USD", 1), "f"] == d["lead_lag"]["granger"]["b_to_a"]["tests"][0]["f"]
    assert len(ll.rolling_best_lag) == len(d["lead_lag"]["rolling_best_lag"])
    reg = r.regimes
    assert set(reg.index) == {"risk-on", "risk-off"} and reg.attrs["leg"] == "RUT"
    assert len(r.regime_series) == len(s) and len(r.divergences) == len(d["regimes"]["divergences"])
    assert list(r.performance.index) == ["ETH-USD", "RUT"]
    assert "correlated" in r.verdict and "Verdict" in r.text("verdict")
    assert str(r).startswith("Lockstep: ETH-USD vs RUT")
    with pytest.raises(ValueError, match="no section 'nope'"):
        r.text("nope")


def test_html_is_the_report_page(legs, home):
    r = ls.analyze(*legs, home=home)
    page = r.html()
    for section in ("summary", "correlation", "lead-lag", "regimes", "verdict"):
        assert f'id="{section}"' in page
    assert "<svg" in page and "<script" not in page
    assert "<svg" not in r.html(charts=False)
    frame = r._repr_html_()
    assert frame.startswith("<iframe") and "srcdoc=" in frame and "&lt;section" in frame


def test_store_imports_fetches_and_refreshes(home, tmp_path, monkeypatch):
    """The store: symbols and bars of a stored symbol (imported by the command), then a
    fetch and a refresh from a local replay of Yahoo's chart API."""
    f = tmp_path / "AAA.csv"
    f.write_text("date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,10\n"
                 "2024-01-03,1.5,2.5,1,2,20\n")
    run_cli("import", "AAA", str(f), home=home)
    st = ls.Store(home)
    assert list(st.symbols().index) == ["AAA"]
    bars = st.bars("AAA")
    assert list(bars["close"]) == [1.5, 2.0] and list(bars.index.strftime("%Y-%m-%d")) == [
        "2024-01-02", "2024-01-03"]
    assert list(st.bars("AAA", start="2024-01-03")["close"]) == [2.0]
    with pytest.raises(RuntimeError, match="not in the store"):
        st.bars("ZZZ")
    body = (REPO / "test_data" / "yahoo" / "chart.RUT.2024-01-02_2024-01-05.json").read_bytes()
    requests = []

    class Yahoo(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 - the handler's name
            requests.append(self.path)
            ok = self.path.startswith("/v8/finance/chart/%5ERUT") or self.path.startswith(
                "/v8/finance/chart/^RUT")
            self.send_response(200 if ok else 404)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body) if ok else 2))
            self.end_headers()
            self.wfile.write(body if ok else b"{}")

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Yahoo)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("LOCKSTEP_YAHOO_URL", f"http://127.0.0.1:{server.server_port}")
        summary = st.fetch("^RUT", since="2024-01-01", provider="yahoo")
        assert list(summary.index) == ["^RUT"] and summary.loc["^RUT", "provider"] == "yahoo"
        assert summary.loc["^RUT", "added"] == summary.loc["^RUT", "bars"] > 0
        assert "^RUT" in st.symbols().index
        rut = st.bars("^RUT")
        assert len(rut) == summary.loc["^RUT", "bars"] and rut.attrs["name"] == "^RUT"
        again = st.refresh(["^RUT"])
        assert again.loc["^RUT", "added"] == 0 and len(requests) >= 2
        # A failure names the symbol; the others are still fetched.
        with pytest.raises(RuntimeError, match="ZZZ") as e:
            st.fetch(["ZZZ", "^RUT"], provider="yahoo")
        assert list(e.value.summary.index) == ["^RUT"]
    finally:
        server.shutdown()


def test_fedwatch_is_the_cli(home, tmp_path):
    raw = shared("ZQ.contracts.barchart.csv")
    strip = ["contract,price"]
    for line in raw.read_text().splitlines()[1:]:
        cells = line.split(",")
        if len(cells) > 4 and cells[0] > "2025-10-30":
            strip.append(f"{cells[1]},{cells[3]}")
    path = tmp_path / "strip.csv"
    path.write_text("\n".join(strip) + "\n")
    want = read_columns(run_cli("--offline", "fed", "--futures", str(path), "--as-of",
                                "2025-10-31", "--format", "csv", home=home))
    df = ls.fedwatch(path, as_of="2025-10-31", home=home, offline=True)
    assert list(df.index.strftime("%Y-%m-%d")) == want["date"]
    for c, cells in want.items():
        if c == "date":
            continue
        if c == "kind":
            assert list(df[c]) == cells
            continue
        got = df[c].to_numpy()
        exp = np.array([number(v) for v in cells])
        assert np.array_equal(got, exp, equal_nan=True), c
    assert df.attrs["as_of"] == "2025-10-31"
    # The same strip as a dict of contract -> price.
    prices = dict(line.split(",") for line in strip[1:])
    again = ls.fedwatch({k: float(v) for k, v in prices.items()}, as_of="2025-10-31",
                        home=home, offline=True)
    pd.testing.assert_frame_equal(again, df)
    with pytest.raises(FileNotFoundError):
        ls.fedwatch(tmp_path / "none.csv", home=home, offline=True)
