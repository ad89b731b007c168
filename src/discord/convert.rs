//! Serenity's interaction and message types turned into plain `Request`s.

use crate::catalog::Kind;
use crate::commands::{Command, Request};
use crate::highlights::commands::HighlightRequest;
use crate::highlights::permissions::{ADMINISTRATOR, MANAGE_CHANNELS};
use crate::reply::render::PICK;
use serenity::all::{
    ActionRowComponent, CommandDataOption, CommandDataOptionValue, CommandInteraction, ComponentInteraction,
    ComponentInteractionDataKind, Message, UserId,
};

fn string_option<'a>(options: &'a [CommandDataOption], name: &str) -> Option<&'a str> {
    options.iter().find(|o| o.name == name).and_then(|o| match &o.value {
        CommandDataOptionValue::String(s) => Some(s.as_str()),
        CommandDataOptionValue::Autocomplete { value, .. } => Some(value.as_str()),
        _ => None,
    })
}

fn kind_option(options: &[CommandDataOption]) -> Option<Kind> {
    string_option(options, "kind").and_then(|k| k.parse().ok())
}

/// A slash command; `None` for a command this bot does not know (an old registration).
pub fn command(interaction: &CommandInteraction) -> Option<Request> {
    let options = &interaction.data.options;
    let command = Command::from_name(&interaction.data.name)?;
    Some(match command {
        Command::Search | Command::Video | Command::CaseStudy => Request::Find {
            command,
            query: string_option(options, "query").unwrap_or_default().to_string(),
            kind: kind_option(options),
            year: options.iter().find(|o| o.name == "year").and_then(|o| match o.value {
                CommandDataOptionValue::Integer(y) => u16::try_from(y).ok(),
                _ => None,
            }),
        },
        Command::Random => Request::Random { kind: kind_option(options), seed: interaction.id.get() },
        Command::About => Request::About,
    })
}

/// Typing in an autocomplete option: the focused value is the text so far.
pub fn autocomplete(interaction: &CommandInteraction) -> Option<Request> {
    let command = Command::from_name(&interaction.data.name)?;
    let options = &interaction.data.options;
    let text = options.iter().find_map(|o| match &o.value {
        CommandDataOptionValue::Autocomplete { value, .. } => Some(value.clone()),
        _ => None,
    })?;
    Some(Request::Autocomplete { command, text, kind: kind_option(options) })
}

/// A choice in the "more matches" menu; the menu's own options say what was listed.
pub fn component(interaction: &ComponentInteraction) -> Option<Request> {
    if interaction.data.custom_id != PICK {
        return None;
    }
    let ComponentInteractionDataKind::StringSelect { values } = &interaction.data.kind else {
        return None;
    };
    let id = values.first()?.clone();
    let listed = interaction
        .message
        .components
        .iter()
        .flat_map(|row| &row.components)
        .filter_map(|c| match c {
            ActionRowComponent::SelectMenu(menu) if menu.custom_id.as_deref() == Some(PICK) => Some(menu),
            _ => None,
        })
        .flat_map(|menu| menu.options.iter().map(|o| o.value.clone()))
        .collect();
    Some(Request::Pick { id, listed })
}

/// A message addressed to the bot: it mentions the bot (or is a direct message). The mention
/// itself is removed; other text, including other mentions, is the query.
pub fn mention(message: &Message, me: UserId) -> Option<Request> {
    if message.author.bot || message.author.id == me {
        return None;
    }
    let mentioned = message.mentions.iter().any(|u| u.id == me);
    if !mentioned && message.guild_id.is_some() {
        return None;
    }
    let text = message.content.replace(&format!("<@{me}>"), " ").replace(&format!("<@!{me}>"), " ");
    Some(Request::Mention { text: text.split_whitespace().collect::<Vec<_>>().join(" ") })
}

/// `/highlights …` and `/highlight`; `bot_missing` is what the bot lacks in the target channel.
pub fn highlight(
    interaction: &CommandInteraction,
    bot_missing: Vec<&'static str>,
) -> Option<HighlightRequest> {
    let guild_id = interaction.guild_id?.get();
    if interaction.data.name == "highlight" {
        return Some(HighlightRequest::Today { guild_id });
    }
    if interaction.data.name != "highlights" {
        return None;
    }
    let can_manage = interaction
        .member
        .as_ref()
        .and_then(|m| m.permissions)
        .is_some_and(|p| p.bits() & (MANAGE_CHANNELS | ADMINISTRATOR) != 0);
    let sub = interaction.data.options.first()?;
    let CommandDataOptionValue::SubCommand(options) = &sub.value else { return None };
    let channel = options.iter().find(|o| o.name == "channel").and_then(|o| match o.value {
        CommandDataOptionValue::Channel(c) => Some(c.get()),
        _ => None,
    });
    Some(match sub.name.as_str() {
        "subscribe" => HighlightRequest::Subscribe {
            guild_id,
            channel_id: channel?,
            time: string_option(options, "time").unwrap_or_default().to_string(),
            timezone: string_option(options, "timezone").map(str::to_string),
            can_manage,
            bot_missing,
        },
        "unsubscribe" => HighlightRequest::Unsubscribe { guild_id, channel_id: channel, can_manage },
        "list" => HighlightRequest::List { guild_id },
        _ => return None,
    })
}

/// The channel a `/highlights subscribe` targets, to check the bot's access before answering.
pub fn subscribe_target(interaction: &CommandInteraction) -> Option<u64> {
    let sub = interaction.data.options.first()?;
    if interaction.data.name != "highlights" || sub.name != "subscribe" {
        return None;
    }
    let CommandDataOptionValue::SubCommand(options) = &sub.value else { return None };
    options.iter().find_map(|o| match o.value {
        CommandDataOptionValue::Channel(c) if o.name == "channel" => Some(c.get()),
        _ => None,
    })
}

/// Typing a timezone in `/highlights subscribe`.
pub fn timezone_autocomplete(interaction: &CommandInteraction) -> Option<HighlightRequest> {
    if interaction.data.name != "highlights" {
        return None;
    }
    let CommandDataOptionValue::SubCommand(options) = &interaction.data.options.first()?.value else {
        return None;
    };
    options.iter().find_map(|o| match &o.value {
        CommandDataOptionValue::Autocomplete { value, .. } => {
            Some(HighlightRequest::TimezoneAutocomplete { text: value.clone() })
        }
        _ => None,
    })
}
