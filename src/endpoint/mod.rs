//! Discord's "Interactions Endpoint URL" mode: interactions arrive as signed HTTP POSTs and are
//! answered in the HTTP response. This door only verifies, decodes and sends: the answer comes
//! from the same `router::Router` as the gateway's. Stateless: run any number behind a load
//! balancer (they share the database).

use crate::discord::rest::Rest;
use crate::http_server;
use crate::inflight::InFlight;
use crate::router::incoming::Interaction;
use crate::router::Router;
use bytes::Bytes;
use http_body_util::Full;
use hyper::{Request, StatusCode};
use serde_json::{json, Value};
use serenity::interactions_endpoint::Verifier;
use std::future::Future;
use std::sync::Arc;
use tokio::net::TcpListener;
use tracing::warn;

/// Larger bodies are refused (413) before being read in full.
pub const MAX_BODY: usize = 1 << 20;
/// Signed requests older (or newer) than this are refused as replays.
pub const MAX_AGE_SECONDS: i64 = 300;

pub struct Endpoint {
    pub verifier: Verifier,
    pub router: Arc<Router>,
    /// REST client for completing deferred responses (`discord::complete_deferred`, with the
    /// process's rate limits; its token's bot id stands in when an interaction names no application).
    pub rest: Arc<Rest>,
    /// Follow-ups still being sent; shutdown waits for them.
    pub inflight: InFlight,
}

/// The HTTP answer: a status and a JSON body (or none). Named apart from `router::Answer`, whose
/// body it carries.
pub type HttpAnswer = (StatusCode, Option<Value>);

/// Parses DISCORD_PUBLIC_KEY: 64 hex digits (checked by `config::public_key`), then a point on
/// the curve.
pub fn verifier(public_key_hex: &str) -> Option<Verifier> {
    let hex = crate::config::public_key(Some(public_key_hex)).ok()?;
    let mut key = [0u8; 32];
    for (i, byte) in key.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).ok()?;
    }
    Verifier::try_new(key).ok()
}

impl Endpoint {
    pub fn new(verifier: Verifier, router: Arc<Router>, rest: Arc<Rest>) -> Endpoint {
        Endpoint { verifier, router, rest, inflight: InFlight::default() }
    }

    /// Verifies and answers one request: `signature` and `timestamp` are the X-Signature-*
    /// headers, `now` the current Unix time.
    pub async fn answer(
        &self,
        signature: Option<&str>,
        timestamp: Option<&str>,
        body: &[u8],
        now: i64,
    ) -> HttpAnswer {
        // The interaction's token lives 15 minutes from about now.
        let started = std::time::Instant::now();
        if let Err(refused) = check_headers(signature, timestamp, now) {
            return refused;
        }
        let (signature, timestamp) = (signature.unwrap_or_default(), timestamp.unwrap_or_default());
        if self.verifier.verify(signature.trim(), timestamp, body).is_err() {
            return (StatusCode::UNAUTHORIZED, Some(json!({ "message": "invalid request signature" })));
        }
        let interaction = match Interaction::from_slice(body) {
            Ok(i) => i,
            Err(e) => {
                warn!(event = "HTTP_INTERACTION", error = %e, "could not decode an interaction; it is not answered");
                crate::metrics::get().undecodable.with_label_values(&["HTTP_INTERACTION"]).inc();
                return (StatusCode::BAD_REQUEST, Some(json!({ "message": "undecodable interaction" })));
            }
        };
        let answer = self.router.interaction(&interaction).await;
        if let Some(then) = answer.then {
            // The deferred response goes back now; the edit follows over REST.
            let (rest, guard) = (self.rest.clone(), self.inflight.enter());
            tokio::spawn(async move {
                let _guard = guard;
                crate::discord::complete_deferred(&rest, None, &interaction, then, started).await;
            });
        }
        tracing::debug!(command = answer.label, "endpoint answered");
        (StatusCode::OK, Some(answer.body))
    }
}

/// The signature headers, looked at before the body is read: both present, the signature 64
/// bytes of hex, the timestamp within `MAX_AGE_SECONDS` of `now`. Returns the timestamp; an
/// unsigned request is refused without its body being read (no memory, no waiting for it).
pub fn check_headers(signature: Option<&str>, timestamp: Option<&str>, now: i64) -> Result<i64, HttpAnswer> {
    let unauthorized = || (StatusCode::UNAUTHORIZED, Some(json!({ "message": "invalid request signature" })));
    let (Some(signature), Some(timestamp)) = (signature, timestamp) else { return Err(unauthorized()) };
    let signature = signature.trim();
    if signature.len() != 128 || !signature.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(unauthorized());
    }
    match timestamp.trim().parse::<i64>() {
        Ok(sent) if (now - sent).abs() <= MAX_AGE_SECONDS => Ok(sent),
        _ => Err(unauthorized()),
    }
}

async fn handle(
    endpoint: Arc<Endpoint>,
    request: Request<http_server::Body>,
) -> hyper::Response<Full<Bytes>> {
    let started = std::time::Instant::now();
    let header = |name: &str| request.headers().get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
    let (signature, timestamp) = (header("x-signature-ed25519"), header("x-signature-timestamp"));
    let declared = header("content-length").and_then(|l| l.parse::<usize>().ok()).unwrap_or(0);
    let answer = if request.method() != hyper::Method::POST {
        (StatusCode::METHOD_NOT_ALLOWED, None)
    } else if declared > MAX_BODY {
        (StatusCode::PAYLOAD_TOO_LARGE, None)
    } else if let Err(refused) =
        check_headers(signature.as_deref(), timestamp.as_deref(), chrono::Utc::now().timestamp())
    {
        refused
    } else {
        match http_server::read_body(request.into_body(), MAX_BODY).await {
            Ok(body) => {
                let now = chrono::Utc::now().timestamp();
                endpoint.answer(signature.as_deref(), timestamp.as_deref(), &body, now).await
            }
            Err(e) => (e.status(), None),
        }
    };
    let (status, body) = answer;
    tracing::debug!(
        status = status.as_u16(),
        latency_ms = started.elapsed().as_secs_f64() * 1e3,
        "endpoint request"
    );
    http_server::response(status, "application/json", body.map(|b| b.to_string()).unwrap_or_default())
}

/// Serves until `shutdown` completes, then lets the requests in flight finish (see
/// `http_server` for the limits and timeouts).
pub async fn serve(
    listener: TcpListener,
    endpoint: Arc<Endpoint>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    http_server::serve_with("endpoint", "interactions endpoint", listener, endpoint, handle, shutdown).await
}
