//! The slash commands as registered with Discord (`PUT /applications/{id}/commands`).
//!
//! Descriptions are written here as keys of the language files (`src/locale/`): each becomes
//! the English text plus `description_localizations` for every other language Marquee speaks,
//! and the kind choices get `name_localizations`. Command, option and choice values stay English.

use crate::catalog::Kind;
use crate::locale::Lang;
use crate::reply::render::kind_label;
use serde_json::{json, Map, Value};

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

/// `text(lang)` for each Discord locale that reads a language other than English.
fn localizations(text: impl Fn(Lang) -> String) -> Value {
    let mut map = Map::new();
    for lang in Lang::ALL {
        for locale in lang.discord_locales() {
            map.insert((*locale).into(), json!(text(lang)));
        }
    }
    Value::Object(map)
}

fn kind_option(description: &str) -> Value {
    let choices: Vec<Value> = Kind::ALL
        .iter()
        .map(|k| {
            json!({
                "name": kind_label(Lang::En, *k),
                "name_localizations": localizations(|lang| kind_label(lang, *k).to_string()),
                "value": k.as_str(),
            })
        })
        .collect();
    json!({ "type": 3, "name": "kind", "description": description, "required": false, "choices": choices })
}

/// Replaces every `description` (a key of the language files) with its English text and adds
/// its `description_localizations`, through the options and subcommands.
fn localize(value: &mut Value) {
    if let Some(key) = value.get("description").and_then(Value::as_str).map(str::to_string) {
        value["description"] = json!(Lang::En.text(&key));
        value["description_localizations"] = localizations(|lang| lang.text(&key).to_string());
    }
    for option in value.get_mut("options").and_then(Value::as_array_mut).into_iter().flatten() {
        localize(option);
    }
}

/// The name of the message command (a message's **…** menu, under Apps). Context-menu names
/// may hold capitals and spaces; like every command name it stays English.
pub const FIND_IN_MESSAGE: &str = "Find in Marquee";

/// Where a command may be used (Discord's interaction context types): servers (0), the bot's
/// DMs (1), and — for a member who installed the app to their account — any other DM or group
/// DM (2).
const ANYWHERE: [u8; 3] = [0, 1, 2];
const SERVERS: [u8; 1] = [0];
/// How the app may be installed (integration types): to a server (0) or to a member's own
/// account (1). Highlights need the bot in the server, so they are server installs only.
const BOTH_INSTALLS: [u8; 2] = [0, 1];
const SERVER_INSTALL: [u8; 1] = [0];

/// The exact JSON array the bot registers globally.
pub fn commands() -> Value {
    let mut commands = catalog_commands();
    for command in commands.as_array_mut().into_iter().flatten() {
        localize(command);
        let in_servers_only = matches!(command["name"].as_str(), Some("highlights" | "highlight"));
        command["contexts"] = json!(if in_servers_only { &SERVERS[..] } else { &ANYWHERE[..] });
        command["integration_types"] =
            json!(if in_servers_only { &SERVER_INSTALL[..] } else { &BOTH_INSTALLS[..] });
    }
    commands
}

/// The array registered to one server for development (`MARQUEE_GUILD_ID`): Discord documents
/// `contexts` and `integration_types` for global commands only, so they are left out; a
/// server's commands work in that server, by its members, whatever the install.
pub fn guild_commands() -> Value {
    let mut commands = commands();
    for command in commands.as_array_mut().into_iter().flatten() {
        if let Some(fields) = command.as_object_mut() {
            fields.remove("contexts");
            fields.remove("integration_types");
        }
    }
    commands
}

/// The `private` option of the catalog commands.
fn private_option() -> Value {
    json!({ "type": 5, "name": "private", "description": "option.private", "required": false })
}

/// The commands with their descriptions as keys of the language files.
fn catalog_commands() -> Value {
    json!([
        {
            "type": 1,
            "name": "search",
            "description": "command.search",
            "options": [
                query_option("option.search_query"),
                kind_option("option.kind"),
                { "type": 4, "name": "year", "description": "option.year", "required": false,
                  "min_value": 1990, "max_value": 2100 },
                private_option(),
            ],
        },
        {
            "type": 1,
            "name": "video",
            "description": "command.video",
            "options": [query_option("option.video_query"), private_option()],
        },
        {
            "type": 1,
            "name": "casestudy",
            "description": "command.casestudy",
            "options": [query_option("option.casestudy_query"), private_option()],
        },
        {
            "type": 1,
            "name": "random",
            "description": "command.random",
            "options": [kind_option("option.kind"), private_option()],
        },
        {
            "type": 1,
            "name": "about",
            "description": "command.about",
            "options": [private_option()],
        },
        {
            "type": 1,
            "name": "help",
            "description": "command.help",
        },
        {
            "type": 1,
            "name": "highlights",
            "description": "command.highlights",
            // Manage Channels, as Discord enforces it by default; checked again when run.
            "default_member_permissions": 16,
            "options": [
                {
                    "type": 1, "name": "subscribe", "description": "command.highlights_subscribe",
                    "options": [
                        { "type": 7, "name": "channel", "description": "option.subscribe_channel", "required": true,
                          "channel_types": [0, 5] },
                        { "type": 3, "name": "time", "description": "option.subscribe_time",
                          "required": true, "min_length": 4, "max_length": 5 },
                        { "type": 3, "name": "timezone", "description": "option.subscribe_timezone",
                          "required": false, "autocomplete": true, "max_length": 64 },
                    ],
                },
                {
                    "type": 1, "name": "unsubscribe", "description": "command.highlights_unsubscribe",
                    "options": [
                        { "type": 7, "name": "channel", "description": "option.unsubscribe_channel",
                          "required": false, "channel_types": [0, 5] },
                    ],
                },
                { "type": 1, "name": "list", "description": "command.highlights_list" },
            ],
        },
        {
            "type": 1,
            "name": "highlight",
            "description": "command.highlight",
        },
        // A message command takes no description and no options: the message is its input.
        { "type": 3, "name": FIND_IN_MESSAGE },
    ])
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `/help` shows every registered command and subcommand, each with an example, in every
    /// language.
    #[test]
    fn help_lists_every_command() {
        for lang in Lang::ALL {
            help_lists_every_command_in(lang.text("help.commands"));
        }
    }

    fn help_lists_every_command_in(help: &str) {
        for command in commands().as_array().unwrap() {
            let name = command["name"].as_str().unwrap();
            if command["type"] == 3 {
                assert!(help.contains(&format!("**{name}**")), "/help misses {name}");
                continue;
            }
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

    /// Every description (commands, subcommands, options) and kind choice is registered in
    /// every language, and none is left as a key.
    #[test]
    fn every_description_is_localized() {
        fn walk(v: &Value, seen: &mut usize) {
            if let Some(d) = v.get("description").and_then(Value::as_str) {
                assert!(!d.starts_with("command.") && !d.starts_with("option."), "{d} left as a key");
                let l = v["description_localizations"].as_object().expect("localizations");
                for locale in ["de", "fr", "es-ES", "es-419", "pt-BR", "ja"] {
                    let text = l[locale].as_str().unwrap();
                    assert!(!text.is_empty() && text != d, "{locale}: {text}");
                }
                *seen += 1;
            }
            for choice in v.get("choices").and_then(Value::as_array).into_iter().flatten() {
                assert_eq!(choice["name_localizations"].as_object().unwrap().len(), 6);
            }
            for option in v.get("options").and_then(Value::as_array).into_iter().flatten() {
                walk(option, seen);
            }
        }
        let mut seen = 0;
        for command in commands().as_array().unwrap() {
            walk(command, &mut seen);
        }
        assert_eq!(seen, 26);
    }
}
