//! Bodies that real Discord sent (tests/fixtures/discord/, each with a `.source` naming where it
//! was captured), plus invented future variants, answered on both doors.
//!
//! Only what identifies *which* command or component was used is replaced by Marquee's own
//! (`data.name`, the `query` option, a menu's `custom_id`/`values`); every other field stays as
//! Discord sent it — members, users, locales, contexts, missing or extra fields.

use crate::support::doors::Doors;
use marquee_testkit::fake_discord::BOT_ID;
use serde_json::{json, Value};
use std::path::{Path, PathBuf};

const CROWN: &str = "Producing \"The Crown\" in The Cloud";

fn fixtures(prefix: &str) -> Vec<(String, Value)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/discord");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .filter(|p| {
            let name = p.file_name().unwrap().to_string_lossy().to_string();
            name.starts_with(prefix) || name.starts_with(&format!("future-{prefix}"))
        })
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let name = p.file_stem().unwrap().to_string_lossy().to_string();
            assert!(p.with_extension("source").exists(), "{name} names its source");
            (name, serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap())
        })
        .collect()
}

/// Options of a type Discord has not defined yet stay in, to show they are ignored.
fn future_options(data: &Value) -> Vec<Value> {
    let known = |o: &Value| o["type"].as_u64().is_some_and(|t| (1..=11).contains(&t));
    data["options"].as_array().into_iter().flatten().filter(|o| !known(o)).cloned().collect()
}

/// The fixture as a use of Marquee's own commands.
fn as_marquee(mut interaction: Value) -> Value {
    let data = interaction["data"].clone();
    match interaction["type"].as_u64() {
        // A message command: Marquee's own, on a message that asks for the crown (mentions and
        // links in it, as members write them); the message's other fields stay as captured.
        Some(2) if data["type"] == 3 => {
            let target = data["target_id"].as_str().unwrap_or_default().to_string();
            interaction["data"]["name"] = json!("Find in Marquee");
            interaction["data"]["resolved"]["messages"][&target]["content"] =
                json!("<@&999999999999999999> anyone seen the crown talk? https://example.com/crown");
        }
        Some(2) => {
            let mut options = vec![json!({ "name": "query", "type": 3, "value": "the crown" })];
            options.extend(future_options(&data));
            interaction["data"] =
                json!({ "id": data["id"], "name": "search", "type": 1, "options": options });
        }
        Some(4) => {
            let mut options = vec![json!({ "name": "query", "type": 3, "value": "spinn", "focused": true })];
            options.extend(future_options(&data));
            interaction["data"] =
                json!({ "id": data["id"], "name": "search", "type": 1, "options": options });
        }
        Some(3) => {
            interaction["data"] =
                json!({ "custom_id": "marquee:pick", "component_type": 3, "values": ["techblog-consoleme"] });
        }
        _ => {}
    }
    interaction
}

fn serenity_decodes(interaction: &Value) -> bool {
    serde_json::from_value::<serenity::all::Interaction>(interaction.clone()).is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_and_future_interactions_are_answered_alike_on_both_doors() {
    let doors = Doors::start("real-payloads").await;
    let mut rows = Vec::new();
    for (name, fixture) in fixtures("interaction") {
        let interaction = as_marquee(fixture);
        let kind = interaction["type"].as_u64();
        let strict = serenity_decodes(&interaction);
        if kind == Some(1) {
            // Discord pings only the endpoint.
            let (status, sent) = doors.endpoint(&interaction).await;
            assert_eq!((status, &sent.callback), (200, &json!({ "type": 1 })), "{name}");
            rows.push(format!("{name}: PONG (serenity decodes: {strict})"));
            continue;
        }
        let sent = doors.both(&interaction).await;
        let body = &sent.callback;
        match kind {
            Some(2) => {
                assert_eq!(body["data"]["embeds"][0]["title"], CROWN, "{name}: {body}");
                if interaction["data"]["type"] == 3 {
                    assert_eq!(body["data"]["flags"], 64, "{name}: the message command answers privately");
                }
            }
            Some(4) => {
                assert_eq!(body["type"], 8, "{name}");
                let values: Vec<&str> = body["data"]["choices"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter_map(|c| c["value"].as_str())
                    .collect();
                assert!(values.contains(&"reinvent-2020-spinnaker"), "{name}: {values:?}");
            }
            Some(3) => {
                assert_eq!(body["type"], 7, "{name}: {body}");
                assert!(body["data"]["embeds"][0]["title"].as_str().unwrap().contains("ConsoleMe"), "{name}");
            }
            // A modal Marquee never opened, a type from the future: a polite private answer.
            _ => {
                assert_eq!(body["type"], 4, "{name}: {body}");
                assert_eq!(body["data"]["flags"], 64, "{name}");
            }
        }
        rows.push(format!("{name}: type {} (serenity decodes: {strict})", body["type"]));
    }
    println!("{}", rows.join("\n"));
    // The capture from before `attachment_size_limit` is one serenity alone would drop.
    let old: Vec<_> =
        fixtures("interaction").into_iter().filter(|(n, _)| n.contains("no-attachment-size-limit")).collect();
    assert!(!old.is_empty() && old.iter().all(|(_, f)| !serenity_decodes(&as_marquee(f.clone()))));
}

/// A message fixture with the id it mentions first replaced by the bot's: the mention is then
/// of Marquee.
fn mentioning_marquee(message: &Value) -> Value {
    let text = message.to_string();
    let content = message["content"].as_str().unwrap_or_default();
    let mentioned = content
        .split("<@")
        .nth(1)
        .map(|rest| rest.trim_start_matches('!').chars().take_while(char::is_ascii_digit).collect::<String>())
        .filter(|id| !id.is_empty());
    match mentioned {
        Some(id) => serde_json::from_str(&text.replace(&id, &BOT_ID.to_string())).unwrap(),
        None => message.clone(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn real_messages_get_a_reply_exactly_when_they_ask_the_bot() {
    let doors = Doors::start("real-messages").await;
    let fake = &doors.fake;
    for (name, fixture) in fixtures("message") {
        let message = mentioning_marquee(&fixture);
        let content = message["content"].as_str().unwrap_or_default();
        let asks = content.contains(&format!("<@{BOT_ID}>"))
            || content.contains(&format!("<@!{BOT_ID}>"))
            || (message.get("guild_id").is_none() && message.get("message_reference").is_none());
        let before = fake.request_count();
        fake.dispatch_raw("MESSAGE_CREATE", message.clone());
        let id = message["id"].clone();
        let replies_to = move |f: &marquee_testkit::fake_discord::FakeDiscord, to: &Value| -> Vec<Value> {
            f.requests()
                .into_iter()
                .skip(before)
                .filter(|r| r.path.ends_with("/messages") && &r.body["message_reference"]["message_id"] == to)
                .map(|r| r.body)
                .collect()
        };
        if asks {
            let reply = fake
                .wait_for(&format!("the reply to {name}"), std::time::Duration::from_secs(5), |f| {
                    replies_to(f, &id).into_iter().next()
                })
                .await;
            assert_eq!(reply["allowed_mentions"]["parse"], json!([]), "{name}");
        } else {
            // A marker that is always answered: once its reply is out (and a moment more, as
            // events are handled concurrently), the fixture had its chance to be answered.
            let marker = marquee_testkit::payloads::message(
                1,
                marquee_testkit::payloads::user(marquee_testkit::fake_discord::USER_ID, "viewer", false),
                &format!("<@{BOT_ID}> marker"),
                vec![marquee_testkit::payloads::user(BOT_ID, "Marquee", true)],
            );
            fake.dispatch("MESSAGE_CREATE", marker);
            fake.wait_for("the marker's reply", std::time::Duration::from_secs(5), |f| {
                replies_to(f, &json!("1")).into_iter().next()
            })
            .await;
            tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            assert!(replies_to(fake, &id).is_empty(), "{name} does not ask the bot");
        }
        println!("{name}: {}", if asks { "answered" } else { "silent" });
    }
}
