//! The playground's HTTP side: what it serves, that its answers are the router's own, that it
//! refuses to listen beyond loopback unless told, and that hostile requests get a clear 4xx.

use crate::support::TempDir;
use marquee::playground::{self, Playground, ASSETS, BOT, MAX_BODY};
use marquee::router::incoming::{Interaction, Message};
use marquee::router::Router;
use marquee::search::{Engine, SharedEngine};
use marquee::store::sqlite::SqliteStore;
use marquee::store::Store;
use marquee_testkit::http_client::Client;
use serde_json::{json, Value};
use std::net::SocketAddr;
use std::sync::Arc;

struct Served {
    addr: SocketAddr,
    engine: Arc<SharedEngine>,
    store: Arc<dyn Store>,
    _dir: TempDir,
}

async fn start() -> Served {
    let dir = TempDir::new("playground-api");
    let store: Arc<dyn Store> = Arc::new(SqliteStore::open(&dir.0.join("db.sqlite")).unwrap());
    let engine = Arc::new(SharedEngine::new(Arc::new(Engine::new(crate::support::bundled()))));
    let page = Arc::new(Playground::new(engine.clone(), store.clone(), None));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(playground::serve(listener, page, std::future::pending()));
    Served { addr, engine, store, _dir: dir }
}

fn json_headers() -> Vec<(&'static str, String)> {
    vec![("content-type", "application/json".into())]
}

async fn post(client: &mut Client, path: &str, body: &Value) -> (u16, Value) {
    let (status, bytes) = client.post(path, &json_headers(), body.to_string().as_bytes()).await;
    (status, serde_json::from_slice(&bytes).unwrap_or(Value::Null))
}

#[tokio::test]
async fn answers_are_the_routers_own() {
    let served = start().await;
    let mut client = Client::connect(served.addr).await;
    // The one router, built as any door builds it; the playground only adds the channel.
    let router =
        Router::new(served.engine.clone(), served.store.clone(), Arc::new(playground::GrantEverything));
    let direct = |page: Value| {
        let interaction = Interaction::from_json(playground::in_channel(page, 1)).unwrap();
        let router = &router;
        async move { router.interaction(&interaction).await.body }
    };
    let search = json!({ "type": 2, "data": { "name": "search", "type": 1,
        "options": [{ "type": 3, "name": "query", "value": "nice dcv" }] }, "locale": "en-US" });
    let (status, answer) = post(&mut client, "/api/interaction", &search).await;
    assert_eq!(status, 200);
    assert_eq!(answer["body"], direct(search.clone()).await);
    assert!(answer["body"]["data"]["embeds"][0]["title"].as_str().unwrap().contains("NICE DCV"));
    assert_eq!(answer["edit"], Value::Null);

    let typed = json!({ "type": 4, "data": { "name": "search",
        "options": [{ "type": 3, "name": "query", "value": "the cr", "focused": true }] } });
    let (_, answer) = post(&mut client, "/api/interaction", &typed).await;
    assert_eq!(answer["body"], direct(typed).await);
    assert_eq!(answer["body"]["data"]["choices"][0]["name"], "Producing \"The Crown\" in The Cloud");

    // A menu pick carries its message's components, as Discord sends them.
    let (_, searched) = post(&mut client, "/api/interaction", &search).await;
    let components = searched["body"]["data"]["components"].clone();
    let pick = json!({ "type": 3, "data": { "custom_id": "marquee:pick", "component_type": 3,
        "values": ["hpc-nice-dcv-workforce"] }, "message": { "components": components } });
    let (_, answer) = post(&mut client, "/api/interaction", &pick).await;
    assert_eq!(answer["body"]["type"], 7, "the story is swapped in place");
    assert_eq!(answer["body"], direct(pick).await);

    let german = json!({ "type": 2, "data": { "name": "help" }, "locale": "de" });
    let (_, answer) = post(&mut client, "/api/interaction", &german).await;
    assert_eq!(answer["body"], direct(german).await);

    // `/highlights subscribe` is deferred: the edit that completes it comes with the answer.
    let subscribe = json!({ "type": 2, "data": { "name": "highlights", "options": [{ "type": 1, "name": "subscribe",
        "options": [{ "name": "channel", "value": playground::CHANNEL.to_string() }, { "name": "time", "value": "09:30" }] }] } });
    let (_, answer) = post(&mut client, "/api/interaction", &subscribe).await;
    assert_eq!(answer["body"]["type"], 5);
    assert!(answer["edit"]["content"].as_str().unwrap().contains("09:30"), "{answer}");
    assert_eq!(
        served.store.subscriptions(Some(playground::GUILD)).await.unwrap().len(),
        1,
        "in the real store"
    );

    // A mention: the router's channel-message body, or null when the bot is not asked.
    let content = format!("<@{BOT}> the crown");
    let (status, answer) = post(&mut client, "/api/message", &json!({ "content": content })).await;
    assert_eq!(status, 200);
    let message: Message = serde_json::from_value(playground::message_in_channel(&content, 9)).unwrap();
    let mut expected = router.mention(&message, BOT).unwrap();
    // The reply references the message it answers, whose id the playground made.
    expected["message_reference"] = answer["body"]["message_reference"].clone();
    assert_eq!(answer["body"], expected);
    let (_, answer) = post(&mut client, "/api/message", &json!({ "content": "just chatting" })).await;
    assert_eq!(answer["body"], Value::Null);
}

#[tokio::test]
async fn the_page_commands_and_calendar_are_served() {
    let served = start().await;
    let mut client = Client::connect(served.addr).await;
    for (path, content_type, text) in ASSETS {
        let (status, headers, body) = client.get_with_headers(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(headers.contains(&format!("content-type: {content_type}")), "{path}: {headers}");
        assert!(headers.contains("x-content-type-options: nosniff"), "{path}");
        assert_eq!(body, text.as_bytes(), "{path}");
        // Nothing fetched from elsewhere: no CDN, no web fonts.
        // (An SVG names its XML namespace with a URL; nothing is fetched from it.)
        let text = text.replace("xmlns=\"http://www.w3.org/2000/svg\"", "");
        assert!(!text.contains("http://") && !text.contains("https://"), "{path} links outside");
    }
    let (status, body) = client.get("/api/commands").await;
    assert_eq!(status, 200);
    let served_commands: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(served_commands, marquee::commands::definitions::commands());

    let (status, body) = client.get("/api/calendar").await;
    assert_eq!(status, 200);
    let calendar: Value = serde_json::from_slice(&body).unwrap();
    let days = calendar["days"].as_array().unwrap();
    assert_eq!(days.len(), usize::from(playground::CALENDAR_DAYS));
    // The same picks as `marquee highlights preview` over the same store.
    let engine = served.engine.get();
    let picks =
        marquee::highlights::coming(served.store.as_ref(), &engine, playground::GUILD, chrono::Utc::now(), 7)
            .await
            .unwrap();
    let ids: Vec<&str> = days.iter().map(|d| d["id"].as_str().unwrap()).collect();
    assert_eq!(ids, picks.iter().map(|(_, item)| item.id.as_str()).collect::<Vec<_>>());
}

#[tokio::test]
async fn hostile_requests_get_a_clear_4xx_and_break_nothing() {
    let served = start().await;
    let mut client = Client::connect(served.addr).await;
    // (path, headers, body, expected status, what the answer says)
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, Vec<u8>, u16, &'a str);
    let cases: Vec<Case> = vec![
        ("/api/interaction", json_headers(), b"{not json".to_vec(), 400, "not JSON"),
        ("/api/interaction", json_headers(), b"[1, 2]".to_vec(), 400, "JSON object"),
        ("/api/interaction", json_headers(), b"{\"data\": {}}".to_vec(), 400, "`type`"),
        ("/api/interaction", json_headers(), b"{\"type\": \"2\"}".to_vec(), 400, "`type`"),
        ("/api/message", json_headers(), b"{\"content\": 5}".to_vec(), 400, "`content`"),
        (
            "/api/interaction",
            vec![("content-type", "text/plain".into())],
            b"{\"type\": 2}".to_vec(),
            415,
            "application/json",
        ),
        ("/api/interaction", vec![], b"{\"type\": 2}".to_vec(), 415, "application/json"),
        ("/nothing-here", json_headers(), b"{}".to_vec(), 404, "nothing at"),
        // Last: the server may close a connection whose body it did not read.
        ("/api/interaction", json_headers(), vec![b' '; MAX_BODY + 1], 413, "larger than"),
    ];
    for (path, headers, body, status, says) in cases {
        let (got, answer) = client.post(path, &headers, &body).await;
        let answer = String::from_utf8_lossy(&answer);
        assert_eq!(got, status, "{path} {answer}");
        assert!(answer.contains(says), "{path}: {answer}");
    }
    let mut client = Client::connect(served.addr).await;
    // Odd but well-formed interactions are the router's business: it answers them.
    for odd in [
        json!({ "type": 2, "data": "a string" }),
        json!({ "type": 2, "data": { "name": "no-such-command" } }),
        json!({ "type": 3, "data": { "custom_id": "marquee:pick", "values": ["no-such-id"] } }),
        json!({ "type": 4, "data": { "name": "search", "options": [{ "name": "query", "value": "x".repeat(20_000), "focused": true }] } }),
        json!({ "type": 99 }),
    ] {
        let (status, answer) = post(&mut client, "/api/interaction", &odd).await;
        assert_eq!(status, 200, "{odd}: {answer}");
        assert!(answer["body"]["type"].is_u64(), "{odd}: {answer}");
    }
    let (status, _) = client.get("/api/interaction").await;
    assert_eq!(status, 405);
    let (status, _) = client.get("/../../etc/passwd").await;
    assert_eq!(status, 404);
    // A body declared far larger than allowed is refused from its headers.
    let mut raw = tokio::net::TcpStream::connect(served.addr).await.unwrap();
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    raw.write_all(b"POST /api/interaction HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: 1000000000\r\n\r\n{")
        .await
        .unwrap();
    let mut head = [0u8; 64];
    let n = raw.read(&mut head).await.unwrap();
    assert!(head[..n].starts_with(b"HTTP/1.1 413"), "{}", String::from_utf8_lossy(&head[..n]));
    // A request for another host name (a page that rebound its domain to 127.0.0.1) is refused.
    let mut raw = tokio::net::TcpStream::connect(served.addr).await.unwrap();
    raw.write_all(b"GET /api/session HTTP/1.1\r\nhost: rebound.example:8080\r\n\r\n").await.unwrap();
    let n = raw.read(&mut head).await.unwrap();
    assert!(head[..n].starts_with(b"HTTP/1.1 403"), "{}", String::from_utf8_lossy(&head[..n]));
    // Still serving.
    let mut client = Client::connect(served.addr).await;
    let (status, _) = client.get("/api/status").await;
    assert_eq!(status, 200);
}

#[test]
fn a_non_loopback_address_is_refused_unless_asked() {
    let (code, _, stderr) = crate::support::marquee(&["playground", "--listen", "0.0.0.0:0"], None);
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("not a loopback address") && stderr.contains("--unsafe-listen-anywhere"),
        "{stderr}"
    );
    let (code, _, stderr) = crate::support::marquee(&["playground", "--watch"], None);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("--watch needs --content"), "{stderr}");
}

/// The timezone box of `/highlights subscribe`: empty, it offers the zones most servers want
/// (the server's likely one among the first); typed, real zones before legacy aliases.
#[tokio::test]
async fn timezone_choices_lead_with_common_zones_never_legacy_aliases() {
    let served = start().await;
    let mut client = Client::connect(served.addr).await;
    let typed = |text: &str, guild_locale: &str| {
        json!({ "type": 4, "guild_locale": guild_locale, "data": { "name": "highlights", "options": [{
            "type": 1, "name": "subscribe", "options": [
                { "type": 7, "name": "channel", "value": playground::CHANNEL.to_string() },
                { "type": 3, "name": "timezone", "value": text, "focused": true }] }] } })
    };
    let names = |answer: &Value| -> Vec<String> {
        answer["body"]["data"]["choices"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["name"].as_str().unwrap().to_string())
            .collect()
    };
    let (_, answer) = post(&mut client, "/api/interaction", &typed("", "ja")).await;
    let empty = names(&answer);
    assert_eq!(empty[..3], ["UTC", "Asia/Tokyo", "Europe/London"], "{empty:?}");
    for common in ["America/New_York", "Europe/Berlin"] {
        assert!(empty.contains(&common.to_string()), "{empty:?}");
    }
    let (_, answer) = post(&mut client, "/api/interaction", &typed("e", "en-US")).await;
    let e = names(&answer);
    assert!(e[0].contains('/'), "a legacy alias leads: {e:?}");
    for alias in ["EET", "EST", "GB-Eire", "Eire", "Europe"] {
        let at = e.iter().position(|n| n == alias);
        assert!(at.is_none_or(|at| e[..at].iter().all(|n| n.contains('/') || n == "UTC")), "{e:?}");
    }
}

#[tokio::test]
async fn the_favicon_is_served() {
    let served = start().await;
    let mut client = Client::connect(served.addr).await;
    for path in ["/favicon.ico", "/favicon.svg"] {
        let (status, headers, body) = client.get_with_headers(path).await;
        assert_eq!(status, 200, "{path}");
        assert!(headers.contains("content-type: image/svg+xml"), "{path}: {headers}");
        assert!(String::from_utf8_lossy(&body).contains("<svg"), "{path}");
    }
}

/// The calendar says whether any channel gets the highlights: the side bar lists coming
/// highlights only when one does.
#[tokio::test]
async fn the_calendar_says_whether_a_channel_is_subscribed() {
    let served = start().await;
    let mut client = Client::connect(served.addr).await;
    let (_, body) = client.get("/api/calendar").await;
    let calendar: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(calendar["subscribed"], false, "{calendar}");
    let subscribe = json!({ "type": 2, "data": { "name": "highlights", "options": [{ "type": 1, "name": "subscribe",
        "options": [{ "name": "channel", "value": playground::CHANNEL.to_string() }, { "name": "time", "value": "09:30" }] }] } });
    post(&mut client, "/api/interaction", &subscribe).await;
    let (_, body) = client.get("/api/calendar").await;
    let calendar: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(calendar["subscribed"], true, "{calendar}");
}
