//! The real serenity client against a fake Discord on 127.0.0.1: commands, autocomplete,
//! components and mentions end to end, plus the faults a real deployment meets.

use crate::support::{payloads, start_bot};
use marquee_testkit::fake_discord::{assert_decodes, hello, ready, FakeDiscord, Fault, BOT_ID, USER_ID};
use serde_json::{json, Value};
use std::time::Duration;

async fn started(
) -> (FakeDiscord, tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<anyhow::Result<()>>) {
    let fake = FakeDiscord::start().await;
    let (stop, handle) = start_bot(&fake).await;
    fake.wait_ready().await;
    (fake, stop, handle)
}

/// Sends an interaction and returns the body of its callback.
async fn interact(fake: &FakeDiscord, id: u64, payload: Value) -> Value {
    let before = fake.requests().len();
    fake.dispatch("INTERACTION_CREATE", payload);
    let r = fake.wait_request(&format!("/interactions/{id}/"), before).await;
    assert_eq!(r.method, "POST");
    assert!(r.path.ends_with(&format!("/interactions/{id}/token-{id}/callback")), "{}", r.path);
    r.body
}

#[test]
fn fake_payloads_decode_in_serenity() {
    use marquee_testkit::fake_discord::CHANNEL_ID;
    let ws: std::net::SocketAddr = "127.0.0.1:9".parse().unwrap();
    assert_decodes(&hello());
    assert_decodes(&json!({ "op": 0, "t": "READY", "s": 1, "d": ready(ws, [0, 1]) }));
    assert_decodes(&json!({ "op": 0, "t": "RESUMED", "s": 2, "d": {} }));
    for d in [
        payloads::command(1, "search", &[("query", json!("crown"))]),
        payloads::autocomplete(2, "search", "cr"),
        payloads::select(3, "marquee:pick", "x", json!([])),
        payloads::message(4, payloads::user(USER_ID, "u", false), "hi", vec![]),
    ] {
        let t = if d.get("type").is_some() && d.get("token").is_some() {
            "INTERACTION_CREATE"
        } else {
            "MESSAGE_CREATE"
        };
        assert_decodes(&json!({ "op": 0, "t": t, "s": 3, "d": d }));
    }
    let _ = CHANNEL_ID;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn registers_commands_once_and_answers_search() {
    let (fake, stop, handle) = started().await;
    let put = fake.wait_request("/commands", 0).await;
    assert_eq!(put.method, "PUT");
    assert_eq!(put.path, format!("/api/v10/applications/{}/commands", marquee_testkit::fake_discord::APP_ID));
    assert_eq!(put.body, marquee::commands::definitions::commands());
    let auth = put.headers.iter().find(|(k, _)| k == "authorization").map(|(_, v)| v.clone());
    assert_eq!(auth.as_deref(), Some(format!("Bot {}", marquee_testkit::fake_discord::TOKEN).as_str()));

    let body =
        interact(&fake, 1001, payloads::command(1001, "search", &[("query", json!("the crown"))])).await;
    assert_eq!(body["type"], 4);
    let embed = &body["data"]["embeds"][0];
    assert_eq!(embed["title"], "Producing \"The Crown\" in The Cloud");
    assert_eq!(body["data"]["allowed_mentions"], json!({ "parse": [] }));
    assert_eq!(body["data"]["components"][0]["components"][0]["style"], 5);

    stop.send(()).unwrap();
    tokio::time::timeout(Duration::from_secs(10), handle).await.expect("bot stops").unwrap().unwrap();
    let puts = fake.requests().iter().filter(|r| r.path.ends_with("/commands")).count();
    assert_eq!(puts, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_command_answers() {
    let (fake, _stop, _handle) = started().await;
    let body =
        interact(&fake, 2001, payloads::command(2001, "video", &[("query", json!("brendan gregg"))])).await;
    assert_eq!(body["data"]["embeds"][0]["url"], "https://www.youtube.com/watch?v=89fYOo1V2pA");

    let body =
        interact(&fake, 2002, payloads::command(2002, "casestudy", &[("query", json!("email"))])).await;
    assert_eq!(
        body["data"]["embeds"][0]["title"],
        "Netflix Connects with 100 Million Customers in 190 Countries Using Amazon Simple Email Service"
    );

    let body = interact(&fake, 2003, payloads::command(2003, "random", &[("kind", json!("quote"))])).await;
    assert!(body["data"]["embeds"][0]["title"].as_str().unwrap().contains("quote"));

    let body = interact(&fake, 2004, payloads::command(2004, "about", &[])).await;
    assert_eq!(body["data"]["embeds"][0]["title"], "About Marquee");

    let body = interact(
        &fake,
        2005,
        payloads::command(
            2005,
            "search",
            &[("query", json!("netflix")), ("kind", json!("talk")), ("year", json!(2017))],
        ),
    )
    .await;
    let first = body["data"]["embeds"][0]["fields"].as_array().unwrap();
    assert!(first.iter().any(|f| f["name"] == "Year" && f["value"] == "2017"), "{body}");

    // No match: private, with no embed.
    let body =
        interact(&fake, 2006, payloads::command(2006, "search", &[("query", json!("chocolate cake"))])).await;
    assert_eq!(body["data"]["flags"], 64);
    assert!(body["data"]["content"]
        .as_str()
        .unwrap()
        .starts_with("Nothing in the catalog matches `chocolate cake`."));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn autocomplete_then_choosing_returns_exactly_that_item() {
    let (fake, _stop, _handle) = started().await;
    let body = interact(&fake, 3001, payloads::autocomplete(3001, "search", "spinn")).await;
    assert_eq!(body["type"], 8);
    let choices = body["data"]["choices"].as_array().unwrap();
    assert!(!choices.is_empty() && choices.len() <= 25);
    assert_eq!(choices[0]["value"], "reinvent-2020-spinnaker");
    assert!(choices.iter().all(|c| c["name"].as_str().unwrap().chars().count() <= 100));

    let empty = interact(&fake, 3002, payloads::autocomplete(3002, "video", "")).await;
    let featured = empty["data"]["choices"].as_array().unwrap();
    assert!(!featured.is_empty(), "empty input shows featured items");

    // Choosing an entry submits its id as the query.
    let body = interact(
        &fake,
        3003,
        payloads::command(3003, "search", &[("query", json!("reinvent-2019-day-in-life"))]),
    )
    .await;
    assert_eq!(body["data"]["embeds"][0]["title"], "A Day in the Life of a Netflix Engineer");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_menu_swaps_the_shown_item_in_place() {
    let (fake, _stop, _handle) = started().await;
    let body =
        interact(&fake, 4001, payloads::command(4001, "search", &[("query", json!("nice dcv"))])).await;
    let components = body["data"]["components"].clone();
    let menu = &components[1]["components"][0];
    assert_eq!(menu["custom_id"], "marquee:pick");
    let options = menu["options"].as_array().unwrap();
    assert!(options.len() >= 2);
    let second = options[1]["value"].as_str().unwrap().to_string();

    let body =
        interact(&fake, 4002, payloads::select(4002, "marquee:pick", &second, components.clone())).await;
    assert_eq!(body["type"], 7, "an update of the same message");
    let new_menu = &body["data"]["components"][1]["components"][0];
    assert_eq!(new_menu["options"].as_array().unwrap().len(), options.len(), "the list stays");
    let default: Vec<&Value> =
        new_menu["options"].as_array().unwrap().iter().filter(|o| o["default"] == true).collect();
    assert_eq!(default.len(), 1);
    assert_eq!(default[0]["value"], second.as_str());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_get_a_reply_and_bots_are_ignored() {
    let (fake, _stop, _handle) = started().await;
    let me = payloads::user(BOT_ID, "Marquee", true);
    let viewer = payloads::user(USER_ID, "viewer", false);

    let before = fake.requests().len();
    fake.dispatch(
        "MESSAGE_CREATE",
        payloads::message(
            5001,
            viewer.clone(),
            &format!("<@{BOT_ID}> the crown @everyone"),
            vec![me.clone()],
        ),
    );
    let r = fake.wait_request("/messages", before).await;
    assert_eq!(r.body["message_reference"]["message_id"], "5001");
    assert_eq!(r.body["allowed_mentions"], json!({ "parse": [], "replied_user": false }));
    assert_eq!(r.body["embeds"][0]["title"], "Producing \"The Crown\" in The Cloud");

    let before = fake.requests().len();
    fake.dispatch(
        "MESSAGE_CREATE",
        payloads::message(5002, viewer.clone(), &format!("<@{BOT_ID}>"), vec![me.clone()]),
    );
    let r = fake.wait_request("/messages", before).await;
    assert!(r.body["embeds"][0]["description"].as_str().unwrap().contains("/search"), "bare mention → usage");

    // Another bot, the bot itself, and a message without a mention: no reply.
    let before = fake.requests().len();
    let other_bot = payloads::user(999, "other", true);
    fake.dispatch(
        "MESSAGE_CREATE",
        payloads::message(5003, other_bot, &format!("<@{BOT_ID}> crown"), vec![me.clone()]),
    );
    fake.dispatch(
        "MESSAGE_CREATE",
        payloads::message(5004, me.clone(), &format!("<@{BOT_ID}> crown"), vec![me.clone()]),
    );
    fake.dispatch("MESSAGE_CREATE", payloads::message(5005, viewer.clone(), "the crown", vec![]));
    // A marker that is answered proves the three above were processed and ignored.
    fake.dispatch(
        "MESSAGE_CREATE",
        payloads::message(5006, viewer, &format!("<@!{BOT_ID}> spinnaker"), vec![me]),
    );
    let r = fake.wait_request("/messages", before).await;
    assert_eq!(r.body["message_reference"]["message_id"], "5006");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(fake.requests().iter().skip(before).filter(|r| r.path.contains("/messages")).count(), 1);
}

/// A message carries no locale: the reply is in the language the question is written in, with
/// the catalog's own translation of the story, and in English when the question is English.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mentions_are_answered_in_the_language_they_are_written_in() {
    let (fake, _stop, _handle) = started().await;
    let catalog = crate::support::bundled();
    let me = payloads::user(BOT_ID, "Marquee", true);
    let viewer = payloads::user(USER_ID, "viewer", false);
    for (id, text, code, footer) in [
        (5101u64, "ConsoleMe Berechtigungen", Some("de"), "Quelle:"),
        (5102, "ザ・クラウン the crown", Some("ja"), "出典："),
        (5103, "ConsoleMe permissions", None, "Source:"),
    ] {
        let before = fake.requests().len();
        let content = format!("<@{BOT_ID}> {text}");
        fake.dispatch("MESSAGE_CREATE", payloads::message(id, viewer.clone(), &content, vec![me.clone()]));
        let r = fake.wait_request("/messages", before).await;
        let embed = &r.body["embeds"][0];
        let title = embed["title"].as_str().unwrap_or_else(|| panic!("{text}: no embed in {}", r.body));
        let named = |i: &marquee::catalog::Item| match code {
            Some(code) => i.locales[code].title.as_deref() == Some(title),
            None => i.title == title,
        };
        assert!(catalog.items.iter().any(named), "{text}: {title:?} is not a {code:?} title");
        assert!(embed["footer"]["text"].as_str().unwrap().starts_with(footer), "{text}: {embed}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dropped_gateway_is_resumed_and_commands_are_not_registered_again() {
    let (fake, _stop, _handle) = started().await;
    fake.wait_request("/commands", 0).await;
    fake.drop_gateway();
    fake.wait_for("RESUME", Duration::from_secs(20), |f| (f.resumes() > 0 && f.gateway_open()).then_some(()))
        .await;
    let body =
        interact(&fake, 6001, payloads::command(6001, "search", &[("query", json!("spinnaker"))])).await;
    assert_eq!(
        body["data"]["embeds"][0]["title"],
        "How Netflix Simplifies Delivery as Code Using Spinnaker and Kubernetes"
    );
    assert_eq!(fake.identifies(), 1);
    assert_eq!(fake.requests().iter().filter(|r| r.path.ends_with("/commands")).count(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_callback_is_retried_once_and_the_bot_carries_on() {
    let (fake, _stop, _handle) = started().await;
    for (id, status) in [(7001u64, 500u16), (7002, 429)] {
        fake.fault(Fault { path_part: format!("/interactions/{id}/"), status, delay: Duration::ZERO });
        let before = fake.requests().len();
        fake.dispatch(
            "INTERACTION_CREATE",
            payloads::command(id, "search", &[("query", json!("spinnaker"))]),
        );
        let first = fake.wait_request(&format!("/interactions/{id}/"), before).await;
        let n = fake.requests().len();
        let retry = fake.wait_request(&format!("/interactions/{id}/"), n - 1 + 1).await;
        assert_eq!(first.body, retry.body, "the retry sends the same answer");
    }
    // A callback that fails twice is logged and given up; the next interaction still works.
    fake.fault(Fault { path_part: "/interactions/7003/".into(), status: 503, delay: Duration::ZERO });
    fake.fault(Fault { path_part: "/interactions/7003/".into(), status: 503, delay: Duration::ZERO });
    fake.dispatch("INTERACTION_CREATE", payloads::command(7003, "about", &[]));
    let body = interact(&fake, 7004, payloads::command(7004, "about", &[])).await;
    assert_eq!(body["data"]["embeds"][0]["title"], "About Marquee");
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(fake.requests().iter().filter(|r| r.path.contains("/interactions/7003/")).count(), 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_slow_request_does_not_block_other_interactions() {
    let (fake, _stop, _handle) = started().await;
    fake.fault(Fault { path_part: "/interactions/8001/".into(), status: 0, delay: Duration::from_secs(2) });
    let before = fake.requests().len();
    fake.dispatch("INTERACTION_CREATE", payloads::command(8001, "search", &[("query", json!("spinnaker"))]));
    fake.wait_request("/interactions/8001/", before).await;
    let sent = std::time::Instant::now();
    let body = interact(&fake, 8002, payloads::autocomplete(8002, "search", "cro")).await;
    assert_eq!(body["type"], 8);
    assert!(
        sent.elapsed() < Duration::from_secs(1),
        "answered while the slow one was pending: {:?}",
        sent.elapsed()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_session_after_an_invalid_one_does_not_register_again() {
    let (fake, _stop, _handle) = started().await;
    fake.wait_request("/commands", 0).await;
    fake.invalidate_session();
    fake.wait_for("a second IDENTIFY", Duration::from_secs(20), |f| {
        (f.identifies() >= 2 && f.gateway_open()).then_some(())
    })
    .await;
    let body = interact(&fake, 6101, payloads::command(6101, "about", &[])).await;
    assert_eq!(body["data"]["embeds"][0]["title"], "About Marquee");
    assert_eq!(fake.requests().iter().filter(|r| r.path.ends_with("/commands")).count(), 1);
    // Every new session shows members what to type (a custom status, activity type 4).
    let presences = fake.identify_presences();
    assert_eq!(presences.len(), 2);
    for p in presences {
        assert_eq!(p["activities"][0]["type"], 4, "{p}");
        assert_eq!(p["activities"][0]["state"], marquee::config::DEFAULT_PRESENCE, "{p}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_command_gets_a_short_private_error() {
    let (fake, _stop, _handle) = started().await;
    let body = interact(&fake, 6201, payloads::command(6201, "frobnicate", &[])).await;
    assert_eq!(body["type"], 4);
    assert_eq!(body["data"]["flags"], 64);
    assert!(body["data"]["content"].as_str().unwrap().contains("don't know"), "{body}");
}

/// Discord failing while the bot asks for its shard count (GET /gateway/bot) delays the start;
/// it does not end the process.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn server_errors_while_asking_for_the_shard_count_are_waited_out() {
    let fake = FakeDiscord::start().await;
    for _ in 0..2 {
        fake.fault(Fault { path_part: "/gateway/bot".into(), status: 502, delay: Duration::ZERO });
    }
    let (stop, handle) = start_bot(&fake).await;
    fake.wait_ready().await;
    let asked = fake.requests().iter().filter(|r| r.path.ends_with("/gateway/bot")).count();
    assert_eq!(asked, 3, "two failures, then the answer");
    assert_eq!(fake.identified_shards(), [[0, 1]], "the one recommended shard");
    let _ = stop.send(());
    handle.await.unwrap().unwrap();
}

/// A reply to one of the bot's messages: Discord's default reply-ping lists the bot in
/// `mentions` without any `<@id>` in the text.
fn reply_to_bot(id: u64, content: &str) -> Value {
    let me = payloads::user(BOT_ID, "Marquee", true);
    let mut m = payloads::message(id, payloads::user(USER_ID, "viewer", false), content, vec![me.clone()]);
    m["type"] = json!(19);
    m["message_reference"] = json!({
        "type": 0,
        "message_id": "700000000000000000",
        "channel_id": marquee_testkit::fake_discord::CHANNEL_ID.to_string(),
        "guild_id": marquee_testkit::fake_discord::GUILD_ID.to_string(),
    });
    let mut original = payloads::message(700_000_000_000_000_000, me, "", vec![]);
    original["embeds"] = json!([{ "type": "rich", "title": "Producing \"The Crown\" in The Cloud" }]);
    m["referenced_message"] = original;
    m
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reply_to_the_bot_is_conversation_unless_it_mentions_the_bot() {
    let (fake, _stop, _handle) = started().await;
    let before = fake.requests().len();
    fake.dispatch("MESSAGE_CREATE", reply_to_bot(6001, "thanks, that's the one!"));
    // The explicit mention in a reply is a question again, and marks the first as processed.
    fake.dispatch("MESSAGE_CREATE", reply_to_bot(6002, &format!("<@{BOT_ID}> and spinnaker?")));
    let r = fake.wait_request("/messages", before).await;
    assert_eq!(r.body["message_reference"]["message_id"], "6002");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(fake.requests().iter().skip(before).filter(|r| r.path.contains("/messages")).count(), 1);
}
