//! The highlight commands through the real bot and the fake Discord.

use crate::support::{payloads, start_bot};
use marquee_testkit::fake_discord::{FakeDiscord, APP_ID, CHANNEL_ID, GUILD_ID};
use serde_json::{json, Value};

const MANAGE: u64 = (1 << 4) | (1 << 10) | (1 << 11);
const NO_MANAGE: u64 = (1 << 10) | (1 << 11);

/// The answer to an interaction: its callback, or for a deferred one (type 5) the edit that
/// completes it, as `{"type": 5, "data": edit}`.
async fn interact(fake: &FakeDiscord, id: u64, payload: Value) -> Value {
    let before = fake.request_count();
    fake.dispatch("INTERACTION_CREATE", payload);
    let callback = fake.wait_request(&format!("/interactions/{id}/"), before).await.body;
    if callback["type"] != 5 {
        return callback;
    }
    // The deferral decides that the answer is private; the edit carries the message.
    assert_eq!(callback["data"], json!({ "flags": 64 }));
    let edit = fake.wait_request("/messages/@original", before).await;
    assert_eq!(edit.method, "PATCH");
    assert_eq!(edit.path, format!("/api/v10/webhooks/{APP_ID}/token-{id}/messages/@original"));
    json!({ "type": 5, "data": edit.body })
}

fn subscribe(channel: u64, time: &str, tz: &str) -> Value {
    json!([
        { "name": "channel", "type": 7, "value": channel.to_string() },
        { "name": "time", "type": 3, "value": time },
        { "name": "timezone", "type": 3, "value": tz },
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn subscribe_list_today_and_unsubscribe() {
    let fake = FakeDiscord::start().await;
    let (_stop, _handle) = start_bot(&fake).await;
    fake.wait_ready().await;
    fake.wait_request("/commands", 0).await;

    // Without Manage Channels: refused, privately, whatever Discord's default said.
    let body = interact(
        &fake,
        1,
        payloads::highlights(1, "subscribe", subscribe(CHANNEL_ID, "09:00", "Europe/Paris"), NO_MANAGE),
    )
    .await;
    assert_eq!(body["data"]["flags"], 64);
    assert!(body["data"]["content"].as_str().unwrap().contains("Manage Channels"), "{body}");

    // Bad time and unknown timezone are explained.
    let body =
        interact(&fake, 2, payloads::highlights(2, "subscribe", subscribe(CHANNEL_ID, "9am", "UTC"), MANAGE))
            .await;
    assert!(body["data"]["content"].as_str().unwrap().contains("HH:MM"), "{body}");
    let body = interact(
        &fake,
        3,
        payloads::highlights(3, "subscribe", subscribe(CHANNEL_ID, "09:00", "Mars/Base"), MANAGE),
    )
    .await;
    assert!(body["data"]["content"].as_str().unwrap().contains("not a timezone"), "{body}");

    // The bot may not send in this channel: it says exactly what is missing.
    fake.deny_send_in(CHANNEL_ID + 1);
    let body = interact(
        &fake,
        4,
        payloads::highlights(4, "subscribe", subscribe(CHANNEL_ID + 1, "09:00", "UTC"), MANAGE),
    )
    .await;
    let text = body["data"]["content"].as_str().unwrap();
    assert!(text.contains("missing **Send Messages**") && !text.contains("Embed Links"), "{text}");

    let body = interact(
        &fake,
        5,
        payloads::highlights(5, "subscribe", subscribe(CHANNEL_ID, "09:00", "Europe/Paris"), MANAGE),
    )
    .await;
    let text = body["data"]["content"].as_str().unwrap();
    assert!(
        text.starts_with(&format!(
            "Subscribed <#{CHANNEL_ID}>: a highlight every day at 09:00 (Europe/Paris)"
        )),
        "{text}"
    );

    let body = interact(&fake, 6, payloads::highlights(6, "list", json!([]), NO_MANAGE)).await;
    let text = body["data"]["content"].as_str().unwrap();
    assert!(text.contains(&format!("<#{CHANNEL_ID}> · 09:00 Europe/Paris · next <t:")), "{text}");

    let body = interact(&fake, 7, payloads::command(7, "highlight", &[])).await;
    assert!(body["data"]["content"].as_str().unwrap().starts_with("**Today's highlight**"), "{body}");
    assert_eq!(body["data"]["embeds"].as_array().unwrap().len(), 1);

    let body = interact(&fake, 8, payloads::timezone_autocomplete(8, "paris")).await;
    assert_eq!(body["type"], 8);
    assert_eq!(body["data"]["choices"][0]["value"], "Europe/Paris");

    let unsubscribe = json!([{ "name": "channel", "type": 7, "value": CHANNEL_ID.to_string() }]);
    let body = interact(&fake, 9, payloads::highlights(9, "unsubscribe", unsubscribe, MANAGE)).await;
    assert!(body["data"]["content"].as_str().unwrap().starts_with("Unsubscribed"), "{body}");
    let body = interact(&fake, 10, payloads::highlights(10, "list", json!([]), MANAGE)).await;
    assert!(body["data"]["content"].as_str().unwrap().starts_with("No channel here"), "{body}");
    let _ = GUILD_ID;
}
