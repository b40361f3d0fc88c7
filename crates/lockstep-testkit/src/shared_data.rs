//! The real data of `../shared/data` (beside the workspace) for the tests that use it: where
//! it is, and saying why a test is skipped when it is absent.
//!
//! Every function takes the calling crate's `env!("CARGO_MANIFEST_DIR")` (a crate directory
//! `crates/<name>` of this workspace), so paths, and the skip messages that show them, read
//! as from that crate: `…/crates/lockstep-cli/../../../shared/data`.
//!
//! ```
//! use lockstep_testkit::shared_data;
//!
//! let here = env!("CARGO_MANIFEST_DIR");
//! assert!(shared_data::workspace_root(here).join("Cargo.toml").is_file());
//! let Some(dir) = shared_data::find(here) else {
//!     shared_data::skip("skipping: ../shared/data not found");
//!     return;
//! };
//! assert!(dir.is_dir());
//! ```

use std::io::Write;
use std::path::{Path, PathBuf};

/// The workspace root, `{manifest_dir}/../..`.
pub fn workspace_root(manifest_dir: impl AsRef<Path>) -> PathBuf {
    manifest_dir.as_ref().join("../..")
}

/// The folder of real data, `{manifest_dir}/../../../shared/data`, whether or not it exists.
pub fn dir(manifest_dir: impl AsRef<Path>) -> PathBuf {
    workspace_root(manifest_dir).join("../shared/data")
}

/// [`dir`] when it is a folder, else `None` (the caller says why it skips, see [`skip`]).
pub fn find(manifest_dir: impl AsRef<Path>) -> Option<PathBuf> {
    let dir = dir(manifest_dir);
    dir.is_dir().then_some(dir)
}

/// The path of `name` in [`dir`], or `None` after writing `skipped a real-data test: {dir} is
/// absent` with [`skip`] when the folder is absent. The file itself is not checked.
pub fn file_or_skip(manifest_dir: impl AsRef<Path>, name: &str) -> Option<PathBuf> {
    let data = dir(manifest_dir);
    if data.is_dir() {
        Some(data.join(name))
    } else {
        skip(&format!(
            "skipped a real-data test: {} is absent",
            data.display()
        ));
        None
    }
}

/// Say why a test is skipped, as one line on the real stderr: libtest captures `eprintln!`,
/// but not a direct write, so the reason shows in every run (CI logs included).
pub fn skip(reason: &str) {
    let _ = writeln!(std::io::stderr(), "{reason}");
}
