//! Gateway dispatch payloads as Discord sends them, complete enough for serenity to decode.

#![allow(dead_code)]

use crate::fake_discord::{bot_user, APP_ID, CHANNEL_ID, GUILD_ID, USER_ID};
use serde_json::{json, Value};

pub fn user(id: u64, name: &str, bot: bool) -> Value {
    json!({ "id": id.to_string(), "username": name, "discriminator": "0", "global_name": name, "avatar": null, "bot": bot })
}

/// A member holding exactly `permissions` (a decimal bit set, as Discord sends it).
pub fn member_with(permissions: u64) -> Value {
    let mut m = member();
    m["permissions"] = json!(permissions.to_string());
    m
}

fn member() -> Value {
    json!({
        "user": user(USER_ID, "viewer", false),
        "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00",
        "deaf": false,
        "mute": false,
        "flags": 0,
        "permissions": "2248473465835073",
    })
}

fn interaction(id: u64, kind: u8, data: Value) -> Value {
    json!({
        "id": id.to_string(),
        "application_id": APP_ID.to_string(),
        "type": kind,
        "token": format!("token-{id}"),
        "version": 1,
        "guild_id": GUILD_ID.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "member": member(),
        "locale": "en-US",
        "guild_locale": "en-US",
        "app_permissions": "2248473465835073",
        "entitlements": [],
        "authorizing_integration_owners": { "0": GUILD_ID.to_string() },
        "context": 0,
        "attachment_size_limit": 10_485_760,
        "data": data,
    })
}

/// A slash command. `options` are `(name, value)`; integers for `year`, strings otherwise.
pub fn command(id: u64, name: &str, options: &[(&str, Value)]) -> Value {
    let options: Vec<Value> = options
        .iter()
        .map(|(n, v)| json!({ "name": n, "type": if v.is_i64() || v.is_u64() { 4 } else { 3 }, "value": v }))
        .collect();
    interaction(id, 2, json!({ "id": "800000000000000001", "name": name, "type": 1, "options": options }))
}

/// Typing `text` into the `query` option of `name`.
pub fn autocomplete(id: u64, name: &str, text: &str) -> Value {
    interaction(
        id,
        4,
        json!({ "id": "800000000000000001", "name": name, "type": 1,
                "options": [{ "name": "query", "type": 3, "value": text, "focused": true }] }),
    )
}

/// Choosing `value` in a select menu of the bot's message that carries `components`.
pub fn select(id: u64, custom_id: &str, value: &str, components: Value) -> Value {
    let mut p = interaction(id, 3, json!({ "custom_id": custom_id, "component_type": 3, "values": [value] }));
    p["message"] = json!({
        "id": "723456789012345678",
        "channel_id": CHANNEL_ID.to_string(),
        "author": bot_user(),
        "content": "",
        "timestamp": "2026-11-27T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": [],
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "components": components,
        "pinned": false,
        "type": 20,
        "flags": 0,
    });
    p
}

/// A guild message from `author` with `content`, mentioning `mentions`.
pub fn message(id: u64, author: Value, content: &str, mentions: Vec<Value>) -> Value {
    json!({
        "id": id.to_string(),
        "channel_id": CHANNEL_ID.to_string(),
        "guild_id": GUILD_ID.to_string(),
        "author": author,
        "member": { "roles": [], "joined_at": "2024-01-01T00:00:00.000000+00:00", "deaf": false, "mute": false, "flags": 0 },
        "content": content,
        "timestamp": "2026-11-27T12:00:00.000000+00:00",
        "edited_timestamp": null,
        "tts": false,
        "mention_everyone": false,
        "mentions": mentions,
        "mention_roles": [],
        "attachments": [],
        "embeds": [],
        "pinned": false,
        "type": 0,
    })
}

/// `/highlights <sub> ...` by a member with `permissions`; `options` as sent by Discord.
pub fn highlights(id: u64, sub: &str, options: Value, permissions: u64) -> Value {
    let mut p = interaction(
        id,
        2,
        json!({ "id": "800000000000000002", "name": "highlights", "type": 1,
                "options": [{ "name": sub, "type": 1, "options": options }] }),
    );
    p["member"] = member_with(permissions);
    p
}

/// Typing `text` in the `timezone` option of `/highlights subscribe`.
pub fn timezone_autocomplete(id: u64, text: &str) -> Value {
    interaction(
        id,
        4,
        json!({ "id": "800000000000000002", "name": "highlights", "type": 1,
                "options": [{ "name": "subscribe", "type": 1, "options": [
                    { "name": "timezone", "type": 3, "value": text, "focused": true }] }] }),
    )
}
