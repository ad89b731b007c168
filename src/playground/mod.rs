//! `marquee playground`: a local web page that looks and behaves like a Discord text channel,
//! answered by the real bot — the third door on the one `router::Router`, beside the gateway
//! and the HTTP endpoint.
//!
//! The page builds each request as Discord would send it (an interaction of type 2, 3 or 4, or
//! a message) and POSTs it here; this door adds what Discord would know — the server, the
//! channel, the member and their permissions, an id — decodes it into the router's own
//! tolerant types and shows exactly the body the router returns. It never answers anything
//! itself, so the page cannot show what the bot would not send. The page's requests are not
//! signed: the playground listens on loopback unless told otherwise, explicitly.

mod watch;

use crate::http_server::{self, BodyError};
use crate::router::incoming::{Interaction, Message};
use crate::router::{ChannelAccess, Router};
use crate::search::SharedEngine;
use crate::store::Store;
use bytes::Bytes;
use http_body_util::Full;
use hyper::header::{HeaderValue, CONTENT_TYPE};
use hyper::{Method, StatusCode};
use serde_json::{json, Value};
use std::future::Future;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use tokio::net::TcpListener;

/// The playground's own server, channel, member and bot (snowflakes as Discord would send).
pub const GUILD: u64 = 1_180_000_000_000_000_001;
pub const CHANNEL: u64 = 1_180_000_000_000_000_002;
pub const USER: u64 = 1_180_000_000_000_000_003;
pub const BOT: u64 = 1_180_000_000_000_000_004;
/// The member's permissions: Administrator (its own fake server), so `/highlights` works.
const MEMBER_PERMISSIONS: &str = "8";
/// A request from the page is a few kilobytes (a menu pick carries its message's components).
pub const MAX_BODY: usize = 64 * 1024;
/// How many days the calendar shows.
pub const CALENDAR_DAYS: u16 = 7;

const INDEX_HTML: &str = include_str!("page/index.html");
const STYLE_CSS: &str = include_str!("page/style.css");
const APP_JS: &str = include_str!("page/app.js");
const WORDS_JS: &str = include_str!("page/words.js");
const FAVICON_SVG: &str = include_str!("page/favicon.svg");

/// The page's static files: (path, content type, text). Browsers ask for `/favicon.ico`
/// whatever the page links: it gets the same picture.
pub const ASSETS: [(&str, &str, &str); 6] = [
    ("/", "text/html; charset=utf-8", INDEX_HTML),
    ("/style.css", "text/css; charset=utf-8", STYLE_CSS),
    ("/app.js", "text/javascript; charset=utf-8", APP_JS),
    ("/words.js", "text/javascript; charset=utf-8", WORDS_JS),
    ("/favicon.svg", "image/svg+xml", FAVICON_SVG),
    ("/favicon.ico", "image/svg+xml", FAVICON_SVG),
];

/// Checks the address to listen on: loopback, unless `unsafe_anywhere`.
pub fn check_listen(listen: &str, unsafe_anywhere: bool) -> Result<SocketAddr, String> {
    let addrs: Vec<SocketAddr> = listen
        .to_socket_addrs()
        .map_err(|e| format!("--listen {listen}: not an address to listen on ({e}); e.g. 127.0.0.1:8080"))?
        .collect();
    let Some(first) = addrs.first().copied() else {
        return Err(format!("--listen {listen}: the name resolves to no address"));
    };
    if !unsafe_anywhere && !addrs.iter().all(|a| a.ip().is_loopback()) {
        return Err(format!(
            "--listen {listen}: not a loopback address. The playground answers unsigned requests from \
             anyone who can reach it, so it listens on loopback only (default 127.0.0.1:8080). To \
             listen on {listen} anyway, add --unsafe-listen-anywhere."
        ));
    }
    Ok(first)
}

/// The playground's `ChannelAccess`: it grants everything. The "server" is the page's own
/// fake one, where the bot may post anywhere; there is no Discord to ask.
pub struct GrantEverything;

#[async_trait::async_trait]
impl ChannelAccess for GrantEverything {
    async fn missing(&self, _guild: u64, _channel: u64) -> Vec<&'static str> {
        Vec::new()
    }
}

/// The catalog's state as the page shows it.
#[derive(Debug, Clone, Default, serde::Serialize)]
pub struct Status {
    /// Items in the catalog in use.
    pub items: usize,
    /// Catalogs loaded since the start (the page refreshes its calendar when it changes).
    pub reloads: u64,
    /// The last reload's problems (`path:line:col: message`); empty when it loaded. While
    /// there are problems, the last good catalog stays in use.
    pub problems: Vec<String>,
}

pub struct Playground {
    pub router: Router,
    /// Answer only requests addressed to a loopback name (`Host`), so a web page that rebinds
    /// its own domain to 127.0.0.1 cannot use the API; off with `--unsafe-listen-anywhere`.
    pub local_only: bool,
    status: RwLock<Status>,
    next_id: AtomicU64,
    content: Option<PathBuf>,
}

/// Discord's epoch (2015-01-01) in Unix milliseconds: ids are made like Discord's snowflakes.
const DISCORD_EPOCH_MS: u64 = 1_420_070_400_000;

impl Playground {
    pub fn new(engine: Arc<SharedEngine>, store: Arc<dyn Store>, content: Option<PathBuf>) -> Playground {
        let items = engine.get().items().len();
        let now_ms = u64::try_from(chrono::Utc::now().timestamp_millis()).unwrap_or(DISCORD_EPOCH_MS);
        Playground {
            router: Router::new(engine, store, Arc::new(GrantEverything)),
            local_only: true,
            status: RwLock::new(Status { items, reloads: 0, problems: Vec::new() }),
            next_id: AtomicU64::new(now_ms.saturating_sub(DISCORD_EPOCH_MS) << 22),
            content,
        }
    }

    fn id(&self) -> u64 {
        self.next_id.fetch_add(1, Ordering::Relaxed)
    }

    pub fn status(&self) -> Status {
        self.status.read().unwrap_or_else(|e| e.into_inner()).clone()
    }

    fn set_status(&self, change: impl FnOnce(&mut Status)) {
        change(&mut self.status.write().unwrap_or_else(|e| e.into_inner()));
    }

    /// Answers one interaction from the page: `{"body": …}` is the router's callback body;
    /// for a deferred answer, `"edit"` is the message that completes it (the PATCH body).
    pub async fn interaction(&self, body: &[u8]) -> (StatusCode, Value) {
        let value = match parse_object(body) {
            Ok(v) => v,
            Err(e) => return e,
        };
        if !value.get("type").is_some_and(Value::is_u64) {
            return bad_request(
                "an interaction needs a numeric `type` (2 command, 3 component, 4 autocomplete)",
            );
        }
        let interaction = match Interaction::from_json(in_channel(value, self.id())) {
            Ok(i) => i,
            Err(e) => return bad_request(&format!("undecodable interaction: {e}")),
        };
        let answer = self.router.interaction(&interaction).await;
        let edit = match answer.then {
            Some(then) => then.await,
            None => Value::Null,
        };
        (StatusCode::OK, json!({ "body": answer.body, "edit": edit }))
    }

    /// Answers one message from the page: `{"body": …}` is the router's reply body, or null
    /// when the message does not ask the bot anything (no `<@bot>` in it).
    pub fn message(&self, body: &[u8]) -> (StatusCode, Value) {
        let value = match parse_object(body) {
            Ok(v) => v,
            Err(e) => return e,
        };
        let Some(content) = value.get("content").and_then(Value::as_str) else {
            return bad_request("a message needs a `content` string");
        };
        let message = message_in_channel(content, self.id());
        match serde_json::from_value::<Message>(message) {
            Ok(message) => (StatusCode::OK, json!({ "body": self.router.mention(&message, BOT) })),
            Err(e) => bad_request(&format!("undecodable message: {e}")),
        }
    }

    /// The server's coming highlights, from the store, as `highlights preview` lists them.
    pub async fn calendar(&self) -> (StatusCode, Value) {
        let (store, engine) = (self.router.store.as_ref(), self.router.engine.get());
        let days = async {
            let subscribed = !store.subscriptions(Some(GUILD)).await?.is_empty();
            let picks =
                crate::highlights::coming(store, &engine, GUILD, chrono::Utc::now(), CALENDAR_DAYS).await?;
            Ok::<_, crate::store::StoreError>((
                subscribed,
                picks
                    .iter()
                    .map(|(date, item)| {
                        json!({
                            "date": date.format("%Y-%m-%d").to_string(),
                            "weekday": date.format("%a").to_string(),
                            "id": item.id,
                            "title": item.title,
                        })
                    })
                    .collect::<Vec<_>>(),
            ))
        }
        .await;
        match days {
            // `subscribed`: whether any channel gets these (the page lists them only then).
            Ok((subscribed, days)) => (
                StatusCode::OK,
                json!({ "guild_id": GUILD.to_string(), "subscribed": subscribed, "days": days }),
            ),
            Err(e) => (
                StatusCode::INTERNAL_SERVER_ERROR,
                json!({ "message": format!("database: {}", crate::store::Chain(&e)) }),
            ),
        }
    }

    /// What the page needs to know about its channel and the catalog.
    pub fn session(&self) -> Value {
        json!({
            "guild_id": GUILD.to_string(),
            "channel_id": CHANNEL.to_string(),
            "user_id": USER.to_string(),
            "bot_id": BOT.to_string(),
            "content": self.content.as_ref().map(|p| p.display().to_string()),
            "status": self.status(),
        })
    }
}

/// A page's interaction completed with what Discord adds: its id, the application, the server
/// and channel, the member (an administrator of the page's own server) and, when the page
/// sent none, the languages. Whatever the page sent for these is replaced.
pub fn in_channel(mut interaction: Value, id: u64) -> Value {
    if let Some(fields) = interaction.as_object_mut() {
        for (key, value) in [
            ("id", json!(id.to_string())),
            ("application_id", json!(BOT.to_string())),
            ("token", json!("playground")),
            ("version", json!(1)),
            ("guild_id", json!(GUILD.to_string())),
            ("channel_id", json!(CHANNEL.to_string())),
            (
                "member",
                json!({ "user": { "id": USER.to_string(), "username": "you" }, "permissions": MEMBER_PERMISSIONS }),
            ),
        ] {
            fields.insert(key.into(), value);
        }
        fields.entry("locale").or_insert(json!("en-US"));
        fields.entry("guild_locale").or_insert(json!("en-US"));
    }
    interaction
}

/// A MESSAGE_CREATE for `content` written by the page's member in its channel.
pub fn message_in_channel(content: &str, id: u64) -> Value {
    let mentions: Vec<Value> = [BOT]
        .iter()
        .filter(|bot| content.contains(&format!("<@{bot}>")) || content.contains(&format!("<@!{bot}>")))
        .map(|bot| json!({ "id": bot.to_string(), "username": "Marquee", "bot": true }))
        .collect();
    json!({
        "id": id.to_string(),
        "type": 0,
        "channel_id": CHANNEL.to_string(),
        "guild_id": GUILD.to_string(),
        "author": { "id": USER.to_string(), "username": "you", "bot": false },
        "content": content,
        "mentions": mentions,
    })
}

fn bad_request(message: &str) -> (StatusCode, Value) {
    (StatusCode::BAD_REQUEST, json!({ "message": message }))
}

fn parse_object(body: &[u8]) -> Result<Value, (StatusCode, Value)> {
    match serde_json::from_slice::<Value>(body) {
        Ok(v) if v.is_object() => Ok(v),
        Ok(_) => Err(bad_request("the body must be a JSON object")),
        Err(e) => Err(bad_request(&format!("the body is not JSON: {e}"))),
    }
}

type HttpResponse = hyper::Response<Full<Bytes>>;

fn reply(status: StatusCode, content_type: &'static str, body: impl Into<Bytes>) -> HttpResponse {
    let mut response = http_server::response(status, content_type, body);
    let headers = response.headers_mut();
    headers.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    headers.insert("cache-control", HeaderValue::from_static("no-store"));
    // Its own files only; pictures may come from anywhere (the catalog's video thumbnails).
    headers.insert(
        "content-security-policy",
        HeaderValue::from_static(
            "default-src 'self'; img-src 'self' https: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'",
        ),
    );
    response
}

fn json_reply((status, body): (StatusCode, Value)) -> HttpResponse {
    reply(status, "application/json", body.to_string())
}

/// Whether a `Host` header names this machine's loopback (`localhost`, `127.x.y.z`, `[::1]`).
pub fn is_loopback_host(host: &str) -> bool {
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split(']').next().unwrap_or_default(),
        None => host.rsplit_once(':').map_or(host, |(name, _)| name),
    };
    name.eq_ignore_ascii_case("localhost")
        || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

async fn handle(page: Arc<Playground>, request: hyper::Request<http_server::Body>) -> HttpResponse {
    let path = request.uri().path().to_string();
    let method = request.method().clone();
    let host = request.headers().get(hyper::header::HOST).and_then(|v| v.to_str().ok()).unwrap_or_default();
    if page.local_only && !is_loopback_host(host) {
        return json_reply((
            StatusCode::FORBIDDEN,
            json!({ "message": "the playground answers only requests for localhost or a loopback address" }),
        ));
    }
    if let Some((_, content_type, text)) = ASSETS.iter().find(|(p, _, _)| *p == path) {
        return match method {
            Method::GET | Method::HEAD => reply(StatusCode::OK, content_type, *text),
            _ => method_not_allowed(),
        };
    }
    match (method, path.as_str()) {
        (Method::GET, "/api/commands") => {
            json_reply((StatusCode::OK, crate::commands::definitions::commands()))
        }
        (Method::GET, "/api/session") => json_reply((StatusCode::OK, page.session())),
        (Method::GET, "/api/status") => json_reply((StatusCode::OK, json!(page.status()))),
        (Method::GET, "/api/calendar") => json_reply(page.calendar().await),
        (Method::POST, "/api/interaction" | "/api/message") => {
            // A JSON content type makes a cross-site form or fetch a CORS preflight, which is
            // never granted: another web page the browser has open cannot post here.
            let is_json = request
                .headers()
                .get(CONTENT_TYPE)
                .and_then(|v| v.to_str().ok())
                .is_some_and(|v| v.trim().to_ascii_lowercase().starts_with("application/json"));
            if !is_json {
                return json_reply((
                    StatusCode::UNSUPPORTED_MEDIA_TYPE,
                    json!({ "message": "send Content-Type: application/json" }),
                ));
            }
            let body = match http_server::read_body(request.into_body(), MAX_BODY).await {
                Ok(body) => body,
                Err(e) => {
                    let message = match &e {
                        BodyError::TooLarge => format!("the body is larger than {MAX_BODY} bytes"),
                        BodyError::TimedOut => "the body came too slowly".to_string(),
                        BodyError::Failed(e) => format!("reading the body: {e}"),
                    };
                    return json_reply((e.status(), json!({ "message": message })));
                }
            };
            json_reply(if path == "/api/interaction" {
                page.interaction(&body).await
            } else {
                page.message(&body)
            })
        }
        (
            _,
            "/api/commands" | "/api/session" | "/api/status" | "/api/calendar" | "/api/interaction"
            | "/api/message",
        ) => method_not_allowed(),
        _ => json_reply((StatusCode::NOT_FOUND, json!({ "message": format!("nothing at {path}") }))),
    }
}

fn method_not_allowed() -> HttpResponse {
    json_reply((StatusCode::METHOD_NOT_ALLOWED, json!({ "message": "method not allowed here" })))
}

/// Serves the page until `shutdown` completes, on the same hardened server as the endpoint.
pub async fn serve(
    listener: TcpListener,
    page: Arc<Playground>,
    shutdown: impl Future<Output = ()>,
) -> std::io::Result<()> {
    http_server::serve_with("playground", "playground", listener, page, handle, shutdown).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_only_unless_asked() {
        assert!(check_listen("127.0.0.1:8080", false).is_ok());
        assert!(check_listen("[::1]:0", false).is_ok());
        let refused = check_listen("0.0.0.0:8080", false).unwrap_err();
        assert!(refused.contains("--unsafe-listen-anywhere"), "{refused}");
        assert!(check_listen("0.0.0.0:8080", true).is_ok());
        assert!(check_listen("not an address", false).is_err());
    }

    #[test]
    fn only_loopback_hosts_are_answered() {
        for host in ["127.0.0.1:8080", "localhost:8080", "LOCALHOST", "[::1]:8080", "127.1.2.3"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["evil.example", "evil.example:8080", "10.0.0.1:8080", "", "localhost.evil.example"] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }

    #[test]
    fn what_the_page_sends_about_its_place_is_replaced() {
        let sent = json!({ "type": 2, "guild_id": "1", "member": { "permissions": "0" }, "locale": "de" });
        let i = Interaction::from_json(in_channel(sent, 77)).unwrap();
        assert_eq!((i.id, i.guild_id, i.channel_id), (77, Some(GUILD), Some(CHANNEL)));
        assert_eq!(i.member.unwrap().permissions, Some(8));
        assert_eq!(i.locale.as_deref(), Some("de"), "the member's language is the page's choice");
    }
}
