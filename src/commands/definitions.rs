//! The slash commands as registered with Discord (`PUT /applications/{id}/commands`).

use crate::catalog::Kind;
use serde_json::{json, Value};

/// Longest query accepted by Discord's own input box; longer text is cut by search anyway.
pub const QUERY_MAX: u32 = 200;

fn query_option(description: &str) -> Value {
    json!({
        "type": 3,
        "name": "query",
        "description": description,
        "required": true,
        "autocomplete": true,
        "max_length": QUERY_MAX,
    })
}

fn kind_option(description: &str) -> Value {
    let choices: Vec<Value> =
        Kind::ALL.iter().map(|k| json!({ "name": k.label(), "value": k.as_str() })).collect();
    json!({ "type": 3, "name": "kind", "description": description, "required": false, "choices": choices })
}

/// Where a command may be used (Discord's interaction context types): in servers (0) and in
/// the bot's DMs (1). Installed to servers only (integration type 0): user installs are not
/// offered, since highlights need a server and a user install would reach servers where the
/// bot cannot post.
const ANYWHERE: [u8; 2] = [0, 1];
const SERVERS: [u8; 1] = [0];
const SERVER_INSTALL: [u8; 1] = [0];

/// The exact JSON array the bot registers.
pub fn commands() -> Value {
    let mut commands = catalog_commands();
    for command in commands.as_array_mut().into_iter().flatten() {
        let in_servers_only = matches!(command["name"].as_str(), Some("highlights" | "highlight"));
        command["contexts"] = json!(if in_servers_only { &SERVERS[..] } else { &ANYWHERE[..] });
        command["integration_types"] = json!(SERVER_INSTALL);
    }
    commands
}

fn catalog_commands() -> Value {
    json!([
        {
            "type": 1,
            "name": "search",
            "description": "Find a Netflix on AWS story: case studies, talks, videos, blog posts, quotes",
            "options": [
                query_option("What to look for; half-remembered or misspelled is fine"),
                kind_option("Only this kind of story"),
                { "type": 4, "name": "year", "description": "Only stories from this year", "required": false,
                  "min_value": 1990, "max_value": 2100 },
            ],
        },
        {
            "type": 1,
            "name": "video",
            "description": "Find a video, re:Invent talk, keynote or podcast about Netflix on AWS",
            "options": [query_option("What the video is about, or who speaks")],
        },
        {
            "type": 1,
            "name": "casestudy",
            "description": "Find a case study or tech-blog post about Netflix on AWS",
            "options": [query_option("What the case study is about")],
        },
        {
            "type": 1,
            "name": "random",
            "description": "A Netflix on AWS story at random",
            "options": [kind_option("Only this kind of story")],
        },
        {
            "type": 1,
            "name": "about",
            "description": "What Marquee knows and how to ask it",
        },
        {
            "type": 1,
            "name": "help",
            "description": "Every command, each with an example",
        },
        {
            "type": 1,
            "name": "highlights",
            "description": "Daily highlights: a Netflix on AWS story posted in a channel every day",
            // Manage Channels, as Discord enforces it by default; checked again when run.
            "default_member_permissions": 16,
            "options": [
                {
                    "type": 1, "name": "subscribe", "description": "Post a daily highlight in a channel",
                    "options": [
                        { "type": 7, "name": "channel", "description": "Where to post", "required": true,
                          "channel_types": [0, 5] },
                        { "type": 3, "name": "time", "description": "Local time of day, 24-hour HH:MM (e.g. 09:00)",
                          "required": true, "min_length": 4, "max_length": 5 },
                        { "type": 3, "name": "timezone", "description": "IANA timezone, e.g. Europe/Paris (default UTC)",
                          "required": false, "autocomplete": true, "max_length": 64 },
                    ],
                },
                {
                    "type": 1, "name": "unsubscribe", "description": "Stop daily highlights in a channel (or all)",
                    "options": [
                        { "type": 7, "name": "channel", "description": "The channel; leave empty for every channel",
                          "required": false, "channel_types": [0, 5] },
                    ],
                },
                { "type": 1, "name": "list", "description": "This server's highlight subscriptions and their next posts" },
            ],
        },
        {
            "type": 1,
            "name": "highlight",
            "description": "Today's highlight for this server",
        },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/help` shows every registered command and subcommand, each with an example.
    #[test]
    fn help_lists_every_command() {
        let help = crate::reply::render::HELP;
        for command in commands().as_array().unwrap() {
            let name = command["name"].as_str().unwrap();
            let subcommands: Vec<&str> = command["options"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|o| o["type"] == 1)
                .map(|o| o["name"].as_str().unwrap())
                .collect();
            if subcommands.is_empty() {
                assert!(help.contains(&format!("`/{name}")), "/help misses /{name}");
            }
            for sub in subcommands {
                assert!(help.contains(&format!("`/{name} {sub}")), "/help misses /{name} {sub}");
            }
        }
        assert!(help.contains("`@Marquee "), "/help misses the mention");
    }
}
