//! The HTTP interactions endpoint: signatures, limits, and the same answers as the gateway.

mod support;

use marquee::commands::{respond, Command, Request};
use marquee::endpoint::{verifier, Endpoint};
use marquee::reply::callback_body;
use marquee::search::Engine;
use serde_json::{json, Value};
use std::sync::Arc;
use support::http_client::{key, signed, Client, PUBLIC, SECRET};
use support::payloads;

async fn start() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let endpoint = Arc::new(Endpoint {
        verifier: verifier(PUBLIC).unwrap(),
        engine: Arc::new(marquee::search::SharedEngine::new(Arc::new(Engine::new(support::bundled())))),
        store: None,
    });
    tokio::spawn(marquee::endpoint::serve(listener, endpoint, std::future::pending()));
    addr
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

#[tokio::test]
async fn ping_and_commands_are_answered_like_the_gateway() {
    let addr = start().await;
    let mut client = Client::connect(addr).await;
    let k = key(SECRET);

    let ping = br#"{"type":1,"id":"1","application_id":"2","token":"t","version":1}"#;
    let (status, body) = client.post("/interactions", &signed(&k, now(), ping), ping).await;
    assert_eq!(status, 200);
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), json!({ "type": 1 }));

    let engine = Engine::new(support::bundled());
    let command =
        serde_json::to_vec(&payloads::command(5, "search", &[("query", json!("the crown"))])).unwrap();
    let (status, body) = client.post("/interactions", &signed(&k, now(), &command), &command).await;
    assert_eq!(status, 200);
    let expected = callback_body(&respond(
        &engine,
        &Request::Find { command: Command::Search, query: "the crown".into(), kind: None, year: None },
    ));
    assert_eq!(serde_json::from_slice::<Value>(&body).unwrap(), expected, "one reply path, two transports");

    let auto = serde_json::to_vec(&payloads::autocomplete(6, "video", "gregg")).unwrap();
    let (status, body) = client.post("/interactions", &signed(&k, now(), &auto), &auto).await;
    assert_eq!(status, 200);
    let v: Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(v["type"], 8);
    assert_eq!(v["data"]["choices"][0]["value"], "reinvent-2017-ec2-tuning");
}

#[tokio::test]
async fn bad_signatures_old_timestamps_and_huge_bodies_are_refused() {
    let addr = start().await;
    let k = key(SECRET);
    let body = serde_json::to_vec(&payloads::command(7, "about", &[])).unwrap();

    // One flipped byte in the body.
    let mut flipped = body.clone();
    flipped[10] ^= 1;
    let mut c = Client::connect(addr).await;
    assert_eq!(c.post("/", &signed(&k, now(), &body), &flipped).await.0, 401);
    // An old timestamp, correctly signed.
    assert_eq!(c.post("/", &signed(&k, now() - 301, &body), &body).await.0, 401);
    // Signed by another key.
    let other = key("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb");
    assert_eq!(c.post("/", &signed(&other, now(), &body), &body).await.0, 401);
    // No signature headers; garbage headers.
    assert_eq!(c.post("/", &[], &body).await.0, 401);
    let junk = vec![("x-signature-ed25519", "zz".to_string()), ("x-signature-timestamp", "soon".to_string())];
    assert_eq!(c.post("/", &junk, &body).await.0, 401);
    // Correct again on the same connection: refusals do not break it.
    assert_eq!(c.post("/", &signed(&k, now(), &body), &body).await.0, 200);

    // Over 1 MiB: refused before verification.
    let huge = vec![b' '; (1 << 20) + 1];
    let mut c = Client::connect(addr).await;
    assert_eq!(c.post("/", &signed(&k, now(), &huge), &huge).await.0, 413);
}

#[test]
fn serve_needs_a_valid_public_key() {
    for (key, expect) in
        [(None, "DISCORD_PUBLIC_KEY is not set"), (Some("abc"), "not a valid Ed25519 public key")]
    {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"));
        cmd.args(["serve", "--listen", "127.0.0.1:0"]).env_clear().current_dir(std::env::temp_dir());
        if let Some(k) = key {
            cmd.env("DISCORD_PUBLIC_KEY", k);
        }
        let out = cmd.output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(err.contains(expect) && err.lines().count() == 1, "{err}");
    }
}
