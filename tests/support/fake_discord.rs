//! A fake Discord on 127.0.0.1 for end-to-end tests: the REST API routes the bot uses and a
//! plain-`ws://` gateway (HELLO, IDENTIFY → READY, heartbeats, RESUME → RESUMED). The real
//! serenity client connects to it. Every request is recorded for assertions; faults (status
//! codes, delays, dropped connections) are injected per test.

#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{mpsc, Notify};
use tokio_tungstenite::tungstenite::Message as WsMessage;

pub const BOT_ID: u64 = 123_456_789_012_345_678;
pub const APP_ID: u64 = 223_456_789_012_345_678;
pub const GUILD_ID: u64 = 323_456_789_012_345_678;
pub const CHANNEL_ID: u64 = 423_456_789_012_345_678;
pub const USER_ID: u64 = 523_456_789_012_345_678;
/// The right shape for bot id `BOT_ID`; not a real token.
pub const TOKEN: &str = "MTIzNDU2Nzg5MDEyMzQ1Njc4.GxYzAb.abcdefghijklmnopqrstuvwxyz0123456789AB";

#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: String,
    pub path: String,
    pub headers: Vec<(String, String)>,
    pub body: Value,
    pub at: Instant,
}

/// A scripted answer for the next request whose path contains `path_part`.
#[derive(Debug, Clone)]
pub struct Fault {
    pub path_part: String,
    pub status: u16,
    pub delay: Duration,
}

enum GatewayCommand {
    Send(Value),
    Drop,
}

#[derive(Default)]
struct State {
    requests: Mutex<Vec<Recorded>>,
    faults: Mutex<VecDeque<Fault>>,
    changed: Notify,
    gateway: Mutex<Option<mpsc::UnboundedSender<GatewayCommand>>>,
    connections: AtomicUsize,
    identifies: AtomicUsize,
    resumes: AtomicUsize,
    heartbeats: AtomicUsize,
    seq: AtomicU64,
    ws_addr: Mutex<Option<SocketAddr>>,
    /// Messages created, as Discord would keep them: (channel, nonce, message id, content).
    messages: Mutex<Vec<Created>>,
    denied_send: Mutex<Vec<String>>,
    /// `[shard id, total]` of every IDENTIFY, in order.
    identified: Mutex<Vec<[u64; 2]>>,
    /// While set, new gateway connections are dropped (Discord's gateway unreachable).
    gateway_refused: std::sync::atomic::AtomicBool,
    /// While set, READY lists no server (a bot nobody has added yet).
    no_servers: std::sync::atomic::AtomicBool,
    /// The `presence` of every IDENTIFY, in order.
    presences: Mutex<Vec<Value>>,
    /// The live connection of each shard id.
    shards: Mutex<std::collections::HashMap<u64, mpsc::UnboundedSender<GatewayCommand>>>,
    /// The commands last registered (with the ids given them), as a GET lists them.
    commands: Mutex<Vec<Value>>,
}

/// A message the fake created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Created {
    pub channel: String,
    pub nonce: Option<String>,
    pub id: u64,
    pub content: String,
}

#[derive(Clone)]
pub struct FakeDiscord {
    pub rest: SocketAddr,
    pub ws: SocketAddr,
    state: Arc<State>,
}

impl FakeDiscord {
    pub async fn start() -> FakeDiscord {
        let rest_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let ws_listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let state = Arc::new(State::default());
        let ws = ws_listener.local_addr().unwrap();
        *state.ws_addr.lock().unwrap() = Some(ws);
        let fake = FakeDiscord { rest: rest_listener.local_addr().unwrap(), ws, state };
        let s = fake.state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = rest_listener.accept().await {
                // Small request/response exchanges: Nagle's algorithm would add ~40 ms stalls.
                let _ = stream.set_nodelay(true);
                tokio::spawn(serve_http(stream, s.clone()));
            }
        });
        let s = fake.state.clone();
        tokio::spawn(async move {
            while let Ok((stream, _)) = ws_listener.accept().await {
                let _ = stream.set_nodelay(true);
                if s.gateway_refused.load(Ordering::SeqCst) {
                    // Discord's gateway unreachable: the connection is dropped at once.
                    drop(stream);
                    continue;
                }
                tokio::spawn(serve_gateway(stream, s.clone()));
            }
        });
        fake
    }

    /// The base URL to give the bot (`MARQUEE_DISCORD_API`).
    pub fn api_base(&self) -> String {
        format!("http://{}", self.rest)
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.requests.lock().unwrap().clone()
    }

    pub fn fault(&self, fault: Fault) {
        self.state.faults.lock().unwrap().push_back(fault);
    }

    /// Drops every scripted answer not used yet.
    pub fn clear_faults(&self) {
        self.state.faults.lock().unwrap().clear();
    }

    pub fn identifies(&self) -> usize {
        self.state.identifies.load(Ordering::SeqCst)
    }

    /// Makes the gateway unreachable (new connections dropped) or reachable again.
    pub fn refuse_gateway(&self, refused: bool) {
        self.state.gateway_refused.store(refused, Ordering::SeqCst);
    }

    /// The presence each IDENTIFY carried, in order.
    pub fn identify_presences(&self) -> Vec<Value> {
        self.state.presences.lock().unwrap().clone()
    }

    /// Whether READY lists no server, as for a bot nobody has added yet.
    pub fn in_no_server(&self, none: bool) {
        self.state.no_servers.store(none, Ordering::SeqCst);
    }

    /// `[shard id, total]` of every IDENTIFY so far.
    pub fn identified_shards(&self) -> Vec<[u64; 2]> {
        self.state.identified.lock().unwrap().clone()
    }

    /// Sends a dispatch on the connection of shard `shard` (as Discord routes a server's
    /// events to the shard `(guild_id >> 22) % total`).
    pub fn dispatch_to_shard(&self, shard: u64, event: &str, data: Value) {
        let seq = self.state.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let payload = json!({ "op": 0, "t": event, "s": seq, "d": data });
        assert_decodes(&payload);
        let tx = self.state.shards.lock().unwrap().get(&shard).cloned().expect("the shard is connected");
        tx.send(GatewayCommand::Send(payload)).expect("gateway connection alive");
    }

    pub fn resumes(&self) -> usize {
        self.state.resumes.load(Ordering::SeqCst)
    }

    pub fn connections(&self) -> usize {
        self.state.connections.load(Ordering::SeqCst)
    }

    /// Messages actually created (a retried create with a known nonce and `enforce_nonce`
    /// returns the first message instead, as Discord does).
    pub fn created_messages(&self) -> Vec<Created> {
        self.state.messages.lock().unwrap().clone()
    }

    /// From now on the bot may not send messages in `channel` (a member overwrite).
    pub fn deny_send_in(&self, channel: u64) {
        self.state.denied_send.lock().unwrap().push(channel.to_string());
    }

    pub fn heartbeats(&self) -> usize {
        self.state.heartbeats.load(Ordering::SeqCst)
    }

    /// Waits until `check` holds (re-checked on every request or gateway change).
    pub async fn wait_for<T>(
        &self,
        what: &str,
        timeout: Duration,
        mut check: impl FnMut(&FakeDiscord) -> Option<T>,
    ) -> T {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.state.changed.notified();
            if let Some(v) = check(self) {
                return v;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                if let Some(v) = check(self) {
                    return v;
                }
                panic!("timed out after {timeout:?} waiting for {what}; requests: {:#?}", self.requests());
            }
        }
    }

    /// Waits for the first request (after `after` requests) whose path contains `part`.
    pub async fn wait_request(&self, part: &str, after: usize) -> Recorded {
        self.wait_for(&format!("a request to {part}"), Duration::from_secs(10), |f| {
            f.state.requests.lock().unwrap().iter().skip(after).find(|r| r.path.contains(part)).cloned()
        })
        .await
    }

    /// Waits until the bot has identified and is connected (READY sent).
    pub async fn wait_ready(&self) {
        self.wait_for("IDENTIFY", Duration::from_secs(10), |f| {
            (f.identifies() > 0 && f.gateway_open()).then_some(())
        })
        .await;
    }

    pub fn gateway_open(&self) -> bool {
        self.state.gateway.lock().unwrap().is_some()
    }

    pub fn request_count(&self) -> usize {
        self.state.requests.lock().unwrap().len()
    }

    /// Sends a dispatch to the connected bot, after checking serenity can decode it; returns
    /// when it was handed to the connection.
    pub fn dispatch(&self, event: &str, data: Value) -> Instant {
        assert_decodes(&json!({ "op": 0, "t": event, "s": 1, "d": data }));
        self.dispatch_raw(event, data)
    }

    /// Sends a dispatch as it is, whether serenity can decode it or not (real payloads that
    /// serenity turns into `Event::Unknown`).
    pub fn dispatch_raw(&self, event: &str, data: Value) -> Instant {
        let seq = self.state.seq.fetch_add(1, Ordering::SeqCst) + 1;
        let payload = json!({ "op": 0, "t": event, "s": seq, "d": data });
        let tx = self.state.gateway.lock().unwrap().clone().expect("the bot is connected");
        let sent = Instant::now();
        tx.send(GatewayCommand::Send(payload)).expect("gateway connection alive");
        sent
    }

    /// Tells the bot its session is invalid and not resumable (op 9, `d: false`): it must
    /// identify again and receives a new READY.
    pub fn invalidate_session(&self) {
        let tx = self.state.gateway.lock().unwrap().clone().expect("the bot is connected");
        let payload = json!({ "op": 9, "d": false });
        assert_decodes(&payload);
        tx.send(GatewayCommand::Send(payload)).expect("gateway connection alive");
    }

    /// Drops the gateway connection without a close frame, as a network failure would.
    pub fn drop_gateway(&self) {
        if let Some(tx) = self.state.gateway.lock().unwrap().take() {
            let _ = tx.send(GatewayCommand::Drop);
        }
    }
}

/// Asserts serenity decodes `payload` into a known event: it silently turns a dispatch that
/// misses a required field into `Event::Unknown`, which would make a test pass for no reason.
pub fn assert_decodes(payload: &Value) {
    use serenity::model::event::{Event, GatewayEvent};
    match serde_json::from_value::<GatewayEvent>(payload.clone()) {
        Ok(GatewayEvent::Dispatch(_, Event::Unknown(u))) => panic!("serenity sees an unknown event: {u:?}"),
        Ok(_) => {}
        Err(e) => panic!("serenity cannot decode {payload}: {e}"),
    }
}

pub fn hello() -> Value {
    json!({ "op": 10, "d": { "heartbeat_interval": 41_250 } })
}

pub fn bot_user() -> Value {
    json!({ "id": BOT_ID.to_string(), "username": "Marquee", "discriminator": "0", "global_name": null,
            "avatar": null, "bot": true })
}

pub fn ready(ws: SocketAddr, shard: [u64; 2]) -> Value {
    json!({
        "v": 10,
        "user": bot_user(),
        "guilds": [{ "id": GUILD_ID.to_string(), "unavailable": true }],
        "session_id": format!("fake-session-{}", shard[0]),
        "resume_gateway_url": format!("ws://{ws}"),
        "application": { "id": APP_ID.to_string(), "flags": 0 },
        "shard": shard,
    })
}

async fn send_ws<S>(sink: &mut S, payload: &Value) -> bool
where
    S: SinkExt<WsMessage> + Unpin,
{
    sink.send(WsMessage::Text(payload.to_string())).await.is_ok()
}

async fn serve_gateway(stream: TcpStream, state: Arc<State>) {
    let Ok(ws) = tokio_tungstenite::accept_async(stream).await else { return };
    state.connections.fetch_add(1, Ordering::SeqCst);
    let (mut sink, mut source) = ws.split();
    let (tx, mut rx) = mpsc::unbounded_channel();
    if !send_ws(&mut sink, &hello()).await {
        return;
    }
    let ws_addr = state.ws_addr.lock().unwrap().unwrap();
    loop {
        tokio::select! {
            command = rx.recv() => match command {
                Some(GatewayCommand::Send(payload)) => {
                    if !send_ws(&mut sink, &payload).await { break; }
                }
                Some(GatewayCommand::Drop) | None => break,
            },
            message = source.next() => {
                let Some(Ok(message)) = message else { break };
                let text = match message {
                    WsMessage::Text(t) => t,
                    WsMessage::Binary(b) => String::from_utf8_lossy(&b).into_owned(),
                    WsMessage::Close(_) => {
                        let _ = sink.send(WsMessage::Close(None)).await;
                        break;
                    }
                    _ => continue,
                };
                let Ok(payload) = serde_json::from_str::<Value>(&text) else { continue };
                match payload["op"].as_u64() {
                    Some(1) => {
                        state.heartbeats.fetch_add(1, Ordering::SeqCst);
                        if !send_ws(&mut sink, &json!({ "op": 11 })).await { break; }
                    }
                    Some(2) => {
                        let shard = match payload["d"]["shard"].as_array().map(|a| a.as_slice()) {
                            Some([id, total]) => [id.as_u64().unwrap(), total.as_u64().unwrap()],
                            _ => [0, 1],
                        };
                        assert!(shard[0] < shard[1], "IDENTIFY with an impossible shard {shard:?}");
                        let seq = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let mut d = ready(ws_addr, shard);
                        if state.no_servers.load(Ordering::SeqCst) {
                            d["guilds"] = json!([]);
                        }
                        let ready = json!({ "op": 0, "t": "READY", "s": seq, "d": d });
                        if !send_ws(&mut sink, &ready).await { break; }
                        *state.gateway.lock().unwrap() = Some(tx.clone());
                        state.shards.lock().unwrap().insert(shard[0], tx.clone());
                        state.identified.lock().unwrap().push(shard);
                        state.presences.lock().unwrap().push(payload["d"]["presence"].clone());
                        state.identifies.fetch_add(1, Ordering::SeqCst);
                    }
                    Some(6) => {
                        let session = payload["d"]["session_id"].as_str().unwrap_or_default();
                        if let Some(id) = session.strip_prefix("fake-session-").and_then(|s| s.parse().ok()) {
                            state.shards.lock().unwrap().insert(id, tx.clone());
                        }
                        let seq = state.seq.fetch_add(1, Ordering::SeqCst) + 1;
                        let resumed = json!({ "op": 0, "t": "RESUMED", "s": seq, "d": {} });
                        if !send_ws(&mut sink, &resumed).await { break; }
                        *state.gateway.lock().unwrap() = Some(tx.clone());
                        state.resumes.fetch_add(1, Ordering::SeqCst);
                    }
                    _ => {}
                }
                state.changed.notify_waiters();
            }
        }
    }
    // Only forget this connection if it is still the current one.
    let mut current = state.gateway.lock().unwrap();
    if current.as_ref().is_some_and(|c| c.same_channel(&tx)) {
        *current = None;
    }
    drop(current);
    state.changed.notify_waiters();
}

/// One HTTP/1.1 request from a keep-alive connection, or `None` when it closes.
async fn read_request(
    stream: &mut TcpStream,
    buf: &mut Vec<u8>,
) -> Option<(String, String, Vec<(String, String)>, Vec<u8>)> {
    loop {
        if let Some(end) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            let head = String::from_utf8_lossy(&buf[..end]).into_owned();
            let mut lines = head.split("\r\n");
            let mut first = lines.next()?.split(' ');
            let method = first.next()?.to_string();
            let path = first.next()?.to_string();
            let headers: Vec<(String, String)> = lines
                .filter_map(|l| {
                    l.split_once(':').map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                })
                .collect();
            let length: usize = headers
                .iter()
                .find(|(k, _)| k == "content-length")
                .and_then(|(_, v)| v.parse().ok())
                .unwrap_or(0);
            while buf.len() < end + 4 + length {
                let mut chunk = [0u8; 8192];
                let n = stream.read(&mut chunk).await.ok()?;
                if n == 0 {
                    return None;
                }
                buf.extend_from_slice(&chunk[..n]);
            }
            let body = buf[end + 4..end + 4 + length].to_vec();
            buf.drain(..end + 4 + length);
            return Some((method, path, headers, body));
        }
        let mut chunk = [0u8; 8192];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    }
}

async fn serve_http(mut stream: TcpStream, state: Arc<State>) {
    let mut buf = Vec::new();
    while let Some((method, path, headers, body)) = read_request(&mut stream, &mut buf).await {
        let body: Value =
            if body.is_empty() { Value::Null } else { serde_json::from_slice(&body).unwrap_or(Value::Null) };
        state.requests.lock().unwrap().push(Recorded {
            method: method.clone(),
            path: path.clone(),
            headers,
            body: body.clone(),
            at: Instant::now(),
        });
        state.changed.notify_waiters();
        let fault = {
            let mut faults = state.faults.lock().unwrap();
            let i = faults.iter().position(|f| path.contains(&f.path_part));
            i.and_then(|i| faults.remove(i))
        };
        if let Some(f) = &fault {
            tokio::time::sleep(f.delay).await;
        }
        let ws = *state.ws_addr.lock().unwrap();
        let (status, reply) = match fault.as_ref().map(|f| f.status).filter(|&s| s != 0) {
            Some(429) => (
                429,
                json!({ "message": "You are being rate limited.", "retry_after": 0.05, "global": false }),
            ),
            Some(s) => (s, json!({ "message": "injected failure", "code": 0 })),
            None => route(&method, &path, &body, ws.unwrap(), &state),
        };
        let text = if status == 204 { String::new() } else { reply.to_string() };
        let reason = match status {
            200 => "OK",
            204 => "No Content",
            404 => "Not Found",
            429 => "Too Many Requests",
            _ => "Error",
        };
        let mut response = format!(
            "HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n",
            text.len()
        );
        if status == 429 {
            response.push_str("retry-after: 1\r\nx-ratelimit-scope: user\r\n");
        }
        response.push_str("\r\n");
        response.push_str(&text);
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn route(method: &str, path: &str, body: &Value, ws: SocketAddr, state: &State) -> (u16, Value) {
    let path = path.split('?').next().unwrap_or(path);
    let parts: Vec<&str> = path.trim_start_matches("/api/v10/").split('/').collect();
    match (method, parts.as_slice()) {
        ("GET", ["gateway"]) => (200, json!({ "url": format!("ws://{ws}") })),
        ("GET", ["gateway", "bot"]) => (
            200,
            json!({ "url": format!("ws://{ws}"), "shards": 1,
                    "session_start_limit": { "total": 1000, "remaining": 999, "reset_after": 0, "max_concurrency": 1 } }),
        ),
        ("GET", ["users", "@me"]) => (200, bot_user()),
        ("POST", ["interactions", _, _, "callback"]) => (204, Value::Null),
        // Filling in a deferred response: Discord answers with the edited message.
        ("PATCH", ["webhooks", _, _, "messages", "@original"]) => (200, message_json("0", body)),
        ("PUT", ["applications", app, "commands"])
        | ("PUT", ["applications", app, "guilds", _, "commands"]) => {
            let commands: Vec<Value> = body
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .enumerate()
                .map(|(i, mut c)| {
                    c["id"] = json!((900_000_000_000_000_000u64 + i as u64).to_string());
                    c["application_id"] = json!(app);
                    c["version"] = json!("1");
                    c["default_member_permissions"] = Value::Null;
                    // Discord lists a context-menu command with an empty description.
                    if c.get("description").is_none() {
                        c["description"] = json!("");
                    }
                    c
                })
                .collect();
            *state.commands.lock().unwrap() = commands.clone();
            (200, Value::Array(commands))
        }
        ("GET", ["applications", _, "commands"]) | ("GET", ["applications", _, "guilds", _, "commands"]) => {
            (200, Value::Array(state.commands.lock().unwrap().clone()))
        }
        ("POST", ["channels", channel, "messages"]) => {
            let nonce = body["nonce"].as_str().map(str::to_string);
            let mut messages = state.messages.lock().unwrap();
            let existing = messages
                .iter()
                .find(|m| {
                    m.channel == *channel
                        && nonce.is_some()
                        && m.nonce == nonce
                        && body["enforce_nonce"] == true
                })
                .map(|m| m.id);
            let id = existing.unwrap_or_else(|| {
                let id = 700_000_000_000_000_000 + messages.len() as u64;
                let content = body["content"].as_str().unwrap_or("").to_string();
                messages.push(Created { channel: channel.to_string(), nonce: nonce.clone(), id, content });
                id
            });
            let mut m = message_json(channel, body);
            m["id"] = json!(id.to_string());
            (200, m)
        }
        ("GET", ["channels", channel]) => (200, channel_json(channel, state)),
        ("GET", ["channels", channel, "messages"]) => {
            // Newest first, as Discord lists them; `after` is not applied (tests run on a
            // simulated clock, unrelated to the ids).
            let messages = state.messages.lock().unwrap();
            let list: Vec<Value> = messages
                .iter()
                .rev()
                .filter(|m| m.channel == *channel)
                .take(100)
                .map(|m| {
                    let mut v = message_json(channel, &json!({ "content": m.content, "embeds": [] }));
                    v["id"] = json!(m.id.to_string());
                    v
                })
                .collect();
            (200, Value::Array(list))
        }
        ("GET", ["guilds", guild, "roles"]) => (
            200,
            json!([{ "id": guild, "name": "@everyone", "permissions": (VIEW | SEND | EMBED).to_string(),
                     "position": 0, "color": 0, "colors": { "primary_color": 0, "secondary_color": null,
                     "tertiary_color": null }, "hoist": false, "managed": false, "mentionable": false,
                     "icon": null, "unicode_emoji": null, "flags": 0 }]),
        ),
        ("GET", ["guilds", _, "members", user]) => (
            200,
            json!({ "user": { "id": user, "username": "Marquee", "discriminator": "0", "bot": true }, "roles": [],
                    "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0 }),
        ),
        _ => (404, json!({ "message": "404: Not Found", "code": 0 })),
    }
}

/// The message Discord would return for a create: what was sent plus the server's fields.
fn message_json(channel: &str, sent: &Value) -> Value {
    json!({
        "id": "723456789012345678",
        "channel_id": channel,
        "author": bot_user(),
        "content": sent["content"].as_str().unwrap_or(""),
        "timestamp": "2026-11-27T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": sent["embeds"].clone(),
        "components": [],
        "pinned": false,
        "type": 0,
    })
}

const VIEW: u64 = 1 << 10;
const SEND: u64 = 1 << 11;
const EMBED: u64 = 1 << 14;

/// A text channel; the bot is denied Send Messages in channels listed by `deny_send_in`.
fn channel_json(channel: &str, state: &State) -> Value {
    let denied = state.denied_send.lock().unwrap().iter().any(|c| c == channel);
    let overwrites = if denied {
        json!([{ "id": BOT_ID.to_string(), "type": 1, "allow": "0", "deny": SEND.to_string() }])
    } else {
        json!([])
    };
    json!({ "id": channel, "type": 0, "guild_id": GUILD_ID.to_string(), "name": "general", "position": 0,
            "permission_overwrites": overwrites, "nsfw": false })
}
