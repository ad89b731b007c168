//! What Discord sends, as Marquee's own small types: only the fields Marquee reads.
//!
//! Discord adds fields and enum values without notice, and has dropped fields a strict
//! decoder required (serenity 0.12 drops a whole interaction that lacks
//! `attachment_size_limit`). So these types are tolerant: unknown fields are ignored, every
//! field has a default, a field of an unexpected shape becomes its default instead of failing
//! the whole body, ids may be strings or numbers, and enum values stay plain numbers that the
//! router interprets. Only a body that is not a JSON object, or has no `type`, fails.

use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::Value;

/// Interaction types (Discord's numbers).
pub const PING: u64 = 1;
pub const APPLICATION_COMMAND: u64 = 2;
pub const MESSAGE_COMPONENT: u64 = 3;
pub const AUTOCOMPLETE: u64 = 4;

/// Decodes a field as `T`, or gives `T::default()` when it is absent, null or of another shape.
fn lenient<'de, D: Deserializer<'de>, T: DeserializeOwned + Default>(d: D) -> Result<T, D::Error> {
    let value = Value::deserialize(d)?;
    Ok(T::deserialize(value).unwrap_or_default())
}

/// A snowflake sent as a string (as Discord does) or as a number; 0 when absent or malformed.
fn snowflake<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    Ok(snowflake_of(&Value::deserialize(d)?).unwrap_or(0))
}

fn optional_snowflake<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    Ok(snowflake_of(&Value::deserialize(d)?))
}

/// A snowflake or a decimal bit set, from a JSON string or number.
pub fn snowflake_of(value: &Value) -> Option<u64> {
    match value {
        Value::String(s) => s.trim().parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Interaction {
    #[serde(default, deserialize_with = "snowflake")]
    pub id: u64,
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub application_id: Option<u64>,
    /// The interaction type; required (nothing can be answered without it).
    #[serde(rename = "type")]
    pub kind: u64,
    #[serde(default, deserialize_with = "lenient")]
    pub token: String,
    #[serde(default, deserialize_with = "lenient")]
    pub data: Data,
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub guild_id: Option<u64>,
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub channel_id: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub member: Option<Member>,
    #[serde(default, deserialize_with = "lenient")]
    pub user: Option<User>,
    /// The member's language (e.g. `de`, `pt-BR`); absent for PING.
    #[serde(default, deserialize_with = "lenient")]
    pub locale: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub guild_locale: Option<String>,
    /// The message a component belongs to.
    #[serde(default, deserialize_with = "lenient")]
    pub message: Option<ComponentMessage>,
    /// Where it was used: 0 a server, 1 the bot's DM, 2 another DM or group DM (absent before
    /// 2024).
    #[serde(default, deserialize_with = "lenient")]
    pub context: Option<u64>,
    /// Which installs authorised it: key "0" a server install, "1" a member's own install.
    #[serde(default, deserialize_with = "lenient")]
    pub authorizing_integration_owners: std::collections::HashMap<String, Value>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Data {
    /// The command's name (commands and autocomplete).
    #[serde(default, deserialize_with = "lenient")]
    pub name: String,
    #[serde(default, deserialize_with = "lenient")]
    pub options: Vec<CommandOption>,
    /// A component's id and, for a select menu, what was chosen.
    #[serde(default, deserialize_with = "lenient")]
    pub custom_id: String,
    #[serde(default, deserialize_with = "lenient")]
    pub values: Vec<String>,
    /// The command's type: 1 a slash command (also when absent), 3 a message command.
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: Option<u64>,
    /// A message command's message.
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub target_id: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub resolved: Resolved,
}

/// What a command's options and target refer to, as Discord resolved them (keys are ids).
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Resolved {
    #[serde(default, deserialize_with = "lenient")]
    pub messages: std::collections::HashMap<String, ResolvedMessage>,
    #[serde(default, deserialize_with = "lenient")]
    pub channels: std::collections::HashMap<String, ResolvedChannel>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResolvedMessage {
    #[serde(default, deserialize_with = "lenient")]
    pub content: String,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ResolvedChannel {
    /// The bot's permissions in the channel; sent only when the bot is in the server.
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub app_permissions: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct CommandOption {
    #[serde(default, deserialize_with = "lenient")]
    pub name: String,
    /// A string, integer, number, boolean or id (as a string); `Null` for a subcommand.
    #[serde(default)]
    pub value: Value,
    /// A subcommand's own options.
    #[serde(default, deserialize_with = "lenient")]
    pub options: Vec<CommandOption>,
    /// The option being typed in (autocomplete).
    #[serde(default, deserialize_with = "lenient")]
    pub focused: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Member {
    #[serde(default, deserialize_with = "lenient")]
    pub user: Option<User>,
    /// The member's permissions in the channel (a decimal bit set).
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub permissions: Option<u64>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct User {
    #[serde(default, deserialize_with = "snowflake")]
    pub id: u64,
    #[serde(default, deserialize_with = "lenient")]
    pub bot: bool,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct ComponentMessage {
    #[serde(default, deserialize_with = "lenient")]
    pub components: Vec<Component>,
    /// Message flags; EPHEMERAL (64) when only the member sees it.
    #[serde(default, deserialize_with = "lenient")]
    pub flags: u64,
}

/// A component of any type; rows and containers nest others.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Component {
    #[serde(default, deserialize_with = "lenient")]
    pub custom_id: Option<String>,
    #[serde(default, deserialize_with = "lenient")]
    pub components: Vec<Component>,
    #[serde(default, deserialize_with = "lenient")]
    pub options: Vec<SelectOption>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct SelectOption {
    #[serde(default, deserialize_with = "lenient")]
    pub value: String,
}

/// A MESSAGE_CREATE: what the mention rules read.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Message {
    #[serde(default, deserialize_with = "snowflake")]
    pub id: u64,
    #[serde(default, deserialize_with = "snowflake")]
    pub channel_id: u64,
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub guild_id: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub author: User,
    /// Messages sent by a webhook have no human behind them.
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub webhook_id: Option<u64>,
    #[serde(default, deserialize_with = "lenient")]
    pub content: String,
    #[serde(default, deserialize_with = "lenient")]
    pub mentions: Vec<User>,
    /// Present on replies and forwards.
    #[serde(default, deserialize_with = "lenient")]
    pub message_reference: Option<Reference>,
    /// The message replied to, when Discord includes it.
    #[serde(default, deserialize_with = "lenient")]
    pub referenced_message: Option<Box<Message>>,
    /// The member's language, when Discord includes it (it does not in MESSAGE_CREATE today).
    #[serde(default, deserialize_with = "lenient")]
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Default, Deserialize)]
pub struct Reference {
    /// 0 = reply (also when absent: older payloads), 1 = forward.
    #[serde(rename = "type", default, deserialize_with = "lenient")]
    pub kind: u64,
    #[serde(default, deserialize_with = "optional_snowflake")]
    pub message_id: Option<u64>,
}

impl Reference {
    pub const FORWARD: u64 = 1;
}

impl Interaction {
    /// Decodes an interaction body (HTTP endpoint) or an INTERACTION_CREATE's `d`.
    pub fn from_json(value: Value) -> Result<Interaction, serde_json::Error> {
        serde_json::from_value(value)
    }

    pub fn from_slice(body: &[u8]) -> Result<Interaction, serde_json::Error> {
        serde_json::from_slice(body)
    }

    /// The person who acted: the member's user in a server, the user elsewhere.
    pub fn user_id(&self) -> Option<u64> {
        self.member.as_ref().and_then(|m| m.user.as_ref()).or(self.user.as_ref()).map(|u| u.id)
    }

    /// Whether the app is installed in the server (or the bot's DM) the interaction came from.
    /// Bodies from before user installs (no owners listed) were all server installs.
    pub fn server_installed(&self) -> bool {
        self.authorizing_integration_owners.is_empty()
            || self.authorizing_integration_owners.contains_key("0")
    }

    /// The text of a message command's message, when Discord sent it.
    pub fn target_message(&self) -> Option<&str> {
        let id = self.data.target_id?;
        self.data.resolved.messages.get(&id.to_string()).map(|m| m.content.as_str())
    }

    /// A command's subcommand (its first option) and the subcommand's own options.
    pub fn subcommand(&self) -> Option<(&str, &[CommandOption])> {
        let first = self.data.options.first()?;
        Some((first.name.as_str(), first.options.as_slice()))
    }
}

impl CommandOption {
    pub fn as_str(&self) -> Option<&str> {
        self.value.as_str()
    }

    /// An integer option (sent as a number; tolerated as a string).
    pub fn as_i64(&self) -> Option<i64> {
        match &self.value {
            Value::Number(n) => n.as_i64(),
            Value::String(s) => s.trim().parse().ok(),
            _ => None,
        }
    }
}

/// The option called `name` among `options`.
pub fn option<'a>(options: &'a [CommandOption], name: &str) -> Option<&'a CommandOption> {
    options.iter().find(|o| o.name == name)
}

impl Component {
    /// This component and every one nested in it.
    pub fn walk(&self) -> Vec<&Component> {
        let mut out = vec![self];
        for c in &self.components {
            out.extend(c.walk());
        }
        out
    }
}
