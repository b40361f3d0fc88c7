"""The report of ``lockstep analyze`` as Python objects: its parts as DataFrames, the whole as
the command's JSON (``to_dict``), its text, and its HTML page for notebooks.

The Rust pipeline computes the report; this module reshapes its JSON and computes nothing.
"""

from __future__ import annotations

import copy
import html as _html
import json
from typing import Any, Dict, List, Optional

import numpy as np
import pandas as pd

__all__ = ["Report", "LeadLag"]


def _f(v: Any) -> float:
    """A JSON number or null as a float (NaN for null)."""
    return np.nan if v is None else float(v)


def _dates(values: List[Any]) -> pd.DatetimeIndex:
    return pd.DatetimeIndex(pd.to_datetime(values), name="date")


class LeadLag:
    """The lead-lag section: cross-correlation by lag, Granger tests both ways, the rolling
    best lag and the reaction time. Lag convention: the value at lag ``k`` pairs ``a[t]`` with
    ``b[t-k]``, so ``k > 0`` means B leads A."""

    def __init__(self, d: Dict[str, Any], a: str, b: str) -> None:
        self._d = d
        self.a, self.b = a, b
        #: Returns used.
        self.n: int = d["n"]
        #: Largest lag tested.
        self.max_lag: int = d["max_lag"]
        #: Window of the rolling best lag.
        self.window: int = d["window"]
        #: What one lag is: ``days``, ``weeks`` or ``months``.
        self.unit: str = d["unit"]
        #: The ± band ``z/√n`` outside which a cross-correlation is significant.
        self.band: float = d["band"]
        #: The lag of largest full-sample cross-correlation (``lag``, ``corr``, ``n``).
        self.best_lag: Optional[Dict[str, Any]] = d.get("best_lag")
        #: The reaction time: the distribution of the rolling best lag.
        self.reaction: Optional[Dict[str, Any]] = d.get("reaction_days")
        #: Why a part is missing.
        self.notes: List[str] = list(d.get("notes") or [])

    def __repr__(self) -> str:
        return f"LeadLag({self.a} vs {self.b}: {len(self.ccf)} lags, max_lag={self.max_lag})"

    @property
    def ccf(self) -> pd.DataFrame:
        """Cross-correlation at lags −L..L (pandas ``a.corr(b.shift(k))``): index ``lag``,
        columns ``corr``, ``n``, ``significant`` (|corr| above ``band``)."""
        rows = self._d["ccf"]
        df = pd.DataFrame(
            {"corr": [_f(r["corr"]) for r in rows], "n": [r["n"] for r in rows]},
            index=pd.Index([r["lag"] for r in rows], name="lag"),
        )
        df["significant"] = df["corr"].abs() > self.band
        df.attrs["band"] = self.band
        return df

    @property
    def granger(self) -> pd.DataFrame:
        """Granger F tests both ways, one row per direction and lag order: index
        (``test``, ``lag``) with ``test`` = ``"B -> A"`` (does B's past predict A?) or
        ``"A -> B"`` by the legs' names; columns ``f``, ``p``, ``df_num``, ``df_den``, and
        ``aic_lag``/``bic_lag``, the order each criterion selects for that direction. Empty
        when the tests could not be computed (see ``notes``)."""
        g = self._d.get("granger")
        cols = ["f", "p", "df_num", "df_den", "aic_lag", "bic_lag"]
        rows, index = [], []
        if g:
            for key, name in (("b_to_a", f"{self.b} -> {self.a}"),
                              ("a_to_b", f"{self.a} -> {self.b}")):
                part = g[key]
                for t in part["tests"]:
                    index.append((name, t["lag"]))
                    rows.append([_f(t["f"]), _f(t["p"]), t["df_num"], t["df_den"],
                                 part["aic_lag"], part["bic_lag"]])
        return pd.DataFrame(rows, columns=cols,
                            index=pd.MultiIndex.from_tuples(index, names=["test", "lag"]))

    @property
    def rolling_best_lag(self) -> pd.DataFrame:
        """The lag of highest correlation in each rolling window: index ``date``, columns
        ``lag``, ``corr``."""
        rows = self._d["rolling_best_lag"]
        return pd.DataFrame({"lag": [r["lag"] for r in rows], "corr": [_f(r["corr"]) for r in rows]},
                            index=_dates([r["date"] for r in rows]))

    def to_dict(self) -> Dict[str, Any]:
        """This section of the report's JSON."""
        return copy.deepcopy(self._d)


class Report:
    """The report of ``lockstep analyze A B`` (built by ``lockstep.analyze``).

    Parts as DataFrames: ``correlation`` (per window), ``series`` (per aligned date),
    ``performance``, ``lead_lag`` (``.ccf``, ``.granger``, ``.rolling_best_lag``),
    ``regimes`` (per regime), ``regime_series``, ``divergences``; the rest of the JSON as
    dicts (``a``, ``b``, ``params``, ``period``, ``structure``, ``liquidity``). ``to_dict()``
    is ``lockstep analyze --format json``; ``str(report)`` its terminal text; ``verdict`` the
    verdict in words; in a notebook the report shows as the HTML page of ``lockstep report``.
    """

    def __init__(self, native: Any) -> None:
        self._native = native
        self._json: str = native.json()
        self._d: Dict[str, Any] = json.loads(self._json)
        self.a: Dict[str, Any] = self._d["a"]
        self.b: Dict[str, Any] = self._d["b"]
        self.params: Dict[str, Any] = self._d["params"]
        self.period: Dict[str, Any] = self._d["period"]
        self.structure: Dict[str, Any] = self._d["structure"]
        self.liquidity: Dict[str, Any] = self._d["liquidity"]

    # The whole report ----------------------------------------------------------------------

    def to_dict(self) -> Dict[str, Any]:
        """The report as ``lockstep analyze --format json`` prints it (a deep copy)."""
        return copy.deepcopy(self._d)

    def to_json(self) -> str:
        """The JSON text of ``lockstep analyze --format json``."""
        return self._json

    def text(self, section: Optional[str] = None) -> str:
        """The terminal report of ``lockstep analyze`` (no colour), or one section of it by id:
        ``summary``, ``correlation``, ``performance``, ``lead-lag``, ``regimes``,
        ``structure``, ``liquidity``, ``verdict``."""
        return self._native.text(section)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        p = self.period
        return (f"<lockstep.Report {self.a['name']} vs {self.b['name']}: {p['first']} .. "
                f"{p['last']}, {p['returns']} returns, windows {self.params['windows']}>")

    @property
    def verdict(self) -> str:
        """The verdict, in the report's words."""
        lines = self.text("verdict").strip().splitlines()
        return "\n".join(line.strip() for line in lines[1:]).strip()

    def html(self, charts: bool = True) -> str:
        """The self-contained HTML page of ``lockstep report`` for this report (inline CSS and
        SVG charts), without the signals and backtest sections."""
        return self._native.html(charts)

    def _repr_html_(self) -> str:
        page = self.html()
        return (
            '<iframe title="Lockstep report" style="width:100%;height:720px;border:0" '
            f'srcdoc="{_html.escape(page, quote=True)}"></iframe>'
        )

    # Parts as DataFrames -------------------------------------------------------------------

    @property
    def correlation(self) -> pd.DataFrame:
        """One row per window (index ``window``): the latest ``date``, ``corr`` and its
        interval ``corr_lo``/``corr_hi``, ``beta`` (of A on B), ``vol_a``/``vol_b``
        (annualized), ``strength``, ``percentile`` (of the latest value in the window's
        history), ``share_strong`` (share of history above the strong threshold), ``min`` /
        ``max`` with their dates, and ``defined`` (values in the history)."""
        rows = []
        for w in self._d["windows"]:
            latest = w.get("latest") or {}
            mn, mx = w.get("min") or {}, w.get("max") or {}
            rows.append({
                "window": w["window"],
                "date": pd.Timestamp(latest["date"]) if latest.get("date") else pd.NaT,
                "corr": _f(latest.get("corr")),
                "corr_lo": _f(latest.get("corr_lo")),
                "corr_hi": _f(latest.get("corr_hi")),
                "beta": _f(latest.get("beta")),
                "vol_a": _f(latest.get("vol_a")),
                "vol_b": _f(latest.get("vol_b")),
                "strength": w.get("strength"),
                "percentile": _f(w.get("percentile")),
                "share_strong": _f(w.get("share_strong")),
                "min": _f(mn.get("value")),
                "min_date": pd.Timestamp(mn["date"]) if mn.get("date") else pd.NaT,
                "max": _f(mx.get("value")),
                "max_date": pd.Timestamp(mx["date"]) if mx.get("date") else pd.NaT,
                "defined": w["defined"],
            })
        return pd.DataFrame(rows).set_index("window")

    @property
    def series(self) -> pd.DataFrame:
        """One row per aligned date (index ``date``): ``price_a``, ``price_b``, ``norm_a``,
        ``norm_b`` (rebased to 100), ``ret_a``, ``ret_b``, then per window ``w``:
        ``corr_w``, ``corr_w_lo``, ``corr_w_hi``, ``beta_w``, ``vol_a_w``, ``vol_b_w``, and with
        controls ``pcorr_w``, ``pcorr_w_lo``, ``pcorr_w_hi`` (the partial correlation given
        them) (NaN where undefined; the columns of ``lockstep corr --format csv`` and more)."""
        s = self._d["series"]
        cols: Dict[str, Any] = {}
        for k in ("price_a", "price_b", "norm_a", "norm_b", "ret_a", "ret_b"):
            cols[k] = np.array([_f(v) for v in s[k]], dtype=np.float64)
        for rw in s["rolling"]:
            w = rw["window"]
            for k, name in (("corr", f"corr_{w}"), ("corr_lo", f"corr_{w}_lo"),
                            ("corr_hi", f"corr_{w}_hi"), ("beta", f"beta_{w}"),
                            ("vol_a", f"vol_a_{w}"), ("vol_b", f"vol_b_{w}")):
                cols[name] = np.array([_f(v) for v in rw[k]], dtype=np.float64)
            if rw.get("pcorr"):
                for k, name in (("pcorr", f"pcorr_{w}"), ("pcorr_lo", f"pcorr_{w}_lo"),
                                ("pcorr_hi", f"pcorr_{w}_hi")):
                    cols[name] = np.array([_f(v) for v in rw[k]], dtype=np.float64)
        return pd.DataFrame(cols, index=_dates(s["dates"]))

    @property
    def performance(self) -> pd.DataFrame:
        """Both legs over the aligned period (index: the legs' names): ``start``, ``end``,
        ``total_return``, ``ytd_return``, ``ytd_base_date``."""
        p = self._d["performance"]
        df = pd.DataFrame([p["a"], p["b"]], index=pd.Index([self.a["name"], self.b["name"]],
                                                           name="leg"))
        df["ytd_base_date"] = pd.to_datetime(df["ytd_base_date"])
        return df

    @property
    def lead_lag(self) -> LeadLag:
        """The lead-lag section (``.ccf``, ``.granger``, ``.rolling_best_lag`` as DataFrames)."""
        return LeadLag(self._d["lead_lag"], self.a["name"], self.b["name"])

    @property
    def regimes(self) -> pd.DataFrame:
        """Correlation and beta within each regime (index ``regime``: ``risk-on``,
        ``risk-off``): ``n``, ``corr``, ``corr_lo``, ``corr_hi``, ``beta``, ``delta`` (relative
        increase of the conditioning leg's variance over the other regime), ``adjusted``
        (Forbes–Rigobon ``ρ* = ρ / sqrt(1 + δ(1 − ρ²))``), ``partial`` (given the controls;
        NaN without). ``df.attrs``:
        ``leg`` (whose price classifies), ``rule``, ``current`` (regime and date), ``rate``
        (rate sensitivity, or None) and ``notes``."""
        g = self._d["regimes"]
        rows = g.get("stats") or []
        df = pd.DataFrame(
            {k: [_f(r.get(k)) if k != "n" else r.get(k) for r in rows]
             for k in ("n", "corr", "corr_lo", "corr_hi", "beta", "delta", "adjusted",
                       "partial")},
            index=pd.Index([r["regime"] for r in rows], name="regime"),
        )
        df.attrs.update(leg=g.get("leg"), rule=g.get("rule"), current=g.get("current"),
                        rate=g.get("rate"), notes=list(g.get("notes") or []))
        return df

    @property
    def control(self) -> pd.DataFrame:
        """The partial correlation of A and B given the controls (``--control``, or the
        pair's default): one row for the full period (index ``full``) and one per window
        (index the window), columns ``date``, ``n``, ``raw``, ``partial``, ``lo``, ``hi``
        (Fisher interval with ``n − 3 − k`` degrees for ``k`` controls). Empty without a
        control; ``df.attrs``: ``controls``, ``default``, ``legs`` (each control's correlation
        with A and with B), ``p`` (of the full-period partial correlation), ``note``."""
        c = self._d.get("control")
        cols = ["date", "n", "raw", "partial", "lo", "hi"]
        if not c or c.get("partial") is None and not c.get("windows"):
            df = pd.DataFrame(columns=cols, index=pd.Index([], name="span"))
            df.attrs.update(note=(c or {}).get("note"))
            return df
        end = (self._d.get("period") or {}).get("last")
        rows = [{"date": pd.Timestamp(end) if end else pd.NaT, "n": c.get("n"),
                 "raw": _f(c.get("raw")), "partial": _f(c.get("partial")),
                 "lo": _f(c.get("lo")), "hi": _f(c.get("hi"))}]
        index: List[Any] = ["full"]
        for w in c.get("windows") or []:
            rows.append({"date": pd.Timestamp(w["date"]) if w.get("date") else pd.NaT,
                         "n": w["window"], "raw": _f(w.get("raw")),
                         "partial": _f(w.get("partial")), "lo": _f(w.get("lo")),
                         "hi": _f(w.get("hi"))})
            index.append(w["window"])
        df = pd.DataFrame(rows, columns=cols, index=pd.Index(index, name="span", dtype=object))
        df.attrs.update(controls=list(c.get("controls") or []), default=c.get("default"),
                        legs=list(c.get("legs") or []), p=c.get("p"), note=c.get("note"))
        return df

    @property
    def inference(self) -> pd.DataFrame:
        """The correlations with both intervals: the Fisher interval and the percentile
        interval of the stationary block bootstrap (Politis–Romano, block length of
        Politis–White with Patton's correction; ``bootstrap`` resamples, seeded). One row for
        the full period (index ``full``), one per window's latest returns (index the window),
        one per regime (index ``risk-on``/``risk-off``); columns ``n``, ``r``, ``fisher_lo``,
        ``fisher_hi``, ``boot_lo``, ``boot_hi``, ``boot_se``, ``block_length``. ``df.attrs``:
        ``changes`` (each window against the long run and risk-on against risk-off: Fisher z
        test and bootstrap test with p-values), ``replications``, ``seed``, ``notes``.
        Empty with ``bootstrap=0``."""
        i = self._d.get("inference")
        cols = ["n", "r", "fisher_lo", "fisher_hi", "boot_lo", "boot_hi", "boot_se",
                "block_length"]
        if not i:
            return pd.DataFrame(columns=cols, index=pd.Index([], name="span"))
        rows, index = [], []
        if i.get("full"):
            rows.append(i["full"])
            index.append("full")
        for w in i.get("windows") or []:
            rows.append(w["estimate"] if "estimate" in w else w)
            index.append(w["window"])
        for g in i.get("regimes") or []:
            rows.append(g["estimate"] if "estimate" in g else g)
            index.append(g["regime"])
        df = pd.DataFrame([{k: (_f(r.get(k)) if k != "n" else r.get(k)) for k in cols}
                           for r in rows], columns=cols,
                          index=pd.Index(index, name="span", dtype=object))
        df.attrs.update(changes=list(i.get("changes") or []),
                        regime_change=i.get("regime_change"),
                        replications=i.get("replications"), seed=i.get("seed"),
                        notes=list(i.get("notes") or []))
        return df

    @property
    def regime_series(self) -> pd.Series:
        """The regime on each aligned date (``risk-on``, ``risk-off``, None in the warm-up)."""
        return pd.Series(self._d["regimes"]["regime"], index=_dates(self._d["series"]["dates"]),
                         name="regime", dtype=object)

    @property
    def divergences(self) -> pd.DataFrame:
        """Days A's return departed from what B and the rolling regression predicted
        (|z| above ``divergence_k``): index ``date``; ``ret_a``, ``ret_b``, ``predicted``,
        ``z``."""
        rows = self._d["regimes"].get("divergences") or []
        return pd.DataFrame(
            {k: [_f(r[k]) for r in rows] for k in ("ret_a", "ret_b", "predicted", "z")},
            index=_dates([r["date"] for r in rows]),
        )
