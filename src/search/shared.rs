//! The engine in use, swappable as a whole: a catalog reload builds and validates a new engine
//! off to the side, then replaces the old one in one step. Each request takes the current
//! engine once, so it never sees a half-loaded catalog.

use super::Engine;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub struct SharedEngine {
    current: RwLock<Arc<Engine>>,
}

impl SharedEngine {
    pub fn new(engine: Arc<Engine>) -> SharedEngine {
        SharedEngine { current: RwLock::new(engine) }
    }

    /// The engine to use for one whole request.
    pub fn get(&self) -> Arc<Engine> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn replace(&self, engine: Engine) {
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(engine);
    }
}

/// Calls `changed` whenever the content folder `dir` has changed on disk and settled: polled
/// every `every` (`catalog::fingerprint`), acted on once it looked the same for one more poll,
/// so an editor's save, or a copy of many files, is read once and whole. Runs forever (`--watch`).
pub async fn when_changed<F, Fut>(dir: &Path, every: Duration, mut changed: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = ()>,
{
    // Walking the folder is file-system work: off the async threads.
    let look = |dir: PathBuf| async move {
        tokio::task::spawn_blocking(move || crate::catalog::fingerprint(&dir).ok()).await.ok().flatten()
    };
    let mut seen = look(dir.to_path_buf()).await;
    let mut pending = false;
    loop {
        tokio::time::sleep(every).await;
        let now = look(dir.to_path_buf()).await;
        if now != seen {
            seen = now;
            pending = true;
        } else if pending {
            pending = false;
            changed().await;
        }
    }
}
