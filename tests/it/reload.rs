//! SIGHUP, and with --watch a change of the files, reloads the catalog from --content:
//! validated first, swapped whole, refused (old one kept) when it has problems.

use crate::support::{payloads, TempDir};
use marquee_testkit::fake_discord::{FakeDiscord, TOKEN};
use serde_json::{json, Value};
use std::io::Read;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn item(id: &str, title: &str) -> String {
    format!(
        "[[item]]\nid = \"{id}\"\ntitle = \"{title}\"\nkind = \"talk\"\nsummary = \"A talk about {title}.\"\n\
         links = [{{ label = \"Watch\", url = \"https://example.com/{id}\" }}]\n\n"
    )
}

async fn search(fake: &FakeDiscord, id: u64, query: &str) -> Value {
    let before = fake.request_count();
    fake.dispatch("INTERACTION_CREATE", payloads::command(id, "search", &[("query", json!(query))]));
    fake.wait_request(&format!("/interactions/{id}/"), before).await.body
}

fn hangup(pid: u32) {
    assert!(Command::new("kill").args(["-s", "HUP", &pid.to_string()]).status().unwrap().success());
}

/// Edits the content of a running bot — a valid edit, then a broken one — and checks what it
/// answers after each, calling `reload` (send SIGHUP, or nothing for --watch) after each edit.
/// Returns the bot's log.
async fn edit_while_running(tag: &str, watch: bool, reload: impl Fn(u32)) -> String {
    let fake = FakeDiscord::start().await;
    let dir = TempDir::new(tag);
    let content = dir.0.join("content");
    std::fs::create_dir_all(&content).unwrap();
    std::fs::write(content.join("talks.toml"), item("alpha-talk", "Alpha Centauri Streaming")).unwrap();
    let mut bot = Command::new(env!("CARGO_BIN_EXE_marquee"))
        .args(["run", "--content", content.to_str().unwrap()])
        .args(if watch { &["--watch"][..] } else { &[][..] })
        .current_dir(&dir.0)
        .env_clear()
        .env("DISCORD_TOKEN", TOKEN)
        .env("MARQUEE_DISCORD_API", fake.api_base())
        .env("RUST_LOG", "info")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    fake.wait_ready().await;
    let body = search(&fake, 1, "alpha centauri").await;
    assert_eq!(body["data"]["embeds"][0]["title"], "Alpha Centauri Streaming");
    assert_eq!(search(&fake, 2, "zeta reticuli").await["data"]["flags"], 64, "not there yet");

    // A valid edit: reloaded.
    std::fs::write(
        content.join("talks.toml"),
        item("alpha-talk", "Alpha Centauri Streaming") + &item("zeta-talk", "Zeta Reticuli Encoding"),
    )
    .unwrap();
    reload(bot.id());
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut id = 10;
    loop {
        id += 1;
        let body = search(&fake, id, "zeta reticuli").await;
        if body["data"]["embeds"][0]["title"] == "Zeta Reticuli Encoding" {
            break;
        }
        assert!(Instant::now() < deadline, "the reload never took effect");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }

    // A broken edit: refused, the previous catalog keeps answering.
    std::fs::write(content.join("broken.toml"), "[[item]]\nid = \"Bad Id\"\ncolour = 1\n").unwrap();
    reload(bot.id());
    // Long enough for a watch to notice (a look every WATCH_EVERY, one more to settle) and refuse it.
    tokio::time::sleep(if watch { marquee::catalog::WATCH_EVERY * 7 } else { Duration::from_millis(700) })
        .await;
    for (i, (q, title)) in
        [("zeta reticuli", "Zeta Reticuli Encoding"), ("alpha centauri", "Alpha Centauri Streaming")]
            .iter()
            .enumerate()
    {
        let body = search(&fake, 100 + i as u64, q).await;
        assert_eq!(body["data"]["embeds"][0]["title"], *title);
    }

    let _ = Command::new("kill").args(["-s", "TERM", &bot.id().to_string()]).status();
    let status = bot.wait().unwrap();
    let mut err = String::new();
    bot.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(0), "{err}");
    assert!(err.contains("broken.toml:2:6: id `Bad Id` must be lowercase kebab-case"), "{err}");
    err
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sighup_swaps_in_a_valid_catalog_and_keeps_the_old_one_on_problems() {
    let err = edit_while_running("reload", false, hangup).await;
    assert!(err.contains("SIGHUP: catalog reloaded") && err.contains("items=2"), "{err}");
    assert!(err.contains("SIGHUP: catalog reload refused; the previous catalog stays in use"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn watch_reloads_on_file_changes_and_keeps_the_old_catalog_on_problems() {
    let err = edit_while_running("watch", true, |_| {}).await;
    assert!(err.contains("content changed: catalog reloaded") && err.contains("items=2"), "{err}");
    assert!(
        err.contains("content changed: catalog reload refused; the previous catalog stays in use"),
        "{err}"
    );
    assert_eq!(err.matches("catalog reloaded").count(), 1, "one reload per edit: {err}");
}
