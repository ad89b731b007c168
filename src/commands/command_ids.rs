//! The ids Discord gave the registered slash commands, and the texts that name commands
//! rewritten as Discord command mentions (`</search:ID>`, `</highlights subscribe:ID>`), which
//! members can click to start typing that command.
//!
//! The ids come from Discord only (the answer to registration, or a GET of the commands):
//! without them a command stays written as plain `/search`, which is still correct text.

use serde_json::Value;
use std::collections::HashMap;

/// Registered slash commands by name: their id and subcommand names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CommandIds {
    commands: HashMap<String, (u64, Vec<String>)>,
}

impl CommandIds {
    /// From Discord's list of application commands (what registration returns, or a GET of
    /// them): chat-input commands (type 1, or no type) with a snowflake `id`; anything else is
    /// ignored.
    pub fn from_registered(commands: &Value) -> CommandIds {
        let mut out = CommandIds::default();
        for c in commands.as_array().into_iter().flatten() {
            let chat_input = c.get("type").and_then(Value::as_u64).is_none_or(|t| t == 1);
            let name = c.get("name").and_then(Value::as_str);
            let id = match c.get("id") {
                Some(Value::String(s)) => s.parse::<u64>().ok(),
                Some(Value::Number(n)) => n.as_u64(),
                _ => None,
            };
            if let (true, Some(name), Some(id)) = (chat_input, name, id) {
                let subcommands = c
                    .get("options")
                    .and_then(Value::as_array)
                    .into_iter()
                    .flatten()
                    .filter(|o| o.get("type").and_then(Value::as_u64) == Some(1))
                    .filter_map(|o| o.get("name").and_then(Value::as_str).map(str::to_string))
                    .collect();
                out.commands.insert(name.to_string(), (id, subcommands));
            }
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        self.commands.is_empty()
    }

    pub fn len(&self) -> usize {
        self.commands.len()
    }

    /// `text` with each code span that starts with a registered command (`` `/search the
    /// crown` ``, `` `/highlights list` ``) written as a command mention followed by the rest
    /// of the span as code (`</search:ID> `the crown``). Spans naming no registered command
    /// are left as they are.
    pub fn linkify(&self, text: &str) -> String {
        if self.commands.is_empty() {
            return text.to_string();
        }
        let mut out = String::with_capacity(text.len() + 64);
        let mut rest = text;
        while let Some(open) = rest.find('`') {
            let after = &rest[open + 1..];
            let Some(close) = after.find('`') else { break };
            out.push_str(&rest[..open]);
            let span = &after[..close];
            match self.mention(span) {
                Some(linked) => out.push_str(&linked),
                None => {
                    out.push('`');
                    out.push_str(span);
                    out.push('`');
                }
            }
            rest = &after[close + 1..];
        }
        out.push_str(rest);
        out
    }

    /// A code span's text as a mention and the rest of it as code, when it names a command.
    fn mention(&self, span: &str) -> Option<String> {
        let mut words = span.strip_prefix('/')?.splitn(3, ' ');
        let name = words.next()?;
        let (id, subcommands) = self.commands.get(name)?;
        let second = words.next();
        let (path, rest) = match second {
            Some(sub) if subcommands.iter().any(|s| s == sub) => {
                (format!("{name} {sub}"), words.next().unwrap_or_default().to_string())
            }
            // A command with subcommands cannot be mentioned on its own.
            _ if !subcommands.is_empty() => return None,
            Some(arg) => (name.to_string(), [arg, words.next().unwrap_or_default()].join(" ")),
            None => (name.to_string(), String::new()),
        };
        let rest = rest.trim();
        Some(if rest.is_empty() { format!("</{path}:{id}>") } else { format!("</{path}:{id}> `{rest}`") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ids() -> CommandIds {
        CommandIds::from_registered(&json!([
            { "id": "11", "name": "search", "type": 1 },
            { "id": "12", "name": "help" },
            { "id": "13", "name": "highlights", "type": 1, "options": [
                { "type": 1, "name": "subscribe" }, { "type": 1, "name": "list" }] },
            { "id": "14", "name": "Find in Marquee", "type": 3 },
            { "name": "noid", "type": 1 },
        ]))
    }

    #[test]
    fn registered_commands_become_mentions() {
        let ids = ids();
        assert_eq!(ids.len(), 3, "the message command and the command without an id are left out");
        assert_eq!(ids.linkify("`/search the crown` — any story"), "</search:11> `the crown` — any story");
        assert_eq!(ids.linkify("`/help` lists them"), "</help:12> lists them");
        assert_eq!(ids.linkify("`/highlights list` — x"), "</highlights list:13> — x");
        assert_eq!(
            ids.linkify("`/highlights subscribe channel:#g time:09:00`"),
            "</highlights subscribe:13> `channel:#g time:09:00`"
        );
    }

    #[test]
    fn everything_else_stays_as_written() {
        let ids = ids();
        for text in
            ["`/random` for a surprise", "`/highlights`", "`@Marquee the crown`", "`09:00`", "a ` b", ""]
        {
            assert_eq!(ids.linkify(text), text);
        }
        assert_eq!(CommandIds::default().linkify("`/search x`"), "`/search x`");
    }
}
