//! The embedded font: DejaVu Sans (regular and bold) registered once as plotters'
//! `sans-serif` family, so text is measured (SVG) and drawn (PNG) without system fonts.

use std::sync::OnceLock;

use plotters::style::{register_font, FontStyle};

use crate::ChartError;

/// The family every chart uses.
pub(crate) const FAMILY: &str = "sans-serif";

/// Register the embedded fonts (once per process).
pub(crate) fn ensure() -> Result<(), ChartError> {
    static DONE: OnceLock<Result<(), String>> = OnceLock::new();
    DONE.get_or_init(|| {
        let fonts: [(FontStyle, &'static [u8]); 2] = [
            (FontStyle::Normal, dejavu::sans::regular()),
            (FontStyle::Bold, dejavu::sans::bold()),
        ];
        for (style, bytes) in fonts {
            register_font(FAMILY, style, bytes)
                .map_err(|_| format!("the embedded font ({}) is invalid", style.as_str()))?;
        }
        Ok(())
    })
    .clone()
    .map_err(ChartError::Draw)
}
