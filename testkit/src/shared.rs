//! Files from the `shared` folder beside the repository (Discord's OpenAPI spec, the catalog
//! reference, …), which a fresh clone may not have.
//!
//! Without it a test prints `skipped: …` and leaves out what needs it — but never under CI
//! (`CI` set), where a missing file is a failure, so these checks cannot silently stop running
//! (as `pg` does for PostgreSQL). `MARQUEE_SHARED` names the folder when it is elsewhere (a git
//! worktree, say); by default it is `../shared` from the repository (this crate lives in `testkit/`).

use std::path::PathBuf;

pub const VAR: &str = "MARQUEE_SHARED";

/// The shared folder: `MARQUEE_SHARED`, or `../shared` beside the repository.
pub fn dir() -> PathBuf {
    match std::env::var_os(VAR).filter(|v| !v.is_empty()) {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared")),
    }
}

/// The text of `relative` (e.g. `discord/openapi.json`) in the shared folder, or `None` after
/// printing `skipped: <what> …`. Panics under CI when it is absent.
pub fn read(relative: &str, what: &str) -> Option<String> {
    let path = dir().join(relative);
    match std::fs::read_to_string(&path) {
        Ok(text) => Some(text),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            crate::skip_or_fail(
                what,
                &format!("{} is absent (set {VAR} to the shared folder)", path.display()),
            );
            None
        }
        Err(e) => panic!("cannot read {}: {e}", path.display()),
    }
}
