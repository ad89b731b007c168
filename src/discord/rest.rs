//! The REST calls whose rate limits and failures the bot handles itself: the highlight posts and
//! their look-ups, and the answers to interactions (the callback, the edit completing a deferred
//! one). Each has a deadline and runs under the process's rate limits (`ratelimit`).
//!
//! Requests are built by serenity (its routes, headers and token) and sent with the same HTTP
//! library it uses, but here: serenity's client has no request timeout, its rate limiter ignores
//! the base URL (so it cannot run against a test server), and its error drops the 429's
//! `retry_after` and shows a JSON decode error instead of the status of an HTML 502.

use super::ratelimit::RateLimiter;
use serde_json::Value;
use serenity::all::{ApplicationId, ChannelId, InteractionId, LightMethod, Request, Route};
use std::sync::Arc;
use std::time::Duration;
use tokio::time::Instant;
use tracing::warn;

/// How long one call may take from sending to the last byte of its answer.
pub const DEADLINE: Duration = Duration::from_secs(10);
/// How long a highlight call waits inside itself for a rate limit (a 429's `retry_after`, the
/// global limit's queue) before handing the wait back to its caller (the scheduler).
pub const PATIENCE: Duration = Duration::from_secs(5);
/// A call waits out at most this many 429s; the next is returned to its caller.
pub const RATE_LIMIT_WAITS: u32 = 3;

/// A failed call, with what Discord said when it answered.
#[derive(Debug, Clone, PartialEq)]
pub struct RestError {
    /// The HTTP status, when an answer came.
    pub status: Option<u16>,
    /// Discord's JSON error code, when the answer had one.
    pub code: Option<i64>,
    pub message: String,
    /// How long Discord (or the rate limiter) says to wait before trying again.
    pub retry_after: Option<Duration>,
    pub global: bool,
}

impl std::fmt::Display for RestError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match (self.status, self.code) {
            (Some(s), Some(c)) => write!(f, "HTTP {s}, Discord error code {c}: {}", self.message)?,
            (Some(s), None) => write!(f, "HTTP {s}: {}", self.message)?,
            (None, _) => write!(f, "{}", self.message)?,
        }
        if let Some(after) = self.retry_after {
            write!(
                f,
                " (retry after {:.3} s{})",
                after.as_secs_f64(),
                if self.global { ", global" } else { "" }
            )?;
        }
        Ok(())
    }
}

impl RestError {
    fn transport(message: String) -> RestError {
        RestError { status: None, code: None, message, retry_after: None, global: false }
    }
}

/// One call as the rate limits and the logs see it.
struct Call {
    /// The rate-limit bucket: the route and its top-level resource (a channel, an interaction).
    bucket: String,
    /// What the logs call it: never an interaction token.
    name: String,
    /// Whether it counts against the bot's global limit (interaction callbacks do not).
    global: bool,
    /// How long it may wait for rate limits in all, 429s included.
    patience: Duration,
}

pub struct Rest {
    client: reqwest::Client,
    /// `https://discord.com`, or a test server standing in for it.
    base: String,
    token: String,
    pub limiter: Arc<RateLimiter>,
    pub deadline: Duration,
    pub patience: Duration,
}

impl Rest {
    /// A client for `token` (with or without its "Bot " prefix); `api_base` points it at a fake
    /// Discord in tests. The rate limiter is the same either way.
    pub fn new(token: &str, api_base: Option<&str>, limiter: Arc<RateLimiter>) -> Rest {
        let token = token.trim();
        let token = if token.starts_with("Bot ") { token.to_string() } else { format!("Bot {token}") };
        let client = reqwest::Client::builder()
            .use_rustls_tls()
            .connect_timeout(Duration::from_secs(5))
            // A connection with no traffic for this long is dead even without a reset.
            .read_timeout(DEADLINE)
            .pool_idle_timeout(Duration::from_secs(50))
            .build()
            .unwrap_or_default();
        let base = api_base.map_or("https://discord.com", |b| b.trim_end_matches('/')).to_string();
        Rest { client, base, token, limiter, deadline: DEADLINE, patience: PATIENCE }
    }

    /// The bot's id, read from the token (a bot's application has the same id): the application
    /// a deferred answer is completed for when nothing else names one. 0 when the token has none.
    pub fn bot_id(&self) -> u64 {
        crate::config::bot_id_in(self.token.trim_start_matches("Bot ")).unwrap_or(0)
    }

    /// A highlight call on a channel's messages: under the global limit, with `patience`.
    fn channel_call(&self, method: &str, channel_id: u64) -> Call {
        let name = format!("{method} channels/{channel_id}/messages");
        Call { bucket: name.clone(), name, global: true, patience: self.patience }
    }

    /// `POST /channels/{id}/messages`: the created message.
    pub async fn create_message(&self, channel_id: u64, body: &Value) -> Result<Value, RestError> {
        let route = Route::ChannelMessages { channel_id: ChannelId::new(channel_id) };
        let request = Request::new(route, LightMethod::Post).body(Some(encode(body)?));
        self.call(request, self.channel_call("POST", channel_id)).await
    }

    /// `POST /interactions/{id}/{token}/callback`: the first answer to an interaction. Outside
    /// the global limit, as at Discord; a 429 is waited out if that takes at most `patience`.
    pub async fn interaction_callback(
        &self,
        interaction_id: u64,
        token: &str,
        body: &Value,
        patience: Duration,
    ) -> Result<(), RestError> {
        let route = Route::InteractionResponse { interaction_id: InteractionId::new(interaction_id), token };
        let request = Request::new(route, LightMethod::Post).body(Some(encode(body)?));
        let name = format!("POST interactions/{interaction_id}/callback");
        let call = Call { bucket: name.clone(), name, global: false, patience };
        self.call(request, call).await.map(|_| ())
    }

    /// `PATCH /webhooks/{application}/{token}/messages/@original`: fills in a deferred answer.
    /// The bucket is the interaction's token (Discord's top-level resource for webhooks); a 429
    /// is waited out if that takes at most `patience`.
    pub async fn edit_original(
        &self,
        application_id: u64,
        token: &str,
        body: &Value,
        patience: Duration,
    ) -> Result<Value, RestError> {
        let route = Route::WebhookOriginalInteractionResponse {
            application_id: ApplicationId::new(application_id),
            token,
        };
        let request = Request::new(route, LightMethod::Patch).body(Some(encode(body)?));
        let call = Call {
            bucket: format!("PATCH webhooks/{application_id}/{token}"),
            name: format!("PATCH webhooks/{application_id}/<token>/messages/@original"),
            global: true,
            patience,
        };
        self.call(request, call).await
    }

    /// `GET /channels/{id}/messages?before=…&limit=…`: up to `limit` messages, newest first.
    pub async fn messages(
        &self,
        channel_id: u64,
        before: Option<u64>,
        limit: u8,
    ) -> Result<Vec<Value>, RestError> {
        let route = Route::ChannelMessages { channel_id: ChannelId::new(channel_id) };
        let mut params = vec![("limit", limit.to_string())];
        if let Some(before) = before {
            params.push(("before", before.to_string()));
        }
        let request = Request::new(route, LightMethod::Get).params(Some(params));
        match self.call(request, self.channel_call("GET", channel_id)).await? {
            Value::Array(list) => Ok(list),
            other => Err(RestError::transport(format!("a message list was expected, got {other}"))),
        }
    }

    /// One call: waits for the rate limits (at most the call's patience in all), sends, reads
    /// the answer within `deadline`; a 429 whose wait still fits in the patience is logged,
    /// waited out and sent again (at most `RATE_LIMIT_WAITS` times).
    async fn call(&self, request: Request<'_>, call: Call) -> Result<Value, RestError> {
        let bucket = call.bucket.as_str();
        let patience_ends = Instant::now() + call.patience;
        let mut limited = 0;
        loop {
            let patience = patience_ends.saturating_duration_since(Instant::now());
            if let Err(left) = self.limiter.acquire(bucket, patience, call.global).await {
                return Err(RestError {
                    status: None,
                    code: None,
                    message: "rate limited".into(),
                    retry_after: Some(left),
                    global: false,
                });
            }
            let built = request
                .clone()
                .build(&self.client, &self.token, Some(&self.base))
                .map_err(|e| RestError::transport(format!("building the request: {e}")))?
                .timeout(self.deadline);
            let answer = tokio::time::timeout(self.deadline, async {
                let response = built.send().await?;
                let status = response.status().as_u16();
                let headers = response.headers().clone();
                let bytes = response.bytes().await?;
                Ok::<_, reqwest::Error>((status, headers, bytes))
            })
            .await;
            let (status, headers, bytes) = match answer {
                Err(_) => {
                    return Err(RestError::transport(format!("no answer within {:?}", self.deadline)));
                }
                Ok(Err(e)) if e.is_timeout() => {
                    return Err(RestError::transport(format!("no answer within {:?}", self.deadline)));
                }
                // Without the URL: an interaction's token is in it.
                Ok(Err(e)) => {
                    return Err(RestError::transport(format!("connection failed: {}", e.without_url())));
                }
                Ok(Ok(answer)) => answer,
            };
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok()).map(str::to_string);
            let json: Option<Value> =
                if bytes.is_empty() { Some(Value::Null) } else { serde_json::from_slice(&bytes).ok() };
            if (200..300).contains(&status) {
                if header("x-ratelimit-remaining").as_deref() == Some("0") {
                    if let Some(reset) = header("x-ratelimit-reset-after").and_then(|v| v.parse::<f64>().ok())
                    {
                        self.limiter.exhausted(bucket, secs(reset));
                    }
                }
                return json.ok_or_else(|| RestError {
                    status: Some(status),
                    code: None,
                    message: "the answer is not JSON".into(),
                    retry_after: None,
                    global: false,
                });
            }
            let field = |k: &str| json.as_ref().and_then(|j| j.get(k)).cloned();
            let message =
                field("message").and_then(|m| m.as_str().map(str::to_string)).unwrap_or_else(|| {
                    let text = String::from_utf8_lossy(&bytes);
                    let text: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
                    text.chars().take(120).collect()
                });
            let code = field("code").and_then(|c| c.as_i64());
            if status == 429 {
                // The body's `retry_after` is in seconds with a fraction; the header rounds up.
                let after = field("retry_after")
                    .and_then(|v| v.as_f64())
                    .or_else(|| header("retry-after").and_then(|v| v.parse().ok()))
                    .map_or(Duration::from_secs(1), secs);
                let global = field("global").and_then(|g| g.as_bool()).unwrap_or(false)
                    || header("x-ratelimit-global").is_some()
                    || header("x-ratelimit-scope").as_deref() == Some("global");
                self.limiter.limited(bucket, after, global);
                limited += 1;
                let e = RestError { status: Some(429), code, message, retry_after: Some(after), global };
                if Instant::now() + after <= patience_ends && limited <= RATE_LIMIT_WAITS {
                    warn!(call = %call.name, error = %e, "rate limited by Discord; waiting, then sending again");
                    continue;
                }
                return Err(e);
            }
            return Err(RestError { status: Some(status), code, message, retry_after: None, global: false });
        }
    }
}

fn encode(body: &Value) -> Result<Vec<u8>, RestError> {
    serde_json::to_vec(body).map_err(|e| RestError::transport(format!("encoding: {e}")))
}

fn secs(s: f64) -> Duration {
    Duration::from_secs_f64(if s.is_finite() { s.clamp(0.0, 86_400.0) } else { 1.0 })
}
