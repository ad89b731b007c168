//! The engine in use, swappable as a whole: a catalog reload builds and validates a new engine
//! off to the side, then replaces the old one in one step. Each request takes the current
//! engine once, so it never sees a half-loaded catalog.

use super::Engine;
use crate::catalog::{Catalog, LoadError};
use crate::semantic::SentenceModel;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};
use std::time::Duration;

pub struct SharedEngine {
    current: RwLock<Arc<Engine>>,
    /// The sentence model every engine put in use is given (`Engine::use_sentence_model`).
    sentence_model: Option<Arc<SentenceModel>>,
}

impl SharedEngine {
    pub fn new(engine: Arc<Engine>) -> SharedEngine {
        SharedEngine::with_sentence_model(engine, None)
    }

    /// With the sentence model's fallback behind this engine and every catalog reloaded later.
    pub fn with_sentence_model(engine: Arc<Engine>, model: Option<Arc<SentenceModel>>) -> SharedEngine {
        if let Some(m) = &model {
            engine.use_sentence_model(m.clone());
        }
        SharedEngine { current: RwLock::new(engine), sentence_model: model }
    }

    /// The engine to use for one whole request.
    pub fn get(&self) -> Arc<Engine> {
        self.current.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    pub fn replace(&self, engine: Engine) {
        if let Some(m) = &self.sentence_model {
            engine.use_sentence_model(m.clone());
        }
        *self.current.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(engine);
    }

    /// Reloads the catalog from `dir` (SIGHUP, `--watch`): loaded and checked off the async
    /// threads, swapped in whole when valid. On any problem the catalog in use stays, and the
    /// problems (`path:line:col: message`, one each) are logged and returned. `trigger` says
    /// why, in the log. The number of items on success.
    pub async fn reload_from(&self, dir: &Path, trigger: &str) -> Result<usize, Vec<String>> {
        let path = dir.to_path_buf();
        let loaded = tokio::task::spawn_blocking(move || Catalog::load_dir(&path).map(Engine::new)).await;
        let problems = match loaded {
            Ok(Ok(engine)) => {
                let items = engine.items().len();
                self.replace(engine);
                tracing::info!(items, "{trigger}: catalog reloaded");
                return Ok(items);
            }
            Ok(Err(LoadError::Invalid(problems))) => problems.0.iter().map(ToString::to_string).collect(),
            Ok(Err(other)) => vec![other.to_string()],
            Err(e) => {
                tracing::error!(error = %e, "{trigger}: catalog reload failed");
                return Err(vec![format!("reloading failed: {e}")]);
            }
        };
        for line in &problems {
            tracing::warn!("{line}");
        }
        tracing::warn!("{trigger}: catalog reload refused; the previous catalog stays in use");
        Err(problems)
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
