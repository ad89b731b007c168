//! Which message in a channel is a slot's daily post: what only that post has, never text
//! that a command's answer can also contain.
//!
//! A member's public `/highlight` answer carries the same header and embed, but Discord makes it
//! an interaction answer (type 20, with `interaction_metadata`); an answer to a mention is a
//! reply (type 19, with `message_reference`); another bot or a webhook has another author id.
//! The daily post is a plain message (type 0) of the bot's own user, with the header of its
//! date and the embed of that date's pick. (Discord does not return a message's nonce when
//! listing a channel, so the nonce cannot be what is matched.)

use serde_json::Value;

/// What the slot's post looks like: its header line and its embed's title.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostMarks {
    pub content: String,
    pub title: Option<String>,
}

/// Discord's message type of a plain message, not a reply, not an interaction answer.
const DEFAULT_MESSAGE: u64 = 0;

/// Whether `message` (as Discord lists it) is the post `marks` describes, made by user `me`.
pub fn is_the_post(message: &Value, me: u64, marks: &PostMarks) -> bool {
    let author = message["author"]["id"].as_str().and_then(|id| id.parse::<u64>().ok());
    let absent = |k: &str| message.get(k).is_none_or(Value::is_null);
    author == Some(me)
        && message["type"].as_u64() == Some(DEFAULT_MESSAGE)
        && absent("interaction_metadata")
        && absent("interaction")
        && absent("webhook_id")
        && absent("message_reference")
        && message["content"].as_str() == Some(marks.content.as_str())
        && message["embeds"][0]["title"].as_str() == marks.title.as_deref()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn marks() -> PostMarks {
        PostMarks {
            content: "**Today's highlight** · Friday 27 November 2026".into(),
            title: Some("Crown".into()),
        }
    }

    fn post() -> Value {
        json!({ "id": "1", "type": 0, "author": { "id": "42", "bot": true },
                "content": marks().content, "embeds": [{ "title": "Crown" }] })
    }

    #[test]
    fn only_the_bots_own_plain_message_with_that_days_header_and_pick() {
        assert!(is_the_post(&post(), 42, &marks()));
        let mut answer = post();
        answer["type"] = json!(20);
        answer["interaction_metadata"] = json!({ "id": "9", "type": 2, "user": { "id": "5" } });
        assert!(!is_the_post(&answer, 42, &marks()), "a member's /highlight answer");
        let mut reply = post();
        reply["type"] = json!(19);
        reply["message_reference"] = json!({ "message_id": "3" });
        assert!(!is_the_post(&reply, 42, &marks()), "an answer to a mention");
        assert!(!is_the_post(&post(), 43, &marks()), "another bot");
        let mut other_day = post();
        other_day["content"] = json!("**Today's highlight** · Thursday 26 November 2026");
        assert!(!is_the_post(&other_day, 42, &marks()));
        let mut quoted = post();
        quoted["content"] = json!(format!("look: {}", marks().content));
        assert!(!is_the_post(&quoted, 42, &marks()), "text that merely contains the header");
        let mut other_pick = post();
        other_pick["embeds"][0]["title"] = json!("Another story");
        assert!(!is_the_post(&other_pick, 42, &marks()));
        let mut hooked = post();
        hooked["webhook_id"] = json!("77");
        assert!(!is_the_post(&hooked, 42, &marks()));
    }
}
