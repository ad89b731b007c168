//! `/healthz` reports readiness as it is: a shard without a live session or a database that
//! does not answer makes it 503, naming what is wrong; once they are back, 200 again.

use marquee_testkit::fake_discord::FakeDiscord;
use marquee_testkit::http_client::Client;
use serde_json::Value;
use std::time::Duration;

async fn health(addr: std::net::SocketAddr) -> (u16, Value) {
    let (status, body) = Client::connect(addr).await.get("/healthz").await;
    (status, serde_json::from_slice(&body).unwrap_or(Value::Null))
}

/// Polls `/healthz` until its status is `want`; returns the body.
async fn until(addr: std::net::SocketAddr, want: u16, within: Duration, what: &str) -> Value {
    let deadline = tokio::time::Instant::now() + within;
    loop {
        let (status, body) = health(addr).await;
        if status == want {
            return body;
        }
        assert!(tokio::time::Instant::now() < deadline, "{what}: still {status} {body} after {within:?}");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn healthz_follows_the_gateway_and_the_database() {
    let fake = FakeDiscord::start().await;
    let pg = marquee_testkit::pg::database("health");
    if pg.is_none() {
        eprintln!("skipped: the stopped-database part (no PostgreSQL; set {})", marquee_testkit::pg::VAR);
    }
    let dir = crate::support::TempDir::new("health");
    let database = match &pg {
        Some(p) => marquee::store::Database::Postgres(p.url.clone()),
        None => marquee::store::Database::Sqlite(dir.0.join("marquee.db")),
    };
    let (_stop, _bot, health) = crate::support::start_bot_watched(&fake, database, dir).await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(marquee::admin::serve(listener, health, std::future::pending()));
    fake.wait_ready().await;
    assert_eq!(until(addr, 200, Duration::from_secs(10), "ready").await["status"], "ok");

    // The gateway goes away: the shard has no live session.
    fake.refuse_gateway(true);
    fake.drop_gateway();
    let down = until(addr, 503, Duration::from_secs(10), "gateway dropped").await;
    assert_eq!(down["status"], "unavailable");
    assert_eq!(down["problems"][0]["shard"], 0, "{down}");
    // It comes back: the session is resumed and the bot is ready again.
    fake.refuse_gateway(false);
    until(addr, 200, Duration::from_secs(60), "gateway back").await;
    assert!(fake.resumes() + fake.identifies() >= 2, "a new session or a resume");

    if let Some(pg) = &pg {
        let name = pg.name().to_string();
        pg.admin_server_execute(&format!(
            "ALTER DATABASE {name} ALLOW_CONNECTIONS false;
             SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}' AND pid <> pg_backend_pid();"
        ));
        let down = until(addr, 503, Duration::from_secs(10), "database stopped").await;
        assert!(down["problems"][0]["database"].is_string(), "{down}");
        // The role's password is its name: shown, it would read `marquee_ci:marquee_ci@`; the
        // redacted URL (`marquee_ci:***@`) may be named.
        assert!(!down.to_string().contains(":marquee_ci@"), "no password in {down}");
        pg.admin_server_execute(&format!("ALTER DATABASE {name} ALLOW_CONNECTIONS true"));
        until(addr, 200, Duration::from_secs(10), "database back").await;
    }
}
