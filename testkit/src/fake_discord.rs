//! A fake Discord on 127.0.0.1 for end-to-end tests: the REST API routes the bot uses and a
//! plain-`ws://` gateway (HELLO, IDENTIFY → READY, heartbeats, RESUME → RESUMED). The real
//! serenity client connects to it. Every request is recorded for assertions; faults (status
//! codes, delays, dropped connections) are injected per test.
//!
//! Where the highlight posts depend on it, it behaves as Discord does: message ids are snowflakes
//! of its clock (settable, for tests on a simulated clock); `GET …/messages` pages with `before`
//! and `after` (the messages right before / right after the id, newest first); a create with
//! `nonce` + `enforce_nonce` returns the earlier message only within the nonce window (a few
//! minutes at Discord, settable here); a public interaction answer becomes a type-20 message in
//! its channel; channels can be made busy with members' messages. `script` adds faults per
//! request: 429 (route or global, with `retry_after`), 5xx with JSON, HTML or text bodies, a reset
//! before processing, a body cut short, a create that is made but never answered or answered
//! late, a stall before processing.

#![allow(dead_code)]

use futures_util::{SinkExt, StreamExt};
use serde_json::{json, Value};
use std::collections::VecDeque;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, AtomicUsize, Ordering};
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

/// What a scripted request meets instead of (or before) the normal answer.
#[derive(Debug, Clone)]
pub enum Act {
    /// This status with this body, the request not processed.
    Status(u16, Body),
    /// 429 with `retry_after` (seconds) in the body and `Retry-After` (whole seconds, rounded
    /// up) in the headers, for the route or (`global`) for the whole bot.
    RateLimit { retry_after: f64, global: bool },
    /// The connection is closed before the request is processed.
    Reset,
    /// Processed, then the answer is cut off mid-body and the connection closed.
    CutBody,
    /// Processed, then never answered: the connection stays open and silent.
    Unanswered,
    /// Held this long, then processed and answered.
    Stall(Duration),
    /// Processed at once, answered only after this long.
    SlowAnswer(Duration),
}

impl Act {
    /// One of each fault, in this order: a route 429 (2 s), a global 429 (0.5 s), 500 (JSON), 502
    /// (HTML), 503 (text), a reset, a cut body, made but unanswered, answered after `late`,
    /// held for `held` before being made.
    pub fn one_of_each(late: Duration, held: Duration) -> [Act; 10] {
        [
            Act::RateLimit { retry_after: 2.0, global: false },
            Act::RateLimit { retry_after: 0.5, global: true },
            Act::Status(500, Body::Json),
            Act::Status(502, Body::Html),
            Act::Status(503, Body::Text),
            Act::Reset,
            Act::CutBody,
            Act::Unanswered,
            Act::SlowAnswer(late),
            Act::Stall(held),
        ]
    }
}

#[derive(Debug, Clone)]
pub enum Body {
    Json,
    Html,
    Text,
}

/// A scripted fault: requests whose "METHOD path" contains `matching`; `every`-th of them
/// (1: each), `times` times (`usize::MAX`: always).
#[derive(Debug, Clone)]
struct Rule {
    matching: String,
    act: Act,
    every: usize,
    times: usize,
    seen: usize,
}

/// Discord's first second: snowflakes count milliseconds from here.
pub const DISCORD_EPOCH_MS: i64 = 1_420_070_400_000;

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
    /// Scripted faults (`script`), in the order they were added.
    rules: Mutex<Vec<Rule>>,
    /// The fake's clock: the real one plus this many milliseconds.
    clock_offset_ms: AtomicI64,
    /// How long an `enforce_nonce` create returns the earlier message (0: Discord's 5 minutes).
    nonce_window_ms: AtomicU64,
    /// The low bits of the next snowflake.
    increment: AtomicU64,
    /// The channel of each interaction dispatched, for its public answer.
    interaction_channels: Mutex<std::collections::HashMap<String, String>>,
    /// When set, more than this many requests in one second (interactions aside) are answered
    /// with a global 429, as Discord does.
    global_limit: AtomicUsize,
    /// Requests counted for the global limit.
    recent: Mutex<VecDeque<Instant>>,
    /// Global 429s the limit gave.
    global_429s: AtomicUsize,
    /// When each scripted fault was served, and what it was.
    acted: Mutex<Vec<(Instant, String)>>,
    /// The commands last registered (with the ids given them), as a GET lists them.
    commands: Mutex<Vec<Value>>,
    /// REST requests read and not yet done with (answered, cut, or their connection gone).
    in_flight: AtomicUsize,
    /// Each scripted 429: its route ("METHOD path", `None` when global), served at, lasting until.
    embargoes: Mutex<Vec<(Option<String>, Instant, Instant)>>,
    /// Requests that came inside a scripted 429's `retry_after` (50 ms after it was served, to
    /// leave requests already on their way out).
    early: AtomicUsize,
}

/// Counts a request in `State::in_flight` while it is being served.
struct InFlight<'a>(&'a State);

impl<'a> InFlight<'a> {
    fn enter(state: &'a State) -> InFlight<'a> {
        state.in_flight.fetch_add(1, Ordering::SeqCst);
        InFlight(state)
    }
}

impl Drop for InFlight<'_> {
    fn drop(&mut self) {
        self.0.in_flight.fetch_sub(1, Ordering::SeqCst);
        self.0.changed.notify_waiters();
    }
}

/// A message in a channel of the fake.
#[derive(Debug, Clone, PartialEq)]
pub struct Created {
    pub channel: String,
    pub nonce: Option<String>,
    pub id: u64,
    pub content: String,
    pub author: u64,
    /// Discord's message type: 0 default, 19 reply, 20 interaction answer.
    pub kind: u8,
    pub embeds: Value,
    /// Made by `POST /channels/{id}/messages` (not an interaction answer or a member's message).
    pub created: bool,
    /// The fake's clock when it was made, in Unix milliseconds.
    pub at_ms: i64,
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
        self.state.messages.lock().unwrap().iter().filter(|m| m.created).cloned().collect()
    }

    /// Every message of `channel`: the bot's creates, interaction answers, members' messages.
    pub fn channel_messages(&self, channel: u64) -> Vec<Created> {
        let channel = channel.to_string();
        self.state.messages.lock().unwrap().iter().filter(|m| m.channel == channel).cloned().collect()
    }

    /// Adds a scripted fault for the next request whose "METHOD path" contains `matching`.
    pub fn script(&self, matching: &str, act: Act) {
        self.script_rule(matching, act, 1, 1);
    }

    /// A scripted fault for every `every`-th matching request, `times` times (`usize::MAX`:
    /// for good).
    pub fn script_rule(&self, matching: &str, act: Act, every: usize, times: usize) {
        let rule = Rule { matching: matching.to_string(), act, every: every.max(1), times, seen: 0 };
        self.state.rules.lock().unwrap().push(rule);
    }

    /// Removes every scripted fault not yet used.
    pub fn clear_script(&self) {
        self.state.rules.lock().unwrap().clear();
    }

    /// Sets the fake's clock to `t` (it runs on from there): ids and the nonce window follow it.
    pub fn set_clock(&self, t: chrono::DateTime<chrono::Utc>) {
        self.state.clock_offset_ms.store(t.timestamp_millis() - real_ms(), Ordering::SeqCst);
    }

    /// The fake's clock, in Unix milliseconds.
    pub fn now_ms(&self) -> i64 {
        self.state.now_ms()
    }

    /// How long a create with a known nonce and `enforce_nonce` returns the earlier message.
    pub fn set_nonce_window(&self, window: Duration) {
        self.state.nonce_window_ms.store(window.as_millis().max(1) as u64, Ordering::SeqCst);
    }

    /// Answers more than `per_second` requests in one second with a global 429 (0: off).
    pub fn enforce_global_limit(&self, per_second: usize) {
        self.state.global_limit.store(per_second, Ordering::SeqCst);
    }

    /// How many global 429s the enforced limit gave.
    pub fn global_429s(&self) -> usize {
        self.state.global_429s.load(Ordering::SeqCst)
    }

    /// Makes `channel` busy: `n` messages of a member, evenly spread over the `span` before now.
    pub fn add_member_messages(&self, channel: u64, n: usize, span: Duration) {
        let now = self.state.now_ms();
        let mut messages = self.state.messages.lock().unwrap();
        for i in 0..n {
            let at_ms = now - (span.as_millis() as i64) * (n - i) as i64 / n.max(1) as i64;
            let id = self.state.snowflake(at_ms);
            messages.push(Created {
                channel: channel.to_string(),
                nonce: None,
                id,
                content: format!("member message {i}"),
                author: USER_ID,
                kind: 0,
                embeds: json!([]),
                created: false,
                at_ms,
            });
        }
    }

    /// A member's public `/highlight` answer, as Discord shows it in `channel`: a type-20
    /// message of the bot with `interaction_metadata`.
    pub fn add_interaction_answer(&self, channel: u64, content: &Value, embeds: &Value) {
        let at_ms = self.state.now_ms();
        let id = self.state.snowflake(at_ms);
        self.state.messages.lock().unwrap().push(Created {
            channel: channel.to_string(),
            nonce: None,
            id,
            content: content.as_str().unwrap_or("").to_string(),
            author: BOT_ID,
            kind: 20,
            embeds: embeds.clone(),
            created: false,
            at_ms,
        });
    }

    /// Waits until no REST request is being served (a held one made, an unanswered one's
    /// connection closed): what Discord will make of the requests sent so far is then known.
    pub async fn wait_idle(&self, timeout: Duration) {
        self.wait_for("no request in flight", timeout, |f| {
            (f.state.in_flight.load(Ordering::SeqCst) == 0).then_some(())
        })
        .await
    }

    /// How many requests came while a scripted 429 still held their route (or, global, every
    /// route but interactions'): a client that obeys `retry_after` sends none.
    pub fn requests_inside_retry_after(&self) -> usize {
        self.state.early.load(Ordering::SeqCst)
    }

    /// When each scripted fault was served, with its description, in order.
    pub fn acted(&self) -> Vec<(Instant, String)> {
        self.state.acted.lock().unwrap().clone()
    }

    /// The most requests matching `matching` ("METHOD path" contains it) in any one second.
    pub fn max_per_second(&self, matching: &str) -> usize {
        let times: Vec<Instant> = self
            .requests()
            .iter()
            .filter(|r| format!("{} {}", r.method, r.path).contains(matching))
            .map(|r| r.at)
            .collect();
        let mut best = 0;
        let mut j = 0;
        for i in 0..times.len() {
            while times[i].duration_since(times[j]) >= Duration::from_secs(1) {
                j += 1;
            }
            best = best.max(i + 1 - j);
        }
        best
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
        if event == "INTERACTION_CREATE" {
            let channel = data["channel_id"].as_str().or(data["channel"]["id"].as_str());
            if let (Some(id), Some(channel)) = (data["id"].as_str(), channel) {
                self.state.interaction_channels.lock().unwrap().insert(id.to_string(), channel.to_string());
            }
        }
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

/// "METHOD path" without the query: a rate-limit route.
fn route_of(method: &str, path: &str) -> String {
    format!("{method} {}", path.split('?').next().unwrap_or(path))
}

fn real_ms() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_millis() as i64
}

impl State {
    fn now_ms(&self) -> i64 {
        real_ms() + self.clock_offset_ms.load(Ordering::SeqCst)
    }

    /// A fresh snowflake of the instant `at_ms`.
    fn snowflake(&self, at_ms: i64) -> u64 {
        let low = self.increment.fetch_add(1, Ordering::SeqCst) & 0x3f_ffff;
        (((at_ms - DISCORD_EPOCH_MS).max(0) as u64) << 22) | low
    }

    fn nonce_window_ms(&self) -> i64 {
        match self.nonce_window_ms.load(Ordering::SeqCst) {
            0 => 5 * 60 * 1000,
            ms => ms as i64,
        }
    }

    /// The scripted fault this request meets, if any.
    fn scripted(&self, method: &str, path: &str) -> Option<Act> {
        let line = format!("{method} {path}");
        let mut rules = self.rules.lock().unwrap();
        let i = rules.iter().position(|r| r.times > 0 && line.contains(&r.matching))?;
        let rule = &mut rules[i];
        rule.seen += 1;
        if !rule.seen.is_multiple_of(rule.every) {
            return None;
        }
        rule.times = rule.times.saturating_sub(1);
        let act = rule.act.clone();
        self.acted.lock().unwrap().push((Instant::now(), format!("{act:?} on {line}")));
        if rule.times == 0 {
            rules.remove(i);
        }
        Some(act)
    }

    /// Counts a request that came while a scripted 429 held its route.
    fn check_embargo(&self, method: &str, path: &str) {
        let (now, route) = (Instant::now(), route_of(method, path));
        let early = self.embargoes.lock().unwrap().iter().any(|(held, from, until)| {
            let applies = match held {
                Some(r) => *r == route,
                None => !path.contains("/interactions/"),
            };
            applies && now > *from + Duration::from_millis(50) && now < *until
        });
        if early {
            self.early.fetch_add(1, Ordering::SeqCst);
        }
    }

    /// Discord's global limit, when enforced: the seconds until a request may go, if it may not.
    fn over_global_limit(&self, path: &str) -> Option<f64> {
        let limit = self.global_limit.load(Ordering::SeqCst);
        if limit == 0 || path.contains("/interactions/") {
            return None;
        }
        let now = Instant::now();
        let mut recent = self.recent.lock().unwrap();
        while recent.front().is_some_and(|t| now.duration_since(*t) >= Duration::from_secs(1)) {
            recent.pop_front();
        }
        if recent.len() >= limit {
            self.global_429s.fetch_add(1, Ordering::SeqCst);
            let oldest = *recent.front().unwrap();
            return Some((Duration::from_secs(1) - now.duration_since(oldest)).as_secs_f64().max(0.001));
        }
        recent.push_back(now);
        None
    }
}

fn response_text(status: u16, content_type: &str, text: &str, extra: &[(String, String)]) -> String {
    let reason = match status {
        200 => "OK",
        204 => "No Content",
        403 => "Forbidden",
        404 => "Not Found",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        502 => "Bad Gateway",
        503 => "Service Unavailable",
        _ => "Error",
    };
    let mut response = format!(
        "HTTP/1.1 {status} {reason}\r\ncontent-type: {content_type}\r\ncontent-length: {}\r\n",
        text.len()
    );
    for (k, v) in extra {
        response.push_str(&format!("{k}: {v}\r\n"));
    }
    response.push_str("\r\n");
    response.push_str(text);
    response
}

fn rate_limited(retry_after: f64, global: bool) -> String {
    let body =
        json!({ "message": "You are being rate limited.", "retry_after": retry_after, "global": global });
    let mut headers = vec![
        ("retry-after".to_string(), (retry_after.ceil() as u64).max(1).to_string()),
        ("x-ratelimit-scope".to_string(), if global { "global" } else { "user" }.to_string()),
    ];
    if global {
        headers.push(("x-ratelimit-global".to_string(), "true".to_string()));
    }
    response_text(429, "application/json", &body.to_string(), &headers)
}

async fn serve_http(mut stream: TcpStream, state: Arc<State>) {
    let mut buf = Vec::new();
    while let Some((method, path, headers, body)) = read_request(&mut stream, &mut buf).await {
        let _in_flight = InFlight::enter(&state);
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
        state.check_embargo(&method, &path);
        let act = state.scripted(&method, &path);
        let response = match act {
            Some(Act::Reset) => return,
            Some(Act::Status(status, kind)) => {
                let (content_type, text) = match kind {
                    Body::Json => ("application/json", json!({ "message": "injected failure", "code": 0 }).to_string()),
                    Body::Html => (
                        "text/html",
                        format!("<html><head><title>{status} Bad Gateway</title></head><body><center><h1>{status} Bad Gateway</h1></center><hr><center>cloudflare</center></body></html>"),
                    ),
                    Body::Text => ("text/plain", "upstream connect error or disconnect/reset before headers".to_string()),
                };
                response_text(status, content_type, &text, &[])
            }
            Some(Act::RateLimit { retry_after, global }) => {
                let route = (!global).then(|| route_of(&method, &path));
                let (now, until) = (Instant::now(), Instant::now() + Duration::from_secs_f64(retry_after));
                state.embargoes.lock().unwrap().push((route, now, until));
                rate_limited(retry_after, global)
            }
            act => {
                if let Some(Act::Stall(d)) = act {
                    tokio::time::sleep(d).await;
                }
                if let Some(retry_after) = state.over_global_limit(&path) {
                    rate_limited(retry_after, true)
                } else {
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
                    let extra = if status == 429 {
                        vec![
                            ("retry-after".to_string(), "1".to_string()),
                            ("x-ratelimit-scope".to_string(), "user".to_string()),
                        ]
                    } else {
                        vec![]
                    };
                    let response = response_text(status, "application/json", &text, &extra);
                    match act {
                        Some(Act::CutBody) => {
                            let cut = response.len() - text.len() / 2;
                            let _ = stream.write_all(&response.as_bytes()[..cut]).await;
                            return;
                        }
                        Some(Act::Unanswered) => {
                            // Made, never answered: silent until the client gives up.
                            let mut sink = [0u8; 1024];
                            while matches!(stream.read(&mut sink).await, Ok(n) if n > 0) {}
                            return;
                        }
                        Some(Act::SlowAnswer(d)) => {
                            tokio::time::sleep(d).await;
                            response
                        }
                        _ => response,
                    }
                }
            }
        };
        if stream.write_all(response.as_bytes()).await.is_err() {
            return;
        }
    }
}

fn route(method: &str, path: &str, body: &Value, ws: SocketAddr, state: &State) -> (u16, Value) {
    let full_path = path;
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
        ("POST", ["interactions", id, _, "callback"]) => {
            // A public answer (type 4 without the ephemeral flag) is a type-20 message.
            let public = body["type"] == 4 && body["data"]["flags"].as_u64().unwrap_or(0) & 64 == 0;
            let channel = state.interaction_channels.lock().unwrap().get(*id).cloned();
            if let (true, Some(channel)) = (public, channel) {
                let at_ms = state.now_ms();
                let id = state.snowflake(at_ms);
                state.messages.lock().unwrap().push(Created {
                    channel,
                    nonce: None,
                    id,
                    content: body["data"]["content"].as_str().unwrap_or("").to_string(),
                    author: BOT_ID,
                    kind: 20,
                    embeds: body["data"]["embeds"].clone(),
                    created: false,
                    at_ms,
                });
            }
            (204, Value::Null)
        }
        ("POST", ["channels", channel, "messages"]) => {
            let nonce = body["nonce"].as_str().map(str::to_string);
            let now = state.now_ms();
            let window = state.nonce_window_ms();
            let mut messages = state.messages.lock().unwrap();
            // Discord remembers a nonce for a few minutes only.
            let existing = messages
                .iter()
                .find(|m| {
                    m.channel == *channel
                        && nonce.is_some()
                        && m.nonce == nonce
                        && body["enforce_nonce"] == true
                        && now - m.at_ms <= window
                })
                .map(|m| m.id);
            let id = existing.unwrap_or_else(|| {
                let id = state.snowflake(now);
                let content = body["content"].as_str().unwrap_or("").to_string();
                let kind = if body["message_reference"].is_object() { 19 } else { 0 };
                messages.push(Created {
                    channel: channel.to_string(),
                    nonce: nonce.clone(),
                    id,
                    content,
                    author: BOT_ID,
                    kind,
                    embeds: body["embeds"].clone(),
                    created: true,
                    at_ms: now,
                });
                id
            });
            let mut m = message_json(channel, body);
            m["id"] = json!(id.to_string());
            m["nonce"] = body["nonce"].clone();
            (200, m)
        }
        ("GET", ["channels", channel]) => (200, channel_json(channel, state)),
        ("GET", ["channels", channel, "messages"]) => {
            // As Discord pages: `before` X gives the `limit` messages right before X, `after` X
            // the `limit` right after it, neither the newest; each page is listed newest first.
            let query = |k: &str| {
                full_path.split_once('?').and_then(|(_, q)| {
                    q.split('&')
                        .find_map(|p| p.strip_prefix(&format!("{k}=")).and_then(|v| v.parse::<u64>().ok()))
                })
            };
            let limit = query("limit").unwrap_or(50).clamp(1, 100) as usize;
            let messages = state.messages.lock().unwrap();
            let mut list: Vec<&Created> = messages.iter().filter(|m| m.channel == *channel).collect();
            list.sort_by_key(|m| m.id);
            let page: Vec<&Created> = match (query("before"), query("after")) {
                (Some(before), _) => {
                    let older: Vec<&Created> = list.into_iter().filter(|m| m.id < before).collect();
                    older[older.len().saturating_sub(limit)..].to_vec()
                }
                (None, Some(after)) => list.into_iter().filter(|m| m.id > after).take(limit).collect(),
                (None, None) => list[list.len().saturating_sub(limit)..].to_vec(),
            };
            (200, Value::Array(page.into_iter().rev().map(stored_json).collect()))
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

/// A stored message as `GET /channels/{id}/messages` lists it: no nonce (Discord does not keep
/// it), the author, the type, and what marks an interaction answer or a reply.
fn stored_json(m: &Created) -> Value {
    let author = if m.author == BOT_ID {
        bot_user()
    } else {
        json!({ "id": m.author.to_string(), "username": "member", "discriminator": "0", "global_name": null, "avatar": null })
    };
    let at = chrono::DateTime::from_timestamp_millis(m.at_ms).unwrap_or_default();
    let mut v = json!({
        "id": m.id.to_string(),
        "channel_id": m.channel,
        "author": author,
        "content": m.content,
        "timestamp": at.format("%Y-%m-%dT%H:%M:%S%.6f+00:00").to_string(),
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": if m.embeds.is_array() { m.embeds.clone() } else { json!([]) },
        "components": [],
        "pinned": false,
        "type": m.kind,
    });
    match m.kind {
        20 => {
            v["interaction_metadata"] = json!({ "id": "1", "type": 2, "name": "highlight",
                "user": { "id": USER_ID.to_string(), "username": "member", "discriminator": "0" },
                "authorizing_integration_owners": { "0": GUILD_ID.to_string() } });
            v["application_id"] = json!(APP_ID.to_string());
        }
        19 => v["message_reference"] = json!({ "type": 0, "message_id": "1", "channel_id": m.channel }),
        _ => {}
    }
    v
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
