//! Sending the router's answers to Discord over REST, shared by the gateway and the endpoint:
//! interaction callbacks and edits of a deferred response, each retried once on 429/5xx.

use serde_json::Value;
use serenity::all::{ApplicationId, Http, InteractionId, LightMethod, Request, Route};
use std::time::{Duration, Instant};
use tracing::{error, warn};

/// Discord drops an interaction not answered within 3 s; a retry must leave room for itself.
const RETRY_BEFORE: Duration = Duration::from_millis(2000);
/// A deferred response can be edited for 15 minutes; one retry after a short pause is enough
/// to ride out a blip without holding the task long.
const EDIT_RETRY_AFTER: Duration = Duration::from_secs(1);

fn retryable(e: &serenity::Error) -> bool {
    super::http_status(e).is_some_and(|s| s == 429 || s >= 500)
}

/// `POST /interactions/{id}/{token}/callback`, retried once on 429/5xx while the 3-second
/// deadline (counted from `started`) allows.
pub async fn callback(http: &Http, id: u64, token: &str, body: &Value, started: Instant) -> bool {
    if id == 0 {
        error!("interaction without an id: cannot answer it");
        return false;
    }
    let id = InteractionId::new(id);
    let mut attempt = 0;
    loop {
        attempt += 1;
        match http.create_interaction_response(id, token, body, vec![]).await {
            Ok(()) => return true,
            Err(e) => {
                let status = super::http_status(&e);
                if attempt == 1 && retryable(&e) && started.elapsed() < RETRY_BEFORE {
                    warn!(interaction = %id, status, error = %e, "interaction callback failed; retrying once");
                    tokio::time::sleep(Duration::from_millis(250)).await;
                    continue;
                }
                error!(interaction = %id, status, error = %e, "could not answer interaction");
                return false;
            }
        }
    }
}

/// `PATCH /webhooks/{application}/{token}/messages/@original`: fills in a deferred response.
/// Authorised by the interaction token, so any door can send it.
pub async fn edit_original(http: &Http, application_id: u64, token: &str, body: &Value) -> bool {
    if application_id == 0 {
        error!("no application id: cannot complete a deferred response");
        return false;
    }
    let application_id = ApplicationId::new(application_id);
    let bytes = match serde_json::to_vec(body) {
        Ok(b) => b,
        Err(e) => {
            error!(error = %e, "could not encode a deferred response");
            return false;
        }
    };
    let mut attempt = 0;
    loop {
        attempt += 1;
        let route = Route::WebhookOriginalInteractionResponse { application_id, token };
        let request = Request::new(route, LightMethod::Patch).body(Some(bytes.clone()));
        match http.request(request).await {
            Ok(_) => return true,
            Err(e) => {
                let status = super::http_status(&e);
                if attempt == 1 && retryable(&e) {
                    warn!(status, error = %e, "editing a deferred response failed; retrying once");
                    tokio::time::sleep(EDIT_RETRY_AFTER).await;
                    continue;
                }
                error!(status, error = %e, "could not complete a deferred response");
                return false;
            }
        }
    }
}
