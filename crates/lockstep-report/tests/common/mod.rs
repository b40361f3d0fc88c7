//! Helpers shared by the golden-value tests: locating the real data, reading golden CSV files
//! and indexing rows by date.
// Each test binary compiles this module and uses a different subset of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::path::PathBuf;

use lockstep_core::{Date, PriceSeries};
use lockstep_data::{read_csv, CsvOptions};
use lockstep_testkit::shared_data;
pub use lockstep_testkit::shared_data::skip;

/// The repository root.
pub fn root() -> PathBuf {
    shared_data::workspace_root(env!("CARGO_MANIFEST_DIR"))
}

/// A file of `../shared/data` read with the default options; `None` when the folder is absent.
pub fn shared(name: &str) -> Option<PriceSeries> {
    let dir = shared_data::find(env!("CARGO_MANIFEST_DIR"))?;
    Some(
        read_csv(&dir.join(name), &CsvOptions::default())
            .expect(name)
            .series,
    )
}

/// Row index of each date, keyed by its `YYYY-MM-DD` text.
pub fn date_index(dates: &[Date]) -> HashMap<String, usize> {
    dates
        .iter()
        .enumerate()
        .map(|(i, d)| (d.to_string(), i))
        .collect()
}

/// A golden CSV of `test_data/golden/`: per row its date and column name -> value (None for an
/// empty cell).
pub struct Golden {
    /// `(date, column -> value)` in file order.
    pub rows: Vec<(String, HashMap<String, Option<f64>>)>,
}

/// Read `test_data/golden/{name}`.
pub fn golden(name: &str) -> Golden {
    let text = std::fs::read_to_string(root().join("test_data/golden").join(name)).expect(name);
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let rows = lines
        .map(|l| {
            let cells: Vec<&str> = l.split(',').collect();
            let map = header[1..]
                .iter()
                .zip(&cells[1..])
                .map(|(h, c)| {
                    (
                        h.to_string(),
                        (!c.is_empty()).then(|| c.parse::<f64>().unwrap()),
                    )
                })
                .collect();
            (cells[0].to_string(), map)
        })
        .collect();
    Golden { rows }
}
