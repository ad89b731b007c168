//! Sending the router's answers to Discord over REST (`rest::Rest`), shared by the gateway and the
//! endpoint: interaction callbacks and edits of a deferred response. A 429 is waited out for its
//! `retry_after` (route or global) and the answer sent again, as long as Discord still takes it:
//! a callback within the 3 s Discord gives it, an edit while the interaction's token lives. A 5xx
//! is retried once.

use super::rest::{Rest, RestError};
use serde_json::Value;
use std::time::{Duration, Instant};
use tracing::{error, warn};

/// Discord drops an interaction not answered within 3 s; a retry must leave room for itself.
const RETRY_BEFORE: Duration = Duration::from_millis(2000);
/// A deferred response can be edited for 15 minutes after the interaction; a wait for a rate
/// limit ends a little before that.
const TOKEN_LIFE: Duration = Duration::from_secs(15 * 60 - 10);
/// After a 5xx on an edit, one retry after a short pause rides out a blip without holding the
/// task long.
const EDIT_RETRY_AFTER: Duration = Duration::from_secs(1);

/// What is left of `life`, counted from `started`.
fn left(life: Duration, started: Instant) -> Duration {
    life.saturating_sub(started.elapsed())
}

/// `POST /interactions/{id}/{token}/callback`. A 429 is waited out while the answer can still go
/// out within `RETRY_BEFORE` of `started` (when the interaction arrived); a 5xx is retried once
/// in that time.
pub async fn callback(rest: &Rest, id: u64, token: &str, body: &Value, started: Instant) -> bool {
    if id == 0 {
        error!("interaction without an id: cannot answer it");
        return false;
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        match rest.interaction_callback(id, token, body, left(RETRY_BEFORE, started)).await {
            Ok(()) => return true,
            Err(e) => {
                if attempt == 1 && server_error(&e) && started.elapsed() < RETRY_BEFORE {
                    warn!(interaction = id, status = e.status, error = %e, "interaction callback failed; retrying once");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    continue;
                }
                error!(interaction = id, status = e.status, error = %e, "could not answer interaction");
                return false;
            }
        }
    }
}

/// `PATCH /webhooks/{application}/{token}/messages/@original`: fills in a deferred response.
/// Authorised by the interaction token, so any door can send it. A 429 is waited out while the
/// token lives (15 minutes from `started`); a 5xx is retried once.
pub async fn edit_original(
    rest: &Rest,
    application_id: u64,
    token: &str,
    body: &Value,
    started: Instant,
) -> bool {
    if application_id == 0 {
        error!("no application id: cannot complete a deferred response");
        return false;
    }
    let mut attempt = 0;
    loop {
        attempt += 1;
        match rest.edit_original(application_id, token, body, left(TOKEN_LIFE, started)).await {
            Ok(_) => return true,
            Err(e) => {
                if attempt == 1 && server_error(&e) {
                    warn!(status = e.status, error = %e, "editing a deferred response failed; retrying once");
                    tokio::time::sleep(EDIT_RETRY_AFTER).await;
                    continue;
                }
                error!(status = e.status, error = %e, "could not complete a deferred response");
                return false;
            }
        }
    }
}

fn server_error(e: &RestError) -> bool {
    e.status.is_some_and(|s| s >= 500)
}
