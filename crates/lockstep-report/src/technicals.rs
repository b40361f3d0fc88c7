//! Momentum indicators of one series (`lockstep technicals`), computed with the TA-Lib
//! compatible indicators of `lockstep-stats`.

use std::fmt::Write as _;

use serde::Serialize;

use crate::ReportError;
use lockstep_core::{Date, PriceSeries};
use lockstep_stats::{Atr, Bar, Bollinger, Indicator, Macd, Obv, RelativeVolume, Roc, Rsi};

/// Indicator parameters (defaults: RSI 14, MACD 12/26/9, Bollinger 20/2, ATR 14, ROC 10,
/// relative volume 20).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TechnicalsOptions {
    /// RSI period.
    pub rsi: usize,
    /// MACD fast, slow, signal.
    pub macd: (usize, usize, usize),
    /// Bollinger period and width in standard deviations.
    pub bollinger: (usize, f64),
    /// ATR period.
    pub atr: usize,
    /// Rate-of-change period.
    pub roc: usize,
    /// Relative-volume average period.
    pub rel_volume: usize,
}

impl Default for TechnicalsOptions {
    fn default() -> Self {
        TechnicalsOptions {
            rsi: 14,
            macd: (12, 26, 9),
            bollinger: (20, 2.0),
            atr: 14,
            roc: 10,
            rel_volume: 20,
        }
    }
}

/// Indicator columns of one series, one value per date (None during warm-up or where the
/// input lacks what the indicator needs).
#[derive(Clone, Debug, Default, Serialize)]
pub struct Technicals {
    /// Series name.
    pub name: String,
    /// Parameters.
    pub params: TechnicalsOptions,
    /// Dates.
    pub dates: Vec<Date>,
    /// Close (the series' price).
    pub close: Vec<f64>,
    /// Volume, where the series has one.
    pub volume: Vec<Option<f64>>,
    /// RSI (Wilder).
    pub rsi: Vec<Option<f64>>,
    /// MACD line.
    pub macd: Vec<Option<f64>>,
    /// MACD signal line.
    pub macd_signal: Vec<Option<f64>>,
    /// MACD histogram.
    pub macd_hist: Vec<Option<f64>>,
    /// Bollinger upper band.
    pub bb_upper: Vec<Option<f64>>,
    /// Bollinger middle band (SMA).
    pub bb_middle: Vec<Option<f64>>,
    /// Bollinger lower band.
    pub bb_lower: Vec<Option<f64>>,
    /// ATR (Wilder); needs high and low.
    pub atr: Vec<Option<f64>>,
    /// On-balance volume; needs volume.
    pub obv: Vec<Option<f64>>,
    /// Rate of change, percent.
    pub roc: Vec<Option<f64>>,
    /// Volume over its average of the previous period.
    pub rel_volume: Vec<Option<f64>>,
}

/// Compute the indicators of `s` (streaming each indicator over the closes, or bars where
/// high/low/volume are needed and present).
pub fn technicals(s: &PriceSeries, o: &TechnicalsOptions) -> Result<Technicals, ReportError> {
    let n = s.len();
    let stats = ReportError::Stats;
    let rsi = Rsi::new(o.rsi).map_err(stats)?.over(&s.price);
    let macd = Macd::new(o.macd.0, o.macd.1, o.macd.2)
        .map_err(stats)?
        .over(&s.price);
    let bb = Bollinger::new(o.bollinger.0, o.bollinger.1, o.bollinger.1)
        .map_err(stats)?
        .over(&s.price);
    let roc = Roc::new(o.roc).map_err(stats)?.over(&s.price);
    let finite =
        |v: &Option<Vec<f64>>, i: usize| v.as_ref().map(|c| c[i]).filter(|x| x.is_finite());
    let volume: Vec<Option<f64>> = (0..n).map(|i| finite(&s.volume, i)).collect();
    let has_hl = s.high.is_some() && s.low.is_some();
    let bars: Vec<Bar> = (0..n)
        .map(|i| Bar {
            high: finite(&s.high, i).unwrap_or(f64::NAN),
            low: finite(&s.low, i).unwrap_or(f64::NAN),
            close: s.price[i],
            volume: volume[i].unwrap_or(f64::NAN),
        })
        .collect();
    let atr = if has_hl {
        Atr::new(o.atr).map_err(stats)?.over(&bars)
    } else {
        vec![None; n]
    };
    let (obv, rel_volume) = if s.volume.is_some() {
        (
            Obv::new().over(&bars),
            RelativeVolume::new(o.rel_volume)
                .map_err(stats)?
                .over(&bars.iter().map(|b| b.volume).collect::<Vec<_>>()),
        )
    } else {
        (vec![None; n], vec![None; n])
    };
    let clean = |v: Vec<Option<f64>>| -> Vec<Option<f64>> {
        v.into_iter().map(|x| x.filter(|x| x.is_finite())).collect()
    };
    Ok(Technicals {
        name: s.name.clone(),
        params: o.clone(),
        dates: s.dates.clone(),
        close: s.price.clone(),
        volume,
        rsi: clean(rsi),
        macd: macd.iter().map(|m| m.map(|m| m.macd)).collect(),
        macd_signal: macd.iter().map(|m| m.map(|m| m.signal)).collect(),
        macd_hist: macd.iter().map(|m| m.map(|m| m.hist)).collect(),
        bb_upper: bb.iter().map(|b| b.map(|b| b.upper)).collect(),
        bb_middle: bb.iter().map(|b| b.map(|b| b.middle)).collect(),
        bb_lower: bb.iter().map(|b| b.map(|b| b.lower)).collect(),
        atr: clean(atr),
        obv: clean(obv),
        roc: clean(roc),
        rel_volume: clean(rel_volume),
    })
}

impl Technicals {
    /// Column names and columns in CSV order: `date,close,volume,rsi_N,macd,macd_signal,
    /// macd_hist`, then `bb_upper_N,bb_middle_N,bb_lower_N,atr_N,obv,roc_N,rel_volume_N`
    /// (names follow the parameters); the close, always defined, is the first column after
    /// the date and not among these.
    fn columns(&self) -> Vec<(String, &[Option<f64>])> {
        let p = &self.params;
        vec![
            ("volume".into(), &self.volume),
            (format!("rsi_{}", p.rsi), &self.rsi),
            ("macd".into(), &self.macd),
            ("macd_signal".into(), &self.macd_signal),
            ("macd_hist".into(), &self.macd_hist),
            (format!("bb_upper_{}", p.bollinger.0), &self.bb_upper),
            (format!("bb_middle_{}", p.bollinger.0), &self.bb_middle),
            (format!("bb_lower_{}", p.bollinger.0), &self.bb_lower),
            (format!("atr_{}", p.atr), &self.atr),
            ("obv".into(), &self.obv),
            (format!("roc_{}", p.roc), &self.roc),
            (format!("rel_volume_{}", p.rel_volume), &self.rel_volume),
        ]
    }

    /// CSV: the header above, one row per date, an empty cell during warm-up, full f64
    /// precision.
    pub fn csv(&self) -> String {
        crate::doc::text::written(|out| self.write_csv(out))
    }

    /// [`Technicals::csv`] written to `out` row by row.
    pub fn write_csv(&self, out: &mut dyn std::io::Write) -> std::io::Result<()> {
        use crate::doc::text::CellText;
        let cols = self.columns();
        let mut header = String::from("date,close");
        for (name, _) in &cols {
            header.push(',');
            header.push_str(name);
        }
        header.push('\n');
        crate::doc::text::write_rows(out, &header, self.dates.len(), |o, i| {
            let _ = write!(o, "{},{}", self.dates[i], CellText(Some(self.close[i])));
            for (_, c) in &cols {
                let _ = write!(o, ",{}", CellText(c[i]));
            }
            o.push('\n');
        })
    }

    /// A table of the last `rows` dates (0 = all): close, RSI, MACD line/signal/histogram,
    /// relative volume.
    pub fn table(&self, rows: usize) -> String {
        let n = self.dates.len();
        let start = if rows == 0 { 0 } else { n.saturating_sub(rows) };
        let f =
            |v: Option<f64>, p: usize| v.map(|x| format!("{x:.p$}")).unwrap_or_else(|| "-".into());
        let mut o = format!(
            "{} technicals: RSI({}), MACD({},{},{})\n",
            self.name, self.params.rsi, self.params.macd.0, self.params.macd.1, self.params.macd.2
        );
        let _ = writeln!(
            o,
            "{:<10} {:>12} {:>7} {:>10} {:>10} {:>10} {:>7}",
            "date", "close", "rsi", "macd", "signal", "hist", "rel_vol"
        );
        for i in start..n {
            let _ = writeln!(
                o,
                "{:<10} {:>12.2} {:>7} {:>10} {:>10} {:>10} {:>7}",
                self.dates[i],
                self.close[i],
                f(self.rsi[i], 1),
                f(self.macd[i], 3),
                f(self.macd_signal[i], 3),
                f(self.macd_hist[i], 3),
                f(self.rel_volume[i], 2)
            );
        }
        o
    }

    /// Pretty JSON of the whole struct.
    pub fn json(&self) -> Result<String, ReportError> {
        serde_json::to_string_pretty(self).map_err(ReportError::Json)
    }
}
