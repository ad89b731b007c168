//! Which messages are questions to the bot.
//!
//! A member asks by mentioning the bot in the text (`@Marquee the crown`), or by writing to it
//! in a direct message. Discord also lists the bot in `mentions` when someone merely *replies*
//! to one of its messages (the default reply-ping), with no `<@id>` in the text: that is
//! conversation ("thanks, that's the one!"), not a query, and gets no answer.

use super::incoming::{Message, Reference};

/// The query in `message` if it is addressed to the bot `me`: the text with the bot's
/// mentions removed (other mentions stay; replies never ping anyone anyway).
pub fn query(message: &Message, me: u64) -> Option<String> {
    if message.author.bot || message.author.id == me || message.webhook_id.is_some() || me == 0 {
        return None;
    }
    let tokens = [format!("<@{me}>"), format!("<@!{me}>")];
    let explicit = tokens.iter().any(|t| message.content.contains(t.as_str()));
    if !explicit {
        let in_server = message.guild_id.is_some();
        let reference = message.message_reference.as_ref();
        let forward = reference.is_some_and(|r| r.kind == Reference::FORWARD);
        // In a direct message everything is addressed to the bot, except replies to what it
        // said and forwarded messages (a forward has no text of its own).
        if in_server || forward || reference.is_some() {
            return None;
        }
    }
    let mut text = message.content.clone();
    for t in &tokens {
        text = text.replace(t.as_str(), " ");
    }
    Some(text.split_whitespace().collect::<Vec<_>>().join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::router::incoming::User;

    const ME: u64 = 42;

    fn message(content: &str, guild: bool) -> Message {
        Message {
            id: 1,
            channel_id: 2,
            guild_id: guild.then_some(3),
            author: User { id: 7, bot: false },
            content: content.into(),
            ..Message::default()
        }
    }

    fn reply_to_me(mut m: Message) -> Message {
        m.message_reference = Some(Reference { kind: 0, message_id: Some(9) });
        m.referenced_message =
            Some(Box::new(Message { author: User { id: ME, bot: true }, ..Message::default() }));
        // The reply-ping lists the bot among the mentions without any <@id> in the text.
        m.mentions = vec![User { id: ME, bot: true }];
        m
    }

    #[test]
    fn an_explicit_mention_is_a_query_with_the_mention_removed() {
        assert_eq!(query(&message("<@42> the crown", true), ME).as_deref(), Some("the crown"));
        assert_eq!(
            query(&message("hey <@!42>  spinnaker <@5>", true), ME).as_deref(),
            Some("hey spinnaker <@5>")
        );
        assert_eq!(query(&message("<@42>", true), ME).as_deref(), Some(""));
    }

    #[test]
    fn a_reply_to_the_bot_without_a_mention_is_conversation() {
        assert_eq!(query(&reply_to_me(message("thanks, that's the one!", true)), ME), None);
        assert_eq!(query(&reply_to_me(message("thanks!", false)), ME), None, "in a DM too");
        // Typing the mention in a reply makes it a question again.
        assert_eq!(
            query(&reply_to_me(message("<@42> and the encoding talk?", true)), ME).as_deref(),
            Some("and the encoding talk?")
        );
    }

    #[test]
    fn bots_self_webhooks_forwards_and_unmentioned_server_messages_are_ignored() {
        let mut bot = message("<@42> hi", true);
        bot.author.bot = true;
        assert_eq!(query(&bot, ME), None);
        let mut me = message("<@42> hi", true);
        me.author.id = ME;
        assert_eq!(query(&me, ME), None);
        let mut hook = message("<@42> hi", true);
        hook.webhook_id = Some(5);
        assert_eq!(query(&hook, ME), None);
        let mut forward = message("", false);
        forward.message_reference = Some(Reference { kind: Reference::FORWARD, message_id: Some(8) });
        assert_eq!(query(&forward, ME), None);
        assert_eq!(query(&message("the crown", true), ME), None);
        assert_eq!(query(&message("the crown", false), ME).as_deref(), Some("the crown"), "a DM asks");
    }
}
