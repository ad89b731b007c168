//! The words of a message worth searching for ("Find in Marquee"): its text without mentions,
//! channel and command references, custom emoji, timestamps and links. A mention's id or a
//! link's path would otherwise be searched as words and match nothing, or the wrong story.

/// `content` with every `<…>` reference (users, roles, channels, commands, emoji, timestamps,
/// `<https://…>` links), `@everyone`/`@here` and bare links removed, whitespace collapsed.
pub fn searchable(content: &str) -> String {
    let mut kept = String::with_capacity(content.len());
    let mut rest = content;
    while let Some(open) = rest.find('<') {
        kept.push_str(&rest[..open]);
        let after = &rest[open..];
        match after.find('>') {
            Some(close) if is_reference(&after[1..close]) => {
                kept.push(' ');
                rest = &after[close + 1..];
            }
            _ => {
                kept.push('<');
                rest = &after[1..];
            }
        }
    }
    kept.push_str(rest);
    kept.split_whitespace()
        .filter(|word| !is_link(word) && !matches!(*word, "@everyone" | "@here"))
        .collect::<Vec<_>>()
        .join(" ")
}

/// The words of a query to search for: `searchable(query)`, or the query as typed when it holds
/// nothing else, so that "nothing matches" can echo what was typed.
pub fn query_words(query: &str) -> std::borrow::Cow<'_, str> {
    let words = searchable(query);
    if words.is_empty() {
        std::borrow::Cow::Borrowed(query)
    } else {
        std::borrow::Cow::Owned(words)
    }
}

/// What Discord writes between `<` and `>` for a reference: `@id`, `@!id`, `@&id`, `#id`,
/// `/name:id`, `:name:id`, `a:name:id`, `t:stamp[:style]`, `id:…` (guild navigation), or a link.
fn is_reference(inner: &str) -> bool {
    if inner.is_empty() || (inner.contains(char::is_whitespace) && !inner.starts_with('/')) {
        return false;
    }
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let last_is_id = || inner.rsplit(':').next().is_some_and(digits);
    if let Some(id) = inner.strip_prefix("@!").or(inner.strip_prefix("@&")).or(inner.strip_prefix('@')) {
        return digits(id);
    }
    if let Some(id) = inner.strip_prefix('#') {
        return digits(id);
    }
    if inner.starts_with('/') || inner.starts_with(':') || inner.starts_with("a:") {
        return inner.contains(':') && last_is_id();
    }
    if let Some(stamp) = inner.strip_prefix("t:") {
        return stamp.split(':').next().is_some_and(|t| digits(t.trim_start_matches('-')));
    }
    if inner.starts_with("id:") {
        return true;
    }
    is_link(inner)
}

fn is_link(word: &str) -> bool {
    let lower = word.to_ascii_lowercase();
    ["http://", "https://", "discord://", "www."].iter().any(|p| lower.starts_with(p))
}

#[cfg(test)]
mod tests {
    use super::searchable;

    #[test]
    fn mentions_references_and_links_are_not_searched() {
        assert_eq!(
            searchable(
                "<@123> <@!45> <@&6> did you see <#789> the crown talk? https://youtu.be/x <https://a.b/c>"
            ),
            "did you see the crown talk?"
        );
        assert_eq!(
            searchable("</search:1234> spinnaker <:party:99> <a:dance:98> <t:1700000000:R>"),
            "spinnaker"
        );
        assert_eq!(searchable("@everyone   chaos\nengineering @here"), "chaos engineering");
        assert_eq!(searchable("</highlights subscribe:77> list"), "list");
    }

    /// Text that only looks like a reference stays: maths, arrows, an unclosed `<`.
    #[test]
    fn other_angle_brackets_are_kept() {
        assert_eq!(searchable("a <b and c> d"), "a <b and c> d");
        assert_eq!(searchable("x<3 <@abc> <#general>"), "x<3 <@abc> <#general>");
        assert_eq!(searchable(""), "");
        assert_eq!(searchable("<@1>"), "");
    }
}
