//! Readiness as it is: `/healthz` answers 200 only when every shard this process runs has a
//! live gateway session and the database answers a query; otherwise 503 with a small JSON body
//! naming what is wrong. `/livez` only says the process answers (for restarts, not traffic).
//!
//! The command that starts a door builds one `Health` over its store and hands it to the door
//! and to the admin listener; the gateway adds its shards once it knows which it runs. Nothing
//! is polled in the background: each request to `/healthz` looks.

use crate::store::Store;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A database that has not answered by then counts as down.
const DATABASE_TIMEOUT: Duration = Duration::from_secs(2);

/// The gateway's shards: `(shard id, live, what it is doing)` for every shard this process runs.
#[async_trait::async_trait]
pub trait Shards: Send + Sync {
    async fn states(&self) -> Vec<(u32, bool, String)>;
}

pub struct Health {
    store: Arc<dyn Store>,
    /// `None` until the gateway knows its shards (and always, behind the HTTP endpoint).
    shards: Mutex<Option<Arc<dyn Shards>>>,
}

impl Health {
    pub fn new(store: Arc<dyn Store>) -> Health {
        Health { store, shards: Mutex::new(None) }
    }

    /// The gateway's shards, from when it knows which it runs; replaces any given before.
    pub fn watch_shards(&self, shards: Arc<dyn Shards>) {
        *self.shards.lock().unwrap_or_else(|e| e.into_inner()) = Some(shards);
    }

    /// The status code and JSON body of `/healthz`.
    pub async fn readiness(&self) -> (u16, Value) {
        let mut problems = Vec::new();
        let shards = self.shards.lock().unwrap_or_else(|e| e.into_inner()).clone();
        if let Some(shards) = shards {
            for (id, live, state) in shards.states().await {
                if !live {
                    problems.push(json!({ "shard": id, "state": state }));
                }
            }
        }
        // A server that is down or unreachable fails the ping.
        let problem = match tokio::time::timeout(DATABASE_TIMEOUT, self.store.ping()).await {
            Ok(Ok(())) => None,
            Ok(Err(e)) => Some(crate::store::Chain(&e).to_string()),
            Err(_) => Some(format!("no answer within {DATABASE_TIMEOUT:?}")),
        };
        if let Some(problem) = problem {
            problems.push(json!({ "database": problem }));
        }
        if problems.is_empty() {
            (200, json!({ "status": "ok" }))
        } else {
            (503, json!({ "status": "unavailable", "problems": problems }))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Fixed(Vec<(u32, bool, String)>);

    #[async_trait::async_trait]
    impl Shards for Fixed {
        async fn states(&self) -> Vec<(u32, bool, String)> {
            self.0.clone()
        }
    }

    #[tokio::test]
    async fn the_latest_shards_are_the_ones_reported() {
        let dir = std::env::temp_dir().join(format!("marquee-health-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let store = Arc::new(crate::store::sqlite::SqliteStore::open(&dir.join("m.db")).unwrap());
        let health = Health::new(store);
        assert_eq!(health.readiness().await.0, 200, "no shards yet, the database answers");
        health.watch_shards(Arc::new(Fixed(vec![(0, true, "connected".into())])));
        assert_eq!(health.readiness().await.0, 200);
        // A second registration (a restarted gateway) is not dropped: its shard is down.
        health.watch_shards(Arc::new(Fixed(vec![(0, false, "connecting".into())])));
        let (status, body) = health.readiness().await;
        assert_eq!(status, 503, "{body}");
        assert_eq!(body["problems"][0], json!({ "shard": 0, "state": "connecting" }));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
