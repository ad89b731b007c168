//! The engine in use, swappable as a whole: a catalog reload builds and validates a new engine
//! off to the side, then replaces the old one in one step. Each request takes the current
//! engine once, so it never sees a half-loaded catalog.

use super::Engine;
use std::sync::{Arc, RwLock};

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
