//! The HTTP interactions endpoint: signatures, limits, and the same answers as the gateway.

use marquee::commands::{respond, CatalogRequest, Command};
use marquee::endpoint::{verifier, Endpoint};
use marquee::reply::callback_body;
use marquee::search::Engine;
use marquee_testkit::http_client::{key, signed, Client, PUBLIC, SECRET};
use marquee_testkit::payloads;
use serde_json::{json, Value};
use std::sync::Arc;

async fn start() -> std::net::SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let (router, rest, _db) = crate::support::router(None, "endpoint").await;
    let endpoint = Arc::new(Endpoint::new(verifier(PUBLIC).unwrap(), router, rest));
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

    let engine = Engine::new(crate::support::bundled());
    let command =
        serde_json::to_vec(&payloads::command(5, "search", &[("query", json!("the crown"))])).unwrap();
    let (status, body) = client.post("/interactions", &signed(&k, now(), &command), &command).await;
    assert_eq!(status, 200);
    let expected = callback_body(&respond(
        &engine,
        &CatalogRequest::Find { command: Command::Search, query: "the crown".into(), kind: None, year: None },
        marquee::locale::Lang::En,
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
    // 64 hex digits, but y = 2 is on no point of the curve: only building the verifier finds out.
    let off_curve = format!("02{}", "00".repeat(31));
    for (key, expect) in [
        (None, "DISCORD_PUBLIC_KEY is not set"),
        (Some("abc"), "not a valid Ed25519 public key"),
        (Some(off_curve.as_str()), "not a valid Ed25519 public key"),
    ] {
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

#[test]
fn the_verifier_takes_64_hex_digits_on_the_curve_only() {
    assert!(verifier(PUBLIC).is_some());
    assert!(verifier(&format!(" {PUBLIC}\n")).is_some(), "surrounding blanks are trimmed");
    let off_curve = format!("02{}", "00".repeat(31));
    for bad in ["", "abc", &PUBLIC[..62], &format!("{PUBLIC}00"), &"g".repeat(64), &off_curve] {
        assert!(verifier(bad).is_none(), "{bad:?}");
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn metrics_count_commands_and_show_what_found_nothing() {
    let (port, metrics_port) = (free_port(), free_port());
    let dir = crate::support::TempDir::new("metrics");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--metrics",
            &format!("127.0.0.1:{metrics_port}"),
        ])
        .current_dir(&dir.0)
        .env_clear()
        .env("DISCORD_PUBLIC_KEY", PUBLIC)
        .env("DISCORD_TOKEN", marquee_testkit::fake_discord::TOKEN)
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
    let metrics_addr: std::net::SocketAddr = format!("127.0.0.1:{metrics_port}").parse().unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while tokio::net::TcpStream::connect(metrics_addr).await.is_err()
        || tokio::net::TcpStream::connect(addr).await.is_err()
    {
        assert!(std::time::Instant::now() < deadline, "the server did not start");
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    let k = key(SECRET);
    let mut client = Client::connect(addr).await;
    for (i, q) in ["the crown", "chocolate cake", "Chocolate  CAKE", "zzzzzz"].iter().enumerate() {
        let body =
            serde_json::to_vec(&payloads::command(i as u64 + 1, "search", &[("query", json!(q))])).unwrap();
        assert_eq!(client.post("/", &signed(&k, now(), &body), &body).await.0, 200);
    }
    let auto = serde_json::to_vec(&payloads::autocomplete(9, "search", "cro")).unwrap();
    assert_eq!(client.post("/", &signed(&k, now(), &auto), &auto).await.0, 200);

    let mut m = Client::connect(metrics_addr).await;
    // Ready: the endpoint has no gateway shards, and its database answers.
    let (status, health) = m.get("/healthz").await;
    assert_eq!((status, serde_json::from_slice::<Value>(&health).unwrap()), (200, json!({ "status": "ok" })));
    assert_eq!(m.get("/livez").await, (200, b"ok\n".to_vec()));
    let (status, text) = m.get("/metrics").await;
    let text = String::from_utf8(text).unwrap();
    let _ = std::process::Command::new("kill").args(["-s", "TERM", &child.id().to_string()]).status();
    let _ = child.wait();
    assert_eq!(status, 200);
    for line in [
        "marquee_commands_total{command=\"search\"} 4",
        "marquee_commands_total{command=\"autocomplete\"} 1",
        "marquee_autocomplete_requests_total 1",
        "marquee_no_result_queries_total 3",
        "marquee_no_result_query_top{query=\"chocolate cake\"} 2",
        "marquee_no_result_query_top{query=\"zzzzzz\"} 1",
        "marquee_search_seconds_count 5",
    ] {
        assert!(text.lines().any(|l| l == line), "missing {line:?} in:\n{text}");
    }
}
