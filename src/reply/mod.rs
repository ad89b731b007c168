//! Replies as plain Rust values, and their encoding as Discord JSON.
//!
//! Every path that answers a user — gateway interactions, mentions, the `preview` command, the
//! HTTP endpoint and the daily highlights — builds a `Reply` and encodes it here, so what
//! `marquee preview` prints is byte for byte what Discord receives. Encoding always applies
//! `limits::fit` and an empty `allowed_mentions`, so no reply can be too long or ping anyone.

pub mod limits;
pub mod render;
pub mod youtube;

use serde_json::{json, Value};

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Reply {
    pub content: Option<String>,
    pub embeds: Vec<Embed>,
    pub rows: Vec<Row>,
    /// Only the person who asked sees it (interaction replies only).
    pub ephemeral: bool,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Embed {
    pub title: String,
    pub url: Option<String>,
    pub description: String,
    pub color: u32,
    pub fields: Vec<EmbedField>,
    pub footer: Option<String>,
    /// The URL of a picture shown large below the text (a video's thumbnail).
    pub image: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct EmbedField {
    pub name: String,
    pub value: String,
    pub inline: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Row {
    Links(Vec<LinkButton>),
    Select(Select),
    /// Buttons that come back to the bot as a component interaction (their `custom_id`).
    Actions(Vec<ActionButton>),
}

#[derive(Debug, Clone, PartialEq)]
pub struct ActionButton {
    pub label: String,
    pub custom_id: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LinkButton {
    pub label: String,
    pub url: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Select {
    pub custom_id: String,
    pub placeholder: String,
    pub options: Vec<SelectOption>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SelectOption {
    pub label: String,
    pub value: String,
    pub description: Option<String>,
    pub default: bool,
}

/// An autocomplete suggestion: shown `name`, submitted `value` (an item id).
#[derive(Debug, Clone, PartialEq)]
pub struct Choice {
    pub name: String,
    pub value: String,
}

/// What the bot answers to one request.
#[derive(Debug, Clone, PartialEq)]
pub enum Response {
    /// A new message (interaction callback type 4).
    Message(Reply),
    /// Replace the message a component belongs to (type 7).
    Update(Reply),
    /// Autocomplete suggestions (type 8).
    Choices(Vec<Choice>),
}

/// Discord's message flag for a reply only the person who asked sees; a received message
/// carries it too (a private card's menu pick).
pub const EPHEMERAL: u64 = 1 << 6;

/// The message body: the `data` of an interaction callback, or a channel message.
pub fn message_body(reply: &Reply) -> Value {
    let mut reply = reply.clone();
    limits::fit(&mut reply);
    let mut body = serde_json::Map::new();
    if let Some(content) = &reply.content {
        body.insert("content".into(), json!(content));
    }
    body.insert("embeds".into(), Value::Array(reply.embeds.iter().map(embed_json).collect()));
    body.insert("components".into(), Value::Array(reply.rows.iter().map(row_json).collect()));
    // Nothing the bot says pings anyone, even an echoed "@everyone" or role mention.
    body.insert("allowed_mentions".into(), json!({ "parse": [] }));
    if reply.ephemeral {
        body.insert("flags".into(), json!(EPHEMERAL));
    }
    Value::Object(body)
}

/// A channel message answering `message_id` (a mention): a reply that does not ping its author.
pub fn channel_reply_body(reply: &Reply, message_id: u64) -> Value {
    let mut body = message_body(&Reply { ephemeral: false, ..reply.clone() });
    body["message_reference"] = json!({ "message_id": message_id.to_string(), "fail_if_not_exists": false });
    body["allowed_mentions"] = json!({ "parse": [], "replied_user": false });
    body
}

/// The body that fills in a deferred response (`PATCH …/messages/@original`): whether it is
/// private was decided by the deferred response, so it carries no flags.
pub fn edit_body(reply: &Reply) -> Value {
    let mut body = message_body(reply);
    if let Some(fields) = body.as_object_mut() {
        fields.remove("flags");
    }
    body
}

/// The answer to Discord's PING (the endpoint's liveness check): type 1, no content.
pub fn pong_body() -> Value {
    json!({ "type": 1 })
}

/// A deferred answer (type 5, "thinking…") that only the member sees; the message follows as
/// an edit (`edit_body`), which keeps this privacy.
pub fn private_deferred_body() -> Value {
    json!({ "type": 5, "data": { "flags": EPHEMERAL } })
}

/// The body of `POST /interactions/{id}/{token}/callback`.
pub fn callback_body(response: &Response) -> Value {
    match response {
        Response::Message(reply) => json!({ "type": 4, "data": message_body(reply) }),
        Response::Update(reply) => json!({ "type": 7, "data": message_body(reply) }),
        Response::Choices(choices) => {
            let mut choices = choices.clone();
            limits::fit_choices(&mut choices);
            let choices: Vec<Value> =
                choices.iter().map(|c| json!({ "name": c.name, "value": c.value })).collect();
            json!({ "type": 8, "data": { "choices": choices } })
        }
    }
}

fn embed_json(e: &Embed) -> Value {
    let mut v = json!({ "type": "rich", "color": e.color });
    // Discord rejects empty strings here; an absent part is simply not shown.
    if !e.title.is_empty() {
        v["title"] = json!(e.title);
    }
    if !e.description.is_empty() {
        v["description"] = json!(e.description);
    }
    if let Some(url) = &e.url {
        v["url"] = json!(url);
    }
    if !e.fields.is_empty() {
        v["fields"] = e
            .fields
            .iter()
            .map(|f| json!({ "name": f.name, "value": f.value, "inline": f.inline }))
            .collect();
    }
    if let Some(footer) = &e.footer {
        v["footer"] = json!({ "text": footer });
    }
    if let Some(image) = &e.image {
        v["image"] = json!({ "url": image });
    }
    v
}

fn row_json(row: &Row) -> Value {
    let components: Vec<Value> = match row {
        Row::Links(buttons) => {
            buttons.iter().map(|b| json!({ "type": 2, "style": 5, "label": b.label, "url": b.url })).collect()
        }
        // Primary style (1): the one thing to do with the message, like Share.
        Row::Actions(buttons) => buttons
            .iter()
            .map(|b| json!({ "type": 2, "style": 1, "label": b.label, "custom_id": b.custom_id }))
            .collect(),
        Row::Select(s) => vec![json!({
            "type": 3,
            "custom_id": s.custom_id,
            "placeholder": s.placeholder,
            "min_values": 1,
            "max_values": 1,
            "options": s.options.iter().map(|o| {
                let mut v = json!({ "label": o.label, "value": o.value, "default": o.default });
                if let Some(d) = &o.description {
                    v["description"] = json!(d);
                }
                v
            }).collect::<Vec<_>>(),
        })],
    };
    json!({ "type": 1, "components": components })
}
