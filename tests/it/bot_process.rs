//! The `marquee` binary as an operator runs it: configuration errors, and signals.

use crate::support::{payloads, TempDir};
use marquee_testkit::fake_discord::{FakeDiscord, Fault, TOKEN};
use serde_json::json;
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn bot(fake: &FakeDiscord, token: Option<&str>, cwd: &TempDir) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_marquee"));
    cmd.current_dir(&cwd.0)
        .env_clear()
        .env("MARQUEE_DISCORD_API", fake.api_base())
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(t) = token {
        cmd.env("DISCORD_TOKEN", t);
    }
    cmd
}

/// Every configuration mistake: one line naming what is wrong and how to fix it, exit code 2,
/// no secret printed, nothing sent to Discord.
#[tokio::test]
async fn configuration_errors_are_one_clear_line_and_no_connection() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("bad-config");
    let no_token =
        "marquee: DISCORD_TOKEN is not set: create an application at https://discord.com/developers/applications";
    // (DISCORD_TOKEN, DATABASE_URL, arguments, the start of the line printed)
    type Case<'a> = (Option<&'a str>, Option<&'a str>, &'a [&'a str], &'a str);
    let cases: [Case; 10] = [
        (None, None, &["run"], no_token),
        (None, None, &[], no_token),
        (
            Some("hunter2-not-a-token"),
            None,
            &["run"],
            "marquee: DISCORD_TOKEN does not look like a bot token",
        ),
        (Some("hunter2-not-a-token"), None, &[], "marquee: DISCORD_TOKEN does not look like a bot token"),
        (Some(TOKEN), None, &["run", "--shards", "0-3"], "marquee: --shards needs --total-shards"),
        (Some(TOKEN), None, &["run", "--watch"], "marquee: --watch needs --content DIR"),
        (
            Some(TOKEN),
            None,
            &["run", "--shards", "2-5", "--total-shards", "4"],
            "marquee: --shards 2-5: shard ids run from 0 to 3",
        ),
        (
            Some(TOKEN),
            None,
            &["run", "--shards", "x", "--total-shards", "4"],
            "marquee: --shards takes FIRST-LAST",
        ),
        (
            Some(TOKEN),
            Some("mysql://bot:hunter2@db/marquee"),
            &["run"],
            "marquee: DATABASE_URL: mysql:// databases are not supported",
        ),
        (
            Some(TOKEN),
            Some("postgres://bot:hunter2@db:port/marquee"),
            &["run"],
            "marquee: DATABASE_URL: postgres://bot:***@db:port/marquee is not a usable PostgreSQL URL",
        ),
    ];
    for (token, database, args, expect) in cases {
        let mut cmd = bot(&fake, token, &dir);
        if let Some(url) = database {
            cmd.env("DATABASE_URL", url);
        }
        let out = cmd.args(args).output().unwrap();
        let err = String::from_utf8(out.stderr).unwrap();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.lines().count(), 1, "one line: {err}");
        assert!(err.starts_with(expect), "{args:?}: {err}");
        assert!(!err.contains("hunter2"), "a token or password is never printed: {err}");
    }
    assert_eq!(fake.requests().len(), 0, "no request was made");
    assert_eq!(fake.connections(), 0, "no gateway connection was made");
}

/// An unreachable PostgreSQL server stops the bot at start with the (redacted) URL, before it
/// connects to Discord: a bot that cannot record its posts must not post.
#[tokio::test]
async fn an_unreachable_database_stops_the_bot_before_it_connects() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("no-db");
    let out = bot(&fake, Some(TOKEN), &dir)
        .env("DATABASE_URL", "postgres://bot:hunter2@127.0.0.1:1/marquee")
        .arg("run")
        .output()
        .unwrap();
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(err.contains("marquee: database postgres://bot:***@127.0.0.1:1/marquee:"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert_eq!(fake.connections(), 0, "no gateway connection was made");
}

/// Sends `signal` (by name, as `kill` takes it) to `pid`.
fn signal(pid: u32, signal: &str) {
    let status = Command::new("kill").args(["-s", signal, &pid.to_string()]).status().unwrap();
    assert!(status.success());
}

/// Sends SIGTERM to the bot and returns what it logged, once it has exited (within 15 s).
async fn stop_and_read_log(mut child: std::process::Child) -> String {
    signal(child.id(), "TERM");
    let err = tokio::task::spawn_blocking(move || {
        child.wait().unwrap();
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        err
    });
    tokio::time::timeout(Duration::from_secs(15), err).await.expect("exits in time").unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_closes_the_shards_and_lets_a_reply_in_flight_finish() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("sigterm");
    let mut child = bot(&fake, Some(TOKEN), &dir).spawn().unwrap();
    fake.wait_ready().await;

    let delay = Duration::from_millis(1500);
    fake.fault(Fault { path_part: "/interactions/9001/".into(), status: 0, delay });
    let before = fake.requests().len();
    fake.dispatch("INTERACTION_CREATE", payloads::command(9001, "search", &[("query", json!("the crown"))]));
    let request = fake.wait_request("/interactions/9001/", before).await;
    signal(child.id(), "TERM");

    let status = tokio::task::spawn_blocking(move || {
        let status = child.wait().unwrap();
        let mut err = String::new();
        child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
        (status, err)
    });
    let (status, err) =
        tokio::time::timeout(Duration::from_secs(15), status).await.expect("exits in time").unwrap();
    let took = request.at.elapsed();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(took >= delay, "exited before the in-flight reply finished: {took:?}");
    assert!(took < delay + marquee::inflight::REPLY_DRAIN, "{took:?}");
    assert!(err.contains("SIGTERM received"), "{err}");
    assert!(err.contains("answered interaction") && err.contains("ok=true"), "{err}");
    assert!(!err.contains(TOKEN), "the token is never logged");
    assert!(!err.contains("oauth2/authorize"), "a bot already in a server logs no invite: {err}");
    fake.wait_for("the gateway to close", Duration::from_secs(5), |f| (!f.gateway_open()).then_some(()))
        .await;
}

/// A bot in no server yet logs the URL that adds it, once, not again on a new session.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_bot_in_no_server_logs_its_invite_url_once() {
    let fake = FakeDiscord::start().await;
    fake.in_no_server(true);
    let dir = TempDir::new("invite-log");
    let child = bot(&fake, Some(TOKEN), &dir).spawn().unwrap();
    fake.wait_ready().await;
    // A new session: READY again, still without a server.
    let identified = fake.identifies();
    fake.invalidate_session();
    fake.wait_for("a second IDENTIFY", Duration::from_secs(15), |f| {
        (f.identifies() > identified).then_some(())
    })
    .await;
    // An interaction answered on the new session: its READY has been handled before it.
    let before = fake.requests().len();
    fake.dispatch("INTERACTION_CREATE", payloads::command(9002, "about", &[]));
    fake.wait_request("/interactions/9002/", before).await;
    let err = stop_and_read_log(child).await;
    let url = marquee::discord::invite_url(marquee_testkit::fake_discord::APP_ID);
    assert_eq!(err.matches(&url).count(), 1, "{err}");
    assert!(err.contains("the bot is in no server yet"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigint_stops_cleanly() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("sigint");
    let mut child = bot(&fake, Some(TOKEN), &dir).spawn().unwrap();
    fake.wait_ready().await;
    let started = Instant::now();
    signal(child.id(), "INT");
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap());
    let status = tokio::time::timeout(Duration::from_secs(10), status).await.expect("exits in time").unwrap();
    assert_eq!(status.code(), Some(0));
    assert!(started.elapsed() < Duration::from_secs(5));
}

/// `marquee_gateway_reconnects_total` counts new sessions and resumes after the first READY,
/// read from the running bot's `/metrics`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn gateway_reconnects_are_counted_in_metrics() {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("reconnects");
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let mut child = bot(&fake, Some(TOKEN), &dir)
        .args(["run", "--metrics", &format!("127.0.0.1:{port}")])
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    fake.wait_ready().await;
    let reconnects = || async move {
        let addr: std::net::SocketAddr = format!("127.0.0.1:{port}").parse().unwrap();
        let (status, text) = marquee_testkit::http_client::Client::connect(addr).await.get("/metrics").await;
        assert_eq!(status, 200);
        let text = String::from_utf8(text).unwrap();
        let line = text.lines().find(|l| l.starts_with("marquee_gateway_reconnects_total ")).unwrap_or("? 0");
        line.split(' ').nth(1).unwrap().parse::<u64>().unwrap()
    };
    assert_eq!(reconnects().await, 0, "the first READY is not a reconnect");

    fake.invalidate_session();
    fake.wait_for("a new session", Duration::from_secs(20), |f| (f.identifies() >= 2).then_some(())).await;
    fake.drop_gateway();
    fake.wait_for("a resume", Duration::from_secs(20), |f| (f.resumes() >= 1).then_some(())).await;
    let deadline = Instant::now() + Duration::from_secs(5);
    while reconnects().await < 2 {
        assert!(Instant::now() < deadline, "reconnects counted: {}", reconnects().await);
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(reconnects().await, 2, "one new session and one resume");
    signal(child.id(), "TERM");
    let status = tokio::task::spawn_blocking(move || child.wait().unwrap()).await.unwrap();
    assert_eq!(status.code(), Some(0));
}

/// A 429 on an interaction's answer is waited out for its `retry_after` and the answer sent
/// again, not dropped: the callback (within Discord's 3 s) and, for a deferred answer, the edit
/// that completes it, through route and global limits; each wait is logged with its length.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rate_limited_answer_waits_out_retry_after_and_is_sent() {
    use marquee_testkit::fake_discord::{Act, CHANNEL_ID};
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new("answer-429");
    let child = bot(&fake, Some(TOKEN), &dir).arg("run").spawn().unwrap();
    fake.wait_ready().await;
    let at = |part: &str| -> Vec<Instant> {
        fake.requests().iter().filter(|r| r.path.contains(part)).map(|r| r.at).collect()
    };

    // The callback: a route 429 of 0.8 s, then the answer.
    fake.script("POST /api/v10/interactions/9201/", Act::RateLimit { retry_after: 0.8, global: false });
    fake.dispatch("INTERACTION_CREATE", payloads::command(9201, "search", &[("query", json!("the crown"))]));
    fake.wait_for("the callback sent again", Duration::from_secs(10), |_| {
        (at("/interactions/9201/").len() >= 2).then_some(())
    })
    .await;
    let callbacks = at("/interactions/9201/");
    let gap = callbacks[1] - callbacks[0];
    assert!(
        gap >= Duration::from_millis(800),
        "the callback was sent again after {gap:?}, before its retry_after"
    );

    // A deferred answer (`/highlights subscribe`): its edit meets a route 429 of 1.5 s and then
    // a global one of 0.5 s, and is sent a third time.
    fake.script("PATCH /api/v10/webhooks/", Act::RateLimit { retry_after: 1.5, global: false });
    fake.script("PATCH /api/v10/webhooks/", Act::RateLimit { retry_after: 0.5, global: true });
    let options = json!([
        { "name": "channel", "type": 7, "value": CHANNEL_ID.to_string() },
        { "name": "time", "type": 3, "value": "09:00" },
        { "name": "timezone", "type": 3, "value": "UTC" },
    ]);
    fake.dispatch(
        "INTERACTION_CREATE",
        payloads::highlights(9202, "subscribe", options, (1 << 4) | (1 << 10) | (1 << 11)),
    );
    fake.wait_for("the edit sent a third time", Duration::from_secs(15), |_| {
        (at("/webhooks/").len() >= 3).then_some(())
    })
    .await;
    let edits = at("/webhooks/");
    assert!(edits[1] - edits[0] >= Duration::from_millis(1500), "{:?}", edits[1] - edits[0]);
    assert!(edits[2] - edits[1] >= Duration::from_millis(500), "{:?}", edits[2] - edits[1]);
    assert_eq!(fake.acted().len(), 3, "every 429 was served: {:?}", fake.acted());
    let edit = fake.requests().into_iter().rfind(|r| r.path.contains("/webhooks/")).unwrap();
    assert!(
        edit.body["content"].as_str().is_some_and(|c| !c.is_empty()),
        "the edit carries the answer: {}",
        edit.body
    );

    tokio::time::sleep(Duration::from_millis(300)).await;
    let err = stop_and_read_log(child).await;
    let answered: Vec<&str> = err.lines().filter(|l| l.contains("answered interaction")).collect();
    assert_eq!(answered.len(), 2, "{err}");
    assert!(answered.iter().all(|l| l.contains("ok=true")), "{err}");
    assert!(answered.iter().any(|l| l.contains("edited=true")), "the deferred answer was completed: {err}");
    for wait in ["retry after 0.800 s", "retry after 1.500 s", "retry after 0.500 s, global"] {
        assert!(err.contains(wait), "the 429 ({wait}) is logged: {err}");
    }
    assert!(!err.contains(TOKEN) && !err.contains("token-9202"), "no token is logged: {err}");
}
