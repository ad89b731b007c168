//! Distractor items that reuse the catalog's vocabulary, written by
//! `../shared/tools/gen-catalog.py N DIR --no-real` (40 % of their words from the seed page, as a
//! larger real catalog would reuse them). Shared by the quality tests and the search bench.

use std::path::{Path, PathBuf};

/// The generator script in the shared folder: `MARQUEE_SHARED`, or ../shared beside the
/// repository (as `shared::dir` finds it).
pub fn script() -> PathBuf {
    crate::shared::dir().join("tools/gen-catalog.py")
}

/// The folder of `n` distractors, generated once per size under `cache` (the caller's
/// `CARGO_TARGET_TMPDIR`) and reused; `Ok(None)` when the script is absent.
pub fn folder(n: usize, cache: &Path) -> Result<Option<PathBuf>, String> {
    let script = script();
    if !script.exists() {
        return Ok(None);
    }
    let dir = cache.join(format!("seed-word-distractors-{n}"));
    let done = dir.join(".complete");
    if !done.exists() {
        let _ = std::fs::remove_dir_all(&dir);
        let status = std::process::Command::new("python3")
            .arg(&script)
            .arg(n.to_string())
            .arg(&dir)
            .arg("--no-real")
            .stdout(std::process::Stdio::null())
            .status()
            .map_err(|e| format!("python3 does not run: {e}"))?;
        if !status.success() {
            return Err(format!("gen-catalog.py failed: {status}"));
        }
        std::fs::write(&done, "").map_err(|e| e.to_string())?;
    }
    Ok(Some(dir))
}
