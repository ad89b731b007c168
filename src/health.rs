//! Readiness as it is: `/healthz` answers 200 only when every shard this process runs has a
//! live gateway session and the database answers a query; otherwise 503 with a small JSON body
//! naming what is wrong. `/livez` only says the process answers (for restarts, not traffic).
//!
//! The doors register what they depend on at start (the gateway its shards, both the store);
//! nothing is polled in the background: each request to `/healthz` looks.

use crate::router::BoxFuture;
use crate::store::Store;
use serde_json::{json, Value};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// A database that has not answered by then counts as down.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

/// The gateway's shards: `(shard id, live, what it is doing)` for every shard this process runs.
pub trait Shards: Send + Sync {
    fn states(&self) -> BoxFuture<'_, Vec<(u32, bool, String)>>;
}

#[derive(Default)]
pub struct Health {
    shards: OnceLock<Arc<dyn Shards>>,
    store: OnceLock<Arc<dyn Store>>,
}

/// The process's health.
pub fn get() -> &'static Health {
    static HEALTH: OnceLock<Health> = OnceLock::new();
    HEALTH.get_or_init(Health::default)
}

impl Health {
    pub fn watch_shards(&self, shards: Arc<dyn Shards>) {
        let _ = self.shards.set(shards);
    }

    pub fn watch_store(&self, store: Arc<dyn Store>) {
        let _ = self.store.set(store);
    }

    /// The status code and JSON body of `/healthz`.
    pub async fn readiness(&self) -> (u16, Value) {
        let mut problems = Vec::new();
        if let Some(shards) = self.shards.get() {
            for (id, live, state) in shards.states().await {
                if !live {
                    problems.push(json!({ "shard": id, "state": state }));
                }
            }
        }
        if let Some(store) = self.store.get() {
            // Any small query will do; a server that is down or unreachable fails it.
            let store = store.clone();
            let query = tokio::task::spawn_blocking(move || store.subscriptions(Some(0)).map(|_| ()));
            let problem = match tokio::time::timeout(DATABASE_TIMEOUT, query).await {
                Ok(Ok(Ok(()))) => None,
                Ok(Ok(Err(e))) => Some(e.to_string()),
                Ok(Err(e)) => Some(format!("database check failed: {e}")),
                Err(_) => Some(format!("no answer within {DATABASE_TIMEOUT:?}")),
            };
            if let Some(problem) = problem {
                problems.push(json!({ "database": problem }));
            }
        }
        if problems.is_empty() {
            (200, json!({ "status": "ok" }))
        } else {
            (503, json!({ "status": "unavailable", "problems": problems }))
        }
    }
}
