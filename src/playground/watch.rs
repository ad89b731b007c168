//! `--watch`: the content editor's loop. The folder is polled every `catalog::WATCH_EVERY` (`search::when_changed`, as
//! `marquee run --watch` does: sizes and modification times, no platform notification API);
//! once a change has settled, the catalog is loaded and checked off to the side and swapped
//! into the `SharedEngine` whole, as SIGHUP does for the bot. A broken edit keeps the last
//! good catalog in use and puts its problems on the page.

use super::Playground;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

impl Playground {
    /// Polls `dir` every `every` until the process ends.
    pub async fn watch(self: Arc<Self>, dir: PathBuf, every: Duration) {
        tracing::info!(dir = %dir.display(), "watching the content folder for changes");
        crate::search::when_changed(&dir, every, || self.reload(&dir)).await;
    }

    /// Loads `dir`: swapped in when it is valid, its problems shown otherwise.
    pub async fn reload(&self, dir: &Path) {
        match self.router.engine.reload_from(dir, "content changed").await {
            Ok(items) => self.set_status(|s| {
                s.items = items;
                s.reloads += 1;
                s.problems.clear();
            }),
            Err(problems) => self.set_status(|s| s.problems = problems),
        }
    }
}
